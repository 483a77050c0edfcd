// Everything the order page shows, read for the signed-in owner's shop only and already in the
// owner's words: items with their personalisation, money in the order's currency, the countdown
// (server-authoritative), what the lifecycle table allows, shipments and the timeline.
import { z } from "zod";
import { connectorFor } from "~/carts/connectors.server";
import type { AppContext } from "~/context.server";
import type { Owner } from "~/shops/owner.server";
import { formatMoney, formatOrderTime } from "~/ui/format";
import { addressLines, COUNTRY_OPTIONS, placeLine } from "~/orders/core/places";
import type { Tx } from "~/db/client.server";
import type { orderEvents } from "~/db/schema";
import { countdownBlocker } from "./countdown.server";
import { timelineMessage, timelineTitle } from "./timeline-words";
import { cartName, cartStatusLine } from "~/ui/cart-words";
import {
  readOrderChildren,
  readOrderTimeline,
  trackingByItem,
  type OrderChildren,
} from "./order-children.server";
import { shipmentChangeGate } from "~/orders/core/shipment-gate";
import { statusDoes } from "./core/order-statuses";
import {
  listOrderNotes,
  SHOPIFY_CUSTOMER_NOTE_REFUSAL,
  type OrderNoteRow,
} from "./invoice-notes.server";
import { shopOrderStatuses, statusChoices, type OrderStatusRow } from "./order-status.server";
import {
  ACTION_LABELS,
  STATE_LABELS,
  allowedActions,
  offeredIn,
  type OrderAction,
  type OrderFacts,
} from "~/orders/core/lifecycle";
import {
  CART_STATUS_LABELS,
  DELIVERY_STATE_LABELS,
  DELIVERY_STATES,
  ORDER_TYPE_LABELS,
  type LifecycleState,
  type ManualEdits,
  type ProcessingMode,
} from "~/orders/core/model";
import {
  type ShipmentControls,
  CART_CHANGE_ACTIONS,
  MENU_ACTIONS,
  type CartChangeView,
  type Countdown,
  type OrderPageData,
  type OrderPageItem,
} from "~/ui/order/types";
import {
  actingFor,
  lockOrder,
  orderFacts,
  type ActingAs,
  type LockedOrder,
  type OrderRow,
} from "~/orders/core/transitions.server";
import { shopSettings } from "~/orders/core/shop-settings";
import type { DemoSeam } from "~/shops/demo-seam";
import type { Shop } from "~/shops/shops.server";

const orderIdSchema = z.string().uuid();

/** True when `orderId` could be an order id at all; anything else is simply "not found". */
export function isOrderId(orderId: string): boolean {
  return orderIdSchema.safeParse(orderId).success;
}

const TIMELINE_LIMIT = 200;

type OrderEventRow = typeof orderEvents.$inferSelect;

/**
 * A purchase order whose provider row is gone is still listed, so the owner sees it was sent. The
 * schema refuses to delete a provider that has purchase orders (Settings disables it instead), so
 * this is a safety net, not a state the app makes.
 */
const MISSING_PROVIDER = "Removed provider";

/** The product's page in the cart's admin, where the shop defines its design. */
function defineDesignUrl(shop: Shop, productId: string | null): string | null {
  if (!productId) return null;
  if (shop.platform === "shopify")
    return `shopify://admin/products/${encodeURIComponent(productId)}`;
  if (shop.platform === "woocommerce") {
    const base = (shop.connection.storeUrl ?? `https://${shop.domain}`).replace(/\/+$/, "");
    return `${base}/wp-admin/post.php?post=${encodeURIComponent(productId)}&action=edit`;
  }
  // The demo shop's cart, when it has one (the demo's cart simulator).
  const cart = shop.connection.storeUrl?.replace(/\/+$/, "");
  return cart ? `${cart}/admin/products/${encodeURIComponent(productId)}` : null;
}

/** In the demo, links into its carts and to parcels lead to the cart simulator's pages. */
function withDemoLinks(page: OrderPageData, demo: DemoSeam): OrderPageData {
  const link = (url: string | null) => (url ? demo.cartLink(url) : null);
  return {
    ...page,
    editorUrl: link(page.editorUrl),
    items: page.items.map((item) => ({
      ...item,
      productUrl: link(item.productUrl),
      defineDesignUrl: link(item.defineDesignUrl),
    })),
    shipments: page.shipments.map((s) => ({
      ...s,
      trackingUrl:
        demo.trackingLink({
          trackingNumber: s.trackingNumber,
          carrier: s.carrier,
          orderNumber: page.number,
        }) ?? s.trackingUrl,
    })),
  };
}

/** Only http(s) links reach the page: a cart could send anything in a URL field. */
function safeUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value.startsWith("/")) return value;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

function countdownOf(
  order: { state: LifecycleState; autoSubmitAt: Date | null; autoSubmitRemainingMs: number | null },
  blocker: string | null,
  mode: ProcessingMode,
  sentAt: string | null,
): Countdown {
  if (order.state === "new" && order.autoSubmitAt) {
    return { kind: "running", deadline: order.autoSubmitAt.toISOString() };
  }
  if (order.state === "on_hold") {
    if (order.autoSubmitRemainingMs !== null && !blocker) {
      return { kind: "paused", remainingMs: order.autoSubmitRemainingMs };
    }
    return { kind: "none", reason: blocker ?? "On hold; release it to continue" };
  }
  // Sent already (by its countdown or by the owner): say so, not why it was "not submitted".
  const sent = sentAt ? ` on ${sentAt}` : "";
  if (order.state === "open") {
    return {
      kind: "none",
      title: "Submitted",
      reason: `Sent to its providers${sent}; waiting for them to ship.`,
    };
  }
  if (order.state === "closed") {
    return {
      kind: "none",
      title: "Submitted and shipped",
      reason: `Sent to its providers${sent}; everything has shipped.`,
    };
  }
  if (order.state === "abandoned") {
    return {
      kind: "none",
      title: "Submitted",
      reason: `Sent to its providers${sent}, but nothing has shipped for too long: see the alert.`,
    };
  }
  if (blocker) return { kind: "none", reason: blocker };
  const reasons: Record<Exclude<LifecycleState, "open" | "closed" | "abandoned">, string> = {
    new: "No countdown is running; use Submit Order when it is ready",
    pending:
      mode === "manual"
        ? "Waiting for Schedule Process before it counts down"
        : "Imported while the shop processed orders manually; Reset starts its countdown",
    on_hold: "On hold",
    error:
      mode === "manual"
        ? "Stopped: fix the alert, then Reprocess or Revalidate"
        : "Stopped: fix the alert, then Reprocess",
    archived: "Archived orders are never submitted",
  };
  return { kind: "none", reason: reasons[order.state] };
}

export async function loadOrderPage(
  ctx: Pick<AppContext, "db" | "shopify" | "config" | "demo">,
  owner: Owner,
  orderId: string,
): Promise<OrderPageData | null> {
  if (!isOrderId(orderId)) return null;
  const acting = actingFor(owner);
  // Read under the same lock an action takes, so the menu shows exactly what an action would decide.
  const page = await ctx.db.transaction(async (tx) => {
    const read = await readUnderLock(tx, owner.shop.id, orderId, acting);
    return read ? shapeOrderPage(ctx, owner, read) : null;
  });
  return page && ctx.demo ? withDemoLinks(page, ctx.demo) : page;
}

/** The order's status and the dropdown's choices, each saying what it does. */
function statusView(
  rows: OrderStatusRow[],
  order: OrderRow,
  platform: string,
): Pick<OrderPageData, "orderStatus" | "statusChoices"> {
  const does = (r: Pick<OrderStatusRow, "cartEffect" | "cartStatus" | "pausesCountdown">) =>
    statusDoes(r, platform);
  const current = rows.find((r) => r.key === order.orderStatusKey);
  return {
    orderStatus: {
      key: order.orderStatusKey,
      label: current?.label ?? order.orderStatusKey,
      pausesCountdown: current?.pausesCountdown ?? false,
      does: current ? does(current) : "",
    },
    statusChoices: statusChoices(rows, order, platform).map((choice) => {
      const row = rows.find((r) => r.key === choice.key)!;
      return {
        key: choice.key,
        label: choice.label,
        refusal: choice.refusal,
        runsCancelOrder: row.cartEffect === "cancel",
        does: does(row),
        pausesCountdown: row.pausesCountdown,
      };
    }),
  };
}

/** Everything one page load reads, all while holding the order's lock (decision 13). */
interface LockedRead {
  locked: LockedOrder;
  facts: OrderFacts;
  children: OrderChildren;
  events: OrderEventRow[];
  statuses: OrderStatusRow[];
  notes: OrderNoteRow[];
}

async function readUnderLock(
  tx: Tx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<LockedRead | null> {
  const locked = await lockOrder(tx, shopId, orderId);
  if (!locked) return null;
  const facts = orderFacts(locked, acting);
  const [children, events, statuses, notes] = await Promise.all([
    readOrderChildren(tx, shopId, orderId),
    readOrderTimeline(tx, shopId, orderId, TIMELINE_LIMIT),
    shopOrderStatuses(tx, shopId),
    listOrderNotes(tx, shopId, orderId),
  ]);
  return { locked, facts, children, events, statuses, notes };
}

/** Times in the shop's time zone, money in the order's currency, states by their names. */
interface PageWords {
  time(at: Date): string;
  money(amount: string): string;
  stateLabel(state: LifecycleState): string;
}

function shapeOrderPage(
  ctx: Pick<AppContext, "db" | "shopify" | "config">,
  owner: Owner,
  { locked, facts, children, events, statuses, notes }: LockedRead,
): OrderPageData {
  const { order, shop } = locked;
  const settings = shopSettings(shop);
  const words: PageWords = {
    time: (at) => formatOrderTime(at, settings.timezone),
    money: (amount) => formatMoney(amount, order.currency),
    stateLabel: (state) => STATE_LABELS[state],
  };
  const edits = order.manualEdits ?? {};
  const countdown = countdownOf(
    order,
    countdownBlocker(order, shop),
    settings.processingMode,
    firstSent(children, words),
  );
  const menu = menuOf(facts, order, countdown);
  const tracking = trackingByItem(children.shipments);
  const editorUrl = connectorFor(ctx, shop).orderEditorUrl({
    cartOrderId: order.cartOrderId,
    cartOrderNumber: order.cartOrderNumber,
  });
  return {
    ...orderHeader(order, shop, owner, words),
    items: children.items.map((row) => itemOf(row, shop, edits, words, tracking)),
    shipment: shipmentControlsOf(facts, settings.shipmentMethods),
    countdown,
    serverNow: new Date().toISOString(),
    ...menu,
    editorUrl,
    alert: order.state === "error" || order.alert ? alertOnPage(order.alert) : null,
    cartChange: cartChangeOf(order, facts),
    submissions: children.submissions.map((row) => purchaseOrderOf(row, children.items, words)),
    shipments: children.shipments.map((row) => shipmentOf(row, words)),
    timeline: events.map((event) => timelineEntryOf(event, shop, words)),
    statusLabels: {
      hold: "On hold",
      release: "Processing",
      cancel: "Cancel order",
    },
    ...statusView(statuses, order, shop.platform),
    invoiceNumber: order.invoiceNumber,
    notes: notes.map((n) => ({
      id: n.id,
      text: n.text,
      author: n.authorName ?? (n.actor === "cart" ? cartName(shop.platform) : "Orderlane"),
      at: words.time(n.createdAt),
      visibleToCustomer: n.visibleToCustomer,
      inCart: n.cartNoteId !== null,
    })),
    customerNotesRefusal: shop.platform === "shopify" ? SHOPIFY_CUSTOMER_NOTE_REFUSAL : null,
    editValues: {
      customerName: order.customerName,
      customerEmail: order.customerEmail ?? "",
      paymentMethod: order.paymentMethod ?? "",
      shippingMethod: order.shippingMethod ?? "",
      note: order.note ?? "",
    },
  };
}

type OrderHeader = Pick<
  OrderPageData,
  | "id"
  | "number"
  | "placedAt"
  | "state"
  | "stateLabel"
  | "cartStatus"
  | "cartStatusLabel"
  | "cartStatusWords"
  | "typeLabel"
  | "platform"
  | "embedded"
  | "customer"
  | "shippingAddress"
  | "billingAddress"
  | "addressLines"
  | "countries"
  | "shippingMethod"
  | "paymentMethod"
  | "note"
  | "totals"
>;

function orderHeader(order: OrderRow, shop: Shop, owner: Owner, words: PageWords): OrderHeader {
  const { money } = words;
  return {
    id: order.id,
    number: order.cartOrderNumber,
    placedAt: words.time(order.cartCreatedAt),
    state: order.state,
    stateLabel: words.stateLabel(order.state),
    cartStatus: order.cartStatus,
    cartStatusLabel: CART_STATUS_LABELS[order.cartStatus],
    cartStatusWords: cartStatusLine(shop.platform, order.cartStatusRaw),
    typeLabel: ORDER_TYPE_LABELS[order.type],
    platform: shop.platform,
    embedded: owner.embedded,
    customer: {
      name: order.customerName,
      email: order.customerEmail,
      place: placeLine(order.customerCity, order.customerProvince, order.customerCountry),
    },
    shippingAddress: order.shippingAddress,
    billingAddress: order.billingAddress,
    addressLines: {
      shipping: order.shippingAddress ? addressLines(order.shippingAddress) : null,
      billing: order.billingAddress ? addressLines(order.billingAddress) : null,
    },
    countries: COUNTRY_OPTIONS,
    shippingMethod: order.shippingMethod,
    paymentMethod: order.paymentMethod,
    note: order.note,
    totals: {
      subtotal: money(order.subtotal),
      shipping: money(order.shippingTotal),
      tax: money(order.taxTotal),
      total: money(order.total),
      currency: order.currency,
    },
  };
}

function itemOf(
  { item, providerName }: OrderChildren["items"][number],
  shop: Shop,
  edits: ManualEdits,
  words: PageWords,
  tracking: Map<string, string>,
): OrderPageItem {
  const p = item.personalization ?? {};
  return {
    id: item.id,
    cartLineId: item.cartLineId,
    title: item.title,
    sku: item.sku,
    style: item.style,
    quantity: item.quantity,
    price: words.money(item.price),
    mockupUrl: safeUrl(item.mockupUrl),
    productUrl: safeUrl(item.productUrl),
    defineDesignUrl: defineDesignUrl(shop, item.cartProductId),
    previewUrl: safeUrl(p.previewUrl),
    designUrl: safeUrl(p.designUrl),
    clientImages: (p.clientImages ?? []).map(safeUrl).filter((u): u is string => !!u),
    options: p.options ?? [],
    edited: `lineItem:${item.cartLineId}:personalization` in edits,
    providerName,
    deliveryState: item.deliveryState,
    deliveryLabel: DELIVERY_STATE_LABELS[item.deliveryState] ?? item.deliveryState,
    shipmentMethod: item.shipmentMethod,
    trackingNumber: tracking.get(item.id) ?? null,
  };
}

function shipmentControlsOf(facts: OrderFacts, methods: string[]): ShipmentControls {
  const gate = shipmentChangeGate(facts);
  return {
    allowed: gate.allowed,
    reason: gate.allowed ? null : gate.reason,
    methods,
    deliveryStates: DELIVERY_STATES.map((value) => ({
      value,
      label: DELIVERY_STATE_LABELS[value],
    })),
  };
}

type MenuChoices = Pick<
  OrderPageData,
  "canHold" | "canRelease" | "hold" | "release" | "submit" | "canEdit" | "actions"
>;

/** The page's buttons and Actions menu, as the lifecycle table decides them for these facts. */
function menuOf(facts: OrderFacts, order: OrderRow, countdown: Countdown): MenuChoices {
  const decisions = new Map(allowedActions(facts).map((d) => [d.action, d.decision]));
  const choice = (action: OrderAction) => {
    const decision = decisions.get(action)!;
    return decision.allowed
      ? { allowed: true, reason: null }
      : { allowed: false, reason: decision.reason };
  };
  const release = choice("release");
  const canRelease = release.allowed;
  const submit = choice("submit");
  const hold =
    choice("hold").allowed && order.autoSubmitAt === null
      ? { allowed: false, reason: "No countdown is running, so there is nothing to hold." }
      : choice("hold");
  return {
    canHold: hold.allowed,
    canRelease,
    hold,
    release,
    // Next to the card's own "Resume countdown" button, the hold is released with that button.
    submit:
      !submit.allowed && order.state === "on_hold" && canRelease && countdown.kind === "paused"
        ? { allowed: false, reason: "The countdown is paused; use Resume countdown first." }
        : submit,
    canEdit: choice("edit"),
    // Actions the shop's processing mode does not have are left out, not shown disabled.
    actions: MENU_ACTIONS.filter((action) => offeredIn(action, facts.processingMode)).map(
      (action) => ({
        action,
        label: ACTION_LABELS[action],
        ...choice(action),
      }),
    ),
  };
}

/** The alert without the change's bookkeeping (snapshots, keys), which the page has no use for. */
function alertOnPage(alert: OrderRow["alert"]): OrderPageData["alert"] {
  if (!alert) return null;
  return { code: alert.code, message: alert.message, fix: alert.fix };
}

function cartChangeOf(order: OrderRow, facts: OrderFacts): CartChangeView | null {
  const change = order.alert?.code === "changed_after_sent" ? order.alert.cartChange : undefined;
  if (!change) return null;
  const decisions = new Map(allowedActions(facts).map((d) => [d.action, d.decision]));
  const waiting = change.purchaseOrders.filter((p) => !p.updated);
  const unavailable: Partial<Record<OrderAction, string>> = {
    update_at_provider: waiting.some((p) => !p.canUpdate)
      ? `${waiting
          .filter((p) => !p.canUpdate)
          .map((p) => p.providerName)
          .join(", ")} takes no changes to an order it accepted.`
      : undefined,
  };
  return {
    changes: change.changes,
    purchaseOrders: change.purchaseOrders.map((p) => ({
      providerName: p.providerName,
      poNumber: p.poNumber,
      lastAnswer: p.lastAnswer ?? null,
      updated: p.updated ?? false,
    })),
    choices: CART_CHANGE_ACTIONS.map((action) => {
      const decision = decisions.get(action)!;
      const reason = decision.allowed ? (unavailable[action] ?? null) : decision.reason;
      return { action, label: ACTION_LABELS[action], allowed: reason === null, reason };
    }),
    cancelThroughSupport: waiting.some((p) => !p.canCancel),
  };
}

/** When the first purchase order went out, in the shop's time. */
function firstSent(children: OrderChildren, words: PageWords): string | null {
  const times = children.submissions
    .map((s) => s.submission.submittedAt)
    .filter((at): at is Date => at !== null)
    .sort((a, b) => a.getTime() - b.getTime());
  return times[0] ? words.time(times[0]) : null;
}

const PURCHASE_ORDER_WORDS: Record<
  OrderChildren["submissions"][number]["submission"]["state"],
  { label: string; tone: OrderPageData["submissions"][number]["tone"] }
> = {
  pending: { label: "Waiting to send", tone: "info" },
  submitting: { label: "Sending", tone: "info" },
  submitted: { label: "Sent", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  cancelled: { label: "Cancelled", tone: undefined },
};

/**
 * A purchase order's badge: once sent, what became of its items (the provider's items shipped, in
 * part or all, or were delivered) tells the owner more than "sent".
 */
function purchaseOrderStatus(
  s: OrderChildren["submissions"][number]["submission"],
  items: OrderChildren["items"],
): { label: string; tone: OrderPageData["submissions"][number]["tone"] } {
  if (s.state !== "submitted") return PURCHASE_ORDER_WORDS[s.state];
  const its = items.filter(({ item }) => item.providerId === s.providerId).map(({ item }) => item);
  const shipped = its.filter((i) => i.deliveryState !== "pending");
  if (its.length === 0 || shipped.length === 0) return PURCHASE_ORDER_WORDS.submitted;
  if (shipped.length < its.length) return { label: "Partly shipped", tone: "attention" };
  if (its.every((i) => i.deliveryState === "delivered")) {
    return { label: "Delivered", tone: "success" };
  }
  return { label: "Shipped", tone: "success" };
}

function purchaseOrderOf(
  { submission: s, providerName }: OrderChildren["submissions"][number],
  items: OrderChildren["items"],
  words: PageWords,
): OrderPageData["submissions"][number] {
  const status = purchaseOrderStatus(s, items);
  return {
    id: s.id,
    providerName: providerName ?? MISSING_PROVIDER,
    poNumber: s.poNumber,
    state: s.state,
    statusLabel: status.label,
    tone: status.tone,
    lastError: s.lastError,
    submittedAt: s.submittedAt ? words.time(s.submittedAt) : null,
  };
}

function shipmentOf(
  s: OrderChildren["shipments"][number],
  words: PageWords,
): OrderPageData["shipments"][number] {
  return {
    id: s.id,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    trackingUrl: safeUrl(s.trackingUrl),
    purchaseOrderId: s.submissionId,
    shippedAt: words.time(s.shippedAt),
    shipmentMethod: s.shipmentMethod,
    pushedAt: s.pushedToCartAt ? words.time(s.pushedToCartAt) : null,
    pushError: s.pushError,
  };
}

function timelineEntryOf(
  e: OrderEventRow,
  shop: Shop,
  words: PageWords,
): OrderPageData["timeline"][number] {
  return {
    id: e.id,
    at: words.time(e.createdAt),
    actor: e.actor,
    actorName: e.actorName,
    action: timelineTitle(e.action),
    from: e.fromState ? words.stateLabel(e.fromState) : null,
    to: e.toState ? words.stateLabel(e.toState) : null,
    message: timelineMessage(e.message, {
      action: e.action,
      platform: shop.platform,
      data: e.data,
      time: words.time,
    }),
  };
}
