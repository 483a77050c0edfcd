// ShineOn (personalised jewellery), API v1 at api.shineon.com with a bearer token. ShineOn
// posts tracking to the shipment_notification_url given with each order, unsigned; we make that
// URL carry a secret token (?token=<signing secret>) and refuse notifications without it. Our PO
// number is the order's source_id and our line ids are its store_line_item_ids, so shipments map
// back to our lines. What we could and could not confirm is listed in docs/providers.md.
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
  checkUrlToken,
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
  type Requester,
} from "./provider-http";
import { providerGuard, type ProviderGuard } from "./provider-guard";

const BRAND = "ShineOn";
export const SHINEON_BASE_URL = "https://api.shineon.com";
/** The query parameter of the notification URL that carries our secret. */
export const SHINEON_TOKEN_PARAM = "token";

// Their shipping_address requires name, address1, city, zip and country_code. Engraving-only
// pieces are personalised without a design file, so the file check is ShineOn's own (below).
const LIMITS: ProviderLimits = {
  providerName: BRAND,
  required: ["name", "address1", "city", "zip", "countryCode"],
  maxLength: {},
  countries: null,
  designFileRequired: false,
};

const settingsSchema = z.object({
  /** Test orders are created in ShineOn but neither produced nor billed. */
  test: z.boolean().default(false),
  /** A ShineOn method such as "standard-us" or "international"; omitted means their default. */
  shippingMethod: z.string().trim().min(1).optional(),
  /** Cart shipping method → ShineOn method. */
  shippingMethods: z.record(z.string(), z.string().trim().min(1)).default({}),
});
type Settings = z.infer<typeof settingsSchema>;

const lineSchema = z.object({
  id: idSchema.nullish(),
  store_line_item_id: idSchema.nullish(),
  sku: z.string().nullish(),
  quantity: z.number().int().positive(),
  tracking_company: z.string().nullish(),
  tracking_number: z.union([z.string(), z.number()]).nullish(),
  tracking_url: z.string().nullish(),
});

const orderSchema = z.object({
  id: idSchema,
  source_id: z.union([z.string(), z.number()]).nullish(),
  store_order_id: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  cancel_reason: z.string().nullish(),
  line_items: z.array(lineSchema).default([]),
});
type ShineOnOrder = z.infer<typeof orderSchema>;

const orderEnvelopeSchema = z.object({ order: orderSchema });
const orderListSchema = z.object({ orders: z.array(orderSchema) });

function text(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = String(value).trim();
  return trimmed || null;
}

/**
 * A notification or a fetched order, as events. ShineOn puts tracking on each line, so lines that
 * share a tracking number are one parcel.
 */
function orderEvents(order: ShineOnOrder, now: Date): ProviderEvent[] {
  const base = {
    providerOrderId: order.id,
    // They have been seen to echo our reference as store_order_id with source_id left empty.
    poNumber: text(order.source_id) ?? text(order.store_order_id),
  };
  if (order.status?.toLowerCase() === "cancelled") {
    return [
      {
        ...base,
        type: "cancelled",
        eventId: `shineon:cancelled:${order.id}`,
        reason: order.cancel_reason ?? null,
      },
    ];
  }
  const parcels = new Map<string, z.infer<typeof lineSchema>[]>();
  for (const line of order.line_items) {
    const tracking = text(line.tracking_number);
    if (!tracking) continue;
    parcels.set(tracking, [...(parcels.get(tracking) ?? []), line]);
  }
  return [...parcels].map(([trackingNumber, lines]) => {
    const items = lines.flatMap((line) =>
      line.store_line_item_id ? [{ lineId: line.store_line_item_id, quantity: line.quantity }] : [],
    );
    return {
      ...base,
      type: "shipped" as const,
      eventId: `shineon:shipped:${order.id}:${trackingNumber}`,
      shipment: {
        carrier: lines.map((line) => text(line.tracking_company)).find(Boolean) ?? null,
        trackingNumber,
        trackingUrl: lines.map((line) => httpUrlOrNull(line.tracking_url)).find(Boolean) ?? null,
        shippedAt: now,
        // Every line we send carries our id; a parcel naming none of them is not ours to split.
        items: items.length ? items : ("all" as const),
      },
    };
  });
}

/** Engraving text, ring size, font and the like, plus the artwork as ShineOn's print_url. */
function properties(item: PurchaseOrderItem): Record<string, string> {
  const props: Record<string, string> = { ...(item.personalization?.options ?? {}) };
  const designUrl = item.personalization?.designUrl;
  if (designUrl) props.print_url = designUrl;
  return props;
}

function notificationUrl(callbackUrl: string, secret: string): string {
  const url = new URL(callbackUrl);
  url.searchParams.set(SHINEON_TOKEN_PARAM, secret);
  return url.toString();
}

function toOrderBody(po: PurchaseOrder, secret: string, settings: Settings) {
  const r = po.recipient;
  return {
    order: {
      source_id: po.poNumber,
      shipment_notification_url: notificationUrl(po.callbackUrl, secret),
      shipping_method: pickShippingMethod(
        po.shippingMethod,
        settings.shippingMethods,
        settings.shippingMethod,
      ),
      email: r.email ?? undefined,
      test: settings.test || undefined,
      line_items: po.items.map((item) => ({
        store_line_item_id: item.lineId,
        sku: item.providerProduct || item.sku,
        quantity: item.quantity,
        properties: properties(item),
      })),
      shipping_address: {
        name: r.name,
        company: r.company ?? undefined,
        address1: r.address1,
        address2: r.address2 ?? undefined,
        city: r.city,
        province: r.province ?? undefined,
        province_code: r.provinceCode ?? undefined,
        zip: r.zip ?? "",
        country_code: r.countryCode.toUpperCase(),
        phone: r.phone ?? undefined,
      },
    },
  };
}

function isDuplicate(message: string | null): boolean {
  return message !== null && /(duplicate|already (exists|been taken)|has already)/i.test(message);
}

/** What the methods share: one account's guard and the calls made with its token. */
interface ShineOn {
  guard: ProviderGuard<"token", Settings>;
  request: Requester;
  deps: ProviderDeps;
}

/**
 * ShineOn documents no duplicate check on source_id, so before creating we ask whether an
 * earlier attempt (one whose answer we never saw) already created the order.
 */
async function findExisting(
  so: ShineOn,
  poNumber: string,
  signal: AbortSignal,
): Promise<SubmitOutcome | "none"> {
  const path = `/v1/orders?source_ids=${encodeURIComponent(poNumber)}`;
  const list = submitLookUp(
    BRAND,
    await so.request("GET", path, signal),
    orderListSchema,
    "order search",
  );
  if (!list.ok) return list.outcome;
  const match = list.value.orders.find(
    (order) => text(order.source_id) === poNumber || text(order.store_order_id) === poNumber,
  );
  if (!match) return "none";
  if (match.status?.toLowerCase() === "cancelled") {
    return {
      kind: "rejected",
      reason: `${BRAND} already has order ${match.id} for ${poNumber}, and it was cancelled`,
    };
  }
  return { kind: "accepted", providerOrderId: match.id };
}

function validate(so: ShineOn, po: PurchaseOrder): ValidationProblem[] {
  const problems: ValidationProblem[] = checkLimits(po, LIMITS);
  for (const item of po.items) {
    const personalisation = item.personalization;
    const hasOptions = Object.keys(personalisation?.options ?? {}).length > 0;
    if (item.personalised && !personalisation?.designUrl && !hasOptions) {
      problems.push({
        code: "personalisation_missing",
        lineId: item.lineId,
        message: `${item.title} (${item.sku}) is personalised but has neither a design file nor engraving options`,
        fix: "Open the item's personalisation, add the design file or the engraving text, then Reprocess",
      });
    }
  }
  return [...problems, ...so.guard.problems()];
}

async function submit(so: ShineOn, po: PurchaseOrder, signal: AbortSignal): Promise<SubmitOutcome> {
  const ready = so.guard.readyToSubmit();
  if (!ready.ok) return ready.outcome;

  const existing = await findExisting(so, po.poNumber, signal);
  if (existing !== "none") return existing;

  const body = toOrderBody(po, so.guard.signingSecret, ready.settings);
  const reply = await so.request("POST", "/v1/orders", signal, body);
  if (reply.kind === "failed") return unreachable(BRAND, reply);
  if (isSuccess(reply.status)) {
    const created = orderEnvelopeSchema.safeParse(reply.body);
    return created.success
      ? { kind: "accepted", providerOrderId: created.data.order.id }
      : {
          kind: "unavailable",
          reason: `${BRAND} answered without an order id: ${describeBody(reply)}`,
        };
  }
  // Someone else's attempt may have landed between our search and our create.
  if (!isTransient(reply.status) && isDuplicate(theirMessage(reply.body))) {
    const again = await findExisting(so, po.poNumber, signal);
    if (again !== "none") return again;
  }
  return submitFailure(BRAND, reply);
}

async function cancel(
  so: ShineOn,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<CancelOutcome> {
  const refused = so.guard.cancelRefusal();
  if (refused) return refused;
  const path = `/v1/orders/${encodeURIComponent(order.providerOrderId)}/cancel`;
  return cancelOutcome(BRAND, await so.request("POST", path, signal));
}

function parseEvent(so: ShineOn, { rawBody, url }: IncomingEvent): ParsedEvents {
  const refused = checkUrlToken(url, SHINEON_TOKEN_PARAM, so.guard.signingSecret, BRAND);
  if (refused) return refused;
  const json = parseJsonObject(rawBody);
  if (!json.ok) return { ok: false, status: 400, message: json.message };
  // Without an order object it is not a shipment notification in any shape we know of.
  if (!("order" in json.value)) return { ok: true, events: [] };
  const parsed = orderEnvelopeSchema.safeParse(json.value);
  if (!parsed.success) {
    return { ok: false, status: 400, message: describeZodError(parsed.error) };
  }
  return { ok: true, events: orderEvents(parsed.data.order, so.deps.now()) };
}

async function poll(
  so: ShineOn,
  order: SubmittedOrder,
  signal: AbortSignal,
): Promise<ProviderEvent[]> {
  so.guard.assertCanPoll();
  const path = `/v1/orders/${encodeURIComponent(order.providerOrderId)}`;
  const found = polledBody(BRAND, await so.request("GET", path, signal), orderEnvelopeSchema, {
    failed: "order look-up failed",
    unreadable: "order could not be read",
  });
  return orderEvents(found.order, so.deps.now());
}

export function createShineOnProvider(
  config: ProviderConfig,
  deps: ProviderDeps,
): FulfillmentProvider {
  const guard = providerGuard(config, {
    brand: BRAND,
    credentials: { token: "API token" },
    // Baked into each order's notification URL: without it no tracking could ever come back.
    signingSecretRequired: true,
    settings: settingsSchema,
  });
  const so: ShineOn = {
    guard,
    request: requester(deps, apiRoot(config, SHINEON_BASE_URL), {
      Authorization: `Bearer ${guard.credentials.token}`,
    }),
    deps,
  };
  return bindProvider("shineon", so, { validate, submit, cancel, parseEvent, poll });
}
