// The open HTTP provider protocol (docs/provider-protocol.md). Our HTTP provider client, our
// events endpoint and the built-in sandbox all import this one file, so the two ends cannot drift.

import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const TIMESTAMP_HEADER = "X-Orderlane-Timestamp";
export const SIGNATURE_HEADER = "X-Orderlane-Signature";
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const SIGNATURE_PREFIX = "sha256=";
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** Neither side needs more for a purchase order or an event; larger bodies are refused unread. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Error codes the protocol defines. Providers may send others; clients must treat unknown codes
 * by their HTTP status. */
export const PROTOCOL_ERROR_CODES = [
  "invalid_signature",
  "invalid_json",
  "invalid_request",
  "rejected",
  "idempotency_conflict",
  "too_late",
  "payload_too_large",
  "unavailable",
  "not_found",
  "internal_error",
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

// Most implementations in other languages serialise an absent value as null, so optional fields
// accept both.
const optionalText = (max: number) => z.string().max(max).nullish();
const text = (max: number) => z.string().min(1).max(max);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const recipientSchema = z.object({
  name: text(200),
  company: optionalText(200),
  address1: text(300),
  address2: optionalText(300),
  city: text(200),
  province: optionalText(200),
  provinceCode: optionalText(20),
  zip: optionalText(40),
  country: text(100),
  countryCode: z.string().regex(/^[A-Z]{2}$/, "Expected an ISO 3166-1 alpha-2 code, e.g. US"),
  phone: optionalText(60),
  // Deliberately not z.email(): carts accept addresses a strict pattern would refuse, and a
  // provider only needs somewhere to send notices.
  email: optionalText(320),
});
export type Recipient = z.infer<typeof recipientSchema>;

export const FILE_KINDS = ["design", "preview", "client"] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const orderFileSchema = z.object({
  kind: z.enum(FILE_KINDS),
  url: httpUrl,
});
export type OrderFile = z.infer<typeof orderFileSchema>;

export const purchaseOrderItemSchema = z.object({
  lineId: text(200),
  sku: text(200),
  title: text(500),
  quantity: z.number().int().min(1).max(10_000),
  files: z.array(orderFileSchema).max(50),
  options: z.record(z.string(), z.string().max(2000)),
});
export type PurchaseOrderItem = z.infer<typeof purchaseOrderItemSchema>;

export const purchaseOrderSchema = z
  .object({
    poNumber: text(100),
    idempotencyKey: text(200),
    orderNumber: text(100),
    callbackUrl: httpUrl,
    recipient: recipientSchema,
    shippingMethod: optionalText(100),
    items: z.array(purchaseOrderItemSchema).min(1).max(500),
  })
  .superRefine((po, ctx) => {
    // Shipment events name lines by lineId, so a repeated one would make them ambiguous.
    const seen = new Set<string>();
    po.items.forEach((item, index) => {
      if (seen.has(item.lineId)) {
        ctx.addIssue({
          code: "custom",
          path: ["items", index, "lineId"],
          message: `Duplicate lineId "${item.lineId}"`,
        });
      }
      seen.add(item.lineId);
    });
  });
export type PurchaseOrder = z.infer<typeof purchaseOrderSchema>;

export const acceptedResponseSchema = z.object({
  providerOrderId: text(200),
  status: z.literal("accepted"),
});
export type AcceptedResponse = z.infer<typeof acceptedResponseSchema>;

/**
 * A change to an order the provider accepted (the cart changed it after it was sent): the whole
 * purchase order as it is now, same PO number, under a key of its own for this version of the
 * change. `POST {endpoint}/orders/{providerOrderId}/update`.
 */
export const orderUpdateSchema = z.object({
  updateKey: text(200),
  purchaseOrder: purchaseOrderSchema,
});
export type OrderUpdate = z.infer<typeof orderUpdateSchema>;

export const updatedResponseSchema = z.object({
  providerOrderId: text(200),
  status: z.literal("updated"),
});
export type UpdatedResponse = z.infer<typeof updatedResponseSchema>;

/**
 * The stock query (`POST {endpoint}/stock`, signed like a purchase order): what the provider has
 * on hand now for some SKUs, asked just before a drop-ship purchase order is placed, since the
 * last feed may be hours old.
 */
export const MAX_STOCK_SKUS = 100;
export const stockQuerySchema = z.object({
  skus: z.array(text(200)).min(1).max(MAX_STOCK_SKUS),
});
export type StockQuery = z.infer<typeof stockQuerySchema>;

export const stockAnswerSchema = z.object({
  stock: z
    .array(
      z.object({
        sku: text(200),
        /** Units that can be shipped now; 0 when out of stock. */
        available: z.number().int().min(0),
        /** Days before it leaves the warehouse, when the provider knows. */
        leadTimeDays: z.number().int().min(0).nullish(),
      }),
    )
    .max(MAX_STOCK_SKUS),
});
export type StockAnswer = z.infer<typeof stockAnswerSchema>;

export const errorResponseSchema = z.object({
  error: z.object({
    code: text(100),
    message: z.string().max(2000),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const EVENT_TYPES = ["shipment.shipped", "order.rejected", "order.cancelled"] as const;
export type ProviderEventType = (typeof EVENT_TYPES)[number];

export const shipmentSchema = z.object({
  carrier: text(100),
  trackingNumber: text(200),
  trackingUrl: httpUrl.nullish(),
  items: z
    .array(
      z.object({
        lineId: text(200),
        quantity: z.number().int().min(1).max(10_000),
      }),
    )
    .min(1)
    .max(500),
});
export type Shipment = z.infer<typeof shipmentSchema>;

const eventBase = {
  id: text(200),
  occurredAt: z.iso.datetime({ offset: true }),
  providerOrderId: text(200),
  poNumber: text(100),
};

export const shipmentShippedEventSchema = z.object({
  ...eventBase,
  type: z.literal("shipment.shipped"),
  shipment: shipmentSchema,
  reason: optionalText(2000),
});

export const orderRejectedEventSchema = z.object({
  ...eventBase,
  type: z.literal("order.rejected"),
  reason: text(2000),
});

export const orderCancelledEventSchema = z.object({
  ...eventBase,
  type: z.literal("order.cancelled"),
  reason: optionalText(2000),
});

export const providerEventSchema = z.discriminatedUnion("type", [
  shipmentShippedEventSchema,
  orderRejectedEventSchema,
  orderCancelledEventSchema,
]);
export type ProviderEvent = z.infer<typeof providerEventSchema>;
export type ShipmentShippedEvent = z.infer<typeof shipmentShippedEventSchema>;
export type OrderRejectedEvent = z.infer<typeof orderRejectedEventSchema>;
export type OrderCancelledEvent = z.infer<typeof orderCancelledEventSchema>;

/** One line per problem, each led by the field's path, so a 4xx tells the sender what to fix. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

export function errorBody(code: ProtocolErrorCode, message: string): ErrorResponse {
  return { error: { code, message } };
}

// ---------------------------------------------------------------------------------------------
// Signing

export type SignatureHeaders = {
  [TIMESTAMP_HEADER]: string;
  [SIGNATURE_HEADER]: string;
};

export type RawBody = string | Uint8Array;

/** Hex HMAC-SHA256 over `${timestamp}.${rawBody}`. The timestamp is inside the MAC so a captured
 * request cannot be replayed later under a fresh timestamp. */
export function computeSignature(secret: string, timestamp: string, rawBody: RawBody): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return hmac.digest("hex");
}

export function signBody(
  secret: string,
  rawBody: RawBody,
  now: Date = new Date(),
): SignatureHeaders {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `${SIGNATURE_PREFIX}${computeSignature(secret, timestamp, rawBody)}`,
  };
}

export type SignatureFailureReason = "missing" | "malformed" | "stale" | "mismatch";

export type SignatureVerification =
  { ok: true } | { ok: false; reason: SignatureFailureReason; message: string };

export interface VerifySignatureInput {
  secret: string;
  rawBody: RawBody;
  timestampHeader: string | null | undefined;
  signatureHeader: string | null | undefined;
  now?: Date;
  toleranceSeconds?: number;
}

const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

export function verifySignature({
  secret,
  rawBody,
  timestampHeader,
  signatureHeader,
  now = new Date(),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
}: VerifySignatureInput): SignatureVerification {
  const timestamp = timestampHeader?.trim();
  const signature = signatureHeader?.trim();
  if (!timestamp || !signature) {
    const missing = !timestamp ? TIMESTAMP_HEADER : SIGNATURE_HEADER;
    return { ok: false, reason: "missing", message: `Missing ${missing} header` };
  }
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    return {
      ok: false,
      reason: "malformed",
      message: `${TIMESTAMP_HEADER} must be unix seconds`,
    };
  }
  const match = SIGNATURE_PATTERN.exec(signature);
  if (!match?.[1]) {
    return {
      ok: false,
      reason: "malformed",
      message: `${SIGNATURE_HEADER} must be "sha256=" followed by 64 hex digits`,
    };
  }

  // Symmetric window: a sender whose clock runs a little fast is still accepted, but a timestamp
  // far in the future would let a captured request be replayed for that long.
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (skew > toleranceSeconds) {
    return {
      ok: false,
      reason: "stale",
      message: `${TIMESTAMP_HEADER} is ${skew}s old; at most ${toleranceSeconds}s is accepted`,
    };
  }
  if (-skew > toleranceSeconds) {
    return {
      ok: false,
      reason: "stale",
      message: `${TIMESTAMP_HEADER} is ${-skew}s in the future; check the sender's clock`,
    };
  }

  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), "hex");
  const given = Buffer.from(match[1], "hex");
  // timingSafeEqual throws on unequal lengths; the pattern already fixes the length, but the
  // check stays so a future change to the pattern cannot turn a bad header into a 500.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "mismatch", message: "Signature does not match the body" };
  }
  return { ok: true };
}
