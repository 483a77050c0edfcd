// What the app needs from a cart, one implementation per platform (DESIGN §3): read orders (one, or
// pages of them for Import), write status changes, push tracking, and point at the cart's own editor.
// Connectors turn the cart's shapes into `NormalizedOrder`; nothing outside carts/ reads a payload.
import type { AppContext } from "~/context.server";
import type { Address, CartStatus, Personalization } from "~/orders/core/model";
import type { Shop } from "~/shops/shops.server";

export interface NormalizedLineItem {
  cartLineId: string;
  sku: string | null;
  title: string;
  /** Variant or style as the cart names it ("Black / XL"). */
  style: string | null;
  quantity: number;
  /** Unit price as a decimal string, in the order's currency. */
  price: string;
  mockupUrl: string | null;
  cartProductId: string | null;
  cartVariantId: string | null;
  productUrl: string | null;
  personalization: Personalization | null;
}

export interface NormalizedPayment {
  kind: "authorization" | "capture" | "refund" | "void";
  amount: string;
  currency: string;
  status: string;
  gateway: string | null;
  cartTransactionId: string | null;
  /** The cart's id of the transaction this one acts on (a capture's authorisation). */
  parentCartTransactionId?: string | null;
  /** When the cart processed it. */
  processedAt?: Date | null;
  /** The gateway's words (or code) when it failed. */
  errorMessage?: string | null;
}

/** Capture money an authorisation holds (Shopify orderCapture). */
export interface CaptureRequest {
  cartOrderId: string;
  parentCartTransactionId: string;
  /** A decimal string in the order's currency. */
  amount: string;
  currency: string;
  /** Nothing more will be captured from this authorisation: the cart releases the rest. */
  finalCapture: boolean;
}

export type CaptureOutcome =
  { ok: true; transaction: NormalizedPayment } | { ok: false; retryable: boolean; reason: string };

/** Why the owner cancels an order; Shopify's OrderCancelReason values, in lower case. */
export const CANCEL_REASONS = [
  "customer",
  "inventory",
  "fraud",
  "declined",
  "staff",
  "other",
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** Cancel Order: the cart cancels, refunds what was captured and releases what is authorised. */
export interface CancelRequest {
  reason: CancelReason;
  notifyCustomer: boolean;
  restock: boolean;
  /** Captured and not yet refunded, a decimal string in the order's currency ("0.00": none). */
  refundAmount: string;
  currency: string;
  /** Written on the order in the cart where it keeps one (who cancelled, from where). */
  staffNote: string;
}

/** One order as every cart's connector hands it to orders/ingest.server.ts. */
export interface NormalizedOrder {
  /** Exactly as the cart sent it, as a string (Shopify ids exceed 2^53). */
  cartOrderId: string;
  cartOrderNumber: string;
  /** The cart's own status word, kept for display and support. */
  cartStatusRaw: string;
  cartStatus: CartStatus;
  customerName: string;
  customerEmail: string | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  currency: string;
  subtotal: string;
  shippingTotal: string;
  taxTotal: string;
  total: string;
  paymentMethod: string | null;
  shippingMethod: string | null;
  /** Where the cart says the order came from (Shopify source_name, WooCommerce created_via). */
  sourceChannel: string | null;
  note: string | null;
  cartCreatedAt: Date;
  /** The watermark: an update older than the stored one is ignored. */
  cartUpdatedAt: Date;
  lineItems: NormalizedLineItem[];
  payments: NormalizedPayment[];
  /** The cart's payload, kept as the order's last raw payload (Reset rebuilds from it). */
  raw: unknown;
}

export type ImportRequest =
  { mode: "all" } | { mode: "range"; from: Date; to: Date } | { mode: "ids"; ids: string[] };

/** Reconciliation's question: every order the cart changed after `since`, up to `until`. */
export interface UpdatedWindow {
  since: Date;
  until: Date;
}

export interface ImportPage {
  orders: NormalizedOrder[];
  /** Where a resumed import carries on after this page; null after the last page. */
  resumeCursor: string | null;
  /** How many orders the whole import will read, when the cart says. */
  total?: number | null;
  /** Something the owner should know about the result (Shopify's 60-day window, for one). */
  notice?: string | null;
  /** Ids or numbers asked for that the cart does not have. */
  missing?: string[];
}

/** Which order in the cart a call is about. */
export interface CartOrderRef {
  cartOrderId: string;
  cartOrderNumber: string;
}

export type CartStatusChange = "hold" | "release" | "cancel";

/**
 * What choosing one of the shop's order statuses writes to the cart (decision 0046): a hold with
 * its reason, a release, completed, or a WooCommerce store's own status by its slug.
 */
export type CartStatusWrite =
  | { kind: "release" }
  | { kind: "hold"; reason: "fraud" | "other" }
  | { kind: "complete" }
  | { kind: "status"; status: string };

/** A status the cart offers (WooCommerce's own and those plugins register). */
export interface CartOrderStatus {
  /** The cart's slug, without WooCommerce's `wc-` prefix ("on-hold", "awaiting-artwork"). */
  slug: string;
  name: string;
}

export type CartOutcome =
  | { ok: true }
  /** retryable: the cart was down or busy; otherwise it refused, and `reason` is its own words. */
  | { ok: false; retryable: boolean; reason: string };

/**
 * A push the cart accepted carries the order as the cart now has it when the cart answers with it
 * (its status after the parcel, say), so Orderlane need not wait for the cart's own webhook.
 */
export type PushOutcome =
  { ok: true; order?: NormalizedOrder } | { ok: false; retryable: boolean; reason: string };

/** An order was sent to a provider: the cart is told, so the owner sees it there too. */
export interface SentReport {
  cartOrderId: string;
  cartOrderNumber: string;
  providerName: string;
  poNumber: string;
  /** The cart's lines that went out in this purchase order. */
  cartLineIds: string[];
}

export interface TrackingPush {
  shopDomain: string;
  cartOrderId: string;
  carrier: string | null;
  trackingNumber: string;
  trackingUrl: string | null;
  /** Cart line ids and how many of each are in this parcel. */
  items: { cartLineId: string; quantity: number }[];
  notifyCustomer: boolean;
  /** This parcel completes the order. */
  completesOrder: boolean;
}

/** What reconciliation learnt of the shop's webhook subscriptions. */
export type WebhookCheck =
  | {
      ok: true;
      /** Subscriptions that were missing or stopped and are now put back, in the owner's words. */
      repaired: string[];
      /** False where the cart does not show them to the app (Shopify's, declared for the app). */
      visible: boolean;
    }
  | { ok: false; retryable: boolean; reason: string };

export type FetchOutcome =
  { ok: true; order: NormalizedOrder | null } | { ok: false; retryable: boolean; reason: string };

/** One product's stock to write to the cart, as the stock push names it. */
export interface StockWriteItem {
  /** Orderlane's own id for the product (dropship_product), echoed back in the result. */
  ref: string;
  sku: string;
  cartProductId: string | null;
  cartVariantId: string | null;
  /** Shopify's inventory item of the variant. */
  cartInventoryItemId: string | null;
  quantity: number;
}

export interface StockWriteRequest {
  /** The feed run this push follows: the idempotency key is made from it and the items. */
  runId: string;
  /** Shopify's location (gid); WooCommerce keeps one stock figure per product. */
  locationId: string | null;
  /** Where the change came from, for the cart's inventory history (Shopify's referenceDocumentUri). */
  referenceUri: string;
  items: StockWriteItem[];
}

/** Per item: written, or refused with the cart's reason (`retryable` when the cart was down). */
export interface StockWriteResult {
  written: string[];
  /** Cart ids the writer had to look up (Shopify's inventory item of a variant), kept for next time. */
  resolved?: { ref: string; cartInventoryItemId: string }[];
  failed: { ref: string; reason: string; retryable: boolean }[];
}

export type LocationsOutcome =
  | { ok: true; locations: { id: string; name: string }[] }
  | { ok: false; retryable: boolean; reason: string };

/** Stock to the cart (issue 14 item 7): absolute quantities, written in the cart's own batches. */
export interface CartStockWriter {
  /** Most items one call may carry (Shopify 250 quantities, WooCommerce 100 per batch). */
  batchSize: number;
  /** Whether writes go to a location the owner picks (Shopify). */
  needsLocation: boolean;
  /** One call's worth of items (at most batchSize); never throws for the cart's refusals. */
  write(request: StockWriteRequest): Promise<StockWriteResult>;
  /** The cart's locations the owner can pick from (Shopify); empty where the cart has none. */
  locations(): Promise<LocationsOutcome>;
}

export interface CartConnector {
  /** Writes stock to the cart's inventory; absent on a connector that cannot. */
  stock?: CartStockWriter;
  /** The order as the cart has it now; `order: null` when the cart no longer has it. */
  fetchOrder(cartOrderId: string): Promise<FetchOutcome>;
  /** Pages of orders for Import, carrying on from `resumeCursor` when a previous run stopped. */
  importOrders(request: ImportRequest, resumeCursor: string | null): AsyncIterable<ImportPage>;
  /** Pages of the orders the cart changed in the window, carrying on from `resumeCursor`. */
  readUpdatedOrders(window: UpdatedWindow, resumeCursor: string | null): AsyncIterable<ImportPage>;
  /** Writes a status change to the cart; the app stores it only once the cart accepts. */
  setOrderStatus(order: CartOrderRef, change: CartStatusChange): Promise<CartOutcome>;
  /** Writes the cart side of one of the shop's order statuses; stored only once the cart accepts. */
  writeOrderStatus(order: CartOrderRef, write: CartStatusWrite): Promise<CartOutcome>;
  /** The order statuses the cart offers; an empty list where it has none of its own to add. */
  listOrderStatuses(): Promise<
    { ok: true; statuses: CartOrderStatus[] } | { ok: false; retryable: boolean; reason: string }
  >;
  /** Writes the invoice number where the cart keeps one (null clears it). */
  setInvoiceNumber(order: CartOrderRef, invoiceNumber: string | null): Promise<CartOutcome>;
  /**
   * Writes a note to the cart's own order notes; `cartNoteId` null where the cart has no per-note
   * API (Shopify), so the note is kept in Orderlane only.
   */
  addOrderNote(
    order: CartOrderRef,
    note: { text: string; visibleToCustomer: boolean },
  ): Promise<
    { ok: true; cartNoteId: string | null } | { ok: false; retryable: boolean; reason: string }
  >;
  pushTracking(push: TrackingPush): Promise<PushOutcome>;
  /** Checks the shop's webhook subscriptions, putting back those the cart lets the app repair. */
  checkWebhooks(): Promise<WebhookCheck>;
  /** Tells the cart the order is being made (Shopify: in progress; WooCommerce: a private note). */
  reportSent(report: SentReport): Promise<CartOutcome>;
  /** The cart's own editor for the order (absolute URL, or `shopify://admin/…` inside the admin). */
  orderEditorUrl(order: CartOrderRef): string | null;
  /**
   * Captures an authorised payment through the cart. Absent where the cart leaves capture to the
   * payment gateway and Orderlane cannot do it (the order page says why).
   */
  capturePayment?(request: CaptureRequest): Promise<CaptureOutcome>;
  /** The cart captures an authorisation whole or not at all (WooCommerce Stripe). */
  capturesInFullOnly?: boolean;
  /**
   * Cancel Order through the cart, refunding captured money and releasing authorisations; the
   * caller reads the order's transactions back afterwards to know what the cart did. Absent where
   * the cart cannot be asked to (the order page says why).
   */
  cancelOrder?(order: CartOrderRef, request: CancelRequest): Promise<CartOutcome>;
}

export type ConnectorContext = Pick<AppContext, "shopify" | "config">;

/** What a connector may read of its shop. */
export type ConnectorShop = Pick<
  Shop,
  "id" | "platform" | "domain" | "credentials" | "connection" | "settings"
>;

/** Thrown by an import page read that failed; `retryable` when waiting may help. */
export class CartReadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "CartReadError";
  }
}
