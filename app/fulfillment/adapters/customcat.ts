// CustomCat (print-on-demand apparel and drinkware, Detroit), API v1. Three things shape this
// adapter: the API key travels in the body (or query string) rather than a header; orders are
// addressed by *our* order id in the URL path, so the PO number doubles as the idempotency key;
// and their webhooks are unsigned, carrying the account's API key in the payload instead.
// What we could and could not confirm about their API is listed in docs/providers.md.
import { z } from "zod";
import { describeZodError } from "../protocol";
import type {
  CancelOutcome,
  FulfillmentProvider,
  IncomingEvent,
  ParsedEvents,
  ProviderConfig,
  ProviderDeps,
  ProviderEvent,
  PurchaseOrder,
  PurchaseOrderItem,
  SubmitOutcome,
  SubmittedOrder,
  ValidationProblem,
} from "../provider";
import { checkLimits, type ProviderLimits } from "../validation";
import {
  apiRoot,
  bindProvider,
  cancelOutcome,
  describeBody,
  httpUrlOrNull,
  idSchema,
  isSuccess,
  isTransient,
  parseJsonObject,
  pickShippingMethod,
  polledBody,
  requester,
  secretsMatch,
  splitName,
  submitFailure,
  theirMessage,
  unreachable,
  type Reply,
  type Requester,
} from "./provider-http";
import { providerGuard, type ProviderGuard } from "./provider-guard";

const BRAND = "CustomCat";
export const CUSTOMCAT_BASE_URL = "https://customcat-beta.mylocker.net/api/v1";

// Their order form requires every shipping_* field, email and phone included, and a two-letter
// state code; a blank one comes back as a 400 (or, in their sandbox, a 500) after the fact.
const LIMITS: ProviderLimits = {
  providerName: BRAND,
  required: ["name", "address1", "city", "zip", "countryCode", "email", "phone"],
  maxLength: {},
  countries: null,
  provinceRequiredIn: ["US", "CA", "AU"],
  designFileRequired: true,
};

const settingsSchema = z.object({
  /** true sends test orders that are validated but neither charged nor produced. */
  sandbox: z.boolean().default(false),
  /** A method name from CustomCat's GET /shipping, used when the cart's method is not mapped. */
  shippingMethod: z.string().trim().min(1).default("Economy"),
  /** Cart shipping method → CustomCat method name. */
  shippingMethods: z.record(z.string(), z.string().trim().min(1)).default({}),
  /** Store SKU → CustomCat catalog SKU, for SKUs that differ from the blank they print on. */
  catalogSkus: z.record(z.string(), z.string().trim().min(1)).default({}),
});
type Settings = z.infer<typeof settingsSchema>;

type CustomCatItem =
  { catalog_sku: string; design_url: string; quantity: number } | { sku: string; quantity: number };

const createdSchema = z.object({
  CUSTOMCAT_ORDER_ID: idSchema,
  ORDER_ID: idSchema.optional(),
  MSG: z.string().optional(),
});

const statusSchema = z.object({
  ORDER_ID: idSchema.optional(),
  CUSTOMCAT_ORDER_ID: idSchema.optional(),
  ORDER_STATUS: z.string(),
  SHIPMENTS: z
    .array(
      z.object({
        TRACKING_ID: idSchema,
        METHOD: z.string().nullish(),
        VENDOR: z.string().nullish(),
      }),
    )
    .nullish(),
});
type OrderStatus = z.infer<typeof statusSchema>;

// The order-shipped and order-partial-shipment payloads. Unknown keys are ignored on purpose:
// CustomCat adds fields without notice, and only these are needed.
const shipmentHookSchema = z.object({
  api_key: z.string(),
  order_id: idSchema,
  customcat_order_id: idSchema.nullish(),
  tracker_number: idSchema,
  tracking_url: z.string().nullish(),
  items_remaining: z.union([z.number(), z.string(), z.array(z.unknown())]).nullish(),
});

const SHIPMENT_TOPICS = new Set(["order-shipped", "order-partial-shipment"]);

/** One id for a parcel whether we hear of it by webhook or by polling, so it is stored once. */
function shipmentEventId(poNumber: string, trackingNumber: string): string {
  return `customcat:shipped:${poNumber}:${trackingNumber}`;
}

function hasItemsRemaining(value: number | string | unknown[] | null | undefined): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "number") return value > 0;
  if (typeof value === "string") return value.trim() !== "" && value.trim() !== "0";
  return false;
}

function toItem(item: PurchaseOrderItem, settings: Settings): CustomCatItem {
  const designUrl = item.personalization?.designUrl;
  // A design URL means "print this file on that blank"; without one the SKU must be a product
  // the owner already set up in CustomCat.
  if (designUrl) {
    return {
      catalog_sku: item.providerProduct || settings.catalogSkus[item.sku] || item.sku,
      design_url: designUrl,
      quantity: item.quantity,
    };
  }
  return { sku: item.providerProduct || item.sku, quantity: item.quantity };
}

function toOrderBody(po: PurchaseOrder, apiKey: string, settings: Settings) {
  const { first, last } = splitName(po.recipient.name);
  return {
    api_key: apiKey,
    shipping_first_name: first,
    shipping_last_name: last,
    shipping_address1: po.recipient.address1,
    shipping_address2: po.recipient.address2 ?? "",
    shipping_city: po.recipient.city,
    shipping_state: po.recipient.provinceCode ?? po.recipient.province ?? "",
    shipping_zip: po.recipient.zip ?? "",
    shipping_country: po.recipient.countryCode.toUpperCase(),
    shipping_email: po.recipient.email ?? "",
    shipping_phone: po.recipient.phone ?? "",
    shipping_method: pickShippingMethod(
      po.shippingMethod,
      settings.shippingMethods,
      settings.shippingMethod,
    ),
    items: po.items.map((item) => toItem(item, settings)),
    // Their examples send the flag as the string "1"/"0"; an integer is not documented.
    sandbox: settings.sandbox ? "1" : "0",
  };
}

function isDuplicate(message: string | null): boolean {
  return message !== null && /duplicate/i.test(message);
}

function statusEvents(po: string, status: OrderStatus, now: Date): ProviderEvent[] {
  const state = status.ORDER_STATUS.trim().toLowerCase();
  const providerOrderId = status.CUSTOMCAT_ORDER_ID ?? null;
  if (state.includes("cancel")) {
    return [
      { type: "cancelled", eventId: `customcat:cancelled:${po}`, providerOrderId, poNumber: po },
    ];
  }
  // Until the whole order reads Shipped we cannot tell which lines a parcel holds, so a parcel
  // is recorded with its tracking but marks no line shipped.
  const complete = state === "shipped";
  return (status.SHIPMENTS ?? []).map((shipment) => ({
    type: "shipped" as const,
    eventId: shipmentEventId(po, shipment.TRACKING_ID),
    providerOrderId,
    poNumber: po,
    shipment: {
      carrier: shipment.VENDOR?.trim() || null,
      trackingNumber: shipment.TRACKING_ID,
      trackingUrl: null,
      shippedAt: now,
      items: complete ? ("all" as const) : [],
    },
  }));
}

/** What the methods share: one account's guard and the calls made under its API root. */
interface CustomCat {
  guard: ProviderGuard<"apiKey", Settings>;
  request: Requester;
  deps: ProviderDeps;
}

function orderPath(po: string, query = ""): string {
  return `/order/${encodeURIComponent(po)}${query}`;
}

// GET and DELETE have no body for the key to travel in.
function keyQuery(cc: CustomCat): string {
  return `?api_key=${encodeURIComponent(cc.guard.credentials.apiKey)}`;
}

function lookUp(cc: CustomCat, po: string, signal: AbortSignal): Promise<Reply> {
  return cc.request("GET", `/order/status/${encodeURIComponent(po)}${keyQuery(cc)}`, signal);
}

/** A retry after CustomCat already has the order: find its id, which their 400 leaves out. */
async function existingOrder(
  cc: CustomCat,
  po: string,
  signal: AbortSignal,
): Promise<SubmitOutcome> {
  const reply = await lookUp(cc, po, signal);
  if (reply.kind === "answered" && isSuccess(reply.status)) {
    const status = statusSchema.safeParse(reply.body);
    if (status.success && status.data.CUSTOMCAT_ORDER_ID) {
      return { kind: "accepted", providerOrderId: status.data.CUSTOMCAT_ORDER_ID };
    }
  }
  // They said the order exists; everything we do with it later is keyed by our PO number, so
  // a failed look-up must not turn an accepted order into a retry.
  return { kind: "accepted", providerOrderId: po };
}

function validate(cc: CustomCat, po: PurchaseOrder): ValidationProblem[] {
  return [...checkLimits(po, LIMITS), ...cc.guard.problems()];
}

async function submit(
  cc: CustomCat,
  po: PurchaseOrder,
  signal: AbortSignal,
): Promise<SubmitOutcome> {
  const ready = cc.guard.readyToSubmit();
  if (!ready.ok) return ready.outcome;
  const body = toOrderBody(po, cc.guard.credentials.apiKey, ready.settings);
  const reply = await cc.request("POST", orderPath(po.poNumber), signal, body);
  if (reply.kind === "failed") return unreachable(BRAND, reply);

  const message = theirMessage(reply.body);
  if (isSuccess(reply.status)) {
    const created = createdSchema.safeParse(reply.body);
    if (created.success) {
      return { kind: "accepted", providerOrderId: created.data.CUSTOMCAT_ORDER_ID };
    }
    if (isDuplicate(message)) return existingOrder(cc, po.poNumber, signal);
    // No order id means we cannot know the order exists; retrying is safe because CustomCat
    // refuses a second order under the same PO number.
    return {
      kind: "unavailable",
      reason: `${BRAND} answered without an order id: ${message ?? describeBody(reply)}`,
    };
  }
  if (!isTransient(reply.status) && isDuplicate(message)) {
    return existingOrder(cc, po.poNumber, signal);
  }
  return submitFailure(BRAND, reply);
}

async function cancel(
  cc: CustomCat,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<CancelOutcome> {
  const refused = cc.guard.cancelRefusal();
  if (refused) return refused;
  const reply = await cc.request("DELETE", orderPath(order.poNumber, keyQuery(cc)), signal);
  return cancelOutcome(BRAND, reply);
}

/**
 * Unsigned webhooks: the only proof of origin is the API key CustomCat copies into the body. The
 * owner may give us their read-only key as the signing secret when that is the one CustomCat
 * echoes. Null when the key is one of ours.
 */
function keyRefusal(cc: CustomCat, body: Record<string, unknown>): ParsedEvents | null {
  const presented = typeof body.api_key === "string" ? body.api_key : null;
  const known = [cc.guard.credentials.apiKey, cc.guard.signingSecret].filter(Boolean);
  if (!known.length) {
    return { ok: false, status: 401, message: `${BRAND} has no API key configured` };
  }
  if (presented && known.some((key) => secretsMatch(presented, key))) return null;
  return {
    ok: false,
    status: 401,
    message: presented
      ? "The api_key in the body is not this provider's CustomCat API key"
      : "The body carries no api_key",
  };
}

function shipmentHookEvents(hook: z.infer<typeof shipmentHookSchema>, now: Date): ProviderEvent[] {
  const partial = hasItemsRemaining(hook.items_remaining);
  return [
    {
      type: "shipped",
      eventId: shipmentEventId(hook.order_id, hook.tracker_number),
      providerOrderId: hook.customcat_order_id ?? null,
      poNumber: hook.order_id,
      shipment: {
        carrier: null,
        trackingNumber: hook.tracker_number,
        trackingUrl: httpUrlOrNull(hook.tracking_url),
        shippedAt: now,
        items: partial ? [] : "all",
      },
    },
  ];
}

function parseEvent(cc: CustomCat, { rawBody }: IncomingEvent): ParsedEvents {
  const json = parseJsonObject(rawBody);
  if (!json.ok) return { ok: false, status: 400, message: json.message };
  const refused = keyRefusal(cc, json.value);
  if (refused) return refused;

  const topic = typeof json.value.topic === "string" ? json.value.topic : null;
  if (topic !== null && !SHIPMENT_TOPICS.has(topic)) return { ok: true, events: [] };
  // product-* and design-rejected payloads carry no tracking number; we have no use for them.
  if (!("tracker_number" in json.value)) return { ok: true, events: [] };

  const parsed = shipmentHookSchema.safeParse(json.value);
  if (!parsed.success) {
    return { ok: false, status: 400, message: describeZodError(parsed.error) };
  }
  return { ok: true, events: shipmentHookEvents(parsed.data, cc.deps.now()) };
}

async function poll(
  cc: CustomCat,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<ProviderEvent[]> {
  cc.guard.assertCanPoll();
  const reply = await lookUp(cc, order.poNumber, signal);
  const status = polledBody(BRAND, reply, statusSchema, {
    failed: "order status failed",
    unreadable: "order status could not be read",
  });
  return statusEvents(order.poNumber, status, cc.deps.now());
}

export function createCustomCatProvider(
  config: ProviderConfig,
  deps: ProviderDeps,
): FulfillmentProvider {
  const cc: CustomCat = {
    guard: providerGuard(config, {
      brand: BRAND,
      credentials: { apiKey: "API key" },
      settings: settingsSchema,
    }),
    request: requester(deps, apiRoot(config, CUSTOMCAT_BASE_URL)),
    deps,
  };
  return bindProvider("customcat", cc, { validate, submit, cancel, parseEvent, poll });
}
