import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { decide, type OrderAction } from "~/orders/core/lifecycle";
import { CART_STATUSES, LIFECYCLE_STATES, ORDER_TYPES } from "~/orders/core/model";
import type { LifecycleState, OrderAlert, Personalization } from "~/orders/core/model";
import { openSecret } from "~/security/encryption.server";
import { routeItems, unroutedProblem } from "~/fulfillment/routing";
import { shopSettings, type ShopSettings } from "~/orders/core/shop-settings";
import { renderDemoPreview } from "./previews";
import { seedDemoShop } from "./seed.server";

const KEY = Buffer.alloc(32, 7);

const PUBLIC_DIR = fileURLToPath(new URL("../../public", import.meta.url));
const DEMO_IMAGE_DIR = path.join(PUBLIC_DIR, "demo");
const MINUTE = 60_000;

let database: Database;
let pg: PGlite;
let shopId: string;
let ordersCreated: number;
let seedMs: number;
const now = new Date();

async function rows<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return (await pg.query<T>(query, params)).rows;
}

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    "shop",
    "provider",
    "order",
    "line_item",
    "submission",
    "shipment",
    "payment_transaction",
    "order_event",
  ]) {
    const [row] = await rows<{ n: number }>(`select count(*)::int as n from "${table}"`);
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

beforeAll(async () => {
  database = await openDatabase({ kind: "pglite", dataDir: null });
  await applyMigrations(database);
  if (!database.pglite) throw new Error("expected an in-memory PGlite database");
  pg = database.pglite;
  const started = performance.now();
  const result = await seedDemoShop(database.db, {
    sandboxUrl: "http://127.0.0.1:4100",
    sandboxSecret: "sandbox-secret-one",
    encryptionKey: KEY,
    now,
  });
  seedMs = performance.now() - started;
  console.log(`demo seed: ${result.ordersCreated} orders in ${seedMs.toFixed(0)} ms`);
  shopId = result.shopId;
  ordersCreated = result.ordersCreated;
});

afterAll(async () => {
  await database?.close();
});

describe("seedDemoShop", () => {
  it("creates the demo shop, in automatic mode with a one-hour countdown", async () => {
    const [shop] = await rows<{
      platform: string;
      domain: string;
      name: string;
      settings: unknown;
    }>(`select platform, domain, name, settings from shop where id = $1`, [shopId]);
    expect(shop).toMatchObject({ platform: "demo", domain: "demo.orderlane.local" });
    expect(shop?.name).toContain("(demo)");
    expect(shop?.settings).toMatchObject({
      autoSubmitDelayMinutes: 60,
      processingMode: "automatic",
    });
  });

  it("creates the sandbox, routed the SKUs it makes, and a ShineOn provider without an endpoint", async () => {
    const list = await rows<{
      kind: string;
      name: string;
      endpoint: string | null;
      signing_secret: string | null;
      is_default: boolean;
    }>(
      `select kind, name, endpoint, signing_secret, is_default from provider where shop_id = $1
        order by name`,
      [shopId],
    );
    // Stored sealed: the plain secret is nowhere in the row.
    const sealed = list.find((p) => p.kind === "sandbox")?.signing_secret ?? "";
    expect(sealed).not.toContain("sandbox-secret");
    expect(openSecret(KEY, sealed)).toBe("sandbox-secret-one");
    expect(
      list.map((p) => ({
        ...p,
        signing_secret: p.kind === "sandbox" ? "sealed" : p.signing_secret,
      })),
    ).toEqual([
      {
        kind: "sandbox",
        name: "Sandbox Printer",
        endpoint: "http://127.0.0.1:4100",
        signing_secret: "sealed",
        // Routing rules send it what it makes; the Pixel 8 case has no rule (see the alert test).
        is_default: false,
      },
      expect.objectContaining({ kind: "shineon", endpoint: null, is_default: false }),
    ]);
  });

  it("creates at least 60 orders", async () => {
    const [row] = await rows<{ n: number }>(
      `select count(*)::int as n from "order" where shop_id = $1`,
      [shopId],
    );
    expect(ordersCreated).toBeGreaterThanOrEqual(60);
    expect(row?.n).toBe(ordersCreated);
  });

  it("covers every order type, cart status and lifecycle state", async () => {
    const distinct = async (column: string) =>
      (
        await rows<{ v: string }>(
          `select distinct ${column}::text as v from "order" where shop_id = $1`,
          [shopId],
        )
      )
        .map((r) => r.v)
        .sort();
    expect(await distinct("type")).toEqual([...ORDER_TYPES].sort());
    expect(await distinct("cart_status")).toEqual([...CART_STATUSES].sort());
    expect(await distinct("state")).toEqual([...LIFECYCLE_STATES].sort());
    const raw = await distinct("cart_status_raw");
    for (const word of [
      "paid",
      "pending",
      "on-hold",
      "completed",
      "cancelled",
      "refunded",
      "failed",
    ]) {
      expect(raw).toContain(word);
    }
  });

  it("keeps cart ids as strings too large for a JavaScript number, numbered #1001 upwards", async () => {
    const list = await rows<{ cart_order_id: unknown; cart_order_number: string }>(
      `select cart_order_id, cart_order_number from "order" where shop_id = $1
       order by cart_created_at, cart_order_number`,
      [shopId],
    );
    for (const row of list) {
      expect(typeof row.cart_order_id).toBe("string");
      expect(row.cart_order_id).toMatch(/^\d{17,}$/);
      expect(BigInt(row.cart_order_id as string) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    }
    expect(new Set(list.map((r) => r.cart_order_id)).size).toBe(list.length);
    expect(list.map((r) => r.cart_order_number)).toEqual(list.map((_, i) => `#${1001 + i}`));
  });

  it("gives realistic customers in several countries and currencies", async () => {
    const list = await rows<{
      customer_name: string;
      customer_email: string;
      customer_city: string;
      currency: string;
      payment_method: string;
      country_code: string;
    }>(
      `select customer_name, customer_email, customer_city, currency, payment_method,
              shipping_address->>'countryCode' as country_code
       from "order" where shop_id = $1`,
      [shopId],
    );
    for (const row of list) {
      expect(row.customer_name).toMatch(/\S+ \S+/);
      expect(row.customer_email).toMatch(/^[a-z]+\.[a-z]+\d*@example\.(com|net|org)$/);
      expect(row.customer_city).not.toBe("");
    }
    const countries = new Set(list.map((r) => r.country_code));
    for (const code of ["US", "CA", "GB", "AU", "DE", "FR"]) expect(countries).toContain(code);
    const currencies = list.map((r) => r.currency);
    expect(new Set(currencies)).toEqual(new Set(["USD", "CAD", "GBP", "EUR", "AUD"]));
    expect(currencies.filter((c) => c === "USD").length).toBeGreaterThan(list.length / 3);
    expect(new Set(list.map((r) => r.payment_method)).size).toBeGreaterThanOrEqual(5);
  });

  it("keeps totals consistent with the line items, to the cent", async () => {
    const bad = await rows(
      `select o.cart_order_number, o.subtotal, o.total from "order" o
       where o.shop_id = $1 and (
         o.subtotal <> (select sum(li.price * li.quantity) from line_item li where li.order_id = o.id)
         or o.total <> o.subtotal + o.shipping_total + o.tax_total
         or o.total <> round(o.total, 2) or o.tax_total <> round(o.tax_total, 2)
         or o.total <= 0)`,
      [shopId],
    );
    expect(bad).toEqual([]);
  });

  it("keeps the summary fields in step with line items and submissions", async () => {
    const bad = await rows(
      `select o.cart_order_number from "order" o
       where o.shop_id = $1 and (
         o.item_count <> (select sum(quantity) from line_item li where li.order_id = o.id)
         or o.submit_status is distinct from (case
              when exists (select 1 from submission s where s.order_id = o.id and s.state = 'failed')
                then 'failed'::submit_status
              when exists (select 1 from submission s where s.order_id = o.id and s.state = 'submitted')
                then 'submitted'::submit_status end)
         or o.submit_failure_reason is distinct from
              (select s.last_error from submission s where s.order_id = o.id and s.state = 'failed'))`,
      [shopId],
    );
    expect(bad).toEqual([]);
    const [counts] = await rows<{ submitted: number; failed: number; blank: number }>(
      `select count(*) filter (where submit_status = 'submitted')::int as submitted,
              count(*) filter (where submit_status = 'failed')::int as failed,
              count(*) filter (where submit_status is null)::int as blank
       from "order" where shop_id = $1`,
      [shopId],
    );
    expect(counts?.submitted).toBeGreaterThan(10);
    expect(counts?.failed).toBeGreaterThanOrEqual(3);
    expect(counts?.blank).toBeGreaterThan(10);
  });

  it("runs countdowns only for new in-app orders the cart marks processing, 3 to 55 minutes ahead", async () => {
    const list = await rows<{
      state: LifecycleState;
      type: string;
      cart_status: string;
      auto_submit_at: Date | null;
      auto_submit_remaining_ms: string | number | null;
      cart_created_at: Date;
    }>(
      `select state, type, cart_status, auto_submit_at, auto_submit_remaining_ms, cart_created_at
       from "order" where shop_id = $1`,
      [shopId],
    );
    const counting = list.filter((o) => o.auto_submit_at !== null);
    expect(counting.length).toBeGreaterThanOrEqual(5);
    for (const order of counting) {
      expect(order).toMatchObject({ state: "new", type: "in_app", cart_status: "processing" });
      const ahead = (order.auto_submit_at as Date).getTime() - now.getTime();
      expect(ahead).toBeGreaterThanOrEqual(3 * MINUTE);
      expect(ahead).toBeLessThanOrEqual(55 * MINUTE);
      expect((order.auto_submit_at as Date).getTime() - order.cart_created_at.getTime()).toBe(
        60 * MINUTE,
      );
      expect(order.auto_submit_remaining_ms).toBeNull();
    }
    // The newer the order, the later its deadline.
    const byCreation = [...counting].sort(
      (a, b) => a.cart_created_at.getTime() - b.cart_created_at.getTime(),
    );
    const deadlines = byCreation.map((o) => (o.auto_submit_at as Date).getTime());
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect(deadlines.at(-1)! - deadlines[0]!).toBeGreaterThan(30 * MINUTE);

    const held = list.filter((o) => o.state === "on_hold");
    expect(held.length).toBeGreaterThanOrEqual(2);
    for (const order of held) {
      expect(order.auto_submit_at).toBeNull();
      const remaining = Number(order.auto_submit_remaining_ms);
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThanOrEqual(60 * MINUTE);
    }
    for (const order of list.filter((o) => o.state !== "on_hold")) {
      expect(order.auto_submit_remaining_ms).toBeNull();
    }
    expect(list.filter((o) => o.state === "pending").length).toBeGreaterThanOrEqual(1);
  });

  it("sends open and closed orders to providers, and gives failures a provider's reason", async () => {
    const sent = await rows<{
      state: string;
      sub_state: string | null;
      provider_order_id: string | null;
    }>(
      `select o.state, s.state as sub_state, s.provider_order_id from "order" o
       left join submission s on s.order_id = o.id
       where o.shop_id = $1 and o.state in ('open', 'closed')`,
      [shopId],
    );
    expect(sent.length).toBeGreaterThan(0);
    for (const row of sent) {
      expect(row.sub_state).toBe("submitted");
      expect(row.provider_order_id).toMatch(/\S{6,}/);
    }

    const failed = await rows<{ order_state: string; last_error: string | null; kind: string }>(
      `select o.state as order_state, s.last_error, p.kind from submission s
       join "order" o on o.id = s.order_id join provider p on p.id = s.provider_id
       where s.shop_id = $1 and s.state = 'failed'`,
      [shopId],
    );
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const row of failed) {
      expect(row.order_state).toBe("error");
      expect(row.last_error?.length).toBeGreaterThan(20);
    }
    const reasons = failed.map((r) => r.last_error).join("\n");
    expect(reasons).toContain("Address line 1 is longer than 35 characters (ShineOn limit)");
    expect(reasons).toMatch(/SKU TEE-BLK-XXL is out of stock at the provider/);
    expect(reasons).toContain("Design file could not be downloaded (HTTP 404)");
    expect(failed.some((r) => r.kind === "shineon")).toBe(true);

    // The ShineOn rejection is true to its reason: the address really is too long.
    const [longAddress] = await rows<{ line: string }>(
      `select o.shipping_address->>'address1' as line from "order" o
       join submission s on s.order_id = o.id
       where o.shop_id = $1 and s.last_error like 'Address line 1%'`,
      [shopId],
    );
    expect(longAddress?.line.length).toBeGreaterThan(35);

    // No order awaiting submission has a purchase order yet.
    const [early] = await rows<{ n: number }>(
      `select count(*)::int as n from submission s join "order" o on o.id = s.order_id
       where o.shop_id = $1 and o.state in ('new', 'pending', 'on_hold')`,
      [shopId],
    );
    expect(early?.n).toBe(0);
  });

  it("gives every error order an alert that says what happened and how to fix it", async () => {
    const list = await rows<{ alert: OrderAlert | null; failed: number; sent: number }>(
      `select o.alert,
              (select count(*)::int from submission s where s.order_id = o.id and s.state = 'failed') as failed,
              (select count(*)::int from submission s where s.order_id = o.id) as sent
       from "order" o where o.shop_id = $1 and o.state = 'error'`,
      [shopId],
    );
    expect(list.length).toBeGreaterThanOrEqual(4);
    for (const row of list) {
      expect(row.alert?.code).toMatch(/^[a-z_]+$/);
      expect(row.alert?.message.length).toBeGreaterThan(20);
      expect(row.alert?.fix.length).toBeGreaterThan(20);
      // Either a provider refused it, or validation stopped it before anything was sent.
      expect(row.failed === 1 || row.sent === 0).toBe(true);
    }
    expect(list.some((r) => r.sent === 0)).toBe(true);
    expect(list.some((r) => r.failed === 1)).toBe(true);
    const [others] = await rows<{ n: number }>(
      `select count(*)::int as n from "order"
       where shop_id = $1 and state not in ('error', 'abandoned') and alert is not null`,
      [shopId],
    );
    expect(others?.n).toBe(0);
  });

  it("routes every seeded SKU to the sandbox but the Pixel 8 case, whose alert is the router's own", async () => {
    const [shop] = await rows<{ settings: Partial<ShopSettings> }>(
      `select settings from shop where id = $1`,
      [shopId],
    );
    const stored = await rows<{ id: string; enabled: boolean; is_default: boolean }>(
      `select id, enabled, is_default from provider where shop_id = $1`,
      [shopId],
    );
    const list = stored.map((p) => ({ id: p.id, enabled: p.enabled, isDefault: p.is_default }));
    const rules = shopSettings(shop!).routingRules;
    const skus = await rows<{ sku: string }>(
      `select distinct sku from line_item where shop_id = $1`,
      [shopId],
    );
    const unrouted = skus.filter(({ sku }) => !routeItems([{ id: sku, sku }], list, rules).ok);
    expect(unrouted.map((u) => u.sku)).toEqual(["CASE-PIX8"]);
    const [order] = await rows<{ alert: OrderAlert }>(
      `select o.alert from "order" o join line_item li on li.order_id = o.id
        where o.shop_id = $1 and li.sku = 'CASE-PIX8'`,
      [shopId],
    );
    const problem = unroutedProblem({ itemId: "any", sku: "CASE-PIX8" });
    // The demo shop processes automatically: its fix names Reprocess, the control it has.
    expect(order!.alert).toEqual({
      code: "no_provider",
      message: problem.message,
      fix: `${problem.fix}, then Reprocess`,
    });
  });

  it("names only controls an automatic shop has: no Revalidate, no Schedule Process", async () => {
    const texts = await rows<{ text: string }>(
      `select alert->>'fix' as text from "order" where shop_id = $1 and alert is not null
       union all select message from order_event where shop_id = $1`,
      [shopId],
    );
    for (const { text } of texts) expect(text).not.toMatch(/Revalidate|Schedule Process/);
    const pending = await rows<{ message: string }>(
      `select e.message from order_event e join "order" o on o.id = e.order_id
        where o.shop_id = $1 and o.state = 'pending' and e.action = 'imported'`,
      [shopId],
    );
    expect(pending.length).toBeGreaterThan(0);
    for (const { message } of pending) expect(message).toContain("Reset starts");
    // What the timeline says is what the lifecycle allows such an order in this shop.
    const facts = {
      state: "pending",
      cartStatus: "processing",
      processingMode: "automatic",
      hasShipment: false,
      anythingSent: false,
      isAccountAdmin: true,
    } as const;
    expect(decide("reset", facts)).toMatchObject({ allowed: true, to: "new" });
    expect(decide("schedule_process", facts)).toMatchObject({ allowed: false });
  });

  it("ships every item of closed orders, and part of one open order, with tracking", async () => {
    const parcels = await rows<{
      state: string;
      carrier: string;
      tracking_number: string;
      tracking_url: string;
      shipped_at: Date;
      pushed_to_cart_at: Date | null;
      shipped_lines: number;
      lines: number;
      submission_id: string | null;
    }>(
      `select o.state, sh.carrier, sh.tracking_number, sh.tracking_url, sh.shipped_at,
              sh.pushed_to_cart_at, jsonb_array_length(sh.items)::int as shipped_lines,
              (select count(*)::int from line_item li where li.order_id = o.id) as lines,
              sh.submission_id
       from shipment sh join "order" o on o.id = sh.order_id where sh.shop_id = $1`,
      [shopId],
    );
    for (const parcel of parcels) {
      expect(["open", "closed"]).toContain(parcel.state);
      expect(parcel.carrier).not.toBe("");
      expect(parcel.tracking_url).toMatch(/^https:\/\/\S+$/);
      expect(parcel.tracking_url).toContain(encodeURIComponent(parcel.tracking_number));
      expect(parcel.shipped_at.getTime()).toBeLessThan(now.getTime());
      expect(parcel.pushed_to_cart_at?.getTime()).toBeGreaterThan(parcel.shipped_at.getTime());
      expect(parcel.submission_id).not.toBeNull();
    }
    expect(parcels.some((p) => p.state === "open" && p.shipped_lines < p.lines)).toBe(true);
    expect(new Set(parcels.map((p) => p.carrier)).size).toBeGreaterThanOrEqual(4);

    // Every line item of a closed order is in a parcel and no longer pending.
    const unshipped = await rows(
      `select li.id from line_item li join "order" o on o.id = li.order_id
       where o.shop_id = $1 and o.state = 'closed' and (li.delivery_state = 'pending'
         or not exists (select 1 from shipment sh, jsonb_array_elements(sh.items) e
                        where sh.order_id = o.id and e->>'lineItemId' = li.id::text))`,
      [shopId],
    );
    expect(unshipped).toEqual([]);
  });

  it("writes a timeline for every order whose transitions follow the lifecycle", async () => {
    const orderList = await rows<{ id: string; state: LifecycleState; cart_created_at: Date }>(
      `select id, state, cart_created_at from "order" where shop_id = $1`,
      [shopId],
    );
    const events = await rows<{
      order_id: string;
      action: string;
      from_state: LifecycleState | null;
      to_state: LifecycleState | null;
      created_at: Date;
    }>(
      `select order_id, action, from_state, to_state, created_at from order_event
       where shop_id = $1 order by created_at, id`,
      [shopId],
    );
    const actions = new Set(events.map((e) => e.action));
    for (const action of ["imported", "submit", "shipment", "close"])
      expect(actions).toContain(action);

    for (const order of orderList) {
      const timeline = events.filter((e) => e.order_id === order.id);
      expect(timeline[0]?.action).toBe("imported");
      expect(timeline[0]?.from_state).toBeNull();
      expect(["new", "pending", "on_hold"]).toContain(timeline[0]?.to_state);
      let state = timeline[0]?.to_state ?? null;
      for (const event of timeline.slice(1)) {
        expect(event.created_at.getTime()).toBeGreaterThanOrEqual(order.cart_created_at.getTime());
        expect(event.created_at.getTime()).toBeLessThanOrEqual(now.getTime());
        if (event.to_state === null) {
          expect(event.from_state).toBeNull();
          continue;
        }
        expect(event.from_state).toBe(state);
        const decision = decide(event.action as OrderAction, {
          state: event.from_state as LifecycleState,
          cartStatus: "processing",
          processingMode: "automatic",
          hasShipment: false,
          anythingSent: false,
          isAccountAdmin: true,
          // What the abandon job sees of the seeded Abandoned order: sent long ago.
          daysSinceSent: 1000,
          abandonAfterDays: 14,
        });
        expect(decision).toEqual({ allowed: true, to: event.to_state });
        state = event.to_state;
      }
      expect(state).toBe(order.state);
    }
  });

  it("records a few payment transactions", async () => {
    const list = await rows<{ kind: string; status: string; amount: string }>(
      `select kind::text, status, amount from payment_transaction where shop_id = $1`,
      [shopId],
    );
    expect(list.length).toBeGreaterThanOrEqual(5);
    const kinds = new Set(list.map((p) => p.kind));
    for (const kind of ["authorization", "capture", "refund", "void"])
      expect(kinds).toContain(kind);
    expect(list.some((p) => p.status === "failure")).toBe(true);
    for (const payment of list) expect(Number(payment.amount)).toBeGreaterThan(0);
  });

  it("personalises in-app items and leaves ShineOn and Amazon orders plain", async () => {
    const items = await rows<{
      type: string;
      sku: string;
      style: string;
      mockup_url: string | null;
      personalization: Personalization | null;
    }>(
      `select o.type, li.sku, li.style, li.mockup_url, li.personalization
       from line_item li join "order" o on o.id = li.order_id where li.shop_id = $1`,
      [shopId],
    );
    const personalised = items.filter((i) => i.personalization !== null);
    expect(personalised.length).toBeGreaterThan(30);
    expect(personalised.every((i) => i.type === "in_app")).toBe(true);
    expect(items.filter((i) => ["amazon", "shineon"].includes(i.type)).length).toBeGreaterThan(3);
    for (const item of personalised) {
      const p = item.personalization as Personalization;
      expect(item.mockup_url).toMatch(/^\/demo\//);
      expect(p.previewUrl).toMatch(/^\/demo\/preview\/[a-z]+\.svg(\?|$)/);
      expect((p.options ?? []).length).toBeGreaterThan(0);
      expect(p.clientImages?.length ?? 0).toBeLessThanOrEqual(2);
    }
    expect(personalised.some((i) => (i.personalization?.clientImages?.length ?? 0) === 2)).toBe(
      true,
    );
    expect(personalised.filter((i) => !i.personalization?.designUrl)).toHaveLength(1);
    const skus = new Set(items.map((i) => i.sku));
    for (const sku of ["MUG-11OZ-WHT", "POSTER-A3", "TEE-BLK-XXL"]) expect(skus).toContain(sku);
    for (const item of items) expect(item.style).not.toBe("");
  });

  it("draws each preview from its own order's options: the name chosen is the name shown", async () => {
    const items = await rows<{ personalization: Personalization }>(
      `select personalization from line_item where shop_id = $1 and personalization is not null`,
      [shopId],
    );
    let named = 0;
    for (const { personalization: p } of items) {
      const url = new URL(p.previewUrl!, "https://demo.invalid");
      const [, template] = /^\/demo\/preview\/([a-z]+)\.svg$/.exec(url.pathname) ?? [];
      const drawn = renderDemoPreview(template!, url.searchParams);
      expect(drawn, p.previewUrl!).not.toBeNull();
      const name = p.options?.find((o) => o.name === "Name")?.value;
      if (name) {
        named += 1;
        expect(url.searchParams.get("name")).toBe(name);
        expect(drawn).toContain(`>${name}</text>`);
      }
      expect(Buffer.byteLength(drawn!)).toBeLessThan(4_300);
      expect(drawn!.replace('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(
        /https?:|href=|@import|<image|<script/,
      );
    }
    expect(named).toBeGreaterThan(10);
  });

  it("references only images that exist under public/, each small and self-contained", async () => {
    const [row] = await rows<{ urls: string[] }>(
      `select array(
         select distinct u from (
           select mockup_url as u from line_item where shop_id = $1
           union all select personalization->>'designUrl' from line_item where shop_id = $1
           union all select jsonb_array_elements_text(personalization->'clientImages')
             from line_item where shop_id = $1 and personalization ? 'clientImages'
         ) all_urls where u is not null) as urls`,
      [shopId],
    );
    const urls = row?.urls ?? [];
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const url of urls) {
      expect(url).toMatch(/^\/demo\/[a-z0-9-]+\.svg$/);
      expect(fs.existsSync(path.join(PUBLIC_DIR, url)), url).toBe(true);
    }
    const files = fs.readdirSync(DEMO_IMAGE_DIR).filter((f) => f.endsWith(".svg"));
    // Every picture in the folder shows up somewhere in the demo, so none is dead weight.
    expect(new Set(urls)).toEqual(new Set(files.map((f) => `/demo/${f}`)));
    for (const file of files) {
      const text = fs.readFileSync(path.join(DEMO_IMAGE_DIR, file), "utf8");
      expect(Buffer.byteLength(text), file).toBeLessThan(4_300);
      expect(text, file).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      // Nothing fetched from elsewhere: no links, no web fonts, no embedded images.
      expect(text.replace('xmlns="http://www.w3.org/2000/svg"', ""), file).not.toMatch(
        /https?:|href=|@import|<image/,
      );
    }
  });

  it("spreads orders over the last three weeks with the cart's update never before its creation", async () => {
    const [range] = await rows<{ oldest: Date; newest: Date; backwards: number }>(
      `select min(cart_created_at) as oldest, max(cart_created_at) as newest,
              count(*) filter (where cart_updated_at < cart_created_at)::int as backwards
       from "order" where shop_id = $1`,
      [shopId],
    );
    expect(range?.backwards).toBe(0);
    expect(now.getTime() - (range?.oldest.getTime() ?? 0)).toBeGreaterThan(15 * 24 * 60 * MINUTE);
    expect(now.getTime() - (range?.oldest.getTime() ?? 0)).toBeLessThan(21 * 24 * 60 * MINUTE);
    expect(range?.newest.getTime()).toBeLessThanOrEqual(now.getTime());
  });

  it("creates nothing the second time, keeps the owner's edits and follows the sandbox's new port", async () => {
    const before = await tableCounts();
    const [order] = await rows<{ id: string }>(
      `select id from "order" where shop_id = $1 and cart_order_number = '#1010'`,
      [shopId],
    );
    await pg.query(`update "order" set note = 'Owner: call before shipping' where id = $1`, [
      order?.id,
    ]);

    const started = performance.now();
    const again = await seedDemoShop(database.db, {
      sandboxUrl: "http://127.0.0.1:4242",
      sandboxSecret: "sandbox-secret-two",
      encryptionKey: KEY,
      now: new Date(now.getTime() + 90 * MINUTE),
    });
    console.log(
      `demo seed again: ${again.ordersCreated} orders in ${(performance.now() - started).toFixed(0)} ms`,
    );

    expect(again).toMatchObject({ shopId, ordersCreated: 0 });
    expect(await tableCounts()).toEqual(before);
    const [kept] = await rows<{ note: string }>(`select note from "order" where id = $1`, [
      order?.id,
    ]);
    expect(kept?.note).toBe("Owner: call before shipping");
    const [sandbox] = await rows<{ endpoint: string; signing_secret: string }>(
      `select endpoint, signing_secret from provider where shop_id = $1 and kind = 'sandbox'`,
      [shopId],
    );
    expect(sandbox?.endpoint).toBe("http://127.0.0.1:4242");
    expect(openSecret(KEY, sandbox!.signing_secret)).toBe("sandbox-secret-two");
  });

  it("generates the same orders from scratch", async () => {
    const fingerprint = async () =>
      rows(
        `select o.cart_order_id, o.cart_order_number, o.state, o.type, o.customer_name, o.total,
                o.currency, o.cart_created_at,
                array(select li.sku || ' x' || li.quantity from line_item li
                      where li.order_id = o.id order by li.position) as skus
         from "order" o join shop s on s.id = o.shop_id
         where s.domain = 'demo.orderlane.local' order by o.cart_order_id`,
      );
    const first = await fingerprint();
    await pg.query(`delete from shop where id = $1`, [shopId]);
    const fresh = await seedDemoShop(database.db, {
      sandboxUrl: "http://127.0.0.1:4100",
      sandboxSecret: "sandbox-secret-one",
      encryptionKey: KEY,
      now,
    });
    expect(fresh.ordersCreated).toBe(ordersCreated);
    expect(await fingerprint()).toEqual(first);
  });
});
