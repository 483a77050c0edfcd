// One contract for every fulfillment provider (DESIGN §6): our open HTTP protocol and the sandbox
// that speaks it, CustomCat, ShineOn, Printful, distributors. The submission pipeline, the events
// route and the poller only ever talk to this interface; an adapter is the only place that knows a
// provider's URLs, field names and quirks.
import type { Address, Personalization } from "~/orders/core/model";
import type { AlertCode } from "~/orders/core/alerts";

export const PROVIDER_KINDS = [
  "http",
  "sandbox",
  "customcat",
  "shineon",
  "printful",
  "distributor",
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A provider as configured for one shop, with its credentials already decrypted. */
export interface ProviderConfig {
  id: string;
  shopId: string;
  kind: ProviderKind;
  name: string;
  /** Base URL for kinds whose address varies (our HTTP protocol, the sandbox); null otherwise. */
  endpoint: string | null;
  /** Kind-specific secrets, e.g. { apiKey } for CustomCat, { token } for ShineOn and Printful. */
  credentials: Record<string, string>;
  /** Secret that signs events (our protocol) or that the provider echoes back (CustomCat's key). */
  signingSecret: string | null;
  settings: Record<string, unknown>;
}

/** One purchase order: the items of one order that go to one provider. */
export interface PurchaseOrder {
  poNumber: string;
  /** The same on every attempt for this purchase order; the provider must dedupe on it. */
  idempotencyKey: string;
  orderNumber: string;
  cartOrderId: string;
  currency: string;
  recipient: Address & { email?: string | null };
  shippingMethod: string | null;
  items: PurchaseOrderItem[];
  /** Where this provider posts shipments and rejections for this order. */
  callbackUrl: string;
}

/** Personalisation as providers take it: one value per option name (see `optionsByName`). */
export type ProviderPersonalization = Omit<Personalization, "options"> & {
  options?: Record<string, string>;
};

export interface PurchaseOrderItem {
  /** Our line item id: providers echo it back in shipments. */
  lineId: string;
  sku: string;
  /**
   * The provider's own product for this SKU, from the shop's routing rule (Printful's variant id,
   * a catalog SKU); absent or null when the provider takes the store SKU.
   */
  providerProduct?: string | null;
  title: string;
  style: string | null;
  quantity: number;
  /** Unit price as the cart charged it, a decimal string. */
  price: string;
  /** Absolute URLs. */
  mockupUrl: string | null;
  personalization: ProviderPersonalization | null;
  /** Whether the product is made to order from a design file (personalised). */
  personalised: boolean;
}

/** Something to fix before the order can be sent, in the owner's words. */
export interface ValidationProblem {
  code: AlertCode;
  message: string;
  /** What to change; with `recheck`, the step that checks the order again is added by the shop's mode. */
  fix: string;
  /**
   * The fix is made outside the order (provider settings, routing rules): it ends by checking the
   * order again, with the control the shop has (fixFor in orders/core/alerts.ts).
   */
  recheck?: boolean;
  lineId?: string;
  /** The recipient field at fault, so an edit form can point at it. */
  field?: string;
}

export type SubmitOutcome =
  /** The provider has the order (now or from an earlier attempt with the same key). */
  | { kind: "accepted"; providerOrderId: string }
  /** The provider said no (4xx): retrying the same order will not help. */
  | { kind: "rejected"; reason: string }
  /** Down, slow, or answering nonsense (5xx, timeout, network, garbage): worth retrying. */
  | { kind: "unavailable"; reason: string };

export type CancelOutcome =
  | { kind: "cancelled" }
  | { kind: "refused"; reason: string }
  | { kind: "unavailable"; reason: string };

export type UpdateOutcome =
  /** The provider will make and ship the new version. */
  | { kind: "updated" }
  /** Too late (in production, shipped) or not acceptable: their reason, in their words. */
  | { kind: "refused"; reason: string }
  /** The provider takes no updates of accepted orders (it answered so). */
  | { kind: "unsupported"; reason: string }
  | { kind: "unavailable"; reason: string };

/** The new version of an accepted purchase order, sent under its own idempotency key. */
export interface PurchaseOrderUpdate {
  order: SubmittedOrder;
  /** The whole purchase order as it is now (same PO number). */
  purchaseOrder: PurchaseOrder;
  /** Fixed for this version of the change: a retry after a lost answer is recognised. */
  updateKey: string;
}

export type StockOutcome =
  | {
      kind: "answered";
      /** One entry per SKU asked; a SKU the provider did not mention has 0 available. */
      stock: { sku: string; available: number; leadTimeDays: number | null }[];
      checkedAt: Date;
    }
  | { kind: "unavailable"; reason: string };

export interface ProviderShipment {
  carrier: string | null;
  trackingNumber: string;
  trackingUrl: string | null;
  shippedAt: Date;
  /** Which of our line items are in the parcel; "all" when the provider does not say. */
  items: { lineId: string; quantity: number }[] | "all";
}

interface EventBase {
  /** Unique per event from this provider: a redelivery carries the same id. */
  eventId: string;
  providerOrderId?: string | null;
  poNumber?: string | null;
}

export type ProviderEvent =
  | (EventBase & { type: "shipped"; shipment: ProviderShipment })
  | (EventBase & { type: "rejected"; reason: string })
  | (EventBase & { type: "cancelled"; reason?: string | null });

export interface IncomingEvent {
  rawBody: string;
  headers: Headers;
  url: URL;
}

export type ParsedEvents =
  | { ok: true; events: ProviderEvent[] }
  /** 401: not from this provider (signature, key, replay). 400: not an event we understand. */
  | { ok: false; status: 400 | 401; message: string };

/** The part of a submission an adapter needs to cancel or poll it. */
export interface SubmittedOrder {
  poNumber: string;
  providerOrderId: string;
}

export interface FulfillmentProvider {
  readonly kind: ProviderKind;
  /** The provider's own limits (required fields, lengths, countries, design files). Pure. */
  validate(po: PurchaseOrder): ValidationProblem[];
  /** Sends the purchase order. Never throws for a provider's answer: it is an outcome. */
  submit(po: PurchaseOrder, options: { signal: AbortSignal }): Promise<SubmitOutcome>;
  cancel(order: SubmittedOrder, options: { signal: AbortSignal }): Promise<CancelOutcome>;
  /**
   * Asks the provider to make the new version of an order it accepted. Only adapters whose API
   * can change an accepted order have it; the others are cancelled and sent again instead.
   */
  update?(change: PurchaseOrderUpdate, options: { signal: AbortSignal }): Promise<UpdateOutcome>;
  /** Verifies and reads what the provider posted to our events route for it. Pure, no I/O. */
  parseEvent(event: IncomingEvent): ParsedEvents;
  /**
   * What the provider has on hand now for these SKUs (Check stock now, before a drop-ship purchase
   * order). Only adapters whose provider answers a live stock call have it.
   */
  checkStock?(skus: string[], options: { signal: AbortSignal }): Promise<StockOutcome>;
  /** For providers that do not post back (or as a safety net): what happened to this order. */
  poll?(order: SubmittedOrder, options: { signal: AbortSignal }): Promise<ProviderEvent[]>;
}

export interface ProviderDeps {
  fetch: typeof fetch;
  now: () => Date;
  /** Longest wait for one provider call; 30 s unless a test or a provider setting says otherwise. */
  timeoutMs?: number;
}

export type ProviderFactory = (config: ProviderConfig, deps: ProviderDeps) => FulfillmentProvider;
