// A WooCommerce REST v3 order (the same JSON arrives in order.* webhooks) read into our model.
//
// Status mapping (the raw word is always kept in cartStatusRaw):
//   pending → pending_payment, failed → failed, processing → processing, on-hold → on_hold,
//   completed → completed, cancelled → cancelled, refunded → refunded.
//   checkout-draft / auto-draft / draft: a cart the customer has not checked out yet — not an
//   order, so it is skipped (never stored).
//   trash: the owner deleted it in WooCommerce; callers treat it like order.deleted.
//   Anything else (a status a plugin added, "shipped" say) counts as on_hold: nothing is sent
//   automatically for an order whose meaning we do not know until the owner looks at it.
import { z } from "zod";
import type { CartStatus, Address } from "~/orders/core/model";
import { readPersonalization, type CartProperty } from "../personalization";
import type { NormalizedLineItem, NormalizedOrder, NormalizedPayment } from "../connector";
import type { ShopSettings } from "~/orders/core/shop-settings";
import { regionName, withCountryNamed } from "~/orders/core/places";
import { decodeEntities } from "./html-text";

const KNOWN_STATUSES: Record<string, CartStatus> = {
  pending: "pending_payment",
  failed: "failed",
  processing: "processing",
  "on-hold": "on_hold",
  completed: "completed",
  cancelled: "cancelled",
  refunded: "refunded",
};

const DRAFT_STATUSES = new Set(["checkout-draft", "auto-draft", "draft"]);

/** The cart's status word, without the `wc-` prefix some plugins and older stores send. */
export function wooStatusWord(status: string): string {
  return status.trim().toLowerCase().replace(/^wc-/, "");
}

export function normalizeWooStatus(status: string): CartStatus {
  return KNOWN_STATUSES[wooStatusWord(status)] ?? "on_hold";
}

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const optionalId = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => (v === null || v === undefined || String(v) === "0" ? null : String(v)));
const money = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v === "") return "0";
    const text = String(v).trim();
    if (!/^-?\d+(\.\d+)?$/.test(text)) {
      ctx.addIssue({ code: "custom", message: `is not an amount (${text.slice(0, 20)})` });
      return z.NEVER;
    }
    return text;
  });
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? "" : String(v).trim()));

const address = z
  .object({
    first_name: text,
    last_name: text,
    company: text,
    address_1: text,
    address_2: text,
    city: text,
    state: text,
    postcode: text,
    country: text,
    email: text,
    phone: text,
  })
  .partial()
  .nullish();

const metaEntry = z.object({
  key: z.string(),
  value: z.unknown().optional(),
  display_key: z.string().nullish(),
  display_value: z.unknown().optional(),
});

const lineItem = z.object({
  id,
  name: text,
  parent_name: z.string().nullish(),
  product_id: optionalId,
  variation_id: optionalId,
  quantity: z.number().int(),
  subtotal: money,
  total: money,
  price: z.union([z.number(), z.string()]).nullish(),
  sku: z.string().nullish(),
  meta_data: z.array(metaEntry).nullish(),
  image: z
    .object({ src: z.string().nullish() })
    .nullish()
    .or(z.array(z.unknown()).transform(() => null)),
});

// WooCommerce writes these without a zone; they are UTC ("…_gmt").
const gmtDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, "is not a date")
  .transform((v) => new Date(/([zZ]|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`));

export const wooOrderSchema = z.object({
  id,
  number: z.union([z.string(), z.number()]).nullish(),
  status: z.string().min(1),
  currency: z.string().min(1),
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate.nullish(),
  date_paid_gmt: gmtDate.nullish(),
  total: money,
  shipping_total: money,
  total_tax: money,
  discount_total: money,
  payment_method: z.string().nullish(),
  payment_method_title: z.string().nullish(),
  transaction_id: z.string().nullish(),
  created_via: z.string().nullish(),
  customer_note: z.string().nullish(),
  billing: address,
  shipping: address,
  line_items: z.array(lineItem),
  shipping_lines: z.array(z.object({ method_title: z.string().nullish() })).nullish(),
  meta_data: z.array(metaEntry).nullish(),
  refunds: z
    .array(z.object({ id: optionalId, total: money, reason: z.string().nullish() }))
    .nullish(),
});

export type WooOrder = z.infer<typeof wooOrderSchema>;

export type WooReadResult =
  | { kind: "order"; order: NormalizedOrder }
  /** A checkout the customer has not finished: not an order yet. */
  | { kind: "draft"; cartOrderId: string }
  /** In WooCommerce's trash: gone from the owner's point of view. */
  | { kind: "trashed"; cartOrderId: string }
  | { kind: "invalid"; message: string };

/** Why a payload was refused, in words an owner or support can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "order"}: ${issue.message}`)
    .join("; ");
}

/**
 * Reads one WooCommerce order. `keys` are the shop's personalisation keys
 * (settings.personalizationKeys).
 */
export function readWooOrder(
  payload: unknown,
  keys: ShopSettings["personalizationKeys"],
): WooReadResult {
  const parsed = wooOrderSchema.safeParse(payload);
  if (!parsed.success) {
    return {
      kind: "invalid",
      message: `Not a WooCommerce order: ${describeIssues(parsed.error)}`,
    };
  }
  const o = parsed.data;
  const word = wooStatusWord(o.status);
  if (DRAFT_STATUSES.has(word)) return { kind: "draft", cartOrderId: o.id };
  if (word === "trash") return { kind: "trashed", cartOrderId: o.id };

  const billing = toAddress(o.billing);
  const shipping = toAddress(o.shipping);
  const lineItems = o.line_items.map((line) => toLineItem(line, keys));
  const customerName =
    fullName(o.billing) || fullName(o.shipping) || o.billing?.company || o.shipping?.company || "";
  const shippingMethod = (o.shipping_lines ?? [])
    .map((s) => (s.method_title ? decodeEntities(s.method_title).trim() : undefined))
    .filter((s): s is string => Boolean(s))
    .join(", ");

  return {
    kind: "order",
    order: {
      cartOrderId: o.id,
      cartOrderNumber: String(o.number ?? "").trim() || o.id,
      cartStatusRaw: word,
      cartStatus: normalizeWooStatus(word),
      customerName,
      customerEmail: o.billing?.email || null,
      billingAddress: billing,
      shippingAddress: shipping,
      currency: o.currency.toUpperCase(),
      subtotal: sumAmounts(o.line_items.map((l) => l.subtotal)),
      shippingTotal: o.shipping_total,
      taxTotal: o.total_tax,
      total: o.total,
      paymentMethod:
        (o.payment_method_title ? decodeEntities(o.payment_method_title).trim() : "") ||
        o.payment_method?.trim() ||
        null,
      shippingMethod: shippingMethod || null,
      sourceChannel: o.created_via?.trim() || null,
      note: o.customer_note?.trim() || null,
      cartCreatedAt: o.date_created_gmt,
      cartUpdatedAt: o.date_modified_gmt ?? o.date_created_gmt,
      lineItems,
      payments: payments(o),
      raw: payload,
    },
  };
}

type WooAddress = z.infer<typeof address>;

function fullName(a: WooAddress): string {
  return decodeEntities(`${a?.first_name ?? ""} ${a?.last_name ?? ""}`).trim();
}

function toAddress(a: WooAddress): Address | null {
  if (!a || (!a.address_1 && !a.city && !a.postcode)) return null;
  // WooCommerce sends the state's code ("CA") and the country's ISO code ("GB"), not names: the
  // names are ours, the same ones every other order and re-import shows.
  const countryCode = (a.country ?? "").toUpperCase();
  return withCountryNamed({
    name: fullName(a),
    company: a.company || null,
    address1: a.address_1 ?? "",
    address2: a.address_2 || null,
    city: a.city ?? "",
    province: regionName(countryCode, a.state) || null,
    provinceCode: a.state || null,
    zip: a.postcode || null,
    country: a.country ?? "",
    countryCode,
    phone: a.phone || null,
  });
}

type WooLine = z.infer<typeof lineItem>;

// Taxonomy attributes are stored as `pa_<name>` meta on the line; their display value is what the
// customer picked ("Black"). Custom (non-taxonomy) attributes are indistinguishable from other meta,
// so for those the style comes from the variation's title ("Hoodie - Black, XL").
function styleOf(line: WooLine): string | null {
  const attributes = (line.meta_data ?? [])
    .filter((m) => m.key.startsWith("pa_"))
    .map((m) => displayText(m.display_value) ?? displayText(m.value))
    .filter((v): v is string => Boolean(v));
  if (attributes.length > 0) return attributes.join(" / ");
  const name = decodeEntities(line.name);
  const parent = line.parent_name ? decodeEntities(line.parent_name) : null;
  if (line.variation_id && parent && name.startsWith(`${parent} - `)) {
    return name.slice(parent.length + 3).trim() || null;
  }
  return null;
}

function displayText(value: unknown): string | null {
  if (typeof value === "string") {
    // display_value may carry the store's HTML formatting.
    const plain = decodeEntities(value.replace(/<[^>]*>/g, ""))
      .replace(/\s+/g, " ")
      .trim();
    return plain || null;
  }
  if (typeof value === "number") return String(value);
  return null;
}

function toLineItem(line: WooLine, keys: ShopSettings["personalizationKeys"]): NormalizedLineItem {
  const properties: CartProperty[] = (line.meta_data ?? [])
    .filter((m) => !m.key.startsWith("pa_"))
    .map((m) => ({
      key: decodeEntities(m.key),
      value: typeof m.value === "string" ? decodeEntities(m.value) : m.value,
    }));
  const quantity = line.quantity;
  return {
    cartLineId: line.id,
    sku: line.sku?.trim() || null,
    title: decodeEntities(line.name || line.parent_name || "") || "Item",
    style: styleOf(line),
    quantity,
    // The unit price before order discounts, from the line's subtotal (exact decimal strings).
    price: quantity > 0 ? divideAmount(line.subtotal, quantity) : line.subtotal,
    mockupUrl: line.image && "src" in line.image ? line.image.src || null : null,
    cartProductId: line.product_id,
    cartVariantId: line.variation_id,
    productUrl: null,
    personalization: readPersonalization(properties, keys),
  };
}

/**
 * WooCommerce Stripe's authorise-only charge: `_stripe_charge_captured` is "no" until the charge
 * is captured (when the order moves to processing or completed) and "yes" after; null for every
 * other order. The charge id is the order's transaction id.
 */
export function stripeCharge(o: WooOrder): { chargeId: string; captured: boolean } | null {
  if (o.payment_method?.trim() !== "stripe") return null;
  const chargeId = o.transaction_id?.trim();
  const flag = (o.meta_data ?? []).find((m) => m.key === "_stripe_charge_captured")?.value;
  if (!chargeId || (flag !== "no" && flag !== "yes")) return null;
  return { chargeId, captured: flag === "yes" };
}

/** The capture Orderlane records for a Stripe charge (its own id: the charge is the authorisation). */
export function stripeCapture(o: WooOrder, chargeId: string): NormalizedPayment {
  return {
    kind: "capture",
    amount: o.total,
    currency: o.currency.toUpperCase(),
    status: "success",
    gateway: "stripe",
    cartTransactionId: `${chargeId}:capture`,
    parentCartTransactionId: chargeId,
  };
}

function payments(o: WooOrder): NormalizedPayment[] {
  const list: NormalizedPayment[] = [];
  const gateway = o.payment_method?.trim() || null;
  const stripe = stripeCharge(o);
  if (stripe) {
    list.push({
      kind: "authorization",
      amount: o.total,
      currency: o.currency.toUpperCase(),
      status: "success",
      gateway,
      cartTransactionId: stripe.chargeId,
    });
    if (stripe.captured) list.push(stripeCapture(o, stripe.chargeId));
    // The extension releases an uncaptured charge when the order is cancelled or fails.
    else if (["cancelled", "failed", "refunded"].includes(o.status)) {
      list.push({
        kind: "void",
        amount: o.total,
        currency: o.currency.toUpperCase(),
        status: "success",
        gateway,
        cartTransactionId: `${stripe.chargeId}:void`,
        parentCartTransactionId: stripe.chargeId,
      });
    }
  } else if (o.date_paid_gmt) {
    list.push({
      kind: "capture",
      amount: o.total,
      currency: o.currency.toUpperCase(),
      status: "success",
      gateway,
      cartTransactionId: o.transaction_id?.trim() || null,
    });
  }
  for (const refund of o.refunds ?? []) {
    list.push({
      kind: "refund",
      amount: refund.total.replace(/^-/, ""),
      currency: o.currency.toUpperCase(),
      status: "success",
      gateway,
      cartTransactionId: refund.id,
    });
  }
  return list;
}

// Amounts are added as scaled integers so "0.1" + "0.2" is "0.3000", never 0.30000000000000004.
const SCALE = 4;

function toUnits(amount: string): bigint {
  const negative = amount.startsWith("-");
  const [whole = "0", fraction = ""] = amount.replace(/^-/, "").split(".");
  const units =
    BigInt(whole) * 10n ** BigInt(SCALE) +
    BigInt(fraction.padEnd(SCALE, "0").slice(0, SCALE) || "0");
  return negative ? -units : units;
}

function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(SCALE);
  const fraction = (abs % base).toString().padStart(SCALE, "0");
  return `${negative ? "-" : ""}${abs / base}.${fraction}`;
}

export function sumAmounts(amounts: string[]): string {
  return fromUnits(amounts.reduce((sum, a) => sum + toUnits(a), 0n));
}

export function divideAmount(amount: string, by: number): string {
  const units = toUnits(amount);
  const divisor = BigInt(by);
  // Rounded half away from zero at the fourth decimal.
  const doubled = (units * 2n) / divisor;
  return fromUnits(doubled >= 0n ? (doubled + 1n) / 2n : (doubled - 1n) / 2n);
}
