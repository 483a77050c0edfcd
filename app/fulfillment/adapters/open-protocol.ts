// Our open HTTP provider protocol (docs/provider-protocol.md), spoken by any provider that
// implements it and by the built-in sandbox.
import type { z } from "zod";
import {
  IDEMPOTENCY_KEY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  acceptedResponseSchema,
  stockAnswerSchema,
  type OrderUpdate,
  describeZodError,
  errorResponseSchema,
  providerEventSchema,
  signBody,
  verifySignature,
  type PurchaseOrder as WirePurchaseOrder,
} from "../protocol";
import type {
  FulfillmentProvider,
  ProviderDeps,
  ProviderConfig,
  ProviderEvent,
  PurchaseOrder,
} from "../provider";
import { checkLimits, type ProviderLimits } from "../validation";
import { call, explain, isSuccess, isTransient, updateOutcome } from "./provider-http";

// The protocol itself only needs what a parcel needs; a provider with tighter limits says so in
// its answer (422), which the owner then sees as the failure reason.
const LIMITS: Omit<ProviderLimits, "providerName"> = {
  required: ["name", "address1", "city", "countryCode"],
  maxLength: { name: 200, address1: 300, address2: 300, city: 200 },
  countries: null,
  designFileRequired: true,
};

function toWire(po: PurchaseOrder): WirePurchaseOrder {
  return {
    poNumber: po.poNumber,
    idempotencyKey: po.idempotencyKey,
    orderNumber: po.orderNumber,
    callbackUrl: po.callbackUrl,
    recipient: {
      name: po.recipient.name,
      company: po.recipient.company ?? null,
      address1: po.recipient.address1,
      address2: po.recipient.address2 ?? null,
      city: po.recipient.city,
      province: po.recipient.province ?? null,
      provinceCode: po.recipient.provinceCode ?? null,
      zip: po.recipient.zip ?? null,
      country: po.recipient.country,
      countryCode: po.recipient.countryCode.toUpperCase(),
      phone: po.recipient.phone ?? null,
      email: po.recipient.email ?? null,
    },
    shippingMethod: po.shippingMethod,
    items: po.items.map((item) => ({
      lineId: item.lineId,
      // The provider's own SKU when a routing rule names one: it is what the provider makes.
      sku: item.providerProduct || item.sku,
      title: item.title,
      quantity: item.quantity,
      files: [
        ...(item.personalization?.designUrl
          ? [{ kind: "design" as const, url: item.personalization.designUrl }]
          : []),
        ...(item.personalization?.previewUrl
          ? [{ kind: "preview" as const, url: item.personalization.previewUrl }]
          : []),
        ...(item.personalization?.clientImages ?? []).map((url) => ({
          kind: "client" as const,
          url,
        })),
      ],
      options: item.personalization?.options ?? {},
    })),
  };
}

function toEvent(event: z.infer<typeof providerEventSchema>): ProviderEvent {
  const base = {
    eventId: event.id,
    providerOrderId: event.providerOrderId,
    poNumber: event.poNumber,
  };
  switch (event.type) {
    case "shipment.shipped":
      return {
        ...base,
        type: "shipped",
        shipment: {
          carrier: event.shipment.carrier,
          trackingNumber: event.shipment.trackingNumber,
          trackingUrl: event.shipment.trackingUrl ?? null,
          shippedAt: new Date(event.occurredAt),
          items: event.shipment.items,
        },
      };
    case "order.rejected":
      return { ...base, type: "rejected", reason: event.reason };
    case "order.cancelled":
      return { ...base, type: "cancelled", reason: event.reason ?? null };
  }
}

export function createOpenProtocolProvider(
  config: ProviderConfig,
  deps: ProviderDeps,
): FulfillmentProvider {
  const secret = config.signingSecret;
  const base = (config.endpoint ?? "").replace(/\/$/, "");
  const name = config.name;

  return {
    kind: config.kind,

    validate(po) {
      return checkLimits(po, { ...LIMITS, providerName: name });
    },

    async submit(po, { signal }) {
      if (!base || !secret) {
        return { kind: "rejected", reason: `${name} has no endpoint or signing secret configured` };
      }
      const body = JSON.stringify(toWire(po));
      const reply = await call(deps.fetch, `${base}/orders`, {
        method: "POST",
        body,
        signal,
        timeoutMs: deps.timeoutMs,
        headers: {
          "Content-Type": "application/json",
          [IDEMPOTENCY_KEY_HEADER]: po.idempotencyKey,
          ...signBody(secret, body, deps.now()),
        },
      });
      if (reply.kind === "failed") {
        const reason = `${name} ${reply.reason}`;
        return reply.permanent ? { kind: "rejected", reason } : { kind: "unavailable", reason };
      }
      if (isSuccess(reply.status)) {
        const accepted = acceptedResponseSchema.safeParse(reply.body);
        return accepted.success
          ? { kind: "accepted", providerOrderId: accepted.data.providerOrderId }
          : { kind: "unavailable", reason: `${name} answered ${reply.status} without an order id` };
      }
      if (isTransient(reply.status)) {
        return { kind: "unavailable", reason: `${name} is unavailable: ${explain(reply)}` };
      }
      const error = errorResponseSchema.safeParse(reply.body);
      return {
        kind: "rejected",
        reason: `${name} refused the order: ${error.success ? error.data.error.message : explain(reply)}`,
      };
    },

    async cancel(order, { signal }) {
      if (!base || !secret)
        return { kind: "refused", reason: `${name} has no endpoint configured` };
      const body = JSON.stringify({ poNumber: order.poNumber });
      const reply = await call(
        deps.fetch,
        `${base}/orders/${encodeURIComponent(order.providerOrderId)}/cancel`,
        {
          method: "POST",
          body,
          signal,
          timeoutMs: deps.timeoutMs,
          headers: { "Content-Type": "application/json", ...signBody(secret, body, deps.now()) },
        },
      );
      if (reply.kind === "failed") {
        const reason = `${name} ${reply.reason}`;
        return reply.permanent ? { kind: "refused", reason } : { kind: "unavailable", reason };
      }
      if (isSuccess(reply.status)) return { kind: "cancelled" };
      if (reply.status === 404 || reply.status === 405) {
        return { kind: "refused", reason: `${name} does not accept cancellations` };
      }
      if (isTransient(reply.status)) {
        return { kind: "unavailable", reason: `${name} is unavailable: ${explain(reply)}` };
      }
      const error = errorResponseSchema.safeParse(reply.body);
      return {
        kind: "refused",
        reason: `${name} would not cancel: ${error.success ? error.data.error.message : explain(reply)}`,
      };
    },

    async update({ order, purchaseOrder, updateKey }, { signal }) {
      if (!base || !secret) {
        return { kind: "refused", reason: `${name} has no endpoint or signing secret configured` };
      }
      const message: OrderUpdate = { updateKey, purchaseOrder: toWire(purchaseOrder) };
      const body = JSON.stringify(message);
      const reply = await call(
        deps.fetch,
        `${base}/orders/${encodeURIComponent(order.providerOrderId)}/update`,
        {
          method: "POST",
          body,
          signal,
          timeoutMs: deps.timeoutMs,
          headers: {
            "Content-Type": "application/json",
            [IDEMPOTENCY_KEY_HEADER]: updateKey,
            ...signBody(secret, body, deps.now()),
          },
        },
      );
      const outcome = updateOutcome(name, reply);
      if (outcome.kind !== "refused" || reply.kind !== "answered") return outcome;
      // Our protocol's error body: their message alone reads best.
      const error = errorResponseSchema.safeParse(reply.body);
      return error.success
        ? {
            kind: "refused",
            reason: `${name} would not change the order: ${error.data.error.message}`,
          }
        : outcome;
    },

    async checkStock(skus, { signal }) {
      if (!base || !secret) {
        return {
          kind: "unavailable",
          reason: `${name} has no endpoint or signing secret configured`,
        };
      }
      const body = JSON.stringify({ skus });
      const reply = await call(deps.fetch, `${base}/stock`, {
        method: "POST",
        body,
        signal,
        timeoutMs: deps.timeoutMs,
        headers: { "Content-Type": "application/json", ...signBody(secret, body, deps.now()) },
      });
      if (reply.kind === "failed")
        return { kind: "unavailable", reason: `${name} ${reply.reason}` };
      if (reply.status === 404 || reply.status === 405) {
        return { kind: "unavailable", reason: `${name} does not answer stock queries` };
      }
      if (!isSuccess(reply.status)) {
        return { kind: "unavailable", reason: `${name} could not say: ${explain(reply)}` };
      }
      const parsed = stockAnswerSchema.safeParse(reply.body);
      if (!parsed.success) {
        return {
          kind: "unavailable",
          reason: `${name} answered the stock query in a shape we do not read: ${describeZodError(parsed.error)}`,
        };
      }
      const bySku = new Map(parsed.data.stock.map((row) => [row.sku, row]));
      return {
        kind: "answered",
        checkedAt: deps.now(),
        stock: skus.map((sku) => ({
          sku,
          available: bySku.get(sku)?.available ?? 0,
          leadTimeDays: bySku.get(sku)?.leadTimeDays ?? null,
        })),
      };
    },

    parseEvent({ rawBody, headers }) {
      if (!secret) return { ok: false, status: 401, message: `${name} has no signing secret` };
      const verified = verifySignature({
        secret,
        rawBody,
        timestampHeader: headers.get(TIMESTAMP_HEADER),
        signatureHeader: headers.get(SIGNATURE_HEADER),
        now: deps.now(),
      });
      if (!verified.ok) return { ok: false, status: 401, message: verified.message };
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        return { ok: false, status: 400, message: "The body is not JSON" };
      }
      const parsed = providerEventSchema.safeParse(json);
      if (!parsed.success) {
        return { ok: false, status: 400, message: describeZodError(parsed.error) };
      }
      return { ok: true, events: [toEvent(parsed.data)] };
    },
  };
}
