// Printful, API v1 (api.printful.com), with a private bearer token. We order *catalog variants*
// (Printful's blank products) by the variant id the owner maps to each of their SKUs in
// settings.variantIds, print the design file on them, and confirm the order in the same call so
// it goes straight to fulfilment. Our PO number is the order's external_id, which Printful keeps
// unique per store; our line ids are the items' external_ids, so shipments map back to our lines.
// v1 webhooks are unsigned, so the webhook URL the owner registers carries ?token=<signing
// secret>. What we could and could not confirm is listed in docs/providers.md.
import { z } from "zod";
import { ADD_ROUTING_RULE } from "~/orders/core/alerts";
import { describeZodError } from "../protocol";
import type {
  CancelOutcome,
  FulfillmentProvider,
  IncomingEvent,
  ParsedEvents,
  ProviderConfig,
  ProviderDeps,
  ProviderEvent,
  ProviderShipment,
  PurchaseOrder,
  PurchaseOrderItem,
  PurchaseOrderUpdate,
  SubmitOutcome,
  SubmittedOrder,
  UpdateOutcome,
  ValidationProblem,
} from "../provider";
import { checkLimits, type ProviderLimits } from "../validation";
import {
  apiRoot,
  bindProvider,
  cancelOutcome,
  checkUrlToken,
  dateFromIso,
  dateFromUnixSeconds,
  describeBody,
  httpUrlOrNull,
  idSchema,
  isSuccess,
  isTransient,
  parseJsonObject,
  pickShippingMethod,
  polledBody,
  requester,
  submitFailure,
  submitLookUp,
  theirMessage,
  unreachable,
  updateOutcome,
  type Requester,
} from "./provider-http";
import { providerGuard, type ProviderGuard } from "./provider-guard";

const BRAND = "Printful";
export const PRINTFUL_BASE_URL = "https://api.printful.com";
export const PRINTFUL_TOKEN_PARAM = "token";

// Printful needs a state code for the USA, Canada and Australia; other countries only need the
// country code.
const LIMITS: ProviderLimits = {
  providerName: BRAND,
  required: ["name", "address1", "city", "countryCode"],
  maxLength: {},
  countries: null,
  provinceRequiredIn: ["US", "CA", "AU"],
  designFileRequired: true,
};

const variantIdSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a Printful variant id (digits)")
    .transform((value) => Number(value)),
]);

const settingsSchema = z.object({
  /** Needed only with an account-level token, which can reach several stores. */
  storeId: z
    .union([z.string().trim().regex(/^\d+$/), z.number().int().positive()])
    .transform((value) => String(value))
    .optional(),
  /** Store SKU → Printful catalog variant id. */
  variantIds: z.record(z.string(), variantIdSchema).default({}),
  /** A Printful method such as "STANDARD"; omitted means Printful's default (STANDARD). */
  shippingMethod: z.string().trim().min(1).optional(),
  /** Cart shipping method → Printful method. */
  shippingMethods: z.record(z.string(), z.string().trim().min(1)).default({}),
  /**
   * Personalisation option keys that are real Printful item options (embroidery_type,
   * thread_colors…). Other options are already in the design file, and Printful would refuse
   * keys it does not know.
   */
  optionIds: z.array(z.string().trim().min(1)).default([]),
});
type Settings = z.infer<typeof settingsSchema>;

const shipmentSchema = z.object({
  id: idSchema,
  carrier: z.string().nullish(),
  service: z.string().nullish(),
  tracking_number: z.union([z.string(), z.number()]).nullish(),
  tracking_url: z.string().nullish(),
  created: z.number().nullish(),
  ship_date: z.string().nullish(),
  shipped_at: z.union([z.number(), z.string()]).nullish(),
  items: z.array(z.object({ item_id: idSchema, quantity: z.number().int().positive() })).nullish(),
});
type Shipment = z.infer<typeof shipmentSchema>;

const orderSchema = z.object({
  id: idSchema,
  external_id: z.string().nullish(),
  status: z.string().nullish(),
  updated: z.number().nullish(),
  items: z.array(z.object({ id: idSchema, external_id: z.string().nullish() })).default([]),
  shipments: z.array(shipmentSchema).nullish(),
});
type Order = z.infer<typeof orderSchema>;

const orderReplySchema = z.object({ result: orderSchema });

const webhookSchema = z.object({ type: z.string().min(1), created: z.number().nullish() });
const shippedDataSchema = z.object({ shipment: shipmentSchema, order: orderSchema });
const orderDataSchema = z.object({ reason: z.string().nullish(), order: orderSchema });

const HANDLED_EVENTS = new Set(["package_shipped", "order_failed", "order_canceled"]);

function trackingOf(shipment: Shipment): string | null {
  const value = shipment.tracking_number;
  const tracking = value === null || value === undefined ? "" : String(value).trim();
  return tracking || null;
}

function toShipment(shipment: Shipment, trackingNumber: string, order: Order, now: Date) {
  // Shipments name Printful's item ids; the order's items carry our line ids as external_id.
  const lineIdByItem = new Map(
    order.items.flatMap((item) => (item.external_id ? [[item.id, item.external_id]] : [])),
  );
  const items = (shipment.items ?? []).flatMap((entry) => {
    const lineId = lineIdByItem.get(entry.item_id);
    return lineId ? [{ lineId, quantity: entry.quantity }] : [];
  });
  const result: ProviderShipment = {
    carrier: shipment.carrier?.trim() || null,
    trackingNumber,
    trackingUrl: httpUrlOrNull(shipment.tracking_url),
    shippedAt:
      dateFromUnixSeconds(shipment.shipped_at) ??
      dateFromIso(shipment.ship_date) ??
      dateFromUnixSeconds(shipment.created) ??
      now,
    items: items.length ? items : "all",
  };
  return result;
}

function base(order: Order) {
  return { providerOrderId: order.id, poNumber: order.external_id ?? null };
}

function shippedEvent(shipment: Shipment, order: Order, now: Date): ProviderEvent | null {
  const trackingNumber = trackingOf(shipment);
  if (!trackingNumber) return null;
  return {
    ...base(order),
    type: "shipped",
    // The same id from the webhook and from polling, so a parcel is stored once; a reshipment
    // is a new shipment with its own id.
    eventId: `printful:shipment:${shipment.id}`,
    shipment: toShipment(shipment, trackingNumber, order, now),
  };
}

function failedEvent(order: Order, reason: string | null, at: number | null): ProviderEvent {
  return {
    ...base(order),
    type: "rejected",
    // An order can fail, be fixed and fail again; each failure is its own event.
    eventId: `printful:order_failed:${order.id}:${order.updated ?? at ?? 0}`,
    reason: reason?.trim()
      ? `Printful could not fulfil the order: ${reason.trim()}`
      : "Printful marked the order as failed; open it in the Printful dashboard to see why",
  };
}

function canceledEvent(order: Order, reason: string | null): ProviderEvent {
  return {
    ...base(order),
    type: "cancelled",
    eventId: `printful:order_canceled:${order.id}`,
    reason: reason?.trim() || null,
  };
}

function orderEvents(order: Order, now: Date): ProviderEvent[] {
  const status = order.status?.toLowerCase();
  if (status === "canceled") return [canceledEvent(order, null)];
  if (status === "failed") return [failedEvent(order, null, null)];
  return (order.shipments ?? []).flatMap((shipment) => shippedEvent(shipment, order, now) ?? []);
}

function toOrderBody(po: PurchaseOrder, settings: Settings) {
  const r = po.recipient;
  const wanted = new Set(settings.optionIds);
  return {
    external_id: po.poNumber,
    shipping: pickShippingMethod(
      po.shippingMethod,
      settings.shippingMethods,
      settings.shippingMethod,
    ),
    recipient: {
      name: r.name,
      company: r.company ?? undefined,
      address1: r.address1,
      address2: r.address2 ?? undefined,
      city: r.city,
      state_code: r.provinceCode ?? undefined,
      state_name: r.province ?? undefined,
      country_code: r.countryCode.toUpperCase(),
      zip: r.zip ?? undefined,
      phone: r.phone ?? undefined,
      email: r.email ?? undefined,
    },
    // Retail prices are the cart's; the currency tells Printful what they are in, for the
    // packing slip and customs value of international parcels.
    retail_costs: { currency: po.currency.toUpperCase() },
    items: po.items.map((item) => ({
      external_id: item.lineId,
      variant_id: variantIdOf(item, settings.variantIds),
      quantity: item.quantity,
      retail_price: item.price,
      name: item.title,
      files: item.personalization?.designUrl ? [{ url: item.personalization.designUrl }] : [],
      options: Object.entries(item.personalization?.options ?? {})
        .filter(([id]) => wanted.has(id))
        .map(([id, value]) => ({ id, value })),
    })),
  };
}

function isDuplicate(reply: { status: number; body: unknown }): boolean {
  if (reply.status === 409) return true;
  const message = theirMessage(reply.body);
  return (
    message !== null &&
    /external[ _]?id/i.test(message) &&
    /(already|exist|duplicate|unique|taken)/i.test(message)
  );
}

/** What the methods share: one store's guard and the calls made with its token. */
interface Printful {
  config: ProviderConfig;
  guard: ProviderGuard<"token", Settings>;
  request: Requester;
  deps: ProviderDeps;
}

/**
 * Printful already holds an order under this external_id: an earlier attempt got through.
 * Use that order, finishing the confirmation if the earlier attempt left it a draft.
 */
async function adoptExisting(
  pf: Printful,
  poNumber: string,
  signal: AbortSignal,
): Promise<SubmitOutcome> {
  const reply = await pf.request("GET", `/orders/@${encodeURIComponent(poNumber)}`, signal);
  const found = submitLookUp(BRAND, reply, orderReplySchema, "order look-up");
  if (!found.ok) return found.outcome;
  const order = found.value.result;
  const status = order.status?.toLowerCase();
  if (status === "canceled") {
    return {
      kind: "rejected",
      reason: `${BRAND} already has order ${order.id} for ${poNumber}, and it was cancelled`,
    };
  }
  if (status === "draft") {
    const path = `/orders/${encodeURIComponent(order.id)}/confirm`;
    const confirmed = await pf.request("POST", path, signal);
    if (confirmed.kind === "failed") return unreachable(BRAND, confirmed);
    if (!isSuccess(confirmed.status)) return submitFailure(BRAND, confirmed);
  }
  return { kind: "accepted", providerOrderId: order.id };
}

/**
 * The Printful variant for an item: its routing rule's product, else the map in the provider's
 * settings (where mappings were kept before routing rules named products).
 */
function variantIdOf(
  item: PurchaseOrderItem,
  variantIds: Settings["variantIds"] | undefined,
): number | undefined {
  const fromRule = item.providerProduct?.trim();
  if (fromRule && /^\d+$/.test(fromRule)) return Number(fromRule);
  return variantIds?.[item.sku];
}

function itemProblems(
  item: PurchaseOrderItem,
  variantIds: Settings["variantIds"] | undefined,
  configName: string,
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (variantIds && variantIdOf(item, variantIds) === undefined) {
    problems.push({
      code: "variant_not_mapped",
      lineId: item.lineId,
      message: `${item.title} (${item.sku}) is not mapped to a Printful product variant`,
      fix: `Add a rule for SKU ${item.sku} with its Printful variant id (${ADD_ROUTING_RULE}, provider ${configName})`,
      recheck: true,
    });
  }
  // Catalog variants are blanks: even a product that is not personalised is printed from
  // a file. (Personalised items without one are already reported by checkLimits.)
  if (!item.personalised && !item.personalization?.designUrl) {
    problems.push({
      code: "design_file_missing",
      lineId: item.lineId,
      message: `${item.title} (${item.sku}) has no print file, and Printful prints every item from one`,
      fix: "Attach the print file to the item (Edit Design), or route this SKU to another provider, then Reprocess",
    });
  }
  return problems;
}

function validate(pf: Printful, po: PurchaseOrder): ValidationProblem[] {
  const problems: ValidationProblem[] = checkLimits(po, LIMITS);
  // Unreadable settings are the guard's to report; every SKU would look unmapped.
  const variantIds = pf.guard.settings?.variantIds;
  for (const item of po.items) problems.push(...itemProblems(item, variantIds, pf.config.name));
  // Printful uses the tax number as the CPF/CNPJ Brazil requires; carts do not give us one.
  if (po.recipient.countryCode.toUpperCase() === "BR") {
    problems.push({
      code: "tax_number_required",
      message:
        "Printful needs the recipient's CPF/CNPJ tax number to ship to Brazil, which Orderlane does not collect",
      fix: `Send this order's items to another provider (${ADD_ROUTING_RULE}), or submit it from the Printful dashboard`,
    });
  }
  return [...problems, ...pf.guard.problems()];
}

async function submit(
  pf: Printful,
  po: PurchaseOrder,
  signal: AbortSignal,
): Promise<SubmitOutcome> {
  const ready = pf.guard.readyToSubmit();
  if (!ready.ok) return ready.outcome;
  const unmapped = po.items.filter(
    (item) => variantIdOf(item, ready.settings.variantIds) === undefined,
  );
  if (unmapped.length) {
    return {
      kind: "rejected",
      reason: `${BRAND}: no variant id is mapped for ${unmapped.map((item) => item.sku).join(", ")}`,
    };
  }

  // confirm=true skips the draft stage: the order is charged and goes to production.
  const body = toOrderBody(po, ready.settings);
  const reply = await pf.request("POST", "/orders?confirm=true", signal, body);
  if (reply.kind === "failed") return unreachable(BRAND, reply);
  if (isSuccess(reply.status)) {
    const created = orderReplySchema.safeParse(reply.body);
    return created.success
      ? { kind: "accepted", providerOrderId: created.data.result.id }
      : {
          kind: "unavailable",
          reason: `${BRAND} answered without an order id: ${describeBody(reply)}`,
        };
  }
  if (!isTransient(reply.status) && isDuplicate(reply)) {
    return adoptExisting(pf, po.poNumber, signal);
  }
  return submitFailure(BRAND, reply);
}

async function cancel(
  pf: Printful,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<CancelOutcome> {
  const refused = pf.guard.cancelRefusal();
  if (refused) return refused;
  const path = `/orders/${encodeURIComponent(order.providerOrderId)}`;
  return cancelOutcome(BRAND, await pf.request("DELETE", path, signal));
}

/**
 * `PUT /orders/{id}` with the order as it is now. Printful changes only orders still in draft or
 * failed; one already confirmed (ours are, at submit) is refused in Printful's own words, and the
 * owner is left with cancel and send again (`DELETE` works while the order is pending).
 */
async function update(
  pf: Printful,
  { order, purchaseOrder }: PurchaseOrderUpdate,
  signal: AbortSignal,
): Promise<UpdateOutcome> {
  const ready = pf.guard.readyToSubmit();
  if (!ready.ok) {
    return {
      kind: "refused",
      reason: "reason" in ready.outcome ? ready.outcome.reason : `${BRAND} is not set up`,
    };
  }
  const path = `/orders/${encodeURIComponent(order.providerOrderId)}`;
  const reply = await pf.request("PUT", path, signal, toOrderBody(purchaseOrder, ready.settings));
  return updateOutcome(BRAND, reply);
}

function packageShipped(data: unknown, deps: ProviderDeps): ParsedEvents {
  const parsed = shippedDataSchema.safeParse(data);
  if (!parsed.success) return { ok: false, status: 400, message: describeZodError(parsed.error) };
  const event = shippedEvent(parsed.data.shipment, parsed.data.order, deps.now());
  return event
    ? { ok: true, events: [event] }
    : { ok: false, status: 400, message: "data.shipment.tracking_number: missing" };
}

function orderFailedOrCanceled(
  type: string,
  data: unknown,
  created: number | null | undefined,
): ParsedEvents {
  const parsed = orderDataSchema.safeParse(data);
  if (!parsed.success) return { ok: false, status: 400, message: describeZodError(parsed.error) };
  const { order, reason } = parsed.data;
  return {
    ok: true,
    events: [
      type === "order_failed"
        ? failedEvent(order, reason ?? null, created ?? null)
        : canceledEvent(order, reason ?? null),
    ],
  };
}

function parseEvent(pf: Printful, { rawBody, url }: IncomingEvent): ParsedEvents {
  const refused = checkUrlToken(url, PRINTFUL_TOKEN_PARAM, pf.guard.signingSecret, BRAND);
  if (refused) return refused;
  const json = parseJsonObject(rawBody);
  if (!json.ok) return { ok: false, status: 400, message: json.message };
  const envelope = webhookSchema.safeParse(json.value);
  if (!envelope.success) {
    return { ok: false, status: 400, message: describeZodError(envelope.error) };
  }
  const { type, created } = envelope.data;
  // One webhook URL serves the whole store, so product and stock events arrive here too.
  if (!HANDLED_EVENTS.has(type)) return { ok: true, events: [] };
  if (type === "package_shipped") return packageShipped(json.value.data, pf.deps);
  return orderFailedOrCanceled(type, json.value.data, created);
}

async function poll(
  pf: Printful,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<ProviderEvent[]> {
  pf.guard.assertCanPoll();
  const path = `/orders/${encodeURIComponent(order.providerOrderId)}`;
  const reply = await pf.request("GET", path, signal);
  const found = polledBody(BRAND, reply, orderReplySchema, {
    failed: "order look-up failed",
    unreadable: "order could not be read",
  });
  return orderEvents(found.result, pf.deps.now());
}

export function createPrintfulProvider(
  config: ProviderConfig,
  deps: ProviderDeps,
): FulfillmentProvider {
  const guard = providerGuard(config, {
    brand: BRAND,
    credentials: { token: "API token" },
    settings: settingsSchema,
  });
  const storeId = guard.settings?.storeId;
  const pf: Printful = {
    config,
    guard,
    request: requester(deps, apiRoot(config, PRINTFUL_BASE_URL), {
      Authorization: `Bearer ${guard.credentials.token}`,
      ...(storeId ? { "X-PF-Store-Id": storeId } : {}),
    }),
    deps,
  };
  return bindProvider("printful", pf, { validate, submit, cancel, parseEvent, poll, update });
}
