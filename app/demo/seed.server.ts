// The demo store: a believable shop with three weeks of orders in every state, so the catalog, the
// review window and the timeline have something true-looking to show before any cart is connected.
// Everything is generated from fixed lists and a seeded generator, so two runs describe the same
// orders; only the timestamps follow `now`, keeping the newest countdowns a few minutes away.
import { sealSecret } from "~/security/encryption.server";
import { and, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import {
  lineItems,
  orders,
  paymentTransactions,
  providers,
  shipments,
  shops,
  submissions,
} from "~/db/schema";
import { addTimelineEntry, type TimelineEntry } from "~/orders/core/timeline.server";
import type {
  Address,
  CartStatus,
  LifecycleState,
  OrderAlert,
  OrderType,
  Personalization,
  ManualEdits,
  ProcessingMode,
} from "~/orders/core/model";
import { fixFor } from "~/orders/core/alerts";
import { shopSettings } from "~/orders/core/shop-settings";
import { abandonWords } from "~/orders/abandon.server";
import { unroutedProblem } from "~/fulfillment/routing";
import { knownCartOrderIds } from "~/orders/core/transitions.server";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { ensureShop } from "~/shops/shops.server";
import type { NormalizedOrder } from "~/carts/connector";
import { productHandle } from "./cart-orders";
import { demoPreviewUrl } from "./previews";
import { DEMO_OWNER_NAME, DEMO_SHOP_DOMAIN } from "./constants";
import { DEMO_PAUSING_STATUS, ensureDemoPausingStatus } from "./demo-statuses.server";

export const DEMO_SHOP_NAME = "Juniper & Pine (demo)";
export const DEMO_SANDBOX_PROVIDER_NAME = "Sandbox Printer";
export const DEMO_SHINEON_PROVIDER_NAME = "ShineOn (demo)";

const AUTO_SUBMIT_DELAY_MINUTES = 60;
const DEMO_PROCESSING_MODE: ProcessingMode = "automatic";
const CART_ACTOR_NAME = "Juniper & Pine storefront";

export interface SeedDemoShopOptions {
  /** Base URL of the built-in sandbox provider; its port can change from one start to the next. */
  sandboxUrl: string;
  sandboxSecret: string;
  /** ENCRYPTION_KEY: the sandbox's signing secret is stored sealed, like every credential. */
  encryptionKey: Buffer;
  now?: Date;
}

export async function seedDemoShop(
  db: Db,
  options: SeedDemoShopOptions,
): Promise<{ shopId: string; ordersCreated: number; seededAt: Date }> {
  const now = options.now ?? new Date();
  const shop = await ensureShop(db, {
    platform: "demo",
    domain: DEMO_SHOP_DOMAIN,
    name: DEMO_SHOP_NAME,
    settings: {
      autoSubmitDelayMinutes: AUTO_SUBMIT_DELAY_MINUTES,
      processingMode: DEMO_PROCESSING_MODE,
    },
  });
  const providerIds = await ensureDemoProviders(db, shop.id, options);
  // Seeded once per database: what the owner deleted or changed since stays deleted or changed.
  if (shop.connection.demoSeededAt) {
    return { shopId: shop.id, ordersCreated: 0, seededAt: new Date(shop.connection.demoSeededAt) };
  }

  await routeDemoSkus(db, shop.id, providerIds.sandbox);
  await ensureDemoPausingStatus(db, shop.id);
  const planned = planDemoOrders(now);
  // One read up front lets a second start skip every order without opening a transaction per order;
  // the conflict clause on insert still guards against two seeds racing.
  const known = await knownCartOrderIds(
    db,
    shop.id,
    planned.map((o) => o.cartOrderId),
  );

  let ordersCreated = 0;
  for (const order of planned) {
    if (known.has(order.cartOrderId)) continue;
    const created = await db.transaction((tx) => insertOrder(tx, shop.id, providerIds, order));
    if (created) ordersCreated += 1;
  }
  // Written last: a start cut short while seeding stores the missing orders on the next start.
  await markSeeded(db, shop.id, now);
  return { shopId: shop.id, ordersCreated, seededAt: now };
}

/** Records that a demo shop's orders are stored; the next start stores none again. */
export async function markSeeded(db: DbOrTx, shopId: string, at: Date): Promise<void> {
  const [row] = await db
    .select({ connection: shops.connection })
    .from(shops)
    .where(eq(shops.id, shopId));
  await db
    .update(shops)
    .set({ connection: { ...row?.connection, demoSeededAt: at.toISOString() } })
    .where(eq(shops.id, shopId));
}

// ---------------------------------------------------------------------------------------------
// Providers

type ProviderRef = "sandbox" | "shineon";
type ProviderIds = Record<ProviderRef, string>;

async function ensureDemoProviders(
  db: Db,
  shopId: string,
  options: SeedDemoShopOptions,
): Promise<ProviderIds> {
  // No unique key on (shop, name) exists, so the name is looked up first; the demo shop is only
  // seeded by the one process that owns the demo database.
  const findByName = async (name: string) => {
    const [row] = await db
      .select({ id: providers.id })
      .from(providers)
      .where(and(eq(providers.shopId, shopId), eq(providers.name, name)))
      .limit(1);
    return row?.id;
  };

  let sandboxId = await findByName(DEMO_SANDBOX_PROVIDER_NAME);
  if (sandboxId) {
    await db
      .update(providers)
      .set({
        endpoint: options.sandboxUrl,
        signingSecret: sealSecret(options.encryptionKey, options.sandboxSecret),
        updatedAt: new Date(),
      })
      .where(and(eq(providers.id, sandboxId), eq(providers.shopId, shopId)));
  } else {
    const [row] = await db
      .insert(providers)
      .values({
        shopId,
        kind: "sandbox",
        name: DEMO_SANDBOX_PROVIDER_NAME,
        endpoint: options.sandboxUrl,
        signingSecret: sealSecret(options.encryptionKey, options.sandboxSecret),
        // It makes what the routing rules send it (routeDemoSkus), not every SKU.
        isDefault: false,
      })
      .returning({ id: providers.id });
    sandboxId = row?.id;
  }

  let shineonId = await findByName(DEMO_SHINEON_PROVIDER_NAME);
  if (!shineonId) {
    const [row] = await db
      .insert(providers)
      .values({
        shopId,
        kind: "shineon",
        name: DEMO_SHINEON_PROVIDER_NAME,
        endpoint: null,
        // It exists only so that older orders have a real provider row behind their purchase
        // orders; with no endpoint it must never be picked for a new submission.
        enabled: false,
      })
      .returning({ id: providers.id });
    shineonId = row?.id;
  }

  if (!sandboxId || !shineonId) throw new Error("could not create the demo providers");
  return { sandbox: sandboxId, shineon: shineonId };
}

/**
 * What the Sandbox Printer makes, as routing rules: every product family the demo sells except the
 * Pixel 8 case, which is new in the store and has no rule yet. There is no default provider, so
 * that SKU really has nowhere to go, and the seeded order's "no provider" alert stays until the
 * owner adds the rule it names (or ticks Default provider).
 */
export const DEMO_SANDBOX_RULES = [
  "TEE-*",
  "HOODIE-*",
  "MUG-*",
  "NECK-*",
  "POSTER-*",
  "CASE-IP*",
  "CASE-S24",
  "SO-*",
] as const;

/**
 * The demo shop gives up on a provider sooner than the default 45 days, so its three weeks of
 * orders can show an Abandoned one; its Open orders are all younger than this.
 */
export const DEMO_ABANDON_AFTER_DAYS = 14;

/** Written with the first seed only: later, the rules (and the settings) are the owner's. */
async function routeDemoSkus(db: Db, shopId: string, sandboxId: string): Promise<void> {
  const [row] = await db
    .select({ settings: shops.settings })
    .from(shops)
    .where(eq(shops.id, shopId));
  const settings = shopSettings(row ?? { settings: {} });
  await db
    .update(shops)
    .set({
      settings: {
        ...settings,
        routingRules: DEMO_SANDBOX_RULES.map((match) => ({ match, providerId: sandboxId })),
        abandonAfterDays: DEMO_ABANDON_AFTER_DAYS,
      },
    })
    .where(eq(shops.id, shopId));
}

// ---------------------------------------------------------------------------------------------
// Writing one planned order

async function insertOrder(
  tx: DbOrTx,
  shopId: string,
  providerIds: ProviderIds,
  plan: PlannedOrder,
): Promise<boolean> {
  const [row] = await tx
    .insert(orders)
    .values({ ...plan.values, shopId, cartOrderId: plan.cartOrderId })
    .onConflictDoNothing({ target: [orders.shopId, orders.cartOrderId] })
    .returning({ id: orders.id });
  // Already there (another seed won the race): leave it exactly as its owner last saw it.
  if (!row) return false;
  const orderId = row.id;

  const items = await tx
    .insert(lineItems)
    .values(
      plan.items.map((item, position) => ({
        shopId,
        orderId,
        position,
        cartLineId: item.cartLineId,
        sku: item.sku,
        title: item.title,
        style: item.style,
        quantity: item.quantity,
        price: money(item.priceCents),
        cartProductId: productHandle(item.title),
        productUrl: demoProductUrl(item.title),
        mockupUrl: item.mockupUrl,
        personalization: item.personalization,
        providerId: item.provider ? providerIds[item.provider] : null,
        shipmentMethod: item.shipmentMethod,
        deliveryState: item.deliveryState,
        createdAt: plan.values.createdAt,
      })),
    )
    .returning({ id: lineItems.id, position: lineItems.position });
  const itemIdAt = new Map(items.map((item) => [item.position, item.id]));

  const submissionIdFor = new Map<ProviderRef, string>();
  if (plan.submissions.length > 0) {
    const rows = await tx
      .insert(submissions)
      .values(
        plan.submissions.map((s) => ({
          shopId,
          orderId,
          providerId: providerIds[s.provider],
          poNumber: s.poNumber,
          idempotencyKey: `demo:${shopId}:${s.poNumber}`,
          state: s.state,
          providerOrderId: s.providerOrderId,
          attempts: s.attempts,
          lastError: s.lastError,
          claimedAt: s.claimedAt,
          submittedAt: s.submittedAt,
          createdAt: s.claimedAt,
          updatedAt: s.updatedAt,
        })),
      )
      .returning({ id: submissions.id, providerId: submissions.providerId });
    for (const s of plan.submissions) {
      const match = rows.find((r) => r.providerId === providerIds[s.provider]);
      if (match) submissionIdFor.set(s.provider, match.id);
    }
  }

  if (plan.shipments.length > 0) {
    await tx.insert(shipments).values(
      plan.shipments.map((s) => ({
        shopId,
        orderId,
        submissionId: submissionIdFor.get(s.provider) ?? null,
        carrier: s.carrier,
        trackingNumber: s.trackingNumber,
        trackingUrl: s.trackingUrl,
        shippedAt: s.shippedAt,
        items: s.positions.map((position) => ({
          lineItemId: required(itemIdAt.get(position), "shipped line item"),
          quantity: required(plan.items[position], "shipped line item").quantity,
        })),
        pushedToCartAt: s.pushedToCartAt,
        createdAt: s.shippedAt,
      })),
    );
  }

  if (plan.payments.length > 0) {
    await tx.insert(paymentTransactions).values(
      plan.payments.map((p) => ({
        shopId,
        orderId,
        kind: p.kind,
        amount: money(p.amountCents),
        currency: plan.values.currency,
        status: p.status,
        gateway: p.gateway,
        cartTransactionId: p.cartTransactionId,
        createdAt: p.at,
      })),
    );
  }

  for (const event of plan.events) {
    await addTimelineEntry(tx, { ...event, shopId, orderId });
  }
  await refreshOrderSummary(tx, shopId, orderId);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The plan: what each demo order looks like, independent of the database

type OrderValues = Omit<typeof orders.$inferInsert, "shopId" | "cartOrderId"> & {
  createdAt: Date;
  currency: string;
};

interface PlannedItem {
  cartLineId: string;
  sku: string;
  title: string;
  style: string;
  quantity: number;
  priceCents: number;
  mockupUrl: string | null;
  personalization: Personalization | null;
  provider: ProviderRef | null;
  shipmentMethod: string;
  deliveryState: "pending" | "shipped" | "delivered";
}

interface PlannedSubmission {
  provider: ProviderRef;
  poNumber: string;
  state: "submitted" | "failed";
  providerOrderId: string | null;
  attempts: number;
  lastError: string | null;
  claimedAt: Date;
  submittedAt: Date | null;
  updatedAt: Date;
}

interface PlannedShipment {
  provider: ProviderRef;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
  shippedAt: Date;
  pushedToCartAt: Date;
  /** Positions of the line items in this parcel (whole quantities). */
  positions: number[];
}

interface PlannedPayment {
  kind: "authorization" | "capture" | "refund" | "void";
  amountCents: number;
  status: "success" | "failure";
  gateway: string | null;
  cartTransactionId: string;
  at: Date;
}

type PlannedEvent = Omit<TimelineEntry, "shopId" | "orderId"> & { at: Date };

interface PlannedOrder {
  cartOrderId: string;
  values: OrderValues;
  items: PlannedItem[];
  submissions: PlannedSubmission[];
  shipments: PlannedShipment[];
  payments: PlannedPayment[];
  events: PlannedEvent[];
}

/** What happened to an order so far; each one reads as a short story in the timeline. */
type Scenario =
  | "closed"
  | "open"
  | "open_partly_shipped"
  | "open_edited"
  | "new_countdown"
  | "new_unpaid"
  | "new_waiting"
  | "pending_manual"
  | "hold_at_import"
  | "hold_by_cart"
  | "hold_by_owner"
  | "rejected_stock"
  | "rejected_design"
  | "rejected_address"
  | "invalid_unmapped_sku"
  | "invalid_design_missing"
  | "invalid_no_postcode"
  | "cancelled"
  | "refunded"
  | "payment_failed"
  | "abandoned";

/** When the order arrived; the bands keep older orders further along their lifecycle. */
type Band = "old" | "mid" | "recent" | "fresh";

const PLAN: readonly { scenario: Scenario; type: OrderType; band: Band; count: number }[] = [
  { scenario: "closed", type: "in_app", band: "old", count: 3 },
  // In the fourth closed order's place, so the shuffle and every other order stay as they were:
  // it lands among the oldest (#1007, about 17 days old).
  { scenario: "abandoned", type: "in_app", band: "old", count: 1 },
  { scenario: "closed", type: "in_app", band: "old", count: 10 },
  { scenario: "closed", type: "other", band: "old", count: 3 },
  { scenario: "closed", type: "shineon", band: "old", count: 3 },
  { scenario: "closed", type: "amazon", band: "old", count: 3 },
  { scenario: "cancelled", type: "in_app", band: "old", count: 2 },
  { scenario: "refunded", type: "in_app", band: "old", count: 2 },
  { scenario: "payment_failed", type: "other", band: "old", count: 1 },

  { scenario: "closed", type: "in_app", band: "mid", count: 4 },
  { scenario: "open", type: "in_app", band: "mid", count: 4 },
  { scenario: "open_partly_shipped", type: "in_app", band: "mid", count: 1 },
  { scenario: "open_edited", type: "in_app", band: "mid", count: 1 },
  { scenario: "open", type: "other", band: "mid", count: 1 },
  { scenario: "open", type: "amazon", band: "mid", count: 1 },
  { scenario: "rejected_stock", type: "in_app", band: "mid", count: 1 },
  { scenario: "rejected_design", type: "in_app", band: "mid", count: 1 },
  { scenario: "rejected_address", type: "shineon", band: "mid", count: 1 },
  { scenario: "cancelled", type: "amazon", band: "mid", count: 1 },
  { scenario: "refunded", type: "other", band: "mid", count: 1 },

  { scenario: "open", type: "in_app", band: "recent", count: 2 },
  { scenario: "invalid_unmapped_sku", type: "in_app", band: "recent", count: 1 },
  { scenario: "invalid_design_missing", type: "in_app", band: "recent", count: 1 },
  { scenario: "invalid_no_postcode", type: "in_app", band: "recent", count: 1 },
  { scenario: "hold_at_import", type: "in_app", band: "recent", count: 1 },
  { scenario: "hold_by_cart", type: "in_app", band: "recent", count: 1 },
  { scenario: "hold_by_owner", type: "in_app", band: "recent", count: 1 },
  { scenario: "pending_manual", type: "in_app", band: "recent", count: 3 },
  { scenario: "new_unpaid", type: "in_app", band: "recent", count: 2 },
  { scenario: "new_waiting", type: "other", band: "recent", count: 2 },
  { scenario: "new_waiting", type: "amazon", band: "recent", count: 1 },
  { scenario: "new_waiting", type: "shineon", band: "recent", count: 1 },

  { scenario: "new_countdown", type: "in_app", band: "fresh", count: 10 },
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long ago (ms) each band starts and ends. "fresh" is placed by its countdown instead. */
const BAND_AGE: Record<Exclude<Band, "fresh">, readonly [number, number]> = {
  old: [20 * DAY, 8 * DAY],
  mid: [8 * DAY, 2 * DAY],
  // At least two hours old: an in-app order submitted when its hour ran out is then in the past.
  recent: [2 * DAY, 2 * HOUR],
};

// Shopify-sized ids, deliberately above 2^53 so nothing on the way may turn them into numbers.
const FIRST_CART_ORDER_ID = 5_901_234_567_890_123_456n;
const FIRST_CART_LINE_ID = 14_210_536_218_900_000n;

function planDemoOrders(now: Date): PlannedOrder[] {
  const shuffler = new Random(0x0a11ce);
  const byBand = new Map<Band, { scenario: Scenario; type: OrderType }[]>();
  for (const entry of PLAN) {
    const list = byBand.get(entry.band) ?? [];
    for (let n = 0; n < entry.count; n += 1) {
      list.push({ scenario: entry.scenario, type: entry.type });
    }
    byBand.set(entry.band, list);
  }

  const slots: { scenario: Scenario; type: OrderType; createdAt: Date }[] = [];
  for (const band of ["old", "mid", "recent"] as const) {
    const list = shuffler.shuffle(byBand.get(band) ?? []);
    const [from, to] = BAND_AGE[band];
    const step = (from - to) / list.length;
    list.forEach((entry, k) => {
      const age = from - (k + 0.15 + 0.7 * shuffler.next()) * step;
      slots.push({ ...entry, createdAt: atSecond(now.getTime() - age) });
    });
  }
  const fresh = byBand.get("fresh") ?? [];
  fresh.forEach((entry, k) => {
    // Deadlines from 3.5 to 55 minutes ahead, the newest order the furthest away.
    const ahead = (3.5 + (51 * k) / Math.max(1, fresh.length - 1) + 0.4 * shuffler.next()) * MINUTE;
    const createdAt = atSecond(
      now.getTime() + Math.min(ahead, 55 * MINUTE) - AUTO_SUBMIT_DELAY_MINUTES * MINUTE,
    );
    slots.push({ ...entry, createdAt });
  });

  return slots.map((slot, index) => {
    // Each order draws from its own stream, so its content depends on its position alone.
    const random = new Random(0x5eed + index * 7_919);
    const cartOrderId = (
      FIRST_CART_ORDER_ID +
      BigInt(index) * 3_141_592_653n +
      BigInt(random.int(0, 999_999))
    ).toString();
    return buildOrder({
      random,
      now,
      index,
      cartOrderId,
      number: 1001 + index,
      scenario: slot.scenario,
      type: slot.type,
      createdAt: slot.createdAt,
    });
  });
}

interface OrderSeed {
  random: Random;
  now: Date;
  index: number;
  cartOrderId: string;
  number: number;
  scenario: Scenario;
  type: OrderType;
  createdAt: Date;
}

function buildOrder(seed: OrderSeed): PlannedOrder {
  const { random, now, scenario, type, createdAt, number } = seed;
  const c = createdAt.getTime();
  const at = (offsetMs: number) => atSecond(Math.min(c + offsetMs, now.getTime() - MINUTE));

  // --- who bought, and where it goes
  const place =
    scenario === "rejected_address"
      ? required(PLACES[0], "first place")
      : pickPlace(random, countryFor(seed.index), type);
  const country = COUNTRIES[place.countryCode];
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const customerName = `${firstName} ${lastName}`;
  const mailbox = `${asciiSlug(firstName)}.${asciiSlug(lastName)}${random.int(1, 99)}`;
  const email = `${mailbox}@${random.pick(EMAIL_DOMAINS)}`;
  const shippingAddress = makeAddress(random, place, customerName);
  if (scenario === "rejected_address") {
    // Longer than ShineOn's 35-character line, which is what it rejected.
    shippingAddress.address1 = "Apartment 4B, 1287 Old Mill Creek Road West";
    shippingAddress.address2 = null;
  }
  if (scenario === "invalid_no_postcode") shippingAddress.zip = null;
  const isGift = random.chance(0.2) && scenario !== "rejected_address";
  const billingAddress: Address = { ...shippingAddress };
  if (isGift) {
    // A gift: the buyer pays from home and the parcel goes to someone else.
    shippingAddress.name = `${random.pick(FIRST_NAMES)} ${lastName}`;
    shippingAddress.address1 = makeStreet(random, country);
  }

  // --- what they bought
  const shippingSpeed: "Standard" | "Express" = random.chance(0.2) ? "Express" : "Standard";
  const currency = country.currency;
  const items = makeItems(random, seed, shippingSpeed, currency);
  // Orders still counting down with several items show items shipping by two methods (the last
  // one goes Priority), as owners set with Update Shipment. No random draw: the rest stays as it was.
  if (scenario === "new_countdown" && items.length > 1) items.at(-1)!.shipmentMethod = "Priority";
  const subtotalCents = items.reduce((sum, item) => sum + item.priceCents * item.quantity, 0);
  const rates = CURRENCIES[currency];
  const freeShipping = shippingSpeed === "Standard" && subtotalCents >= 7_500 * rates.rate;
  const shippingCents = freeShipping
    ? 0
    : shippingSpeed === "Express"
      ? rates.express
      : rates.standard;
  const taxCents = Math.round(subtotalCents * place.taxRate);
  const totalCents = subtotalCents + shippingCents + taxCents;

  const paymentMethod =
    type === "amazon"
      ? "Amazon Marketplace"
      : type === "shineon"
        ? "ShineOn Checkout"
        : scenario === "new_unpaid"
          ? random.pick(["Cash on Delivery", "Bank Transfer"])
          : random.weighted(PAYMENT_METHODS);
  const gateway = GATEWAYS[paymentMethod] ?? null;

  const cartStatus = CART_STATUS_BY_SCENARIO[scenario];
  const cartStatusRaw = random.pick(RAW_STATUS_WORDS[cartStatus]);
  const numberText = `#${number}`;

  const timeline = new Timeline();
  const plannedSubmissions: PlannedSubmission[] = [];
  const plannedShipments: PlannedShipment[] = [];
  const payments: PlannedPayment[] = [];
  let autoSubmitAt: Date | null = null;
  let autoSubmitRemainingMs: number | null = null;
  let orderStatusKey = "new";
  let alert: OrderAlert | null = null;
  let manualEdits: ManualEdits | null = null;
  let cartUpdatedAt = at(random.int(20, 180) * 1000);

  const importedAt = at(random.int(4, 40) * 1000);
  const countdownMessage =
    type === "in_app" && cartStatus !== "pending_payment"
      ? `Imported from the cart; submission scheduled in ${AUTO_SUBMIT_DELAY_MINUTES} minutes`
      : "Imported from the cart";
  const provider: ProviderRef = type === "shineon" ? "shineon" : "sandbox";
  const providerName =
    provider === "shineon" ? DEMO_SHINEON_PROVIDER_NAME : DEMO_SANDBOX_PROVIDER_NAME;
  const poNumber = `PO-${number}-${provider === "shineon" ? "SO" : "SBX"}`;

  // In-app orders go out when their countdown ends; the others wait for the owner to press Submit.
  const submitAt =
    type === "in_app"
      ? at(AUTO_SUBMIT_DELAY_MINUTES * MINUTE)
      : at(random.int(90, 18 * 60) * MINUTE);
  const submit = () => {
    for (const item of items) item.provider = provider;
    timeline.transition(
      "submit",
      type === "in_app" ? "system" : "owner",
      type === "in_app" ? null : DEMO_OWNER_NAME,
      "open",
      submitAt,
      type === "in_app"
        ? `Countdown reached zero; purchase order ${poNumber} sent to ${providerName}`
        : `Submitted by the owner; purchase order ${poNumber} sent to ${providerName}`,
      { poNumber, provider: providerName },
    );
  };
  const accepted = () => {
    const submittedAt = new Date(submitAt.getTime() + random.int(1, 4) * 1000);
    plannedSubmissions.push({
      provider,
      poNumber,
      state: "submitted",
      providerOrderId:
        provider === "shineon" ? `SO-${random.digits(7)}` : `SBX-${number}-${random.digits(4)}`,
      attempts: 1,
      lastError: null,
      claimedAt: submitAt,
      submittedAt,
      updatedAt: submittedAt,
    });
  };
  const rejected = (reason: string, fix: string, afterMs: number) => {
    submit();
    const failedAt = new Date(submitAt.getTime() + afterMs);
    plannedSubmissions.push({
      provider,
      poNumber,
      state: "failed",
      providerOrderId: null,
      attempts: 1,
      lastError: reason,
      claimedAt: submitAt,
      submittedAt: null,
      updatedAt: failedAt,
    });
    alert = {
      code: "provider_rejected",
      message: `${providerName} rejected purchase order ${poNumber}: ${reason}.`,
      fix,
    };
    timeline.transition("provider_reject", "provider", providerName, "error", failedAt, reason, {
      poNumber,
    });
  };
  const invalid = (code: string, message: string, fix: string) => {
    const checkedAt = at(AUTO_SUBMIT_DELAY_MINUTES * MINUTE);
    alert = { code, message, fix };
    timeline.transition("fail_validation", "system", null, "error", checkedAt, message, { code });
  };
  const ship = (positions: number[], shippedAt: Date) => {
    const parcel = makeTracking(random, place.countryCode, shippingSpeed);
    const pushedToCartAt = new Date(shippedAt.getTime() + random.int(2, 9) * MINUTE);
    plannedShipments.push({ provider, ...parcel, shippedAt, pushedToCartAt, positions });
    const whole = positions.length === items.length;
    for (const position of positions) {
      const item = required(items[position], "shipped item");
      item.deliveryState = now.getTime() - shippedAt.getTime() > 4 * DAY ? "delivered" : "shipped";
    }
    timeline.note(
      "shipment",
      "provider",
      providerName,
      shippedAt,
      `${whole ? "Shipped" : "Partly shipped"} with ${parcel.carrier}, ${parcel.trackingNumber}`,
      { carrier: parcel.carrier, trackingNumber: parcel.trackingNumber },
    );
    timeline.note(
      "tracking_pushed",
      "system",
      null,
      pushedToCartAt,
      `Tracking ${parcel.trackingNumber} added to the cart order; customer notified`,
    );
    return pushedToCartAt;
  };
  const shipDelay = () => {
    // One to three days in production, but never later than an hour ago.
    const latest = now.getTime() - HOUR - submitAt.getTime();
    return Math.max(2 * HOUR, Math.min(random.int(20, 72) * HOUR, latest * 0.8));
  };
  const captured = (amountCents: number, when: Date) =>
    payments.push({
      kind: "capture",
      amountCents,
      status: "success",
      gateway,
      cartTransactionId: random.digits(13),
      at: when,
    });

  switch (scenario) {
    case "closed": {
      timeline.imported(importedAt, "new", countdownMessage);
      submit();
      accepted();
      const pushedAt = ship(
        items.map((_, position) => position),
        new Date(submitAt.getTime() + shipDelay()),
      );
      cartUpdatedAt = new Date(pushedAt.getTime() + random.int(1, 3) * MINUTE);
      timeline.transition(
        "close",
        "system",
        null,
        "closed",
        cartUpdatedAt,
        "Everything has shipped and the tracking is in the cart",
      );
      if (gateway && random.chance(0.35)) captured(totalCents, importedAt);
      break;
    }
    case "open":
    case "open_edited": {
      timeline.imported(importedAt, "new", countdownMessage);
      if (scenario === "open_edited") {
        const item = required(items[0], "edited item");
        const personalization = required(item.personalization, "necklace personalisation");
        const asOrdered = structuredClone(personalization);
        // The customer typed "Ana", then emailed the shop: it is "Anna". The owner fixed it inside
        // the countdown, so the provider only ever saw the corrected name.
        const nameOption = required(
          personalization.options?.find((o) => o.name === "Name"),
          "necklace name",
        );
        nameOption.value = "Anna";
        // Saving the personalisation draws the preview again, with the corrected name.
        personalization.previewUrl = previewOf("necklace", personalization.options ?? []);
        const editedAt = at(14 * MINUTE);
        manualEdits = {
          [`lineItem:${item.cartLineId}:personalization`]: {
            from: asOrdered,
            to: structuredClone(personalization),
            by: DEMO_OWNER_NAME,
            at: editedAt.toISOString(),
          },
        };
        timeline.note(
          "edit",
          "owner",
          DEMO_OWNER_NAME,
          editedAt,
          `Personalisation of ${item.title} changed: Name "Ana" → "Anna"`,
        );
      }
      submit();
      accepted();
      if (gateway && random.chance(0.35)) captured(totalCents, importedAt);
      break;
    }
    case "abandoned": {
      timeline.imported(importedAt, "new", countdownMessage);
      submit();
      accepted();
      const days = DEMO_ABANDON_AFTER_DAYS;
      const words = abandonWords(days, providerName);
      alert = words.alert;
      timeline.transition(
        "abandon",
        "system",
        null,
        "abandoned",
        new Date(submitAt.getTime() + days * DAY + random.int(5, 55) * MINUTE),
        words.message,
        { abandonAfterDays: days },
      );
      break;
    }
    case "open_partly_shipped": {
      timeline.imported(importedAt, "new", countdownMessage);
      submit();
      accepted();
      const shippedAt = new Date(submitAt.getTime() + Math.min(shipDelay(), DAY));
      ship([0], shippedAt);
      if (gateway) {
        const first = required(items[0], "first item");
        const shippedShare = Math.round(
          (first.priceCents * first.quantity * (totalCents - shippingCents)) / subtotalCents,
        );
        payments.push({
          kind: "authorization",
          amountCents: totalCents,
          status: "success",
          gateway,
          cartTransactionId: random.digits(13),
          at: importedAt,
        });
        // Captured as goods leave: the first parcel pays its share plus all of the shipping.
        captured(shippedShare + shippingCents, shippedAt);
      }
      break;
    }
    case "new_countdown":
      timeline.imported(importedAt, "new", countdownMessage);
      autoSubmitAt = new Date(c + AUTO_SUBMIT_DELAY_MINUTES * MINUTE);
      break;
    case "new_unpaid":
      timeline.imported(
        importedAt,
        "new",
        `Imported from the cart; waiting for payment (${paymentMethod}) before it can be submitted`,
      );
      break;
    case "new_waiting":
      timeline.imported(
        importedAt,
        "new",
        "Imported from the cart; only in-app orders are submitted automatically",
      );
      break;
    case "pending_manual":
      // Imported while the shop still worked in manual mode (the owner switched to automatic
      // since). Schedule Process is a manual-mode control (decision 33), so the timeline names
      // what this shop offers for them now: Reset, which starts their countdown.
      timeline.imported(
        importedAt,
        "pending",
        "Imported while the shop processed orders manually; it now processes them automatically, so Reset starts this order's countdown",
        { processingMode: "manual" },
      );
      break;
    case "hold_at_import":
      // The cart already said on-hold, so the countdown never started: the full delay remains.
      timeline.imported(importedAt, "on_hold", "Imported on hold because the cart says on-hold");
      autoSubmitRemainingMs = AUTO_SUBMIT_DELAY_MINUTES * MINUTE;
      break;
    case "hold_by_cart":
    case "hold_by_owner": {
      timeline.imported(importedAt, "new", countdownMessage);
      const heldAfter = random.int(6, 48) * MINUTE + random.int(0, 59) * 1000;
      const heldAt = new Date(c + heldAfter);
      autoSubmitRemainingMs = AUTO_SUBMIT_DELAY_MINUTES * MINUTE - heldAfter;
      const left = Math.round(autoSubmitRemainingMs / MINUTE);
      if (scenario === "hold_by_cart") {
        cartUpdatedAt = heldAt;
        timeline.transition(
          "hold",
          "cart",
          CART_ACTOR_NAME,
          "on_hold",
          heldAt,
          `The cart put the order on hold; countdown paused with ${left} minutes left`,
          { remainingMs: autoSubmitRemainingMs },
        );
      } else {
        // The owner set the shop's own status Awaiting artwork, which pauses the countdown.
        orderStatusKey = DEMO_PAUSING_STATUS.key;
        timeline.transition(
          "hold",
          "owner",
          DEMO_OWNER_NAME,
          "on_hold",
          heldAt,
          `Status set to ${DEMO_PAUSING_STATUS.label}; countdown paused with ${left} minutes left`,
          { remainingMs: autoSubmitRemainingMs },
        );
      }
      break;
    }
    case "rejected_stock": {
      timeline.imported(importedAt, "new", countdownMessage);
      const item = required(items[0], "out-of-stock item");
      rejected(
        `SKU ${item.sku} is out of stock at the provider`,
        `Ask the customer for another size, change the item with Edit, then Reprocess; or wait for the provider to restock ${item.sku}.`,
        random.int(2, 6) * 1000,
      );
      break;
    }
    case "rejected_design":
      timeline.imported(importedAt, "new", countdownMessage);
      rejected(
        "Design file could not be downloaded (HTTP 404)",
        "Open the order, save the personalisation to regenerate the design file, then Reprocess.",
        random.int(3, 40) * MINUTE,
      );
      break;
    case "rejected_address":
      timeline.imported(importedAt, "new", countdownMessage);
      rejected(
        "Address line 1 is longer than 35 characters (ShineOn limit)",
        "Use Edit to move the apartment or suite to address line 2 so line 1 fits in 35 characters, then Reprocess.",
        random.int(1, 3) * 1000,
      );
      break;
    case "invalid_unmapped_sku": {
      timeline.imported(importedAt, "new", countdownMessage);
      const item = required(items[0], "unmapped item");
      // Word for word what validation says for this SKU with the seeded rules, so checking the
      // order again finds the same cause until the owner adds the rule.
      const problem = unroutedProblem({ itemId: item.cartLineId, sku: item.sku });
      invalid(problem.code, problem.message, fixFor(problem, DEMO_PROCESSING_MODE));
      break;
    }
    case "invalid_design_missing": {
      timeline.imported(importedAt, "new", countdownMessage);
      const item = required(items[0], "item without design");
      invalid(
        "design_file_missing",
        `${item.title} (line 1) has no production file: the design was not generated when the order was placed.`,
        "Open the order, check the personalisation and save it to generate the design file, then Reprocess.",
      );
      break;
    }
    case "invalid_no_postcode":
      timeline.imported(importedAt, "new", countdownMessage);
      invalid(
        "address_missing_field",
        "The shipping address has no postal code, and the provider needs one to buy a label.",
        "Add the postal code with Edit Order in the cart (the change syncs back here), then Reprocess.",
      );
      break;
    case "cancelled":
    case "refunded": {
      timeline.imported(importedAt, "new", countdownMessage);
      const endedAt = at(random.int(8, 50) * MINUTE);
      cartUpdatedAt = endedAt;
      const refunded = scenario === "refunded";
      timeline.transition(
        "archive",
        "cart",
        CART_ACTOR_NAME,
        "archived",
        endedAt,
        refunded
          ? "Refunded in the cart before it was sent; archived"
          : "Cancelled in the cart before it was sent; archived",
      );
      if (gateway) {
        payments.push({
          kind: refunded ? "capture" : "authorization",
          amountCents: totalCents,
          status: "success",
          gateway,
          cartTransactionId: random.digits(13),
          at: importedAt,
        });
        payments.push({
          kind: refunded ? "refund" : "void",
          amountCents: totalCents,
          status: "success",
          gateway,
          cartTransactionId: random.digits(13),
          at: endedAt,
        });
      }
      break;
    }
    case "payment_failed": {
      timeline.imported(importedAt, "new", "Imported from the cart");
      payments.push({
        kind: "authorization",
        amountCents: totalCents,
        status: "failure",
        gateway,
        cartTransactionId: random.digits(13),
        at: importedAt,
      });
      timeline.transition(
        "archive",
        "owner",
        DEMO_OWNER_NAME,
        "archived",
        at(random.int(20, 40) * HOUR),
        "Archived: the card was declined and the customer did not retry",
      );
      break;
    }
  }

  const state = required(timeline.state, "final state");
  const note =
    scenario === "open_edited"
      ? `Customer emailed: the necklace name is "Anna" with two n's, not "Ana".`
      : random.chance(0.18)
        ? random.pick(ORDER_NOTES)
        : null;
  const invoiceNumber =
    state === "closed" || state === "open" ? `JP-${createdAt.getUTCFullYear()}-${number}` : null;

  return {
    cartOrderId: seed.cartOrderId,
    values: {
      cartOrderNumber: numberText,
      cartStatusRaw,
      cartStatus,
      state,
      type,
      customerName,
      customerEmail: email,
      customerCity: billingAddress.city,
      customerProvince: billingAddress.province ?? null,
      customerCountry: billingAddress.country,
      billingAddress,
      shippingAddress,
      currency,
      subtotal: money(subtotalCents),
      shippingTotal: money(shippingCents),
      taxTotal: money(taxCents),
      total: money(totalCents),
      paymentMethod,
      shippingMethod: `${shippingSpeed} Shipping`,
      autoSubmitAt,
      autoSubmitRemainingMs,
      orderStatusKey,
      invoiceNumber,
      note,
      alert,
      manualEdits,
      cartCreatedAt: createdAt,
      cartUpdatedAt: cartUpdatedAt < createdAt ? createdAt : cartUpdatedAt,
      rawPayload: {
        id: seed.cartOrderId,
        name: numberText,
        status: cartStatusRaw,
        created_at: createdAt.toISOString(),
        source_name: SOURCE_NAMES[type],
      },
      createdAt: importedAt,
    },
    items,
    submissions: plannedSubmissions,
    shipments: plannedShipments,
    payments,
    events: timeline.events,
  };
}

/** Records events as they happen, so each from-state is the previous event's to-state. */
class Timeline {
  readonly events: PlannedEvent[] = [];
  state: LifecycleState | null = null;

  imported(at: Date, to: LifecycleState, message: string, data?: Record<string, unknown>): void {
    this.events.push({
      actor: "cart",
      actorName: CART_ACTOR_NAME,
      action: "imported",
      fromState: null,
      toState: to,
      message,
      data: data ?? null,
      at,
    });
    this.state = to;
  }

  transition(
    action: string,
    actor: PlannedEvent["actor"],
    actorName: string | null,
    to: LifecycleState,
    at: Date,
    message: string,
    data?: Record<string, unknown>,
  ): void {
    this.events.push({
      actor,
      actorName,
      action,
      fromState: this.state,
      toState: to,
      message,
      data: data ?? null,
      at,
    });
    this.state = to;
  }

  /** Something worth showing that leaves the state alone. */
  note(
    action: string,
    actor: PlannedEvent["actor"],
    actorName: string | null,
    at: Date,
    message: string,
    data?: Record<string, unknown>,
  ): void {
    this.events.push({
      actor,
      actorName,
      action,
      fromState: null,
      toState: null,
      message,
      data: data ?? null,
      at,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Products

const img = (name: string) => `/demo/${name}.svg`;
const CUSTOMER_PHOTOS = [img("photo-mountains"), img("photo-beach"), img("photo-dog")];

type ProductKey = "tee" | "hoodie" | "mug" | "necklace" | "poster" | "case";

interface Variant {
  sku: string;
  style: string;
}

interface Product {
  title: string;
  priceCents: number;
  mockup: string;
  design: string;
  variants: readonly Variant[];
  weight: number;
}

const sizes = (prefix: string, colour: string, list: readonly string[]): Variant[] =>
  list.map((size) => ({ sku: `${prefix}-${size}`, style: `${colour} / ${size}` }));

const PERSONALISED: Record<ProductKey, Product> = {
  tee: {
    title: "Custom Name T-Shirt",
    priceCents: 2_499,
    mockup: img("mockup-tee"),
    design: img("design-name"),
    variants: sizes("TEE-BLK", "Black", ["S", "M", "L", "XL", "XXL"]),
    weight: 5,
  },
  hoodie: {
    title: "Embroidered Initial Hoodie",
    priceCents: 4_999,
    mockup: img("mockup-hoodie"),
    design: img("design-initial"),
    variants: sizes("HOODIE-NVY", "Navy", ["S", "M", "L", "XL"]),
    weight: 3,
  },
  mug: {
    title: "Personalised Photo Mug",
    priceCents: 1_699,
    mockup: img("mockup-mug"),
    design: img("design-photo-print"),
    variants: [
      { sku: "MUG-11OZ-WHT", style: "11 oz / White" },
      { sku: "MUG-15OZ-WHT", style: "15 oz / White" },
    ],
    weight: 4,
  },
  necklace: {
    title: "Name Necklace",
    priceCents: 3_900,
    mockup: img("mockup-necklace"),
    design: img("design-necklace"),
    variants: [
      { sku: "NECK-NAME-GLD", style: "Gold" },
      { sku: "NECK-NAME-SLV", style: "Silver" },
      { sku: "NECK-NAME-RSG", style: "Rose Gold" },
    ],
    weight: 5,
  },
  poster: {
    title: "Star Map Poster",
    priceCents: 2_900,
    mockup: img("mockup-poster"),
    design: img("design-star-map"),
    variants: [
      { sku: "POSTER-A3", style: "A3 / Matte" },
      { sku: "POSTER-A2", style: "A2 / Matte" },
      { sku: "POSTER-A3-FRM", style: "A3 / Black frame" },
    ],
    weight: 3,
  },
  case: {
    title: "Photo Phone Case",
    priceCents: 2_299,
    mockup: img("mockup-case"),
    design: img("design-photo-print"),
    variants: [
      { sku: "CASE-IP15", style: "iPhone 15 / Glossy" },
      { sku: "CASE-IP15P", style: "iPhone 15 Pro / Matte" },
      { sku: "CASE-IP14", style: "iPhone 14 / Glossy" },
      { sku: "CASE-S24", style: "Galaxy S24 / Matte" },
    ],
    weight: 3,
  },
};

type Goods = Variant & { title: string; priceCents: number; mockup: string };
const goods = (title: string, sku: string, style: string, priceCents: number, mockup: string) =>
  ({ title, sku, style, priceCents, mockup: img(mockup) }) satisfies Goods;

/** Ready-made goods: what "other" and Amazon orders carry, with no personalisation. */
const PLAIN: readonly Goods[] = [
  goods("Juniper Logo Tee", "TEE-BLK-M", "Black / M", 2_200, "mockup-tee"),
  goods("Juniper Logo Tee", "TEE-BLK-L", "Black / L", 2_200, "mockup-tee"),
  goods("Mountain Line Art Poster", "POSTER-A3", "A3 / Matte", 2_400, "mockup-poster"),
  goods("Campfire Mug", "MUG-11OZ-WHT", "11 oz / White", 1_500, "mockup-mug"),
  goods("Trail Hoodie", "HOODIE-NVY-L", "Navy / L", 4_600, "mockup-hoodie"),
  goods("Trail Hoodie", "HOODIE-NVY-M", "Navy / M", 4_600, "mockup-hoodie"),
];

/** Jewellery sold through ShineOn's own channel: made by ShineOn, never personalised here. */
const shineOn = (title: string, sku: string, style: string, priceCents: number) =>
  goods(title, sku, style, priceCents, "mockup-necklace");
const SHINEON: readonly Goods[] = [
  shineOn("Love Knot Necklace", "SO-LOVEKNOT-14K", "14k Yellow Gold Finish", 4_995),
  shineOn("Forever Love Necklace", "SO-FOREVER-SS", "Polished Stainless Steel", 4_495),
  shineOn("Interlocking Hearts Necklace", "SO-HEARTS-RG", "18k Rose Gold Finish", 5_495),
];

const PRODUCT_WEIGHTS = (Object.keys(PERSONALISED) as ProductKey[]).map(
  (key) => [key, PERSONALISED[key].weight] as const,
);

/** How many lines an in-app order has, and how often. */
const ITEM_COUNTS = [
  [1, 6],
  [2, 3],
  [3, 1],
] as const;

/** Some stories need a particular first item: a name to correct, a size that ran out, a SKU that
 * no provider makes. */
const FIRST_ITEM: Partial<Record<Scenario, { key: ProductKey; variant?: Variant }>> = {
  open_edited: { key: "necklace" },
  rejected_stock: { key: "tee", variant: { sku: "TEE-BLK-XXL", style: "Black / XXL" } },
  invalid_unmapped_sku: { key: "case", variant: { sku: "CASE-PIX8", style: "Pixel 8 / Glossy" } },
};

function makeItems(
  random: Random,
  seed: OrderSeed,
  speed: "Standard" | "Express",
  currency: Currency,
): PlannedItem[] {
  const { scenario, type } = seed;
  const lineBase =
    FIRST_CART_LINE_ID + BigInt(seed.index) * 2_654_435n + BigInt(random.int(0, 99_999));
  const items: PlannedItem[] = [];
  const add = (
    item: Omit<PlannedItem, "cartLineId" | "provider" | "shipmentMethod" | "deliveryState">,
  ) =>
    items.push({
      ...item,
      priceCents: localPrice(item.priceCents, currency),
      cartLineId: (lineBase + BigInt(items.length * 1_013)).toString(),
      provider: null,
      shipmentMethod: speed,
      deliveryState: "pending",
    });

  if (type === "shineon") {
    const count = random.chance(0.25) ? 2 : 1;
    for (const { mockup, ...product } of random.sample(SHINEON, count)) {
      add({ ...product, quantity: 1, mockupUrl: mockup, personalization: null });
    }
    return items;
  }
  if (type === "amazon" || type === "other") {
    const count = type === "other" && random.chance(0.4) ? 2 : 1;
    for (const product of random.sample(PLAIN, count)) {
      const { mockup, ...rest } = product;
      add({
        ...rest,
        quantity: random.chance(0.2) ? 2 : 1,
        mockupUrl: mockup,
        personalization: null,
      });
    }
    return items;
  }

  const count =
    scenario === "open_partly_shipped" ? random.int(2, 3) : random.weighted(ITEM_COUNTS);
  for (let n = 0; n < count; n += 1) {
    const forced = n === 0 ? FIRST_ITEM[scenario] : undefined;
    const key = forced?.key ?? random.weighted(PRODUCT_WEIGHTS);
    const product = PERSONALISED[key];
    const variant = forced?.variant ?? random.pick(product.variants);
    const personalization = personalise(random, key, variant);
    if (n === 0 && scenario === "invalid_design_missing") personalization.designUrl = null;
    add({
      sku: variant.sku,
      title: product.title,
      style: variant.style,
      quantity: random.chance(0.15) ? 2 : 1,
      priceCents: product.priceCents,
      mockupUrl: product.mockup,
      personalization,
    });
  }
  return items;
}

/** The options as the cart lists them, in the order written. */
const optionList = (options: Record<string, string>) =>
  Object.entries(options).map(([name, value]) => ({ name, value }));

function personalise(random: Random, key: ProductKey, variant: Variant): Personalization {
  const chosen = chooseOptions(random, key, variant);
  return {
    ...chosen,
    // Drawn from the options the customer chose, so the preview says what they say.
    previewUrl: previewOf(key, chosen.options ?? []),
    designUrl: PERSONALISED[key].design,
  };
}

/** The live preview of a product with these options (app/demo/previews.ts draws it). */
function previewOf(key: ProductKey, options: readonly { name: string; value: string }[]): string {
  const option = (name: string) => options.find((o) => o.name === name)?.value;
  return demoPreviewUrl(key, {
    name: option("Name"),
    initial: option("Initial"),
    text: option("Text"),
    title: option("Title"),
    place: option("Place"),
    date: option("Date"),
    font: option("Font"),
    colour: option("Text colour") ?? option("Thread") ?? option("Colour"),
  });
}

function chooseOptions(
  random: Random,
  key: ProductKey,
  variant: Variant,
): Pick<Personalization, "clientImages" | "options"> {
  const name = random.pick(PERSONAL_NAMES);
  switch (key) {
    case "tee":
      return {
        clientImages: [],
        options: optionList({
          Name: name,
          Font: random.pick(["Script", "Bold Sans", "Varsity"]),
          "Text colour": random.pick(["White", "Gold", "Blush"]),
        }),
      };
    case "hoodie":
      return {
        clientImages: [],
        options: optionList({
          Initial: name.charAt(0),
          Thread: random.pick(["Gold", "White", "Sage"]),
          Placement: "Left chest",
        }),
      };
    case "mug":
      return {
        clientImages: [random.pick(CUSTOMER_PHOTOS)],
        options: optionList({
          Text: random.pick(MUG_LINES),
          Font: random.pick(["Serif", "Sans", "Script"]),
        }),
      };
    case "necklace":
      return {
        clientImages: [],
        options: optionList({
          Name: name,
          Font: random.pick(["Script", "Classic Serif"]),
          Colour: variant.style,
        }),
      };
    case "poster": {
      const year = random.int(2008, 2024);
      return {
        clientImages: random.chance(0.3) ? [random.pick(CUSTOMER_PHOTOS)] : [],
        options: optionList({
          Title: random.pick(POSTER_TITLES),
          Place: random.pick(POSTER_PLACES),
          Date: `${random.int(1, 28)} ${random.pick(MONTHS)} ${year}`,
        }),
      };
    }
    case "case": {
      const layout = random.pick(["Full photo", "Photo with name", "Collage"]);
      return {
        clientImages: random.sample(CUSTOMER_PHOTOS, layout === "Collage" ? 2 : 1),
        options: optionList(
          layout === "Full photo" ? { Layout: layout } : { Layout: layout, Name: name },
        ),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Customers, places and money

type CountryCode = "US" | "CA" | "GB" | "AU" | "DE" | "FR" | "NL" | "IE";
type Currency = "USD" | "CAD" | "GBP" | "EUR" | "AUD";

interface Place {
  city: string;
  province: string | null;
  provinceCode: string | null;
  zips: readonly string[];
  countryCode: CountryCode;
  /** Sales tax or VAT, charged on top of the goods here for simplicity. */
  taxRate: number;
  weight: number;
}

interface Country {
  name: string;
  currency: Currency;
  streets: readonly string[];
  /** German and Dutch addresses put the house number after the street. */
  numberAfterStreet: boolean;
  /** Highest house number that looks ordinary there. */
  maxHouseNumber: number;
}

const COUNTRIES: Record<CountryCode, Country> = {
  US: {
    name: "United States",
    currency: "USD",
    streets: [
      "Maple Avenue",
      "Oak Street",
      "Cedar Lane",
      "Elm Street",
      "Harbor View Drive",
      "W 4th Street",
      "Larkspur Court",
      "Juniper Way",
    ],
    numberAfterStreet: false,
    maxHouseNumber: 2400,
  },
  CA: {
    name: "Canada",
    currency: "CAD",
    streets: ["Queen Street West", "Robson Street", "Spring Garden Road", "Kensington Road NW"],
    numberAfterStreet: false,
    maxHouseNumber: 1800,
  },
  GB: {
    name: "United Kingdom",
    currency: "GBP",
    streets: ["Mare Street", "Thomas Street", "Gloucester Road", "Leith Walk", "Church Lane"],
    numberAfterStreet: false,
    maxHouseNumber: 240,
  },
  AU: {
    name: "Australia",
    currency: "AUD",
    streets: ["Smith Street", "Crown Street", "Boundary Street", "Sydney Road"],
    numberAfterStreet: false,
    maxHouseNumber: 480,
  },
  DE: {
    name: "Germany",
    currency: "EUR",
    streets: ["Kastanienallee", "Lindenstraße", "Schanzenstraße", "Gärtnerplatz"],
    numberAfterStreet: true,
    maxHouseNumber: 180,
  },
  FR: {
    name: "France",
    currency: "EUR",
    streets: ["Rue des Tanneurs", "Rue Oberkampf", "Cours de l'Intendance", "Rue de la Charité"],
    numberAfterStreet: false,
    maxHouseNumber: 120,
  },
  NL: {
    name: "Netherlands",
    currency: "EUR",
    streets: ["Prinsengracht", "Eerste Helmersstraat", "Jan Pieter Heijestraat"],
    numberAfterStreet: true,
    maxHouseNumber: 320,
  },
  IE: {
    name: "Ireland",
    currency: "EUR",
    streets: ["Camden Street Lower", "Clanbrassil Street", "Harold's Cross Road"],
    numberAfterStreet: false,
    maxHouseNumber: 160,
  },
};

const place = (
  city: string,
  province: string,
  provinceCode: string,
  zips: readonly string[],
  countryCode: CountryCode,
  taxRate: number,
  weight: number,
): Place => ({ city, province, provinceCode, zips, countryCode, taxRate, weight });

// city, province, code, postal codes, country, tax rate, how often customers live there
const PLACES: readonly Place[] = [
  place("Portland", "Oregon", "OR", ["97211", "97214"], "US", 0, 5),
  place("Austin", "Texas", "TX", ["78704", "78751"], "US", 0.0825, 5),
  place("Brooklyn", "New York", "NY", ["11215", "11238"], "US", 0.08875, 5),
  place("Denver", "Colorado", "CO", ["80205", "80211"], "US", 0.0881, 4),
  place("Asheville", "North Carolina", "NC", ["28801", "28806"], "US", 0.07, 3),
  place("Madison", "Wisconsin", "WI", ["53703", "53715"], "US", 0.055, 3),
  place("San Diego", "California", "CA", ["92104", "92116"], "US", 0.0775, 5),
  place("Savannah", "Georgia", "GA", ["31401", "31405"], "US", 0.07, 3),
  place("Chicago", "Illinois", "IL", ["60614", "60622"], "US", 0.1025, 4),
  place("Seattle", "Washington", "WA", ["98103", "98117"], "US", 0.1035, 4),
  place("Burlington", "Vermont", "VT", ["05401"], "US", 0.07, 2),
  place("Toronto", "Ontario", "ON", ["M5V 2T6", "M6J 1H4"], "CA", 0.13, 4),
  place("Vancouver", "British Columbia", "BC", ["V6B 1A1", "V5T 3J7"], "CA", 0.12, 3),
  place("Halifax", "Nova Scotia", "NS", ["B3H 1Y6"], "CA", 0.15, 1),
  place("Calgary", "Alberta", "AB", ["T2N 1M5"], "CA", 0.05, 2),
  place("London", "England", "ENG", ["E8 3RL", "SW9 8BJ"], "GB", 0.2, 4),
  place("Bristol", "England", "ENG", ["BS1 6QF"], "GB", 0.2, 2),
  place("Edinburgh", "Scotland", "SCT", ["EH6 5DT"], "GB", 0.2, 2),
  place("Melbourne", "Victoria", "VIC", ["3065", "3056"], "AU", 0.1, 3),
  place("Sydney", "New South Wales", "NSW", ["2010"], "AU", 0.1, 2),
  place("Brisbane", "Queensland", "QLD", ["4101"], "AU", 0.1, 1),
  place("Berlin", "Berlin", "BE", ["10435", "10437"], "DE", 0.19, 3),
  place("Hamburg", "Hamburg", "HH", ["20357"], "DE", 0.19, 2),
  place("München", "Bayern", "BY", ["80469"], "DE", 0.19, 1),
  place("Lyon", "Auvergne-Rhône-Alpes", "ARA", ["69001", "69004"], "FR", 0.2, 2),
  place("Paris", "Île-de-France", "IDF", ["75011"], "FR", 0.2, 2),
  place("Bordeaux", "Nouvelle-Aquitaine", "NAQ", ["33000"], "FR", 0.2, 1),
  place("Amsterdam", "Noord-Holland", "NH", ["1016 GV", "1054 RV"], "NL", 0.21, 2),
  place("Dublin", "Dublin", "D", ["D02 XY45", "D08 T2K7"], "IE", 0.23, 1),
];

const CURRENCIES: Record<Currency, { rate: number; standard: number; express: number }> = {
  USD: { rate: 1, standard: 499, express: 1_499 },
  CAD: { rate: 1.36, standard: 799, express: 1_999 },
  GBP: { rate: 0.79, standard: 399, express: 995 },
  EUR: { rate: 0.92, standard: 499, express: 1_290 },
  AUD: { rate: 1.52, standard: 995, express: 2_495 },
};

/** A USD list price in another currency, rounded up to a .99 price point as shops do. */
function localPrice(usdCents: number, currency: Currency): number {
  if (currency === "USD") return usdCents;
  return Math.ceil((usdCents * CURRENCIES[currency].rate) / 100) * 100 - 1;
}

// Half the orders come from the US; the rotation guarantees every market appears.
const COUNTRY_ROTATION: readonly CountryCode[] = [
  "US",
  "GB",
  "US",
  "CA",
  "US",
  "DE",
  "US",
  "AU",
  "US",
  "FR",
  "US",
  "GB",
  "US",
  "CA",
  "US",
  "NL",
  "US",
  "DE",
  "US",
  "AU",
  "US",
  "GB",
  "US",
  "IE",
];

function countryFor(index: number): CountryCode {
  return required(COUNTRY_ROTATION[index % COUNTRY_ROTATION.length], "country");
}

function pickPlace(random: Random, countryCode: CountryCode, type: OrderType): Place {
  // Amazon's marketplaces here are the US, the UK and Germany.
  const code = type === "amazon" ? random.pick(["US", "US", "GB", "DE"] as const) : countryCode;
  return random.weighted(
    PLACES.filter((p) => p.countryCode === code).map((p) => [p, p.weight] as const),
  );
}

function makeStreet(random: Random, country: Country): string {
  const street = random.pick(country.streets);
  const number = random.int(1, country.maxHouseNumber);
  return country.numberAfterStreet ? `${street} ${number}` : `${number} ${street}`;
}

function makeAddress(random: Random, place: Place, name: string): Address {
  const country = COUNTRIES[place.countryCode];
  return {
    name,
    company: random.chance(0.08)
      ? random.pick(["Fern & Field Studio", "Northwind Dental", "Atlas Coffee Co."])
      : null,
    address1: makeStreet(random, country),
    address2: random.chance(0.25)
      ? random.pick(["Apt 3", "Unit 12", "Suite 200", "Flat 2", "2nd floor"])
      : null,
    city: place.city,
    province: place.province,
    provinceCode: place.provinceCode,
    zip: random.pick(place.zips),
    country: country.name,
    countryCode: place.countryCode,
    // 555-01xx numbers are reserved for fiction, so no real line can ring.
    phone: place.countryCode === "US" ? `+1 555-01${random.int(0, 9)}${random.int(0, 9)}` : null,
  };
}

const words = (text: string): readonly string[] => text.trim().split(/\s+/);

const FIRST_NAMES = words(`
  Ava Liam Olivia Noah Mia Ethan Sofia Lucas Chloe Mateo Harper Jonah Amara Kenji Priya Elif Freya
  Oscar Léa Hugo Matilda Finn Zara Aiden Isla Théo Lena Jonas Grace Ravi Nora Diego`);
const LAST_NAMES = words(`
  Thompson Nguyen Garcia O'Brien Patel Müller Dubois Kowalski Okafor Rossi Andersen Kim Walsh
  Fischer Martin Singh Campbell Novak Haddad Lindqvist Bennett Moreau Schmidt Tanaka Reyes Clarke`);
// Reserved example domains: demo mail can never reach a real inbox.
const EMAIL_DOMAINS = ["example.com", "example.net", "example.org"] as const;

const PERSONAL_NAMES = words(`
  Ava Olivia Emma Isabella Sophie Hannah Anna Jasmine Luca Milo Eleanor Ruby Charlotte Sienna
  Maddie Zoë Arlo Poppy Everly Willow`);
const MUG_LINES = [
  "World's Best Dad",
  "Grandma's Garden Crew",
  "Coffee with Nana",
  "Happy 30th, Sam!",
  "Our First Home",
  "Best Aunt Ever",
] as const;
const POSTER_TITLES = [
  "The night we met",
  "Where it all began",
  "Welcome to the world",
  "Our first home",
  "Forever starts here",
] as const;
const POSTER_PLACES = [
  "Portland, Oregon",
  "Lake Tahoe, California",
  "Edinburgh, Scotland",
  "Byron Bay, Australia",
  "Lyon, France",
  "Banff, Alberta",
] as const;
const MONTHS = words(`
  January February March April May June July August September October November December`);

const ORDER_NOTES = [
  "Please gift wrap, it's for my sister's birthday.",
  "Leave the parcel with the neighbour at no. 14 if nobody answers.",
  "No invoice in the box please, it's a gift.",
  "Wedding is on the 14th, anything you can do to speed this up is appreciated!",
  "Please double-check the spelling of the name before printing.",
] as const;

const PAYMENT_METHODS = [
  ["Shopify Payments", 40],
  ["PayPal", 22],
  ["Shop Pay", 12],
  ["Stripe", 12],
  ["Amazon Pay", 8],
  ["Klarna", 6],
] as const;

const GATEWAYS: Readonly<Record<string, string>> = {
  "Shopify Payments": "shopify_payments",
  "Shop Pay": "shopify_payments",
  PayPal: "paypal",
  Stripe: "stripe",
  "Amazon Pay": "amazon_payments",
  Klarna: "klarna",
  "Amazon Marketplace": "amazon_marketplace",
  "ShineOn Checkout": "shineon",
};

const SOURCE_NAMES: Record<OrderType, string> = {
  in_app: "web",
  amazon: "amazon_marketplace",
  shineon: "shineon",
  other: "web",
};

const CART_STATUS_BY_SCENARIO: Record<Scenario, CartStatus> = {
  closed: "completed",
  open: "processing",
  abandoned: "processing",
  open_partly_shipped: "processing",
  open_edited: "processing",
  new_countdown: "processing",
  new_unpaid: "pending_payment",
  new_waiting: "processing",
  pending_manual: "processing",
  hold_at_import: "on_hold",
  hold_by_cart: "on_hold",
  hold_by_owner: "processing",
  rejected_stock: "processing",
  rejected_design: "processing",
  rejected_address: "processing",
  invalid_unmapped_sku: "processing",
  invalid_design_missing: "processing",
  invalid_no_postcode: "processing",
  cancelled: "cancelled",
  refunded: "refunded",
  payment_failed: "failed",
};

/** The cart's own words for each normalised status (Shopify's and WooCommerce's vocabularies). */
const RAW_STATUS_WORDS: Record<CartStatus, readonly string[]> = {
  pending_payment: ["pending"],
  failed: ["failed"],
  processing: ["paid", "processing"],
  on_hold: ["on-hold"],
  completed: ["completed", "fulfilled"],
  cancelled: ["cancelled", "voided"],
  refunded: ["refunded"],
};

// ---------------------------------------------------------------------------------------------
// Parcels

function makeTracking(
  random: Random,
  countryCode: CountryCode,
  speed: "Standard" | "Express",
): { carrier: string; trackingNumber: string; trackingUrl: string } {
  const letters = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(65 + random.int(0, 25))).join("");
  const parcel = (carrier: string, trackingNumber: string, url: string) => ({
    carrier,
    trackingNumber,
    trackingUrl: `${url}${encodeURIComponent(trackingNumber)}`,
  });
  switch (countryCode) {
    case "US":
      return speed === "Express"
        ? parcel(
            "UPS",
            `1Z${letters(3)}${random.digits(3)}03${random.digits(8)}`,
            "https://www.ups.com/track?tracknum=",
          )
        : parcel(
            "USPS",
            `94001${random.digits(17)}`,
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
          );
    case "CA":
      return parcel(
        "Canada Post",
        random.digits(16),
        "https://www.canadapost-postescanada.ca/track-reperage/en#/details/",
      );
    case "GB":
      return speed === "Express"
        ? parcel(
            "DHL Express",
            random.digits(10),
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=",
          )
        : parcel(
            "Royal Mail",
            `${letters(2)}${random.digits(9)}GB`,
            "https://www.royalmail.com/track-your-item#/tracking-results/",
          );
    case "AU":
      return parcel(
        "Australia Post",
        `33${letters(3)}${random.digits(7)}`,
        "https://auspost.com.au/mypost/track/details/",
      );
    case "DE":
      return parcel(
        "DHL Paket",
        `00340${random.digits(15)}`,
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=",
      );
    case "FR":
      return parcel(
        "Colissimo",
        `6A${random.digits(11)}`,
        "https://www.laposte.fr/outils/suivre-vos-envois?code=",
      );
    case "NL":
    case "IE":
      return parcel(
        "DHL Express",
        random.digits(10),
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=",
      );
  }
}

// ---------------------------------------------------------------------------------------------
// The demo shop's cart

/** The product's page on the demo shop's storefront (the demo shows it on the cart simulator). */
export function demoProductUrl(title: string): string {
  return `https://${DEMO_SHOP_DOMAIN}/products/${productHandle(title)}`;
}

/**
 * The demo shop's orders as its cart has them, first stored at `seededAt`: what the customer
 * ordered (before any edit the owner made here), the cart's status and payments. The cart
 * simulator serves these to the demo connector, so Import reads the same orders the seed stored.
 */
export function demoShopCartOrders(seededAt: Date): NormalizedOrder[] {
  return planDemoOrders(seededAt).map((plan) => {
    const v = plan.values;
    const asOrdered = (item: PlannedItem): Personalization | null => {
      const edit = v.manualEdits?.[`lineItem:${item.cartLineId}:personalization`];
      return (edit?.from as Personalization | undefined) ?? item.personalization;
    };
    return {
      cartOrderId: plan.cartOrderId,
      cartOrderNumber: v.cartOrderNumber ?? plan.cartOrderId,
      cartStatusRaw: v.cartStatusRaw ?? "",
      cartStatus: v.cartStatus ?? "processing",
      customerName: v.customerName ?? "",
      customerEmail: v.customerEmail ?? null,
      billingAddress: v.billingAddress ?? null,
      shippingAddress: v.shippingAddress ?? null,
      currency: v.currency,
      subtotal: v.subtotal ?? "0.00",
      shippingTotal: v.shippingTotal ?? "0.00",
      taxTotal: v.taxTotal ?? "0.00",
      total: v.total ?? "0.00",
      paymentMethod: v.paymentMethod ?? null,
      shippingMethod: v.shippingMethod ?? null,
      sourceChannel: SOURCE_NAMES[v.type ?? "other"],
      note: v.note ?? null,
      cartCreatedAt: v.cartCreatedAt ?? v.createdAt,
      cartUpdatedAt: v.cartUpdatedAt ?? v.createdAt,
      lineItems: plan.items.map((item) => ({
        cartLineId: item.cartLineId,
        sku: item.sku,
        title: item.title,
        style: item.style,
        quantity: item.quantity,
        price: money(item.priceCents),
        mockupUrl: item.mockupUrl,
        cartProductId: productHandle(item.title),
        cartVariantId: item.sku,
        productUrl: demoProductUrl(item.title),
        personalization: asOrdered(item),
      })),
      payments: plan.payments.map((p) => ({
        kind: p.kind,
        amount: money(p.amountCents),
        currency: v.currency,
        status: p.status,
        gateway: p.gateway,
        cartTransactionId: p.cartTransactionId,
      })),
      raw: v.rawPayload,
    };
  });
}

/** The parcels the demo shop's cart already has: the tracking of its shipped orders. */
export function demoShopCartParcels(
  seededAt: Date,
): Record<string, { carrier: string; trackingNumber: string; trackingUrl: string; at: string }[]> {
  return Object.fromEntries(
    planDemoOrders(seededAt)
      .filter((plan) => plan.shipments.length > 0)
      .map((plan) => [
        plan.cartOrderId,
        plan.shipments.map((s) => ({
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
          trackingUrl: s.trackingUrl,
          at: s.pushedToCartAt.toISOString(),
        })),
      ]),
  );
}

/** The demo shop's products, for its cart's product pages: title, picture, variants, price. */
export function demoShopProducts(): {
  handle: string;
  title: string;
  mockup: string;
  priceCents: number;
  variants: string[];
  personalised: boolean;
}[] {
  const personalised = Object.values(PERSONALISED).map((p) => ({
    handle: productHandle(p.title),
    title: p.title,
    mockup: p.mockup,
    priceCents: p.priceCents,
    variants: p.variants.map((v) => v.style),
    personalised: true,
  }));
  const plain = [...PLAIN, ...SHINEON].map((g) => ({
    handle: productHandle(g.title),
    title: g.title,
    mockup: g.mockup,
    priceCents: g.priceCents,
    variants: [g.style],
    personalised: false,
  }));
  const byHandle = new Map<string, (typeof plain)[number]>();
  for (const product of [...personalised, ...plain]) {
    const known = byHandle.get(product.handle);
    if (known) known.variants = [...new Set([...known.variants, ...product.variants])];
    else byHandle.set(product.handle, { ...product, variants: [...product.variants] });
  }
  return [...byHandle.values()];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** xorshift32: a few lines, fast, and the same sequence on every machine and Node version. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
    // The first outputs of a small seed are poorly mixed; run the generator in a little.
    for (let n = 0; n < 8; n += 1) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4_294_967_296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return required(items[this.int(0, items.length - 1)], "pick from an empty list");
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let ticket = this.next() * total;
    for (const [value, weight] of entries) {
      ticket -= weight;
      if (ticket < 0) return value;
    }
    return required(entries[entries.length - 1], "weighted pick from an empty list")[0];
  }

  digits(count: number): string {
    let text = String(this.int(1, 9));
    while (text.length < count) text += String(this.int(0, 9));
    return text;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }

  /** `count` distinct items. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`demo seed: missing ${what}`);
  return value;
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Whole seconds, as carts report them. */
function atSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

function asciiSlug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}
