// Shopify orders in our words. Two shapes arrive: the webhook payload (snake_case, numeric ids,
// the REST representation) and the GraphQL Admin API order node (camelCase, gid ids) that Import
// and fetchOrder read. Both are checked with zod first: a payload missing what an order needs is
// refused with a message naming the fields, and nothing is stored.
import { z } from "zod";
import type { NormalizedLineItem, NormalizedOrder, NormalizedPayment } from "../connector";
import { readPersonalization } from "../personalization";
import type { Address, CartStatus } from "~/orders/core/model";
import type { ShopSettings } from "~/orders/core/shop-settings";
import { withCountryNamed } from "~/orders/core/places";

type PersonalizationKeys = ShopSettings["personalizationKeys"];

/** Ids arrive as JSON numbers (exact: parsed with parseCartJson), digit strings or gids. */
const idText = z.union([z.string().min(1), z.number().int()]).transform(String);
const money = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^-?\d+(\.\d+)?$/.test(v), { message: "not an amount" });
const optionalText = z.string().nullish();
const timestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: "not a date" })
  .transform((v) => new Date(v));

/** The numeric id at the end of a gid (`gid://shopify/Order/123` → `123`); other ids unchanged. */
export function numericId(id: string): string {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(id);
  return match ? match[1]! : id;
}

/** The gid of a Shopify object from its numeric id (`Order`, `123` → `gid://shopify/Order/123`). */
export const gid = (type: string, id: string) =>
  id.startsWith("gid://") ? id : `gid://shopify/${type}/${id}`;

export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 6).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : "payload";
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > 6 ? ` (and ${error.issues.length - 6} more)` : "";
  return parts.join("; ") + more;
}

export type NormalizeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Status mapping (documented in docs/shopify.md). Shopify has no single order status:
// the payment, fulfilment and cancellation each carry a part, and holds live on fulfillment orders.

/** Our normalised status from Shopify's parts; `onHold` when a fulfillment order is held. */
export function shopifyCartStatus(parts: {
  financial: string | null;
  fulfillment: string | null;
  cancelled: boolean;
  onHold: boolean;
}): CartStatus {
  const financial = parts.financial?.toLowerCase() ?? "";
  const fulfillment = parts.fulfillment?.toLowerCase() ?? "";
  if (parts.cancelled) return financial === "refunded" ? "refunded" : "cancelled";
  if (financial === "refunded") return "refunded";
  if (financial === "voided" || financial === "expired") return "failed";
  if (fulfillment === "fulfilled") return "completed";
  if (parts.onHold || fulfillment === "on_hold") return "on_hold";
  // Paid, or authorised (the funds are reserved; shops that capture on fulfilment would otherwise
  // never send an order), or partly refunded: the order is still to be made.
  if (["paid", "authorized", "partially_refunded"].includes(financial)) return "processing";
  return "pending_payment";
}

function rawStatus(parts: {
  financial: string | null;
  fulfillment: string | null;
  cancelled: boolean;
  onHold: boolean;
}): string {
  return [
    parts.cancelled ? "cancelled" : null,
    parts.financial?.toLowerCase() || null,
    parts.onHold ? "on_hold" : parts.fulfillment?.toLowerCase() || null,
  ]
    .filter((p) => p !== null)
    .join(", ");
}

// ---------------------------------------------------------------------------------------------
// Webhook payload (orders/create, orders/updated, orders/cancelled).

const restAddress = z
  .object({
    first_name: optionalText,
    last_name: optionalText,
    name: optionalText,
    company: optionalText,
    address1: optionalText,
    address2: optionalText,
    city: optionalText,
    province: optionalText,
    province_code: optionalText,
    zip: optionalText,
    country: optionalText,
    country_code: optionalText,
    phone: optionalText,
  })
  .nullish();

const restLineItem = z.object({
  id: idText,
  sku: optionalText,
  title: z.string(),
  name: optionalText,
  variant_title: optionalText,
  quantity: z.number().int().nonnegative(),
  price: money,
  product_id: idText.nullish(),
  variant_id: idText.nullish(),
  properties: z
    .array(z.object({ name: z.string(), value: z.unknown() }))
    .nullish()
    .transform((v) => v ?? []),
});

const moneySet = z.object({ shop_money: z.object({ amount: money }) }).nullish();

export const shopifyWebhookOrder = z.object({
  id: idText,
  name: optionalText,
  order_number: idText.nullish(),
  email: optionalText,
  contact_email: optionalText,
  created_at: timestamp,
  updated_at: timestamp,
  cancelled_at: z.string().nullish(),
  financial_status: optionalText,
  fulfillment_status: optionalText,
  currency: z.string().min(3),
  subtotal_price: money.nullish(),
  total_price: money,
  total_tax: money.nullish(),
  total_shipping_price_set: moneySet,
  payment_gateway_names: z.array(z.string()).nullish(),
  /** Orders from before payment_gateway_names existed carry only this. */
  gateway: optionalText,
  source_name: optionalText,
  note: optionalText,
  customer: z
    .object({ first_name: optionalText, last_name: optionalText, email: optionalText })
    .nullish(),
  billing_address: restAddress,
  shipping_address: restAddress,
  shipping_lines: z
    .array(z.object({ title: optionalText, price: money.nullish() }))
    .nullish()
    .transform((v) => v ?? []),
  line_items: z.array(restLineItem),
});
export type ShopifyWebhookOrder = z.infer<typeof shopifyWebhookOrder>;

/** Checks a webhook payload has what an order needs (the route refuses it otherwise). */
export function parseWebhookOrder(payload: unknown): NormalizeResult<ShopifyWebhookOrder> {
  const parsed = shopifyWebhookOrder.safeParse(payload);
  if (!parsed.success) {
    return { ok: false, reason: `Not a Shopify order: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, value: parsed.data };
}

function restAddressOf(a: z.infer<typeof restAddress>): Address | null {
  if (!a) return null;
  const name = a.name?.trim() || [a.first_name, a.last_name].filter(Boolean).join(" ");
  return withCountryNamed({
    name,
    company: a.company ?? null,
    address1: a.address1 ?? "",
    address2: a.address2 ?? null,
    city: a.city ?? "",
    province: a.province ?? null,
    provinceCode: a.province_code ?? null,
    zip: a.zip ?? null,
    country: a.country ?? "",
    countryCode: a.country_code ?? "",
    phone: a.phone ?? null,
  });
}

function personName(
  first: string | null | undefined,
  last: string | null | undefined,
): string | null {
  const name = [first, last]
    .map((p) => p?.trim())
    .filter(Boolean)
    .join(" ");
  return name || null;
}

/**
 * A webhook order in our words. `onHold` comes from what we already know: Shopify's order payload
 * does not say whether a fulfillment order is held (the fulfillment_orders topics do).
 */
export function normalizeWebhookOrder(
  order: ShopifyWebhookOrder,
  keys: PersonalizationKeys,
  raw: unknown,
  options: { onHold?: boolean } = {},
): NormalizedOrder {
  const shipping = restAddressOf(order.shipping_address);
  const billing = restAddressOf(order.billing_address);
  const parts = {
    financial: order.financial_status ?? null,
    fulfillment: order.fulfillment_status ?? null,
    cancelled: Boolean(order.cancelled_at),
    onHold: options.onHold ?? false,
  };
  const shippingTotal =
    order.total_shipping_price_set?.shop_money.amount ??
    order.shipping_lines.reduce((sum, l) => sum + Number(l.price ?? 0), 0).toFixed(2);
  const lineItems: NormalizedLineItem[] = order.line_items.map((line) => ({
    cartLineId: line.id,
    sku: line.sku?.trim() || null,
    title: line.title,
    style: line.variant_title?.trim() || null,
    quantity: line.quantity,
    price: line.price,
    mockupUrl: null,
    cartProductId: line.product_id ?? null,
    cartVariantId: line.variant_id ?? null,
    productUrl: null,
    personalization: readPersonalization(
      line.properties.map((p) => ({ key: p.name, value: p.value })),
      keys,
    ),
  }));
  const email = order.email?.trim() || order.contact_email?.trim() || null;
  return {
    cartOrderId: order.id,
    cartOrderNumber:
      order.name?.trim() || (order.order_number ? `#${order.order_number}` : order.id),
    cartStatusRaw: rawStatus(parts),
    cartStatus: shopifyCartStatus(parts),
    customerName:
      personName(order.customer?.first_name, order.customer?.last_name) ??
      (shipping?.name || billing?.name || email || ""),
    customerEmail: email,
    billingAddress: billing,
    shippingAddress: shipping,
    currency: order.currency,
    subtotal: order.subtotal_price ?? order.total_price,
    shippingTotal,
    taxTotal: order.total_tax ?? "0",
    total: order.total_price,
    paymentMethod:
      order.payment_gateway_names?.filter(Boolean).join(", ") || order.gateway?.trim() || null,
    shippingMethod: order.shipping_lines[0]?.title ?? null,
    sourceChannel: order.source_name ?? null,
    note: order.note ?? null,
    cartCreatedAt: order.created_at,
    cartUpdatedAt: order.updated_at,
    lineItems,
    // The order payload carries no transactions; Import (GraphQL) brings them.
    payments: [],
    raw,
  };
}

// ---------------------------------------------------------------------------------------------
// GraphQL Admin API order node (Import, fetchOrder). The fields below are what ORDER_FIELDS asks.

export const ORDER_LINE_FIELDS = `
  id sku title variantTitle quantity
  originalUnitPriceSet { shopMoney { amount } }
  image { url }
  product { id onlineStoreUrl }
  variant { id }
  customAttributes { key value }`;

const ADDRESS_FIELDS = `name firstName lastName company address1 address2 city province provinceCode
  zip country countryCodeV2 phone`;

/** The order fields read everywhere; line items are added per query (paged or bulk). */
export const ORDER_FIELDS = `
  id name email createdAt updatedAt cancelledAt
  displayFinancialStatus displayFulfillmentStatus
  currencyCode sourceName note paymentGatewayNames
  subtotalPriceSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  totalShippingPriceSet { shopMoney { amount } }
  customer { firstName lastName }
  billingAddress { ${ADDRESS_FIELDS} }
  shippingAddress { ${ADDRESS_FIELDS} }
  shippingLine { title }
  transactions(first: 10) { id kind status gateway processedAt errorCode parentTransaction { id } amountSet { shopMoney { amount currencyCode } } }`;

const gqlMoney = z.object({ shopMoney: z.object({ amount: money }) }).nullish();

const gqlAddress = z
  .object({
    name: optionalText,
    firstName: optionalText,
    lastName: optionalText,
    company: optionalText,
    address1: optionalText,
    address2: optionalText,
    city: optionalText,
    province: optionalText,
    provinceCode: optionalText,
    zip: optionalText,
    country: optionalText,
    countryCodeV2: optionalText,
    phone: optionalText,
  })
  .nullish();

export const graphqlLineItem = z.object({
  id: z.string().min(1),
  sku: optionalText,
  title: z.string(),
  variantTitle: optionalText,
  quantity: z.number().int().nonnegative(),
  originalUnitPriceSet: gqlMoney,
  image: z.object({ url: z.string() }).nullish(),
  product: z.object({ id: z.string(), onlineStoreUrl: optionalText }).nullish(),
  variant: z.object({ id: z.string() }).nullish(),
  customAttributes: z
    .array(z.object({ key: z.string(), value: z.string().nullish() }))
    .nullish()
    .transform((v) => v ?? []),
});

/** An OrderTransaction as the order query and orderCapture answer it. */
export const graphqlTransactionShape = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  gateway: optionalText,
  processedAt: z.string().nullish(),
  errorCode: z.string().nullish(),
  parentTransaction: z.object({ id: z.string() }).nullish(),
  amountSet: z.object({ shopMoney: z.object({ amount: money, currencyCode: z.string() }) }),
});

export const graphqlOrder = z.object({
  id: z.string().min(1),
  name: z.string(),
  email: optionalText,
  createdAt: timestamp,
  updatedAt: timestamp,
  cancelledAt: z.string().nullish(),
  displayFinancialStatus: optionalText,
  displayFulfillmentStatus: optionalText,
  currencyCode: z.string().min(3),
  sourceName: optionalText,
  note: optionalText,
  paymentGatewayNames: z.array(z.string()).nullish(),
  subtotalPriceSet: gqlMoney,
  totalPriceSet: z.object({ shopMoney: z.object({ amount: money }) }),
  totalTaxSet: gqlMoney,
  totalShippingPriceSet: gqlMoney,
  customer: z.object({ firstName: optionalText, lastName: optionalText }).nullish(),
  billingAddress: gqlAddress,
  shippingAddress: gqlAddress,
  shippingLine: z.object({ title: optionalText }).nullish(),
  transactions: z
    .array(graphqlTransactionShape)
    .nullish()
    .transform((v) => v ?? []),
  lineItems: z.object({ nodes: z.array(graphqlLineItem) }),
});
export type GraphqlOrder = z.infer<typeof graphqlOrder>;

function gqlAddressOf(a: z.infer<typeof gqlAddress>): Address | null {
  if (!a) return null;
  return withCountryNamed({
    name: a.name?.trim() || [a.firstName, a.lastName].filter(Boolean).join(" "),
    company: a.company ?? null,
    address1: a.address1 ?? "",
    address2: a.address2 ?? null,
    city: a.city ?? "",
    province: a.province ?? null,
    provinceCode: a.provinceCode ?? null,
    zip: a.zip ?? null,
    country: a.country ?? "",
    countryCode: a.countryCodeV2 ?? "",
    phone: a.phone ?? null,
  });
}

/** One Shopify OrderTransaction as a payment row; null for kinds Orderlane does not track. */
export function graphqlTransaction(
  t: z.infer<typeof graphqlTransactionShape>,
): NormalizedPayment | null {
  const kind = PAYMENT_KINDS[t.kind.toUpperCase()];
  if (!kind) return null;
  const processedAt = t.processedAt ? new Date(t.processedAt) : null;
  return {
    kind,
    amount: t.amountSet.shopMoney.amount,
    currency: t.amountSet.shopMoney.currencyCode,
    status: t.status.toLowerCase(),
    gateway: t.gateway ?? null,
    cartTransactionId: numericId(t.id),
    parentCartTransactionId: t.parentTransaction ? numericId(t.parentTransaction.id) : null,
    processedAt: processedAt && !Number.isNaN(processedAt.getTime()) ? processedAt : null,
    errorMessage: t.errorCode ?? null,
  };
}

const PAYMENT_KINDS: Record<string, NormalizedPayment["kind"]> = {
  AUTHORIZATION: "authorization",
  EMV_AUTHORIZATION: "authorization",
  CAPTURE: "capture",
  SALE: "capture",
  REFUND: "refund",
  VOID: "void",
};

/** A GraphQL order node in our words; refused with the fields that are wrong. */
export function normalizeGraphqlOrder(
  node: unknown,
  keys: PersonalizationKeys,
): NormalizeResult<NormalizedOrder> {
  const parsed = graphqlOrder.safeParse(node);
  if (!parsed.success) {
    return { ok: false, reason: `Not a Shopify order: ${describeIssues(parsed.error)}` };
  }
  const order = parsed.data;
  const shipping = gqlAddressOf(order.shippingAddress);
  const billing = gqlAddressOf(order.billingAddress);
  const parts = {
    financial: order.displayFinancialStatus ?? null,
    fulfillment: order.displayFulfillmentStatus ?? null,
    cancelled: Boolean(order.cancelledAt),
    onHold: order.displayFulfillmentStatus === "ON_HOLD",
  };
  const total = order.totalPriceSet.shopMoney.amount;
  return {
    ok: true,
    value: {
      cartOrderId: numericId(order.id),
      cartOrderNumber: order.name,
      cartStatusRaw: rawStatus(parts),
      cartStatus: shopifyCartStatus(parts),
      customerName:
        personName(order.customer?.firstName, order.customer?.lastName) ??
        (shipping?.name || billing?.name || order.email || ""),
      customerEmail: order.email?.trim() || null,
      billingAddress: billing,
      shippingAddress: shipping,
      currency: order.currencyCode,
      subtotal: order.subtotalPriceSet?.shopMoney.amount ?? total,
      shippingTotal: order.totalShippingPriceSet?.shopMoney.amount ?? "0",
      taxTotal: order.totalTaxSet?.shopMoney.amount ?? "0",
      total,
      paymentMethod: order.paymentGatewayNames?.filter(Boolean).join(", ") || null,
      shippingMethod: order.shippingLine?.title ?? null,
      sourceChannel: order.sourceName ?? null,
      note: order.note ?? null,
      cartCreatedAt: order.createdAt,
      cartUpdatedAt: order.updatedAt,
      lineItems: order.lineItems.nodes.map((line) => ({
        cartLineId: numericId(line.id),
        sku: line.sku?.trim() || null,
        title: line.title,
        style: line.variantTitle?.trim() || null,
        quantity: line.quantity,
        price: line.originalUnitPriceSet?.shopMoney.amount ?? "0",
        mockupUrl: line.image?.url ?? null,
        cartProductId: line.product ? numericId(line.product.id) : null,
        cartVariantId: line.variant ? numericId(line.variant.id) : null,
        productUrl: line.product?.onlineStoreUrl ?? null,
        personalization: readPersonalization(
          line.customAttributes.map((a) => ({ key: a.key, value: a.value ?? null })),
          keys,
        ),
      })),
      payments: order.transactions.flatMap((t): NormalizedPayment[] => {
        const payment = graphqlTransaction(t);
        return payment ? [payment] : [];
      }),
      raw: node,
    },
  };
}
