// The normalised order model: the words every room uses for an order, whichever cart it came from.

export const PLATFORMS = ["shopify", "woocommerce", "demo"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Lifecycle states (DESIGN §5). `deleted` is not a state: the row is gone. */
export const LIFECYCLE_STATES = [
  "new",
  "pending",
  "on_hold",
  "open",
  "abandoned",
  "closed",
  "error",
  "archived",
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** The cart's status, normalised across Shopify and WooCommerce. */
export const CART_STATUSES = [
  "pending_payment",
  "failed",
  "processing",
  "on_hold",
  "completed",
  "cancelled",
  "refunded",
] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

export const ORDER_TYPES = ["in_app", "amazon", "shineon", "other"] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** What the catalog shows in its submit column; null means not submitted yet. */
export const SUBMIT_STATUSES = ["submitted", "failed"] as const;
export type SubmitStatus = (typeof SUBMIT_STATUSES)[number];

export const SUBMISSION_STATES = [
  "pending",
  "submitting",
  "submitted",
  "failed",
  "cancelled",
] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

export type ProcessingMode = "automatic" | "manual";

/**
 * Where one item is on its way to the customer. `pending` is "Not shipped" (the word the rows have
 * always held); the others are set by a parcel, by the owner, or by a cancel.
 */
export const DELIVERY_STATES = [
  "pending",
  "processing",
  "shipped",
  "delivered",
  "returned",
  "cancelled",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const DELIVERY_STATE_LABELS: Readonly<Record<DeliveryState, string>> = {
  pending: "Not shipped",
  processing: "Processing",
  shipped: "Shipped",
  delivered: "Delivered",
  returned: "Returned",
  cancelled: "Cancelled",
};

/** Items in these states are still to go out: a parcel may take them, and the order is not done. */
export const NOT_YET_SHIPPED: readonly DeliveryState[] = ["pending", "processing"];

export interface Address {
  name: string;
  company?: string | null;
  address1: string;
  address2?: string | null;
  city: string;
  province?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  country: string;
  countryCode: string;
  phone?: string | null;
}

export interface Personalization {
  /** Live preview image the customer saw. */
  previewUrl?: string | null;
  /** The final production file sent to the provider. */
  designUrl?: string | null;
  /** Images the customer uploaded. */
  clientImages?: string[];
  /**
   * Option values the customer chose (text, font, colour…), in the cart's order. A name may come
   * more than once (a bundle with three "Initials"): every value is kept.
   */
  options?: PersonalizationOption[];
}

export interface PersonalizationOption {
  name: string;
  value: string;
}

/**
 * A stored personalisation in today's shape. Rows written before options became a list hold them
 * as an object by name (one value per name); they are read as that list, in the object's order,
 * so nothing needs migrating.
 */
export function readStoredPersonalization(raw: unknown): Personalization | null {
  if (raw === null || raw === undefined) return null;
  const value: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  if (typeof value !== "object" || value === null) return null;
  const stored = value as Omit<Personalization, "options"> & { options?: unknown };
  const options = stored.options;
  if (options === undefined || options === null) {
    const { options: _dropped, ...rest } = stored;
    return rest;
  }
  return {
    ...stored,
    options: Array.isArray(options) ? options.filter(isOption) : fromObject(options),
  };
}

/**
 * The options by name, for a provider whose API takes one value per name: the values of a name
 * that repeats are joined in order ("A, B, C"), so none is lost.
 */
export function optionsByName(options: readonly PersonalizationOption[]): Record<string, string> {
  const byName: Record<string, string> = {};
  for (const { name, value } of options) {
    byName[name] = name in byName ? `${byName[name]}, ${value}` : value;
  }
  return byName;
}

const isOption = (o: unknown): o is PersonalizationOption =>
  typeof o === "object" &&
  o !== null &&
  typeof (o as PersonalizationOption).name === "string" &&
  typeof (o as PersonalizationOption).value === "string";

function fromObject(options: unknown): PersonalizationOption[] {
  if (typeof options !== "object" || options === null) return [];
  return Object.entries(options as Record<string, unknown>)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string")
    .map(([name, value]) => ({ name, value }));
}

/** Why an order is in Error, and what the owner should do about it. */
export interface OrderAlert {
  code: string;
  message: string;
  fix: string;
  /** Only on "Changed in the cart after it was sent": what the providers hold and what changed. */
  cartChange?: CartChangeAfterSent;
}

/** One line of the order as a provider was sent it, or as the cart has it now. */
export interface SentLine {
  cartLineId: string;
  title: string;
  quantity: number;
}

/** The parts of an order a provider acts on: where it goes, and what and how many. */
export interface SentVersion {
  shippingAddress: Address | null;
  lines: SentLine[];
}

/** A purchase order a provider accepted, and what it can be asked to do about a change. */
export interface ChangedPurchaseOrder {
  submissionId: string;
  providerName: string;
  poNumber: string;
  /** Its API takes an update of an accepted order / a cancellation. */
  canUpdate: boolean;
  canCancel: boolean;
  /** The provider's last answer to an update or cancellation, in its words. */
  lastAnswer?: string | null;
  /** The provider took the update already (another provider of the order has not yet). */
  updated?: boolean;
}

export interface CartChangeAfterSent {
  /** Each change in the owner's words: as the provider has it, and as the cart has it now. */
  changes: { what: string; sent: string; now: string }[];
  /** What the providers were sent, kept while the alert stands so a change back clears it. */
  sent: SentVersion;
  /** Lines the cart removed: kept (they were sent) until the provider has the new version. */
  removedCartLineIds: string[];
  /** Idempotency key of the update for this version of the change; a new change gets a new one. */
  updateKey: string;
  purchaseOrders: ChangedPurchaseOrder[];
}

/**
 * The owner's edits that later cart updates must not undo, until Reset. Keys are order fields
 * (`shippingAddress`, `billingAddress`, `customerName`, `customerEmail`, `paymentMethod`,
 * `shippingMethod`, `note`) or `lineItem:<cartLineId>:personalization`. `from` is the cart's value
 * (kept current when the cart updates the field, so Reset restores what the cart says now).
 */
export type ManualEdits = Record<string, { from: unknown; to: unknown; at: string; by: string }>;

/** Facts about a shop's cart connection that are not secrets (secrets live in `credentials`). */
export interface CartConnection {
  /** WooCommerce: which order editor the store uses (HPOS `admin.php?page=wc-orders` or `post.php`). */
  wooOrderEditor?: "hpos" | "legacy";
  /** WooCommerce: the Shipment Tracking extension answers on this store. */
  wooShipmentTracking?: boolean;
  /** The store's base URL when it is not https://<domain> (WooCommerce in a sub-folder). */
  storeUrl?: string;
  /** Ids of the webhooks the app created on the store, so a disconnect can remove them. */
  webhookIds?: string[];
  /** Shopify: read_all_orders granted; without it the Admin API returns only the last 60 days. */
  readAllOrders?: boolean;
  /**
   * Demo shops only: when the demo stored its made-up orders in this database (ISO time). A demo
   * shop is seeded once; a restart finds this and keeps every change, deletions included.
   */
  demoSeededAt?: string;
}

export const CART_STATUS_LABELS: Record<CartStatus, string> = {
  pending_payment: "Pending payment",
  failed: "Failed",
  processing: "Processing",
  on_hold: "On hold",
  completed: "Completed",
  cancelled: "Cancelled",
  refunded: "Refunded",
};

export const ORDER_TYPE_LABELS: Record<OrderType, string> = {
  in_app: "In-app",
  amazon: "Amazon",
  shineon: "ShineOn",
  other: "Other",
};
