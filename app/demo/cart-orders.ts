// The orders of the demo's Shopify and WooCommerce shops, described once and rendered in each
// cart's own shapes: the cart simulator serves them (Shopify Admin GraphQL nodes, WooCommerce REST
// v3 orders), the seed stores them as the app would after an import, and the sample deliveries and
// the webhook bench send them as webhook bodies. One description keeps the three in agreement.
import type { NormalizedOrder } from "~/carts/connector";
import type { Address, CartStatus } from "~/orders/core/model";
import { demoPreviewUrl } from "./previews";

export interface DemoCartLine {
  /** Cart line id (Shopify LineItem id, WooCommerce line item id). */
  id: string;
  productId: string;
  variantId: string;
  sku: string;
  title: string;
  variant: string;
  quantity: number;
  price: string;
  /** Image path under public/, made absolute with the app's URL. */
  image: string;
  /** Personalisation as line-item properties / meta_data (`_` keys are hidden from customers). */
  properties: { key: string; value: string }[];
}

export interface DemoCartOrder {
  id: string;
  number: number;
  status: CartStatus;
  firstName: string;
  lastName: string;
  email: string;
  address: Omit<Address, "name">;
  currency: string;
  shippingTitle: string;
  shipping: string;
  tax: string;
  paymentMethod: string;
  /** Shopify source_name / WooCommerce created_via. */
  source: string;
  minutesAgo: number;
  lines: DemoCartLine[];
  /**
   * WooCommerce Stripe's authorise-only charge: the order waits on-hold with
   * `_stripe_charge_captured` "no" until it moves to processing, which captures it.
   */
  stripeAuthorisedOnly?: boolean;
}

const PORTLAND = {
  address1: "1420 SE Ash St",
  city: "Portland",
  province: "Oregon",
  provinceCode: "OR",
  zip: "97214",
  country: "United States",
  countryCode: "US",
};
const LEEDS = {
  address1: "14 Park Square East",
  city: "Leeds",
  province: "West Yorkshire",
  provinceCode: null,
  zip: "LS1 2NE",
  country: "United Kingdom",
  countryCode: "GB",
};
const AUSTIN = {
  address1: "907 W 6th St",
  city: "Austin",
  province: "Texas",
  provinceCode: "TX",
  zip: "78703",
  country: "United States",
  countryCode: "US",
};
const TORONTO = {
  address1: "220 King St W",
  city: "Toronto",
  province: "Ontario",
  provinceCode: "ON",
  zip: "M5H 1K4",
  country: "Canada",
  countryCode: "CA",
};

function nameTee(id: string, name: string): DemoCartLine {
  return {
    id,
    productId: "8104221000101",
    variantId: "44021987000101",
    sku: "TEE-NAME-BLK-M",
    title: "Custom Name Tee",
    variant: "Black / M",
    quantity: 1,
    price: "29.00",
    image: "/demo/mockup-tee.svg",
    properties: [
      { key: "Name", value: name },
      { key: "Font", value: "Script" },
      { key: "_preview", value: demoPreviewUrl("tee", { name, font: "Script" }) },
      { key: "_design", value: "/demo/design-name.svg" },
    ],
  };
}

function photoMug(id: string): DemoCartLine {
  return {
    id,
    productId: "8104221000202",
    variantId: "44021987000202",
    sku: "MUG-PHOTO-11OZ",
    title: "Photo Mug",
    variant: "11 oz",
    quantity: 2,
    price: "18.50",
    image: "/demo/mockup-mug.svg",
    properties: [
      { key: "_preview", value: demoPreviewUrl("mug", {}) },
      { key: "_design", value: "/demo/design-photo-print.svg" },
      { key: "_upload", value: "/demo/photo-dog.svg" },
    ],
  };
}

function plainPoster(id: string): DemoCartLine {
  return {
    id,
    productId: "8104221000303",
    variantId: "44021987000303",
    sku: "POSTER-A3-MOUNTAINS",
    title: "Mountain Poster",
    variant: "A3",
    quantity: 1,
    price: "24.00",
    image: "/demo/mockup-poster.svg",
    properties: [],
  };
}

/** The demo Shopify shop's orders: ids of the size Shopify uses, names like #1001. */
export const DEMO_SHOPIFY_ORDERS: readonly DemoCartOrder[] = [
  {
    id: "6120448000101",
    number: 1001,
    status: "processing",
    firstName: "Ava",
    lastName: "Lindqvist",
    email: "ava.lindqvist@example.com",
    address: PORTLAND,
    currency: "USD",
    shippingTitle: "Standard",
    shipping: "5.00",
    tax: "2.61",
    paymentMethod: "Shopify Payments",
    source: "web",
    minutesAgo: 25,
    lines: [nameTee("15800440000101", "Ava")],
  },
  {
    id: "6120448000202",
    number: 1002,
    status: "processing",
    firstName: "Noah",
    lastName: "Okafor",
    email: "noah.okafor@example.com",
    address: AUSTIN,
    currency: "USD",
    shippingTitle: "Express",
    shipping: "12.00",
    tax: "4.15",
    paymentMethod: "Shopify Payments",
    source: "web",
    minutesAgo: 180,
    lines: [photoMug("15800440000202"), plainPoster("15800440000203")],
  },
  {
    id: "6120448000303",
    number: 1003,
    status: "on_hold",
    firstName: "Maya",
    lastName: "Brennan",
    email: "maya.brennan@example.com",
    address: TORONTO,
    currency: "CAD",
    shippingTitle: "Standard",
    shipping: "9.00",
    tax: "4.94",
    paymentMethod: "Shopify Payments",
    source: "web",
    minutesAgo: 600,
    lines: [nameTee("15800440000303", "Maya")],
  },
  {
    id: "6120448000404",
    number: 1004,
    status: "pending_payment",
    firstName: "Liam",
    lastName: "Haddad",
    email: "liam.haddad@example.com",
    address: PORTLAND,
    currency: "USD",
    shippingTitle: "Standard",
    shipping: "5.00",
    tax: "1.98",
    paymentMethod: "Bank deposit",
    source: "web",
    minutesAgo: 1500,
    lines: [plainPoster("15800440000404")],
  },
  {
    id: "6120448000505",
    number: 1005,
    status: "processing",
    firstName: "Zoe",
    lastName: "Marchetti",
    email: "zoe.marchetti@example.com",
    address: AUSTIN,
    currency: "USD",
    shippingTitle: "Standard",
    shipping: "5.00",
    tax: "2.11",
    paymentMethod: "Amazon Pay",
    source: "amazon",
    minutesAgo: 2900,
    lines: [plainPoster("15800440000505")],
  },
];

/** The demo WooCommerce store's orders: WordPress post ids, numbers equal to ids. */
export const DEMO_WOO_ORDERS: readonly DemoCartOrder[] = [
  {
    id: "4301",
    number: 4301,
    status: "processing",
    firstName: "Isla",
    lastName: "Fairweather",
    email: "isla.fairweather@example.com",
    address: LEEDS,
    currency: "GBP",
    shippingTitle: "Royal Mail Tracked 48",
    shipping: "3.95",
    tax: "5.80",
    paymentMethod: "Credit card (Stripe)",
    source: "checkout",
    minutesAgo: 40,
    lines: [nameTee("801", "Isla")],
  },
  {
    id: "4302",
    number: 4302,
    status: "processing",
    firstName: "Oliver",
    lastName: "Achterberg",
    email: "oliver.achterberg@example.com",
    address: LEEDS,
    currency: "GBP",
    shippingTitle: "Royal Mail Tracked 48",
    shipping: "3.95",
    tax: "7.40",
    paymentMethod: "PayPal",
    source: "checkout",
    minutesAgo: 300,
    lines: [photoMug("802")],
  },
  {
    id: "4303",
    number: 4303,
    status: "on_hold",
    firstName: "Freya",
    lastName: "Castell",
    email: "freya.castell@example.com",
    address: LEEDS,
    currency: "GBP",
    shippingTitle: "Royal Mail Tracked 24",
    shipping: "5.45",
    tax: "4.80",
    paymentMethod: "Direct bank transfer",
    source: "checkout",
    minutesAgo: 900,
    lines: [plainPoster("803")],
  },
  {
    id: "4304",
    number: 4304,
    status: "completed",
    firstName: "Arthur",
    lastName: "Penhaligon",
    email: "arthur.penhaligon@example.com",
    address: LEEDS,
    currency: "GBP",
    shippingTitle: "Royal Mail Tracked 48",
    shipping: "3.95",
    tax: "4.80",
    paymentMethod: "Credit card (Stripe)",
    source: "checkout",
    minutesAgo: 4000,
    lines: [plainPoster("804")],
  },
  {
    id: "4305",
    number: 4305,
    status: "on_hold",
    firstName: "Maeve",
    lastName: "Ashdown",
    email: "maeve.ashdown@example.com",
    address: LEEDS,
    currency: "GBP",
    shippingTitle: "Royal Mail Tracked 48",
    shipping: "3.95",
    tax: "4.80",
    paymentMethod: "Credit card (Stripe)",
    source: "checkout",
    minutesAgo: 25,
    lines: [plainPoster("805")],
    stripeAuthorisedOnly: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Money and dates

const cents = (amount: string) => Math.round(Number(amount) * 100);
const fromCents = (c: number) => (c / 100).toFixed(2);

export function orderAmounts(order: DemoCartOrder) {
  const subtotal = order.lines.reduce((sum, l) => sum + cents(l.price) * l.quantity, 0);
  const total = subtotal + cents(order.shipping) + cents(order.tax);
  return { subtotal: fromCents(subtotal), total: fromCents(total) };
}

export function createdAt(order: DemoCartOrder, now: Date): Date {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000 - order.minutesAgo * 60_000);
}

/** A product's handle in its store's addresses ("Custom Name Tee" → "custom-name-tee"). */
export function productHandle(title: string): string {
  return title
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const absolute = (baseUrl: string, p: string) => (p.startsWith("/") ? `${baseUrl}${p}` : p);

// ---------------------------------------------------------------------------------------------
// Shopify: the cart's status split into its financial, fulfillment and cancel facts

export function shopifyStatus(status: CartStatus): {
  financial: string;
  fulfillment: string | null;
  cancelled: boolean;
  holdFulfillment: boolean;
} {
  switch (status) {
    case "pending_payment":
      return { financial: "pending", fulfillment: null, cancelled: false, holdFulfillment: false };
    case "failed":
      return { financial: "voided", fulfillment: null, cancelled: false, holdFulfillment: false };
    case "on_hold":
      return { financial: "paid", fulfillment: null, cancelled: false, holdFulfillment: true };
    case "completed":
      return {
        financial: "paid",
        fulfillment: "fulfilled",
        cancelled: false,
        holdFulfillment: false,
      };
    case "cancelled":
      return { financial: "voided", fulfillment: null, cancelled: true, holdFulfillment: false };
    case "refunded":
      return { financial: "refunded", fulfillment: null, cancelled: true, holdFulfillment: false };
    case "processing":
      return { financial: "paid", fulfillment: null, cancelled: false, holdFulfillment: false };
  }
}

/** The webhook body of orders/create and orders/updated (Shopify's REST order resource). */
export function shopifyWebhookOrder(
  order: DemoCartOrder,
  options: { baseUrl: string; now: Date; updatedAt?: Date },
): Record<string, unknown> {
  const created = createdAt(order, options.now);
  const updated = options.updatedAt ?? created;
  const { subtotal, total } = orderAmounts(order);
  const status = shopifyStatus(order.status);
  const address = shopifyAddress(order);
  return {
    id: Number(order.id),
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: `#${order.number}`,
    order_number: order.number,
    email: order.email,
    contact_email: order.email,
    created_at: created.toISOString(),
    updated_at: updated.toISOString(),
    processed_at: created.toISOString(),
    cancelled_at: status.cancelled ? updated.toISOString() : null,
    cancel_reason: status.cancelled ? "customer" : null,
    financial_status: status.financial,
    fulfillment_status: status.fulfillment,
    currency: order.currency,
    presentment_currency: order.currency,
    subtotal_price: subtotal,
    total_tax: order.tax,
    total_price: total,
    total_shipping_price_set: {
      shop_money: { amount: order.shipping, currency_code: order.currency },
      presentment_money: { amount: order.shipping, currency_code: order.currency },
    },
    payment_gateway_names: [order.paymentMethod],
    source_name: order.source,
    note: null,
    tags: "",
    test: false,
    customer: {
      id: Number(order.id) + 900_000,
      email: order.email,
      first_name: order.firstName,
      last_name: order.lastName,
    },
    billing_address: address,
    shipping_address: address,
    shipping_lines: [
      {
        id: Number(order.id) + 1,
        title: order.shippingTitle,
        code: order.shippingTitle,
        price: order.shipping,
      },
    ],
    line_items: order.lines.map((line) => ({
      id: Number(line.id),
      admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
      product_id: Number(line.productId),
      variant_id: Number(line.variantId),
      sku: line.sku,
      title: line.title,
      name: `${line.title} - ${line.variant}`,
      variant_title: line.variant,
      quantity: line.quantity,
      current_quantity: line.quantity,
      fulfillable_quantity: status.fulfillment === "fulfilled" ? 0 : line.quantity,
      price: line.price,
      requires_shipping: true,
      properties: line.properties.map((p) => ({
        name: p.key,
        value: absolute(options.baseUrl, p.value),
      })),
    })),
  };
}

function shopifyAddress(order: DemoCartOrder) {
  return {
    first_name: order.firstName,
    last_name: order.lastName,
    name: `${order.firstName} ${order.lastName}`,
    address1: order.address.address1,
    address2: order.address.address2 ?? null,
    city: order.address.city,
    province: order.address.province ?? null,
    province_code: order.address.provinceCode ?? null,
    zip: order.address.zip ?? null,
    country: order.address.country,
    country_code: order.address.countryCode,
    phone: null,
    company: null,
  };
}

// ---------------------------------------------------------------------------------------------
// WooCommerce REST v3

export function wooStatus(status: CartStatus): string {
  return status === "pending_payment" ? "pending" : status.replace("_", "-");
}

export function wooOrder(
  order: DemoCartOrder,
  options: { baseUrl: string; now: Date },
): Record<string, unknown> {
  const created = createdAt(order, options.now);
  const { total } = orderAmounts(order);
  const gmt = (d: Date) => d.toISOString().slice(0, 19);
  const address = {
    first_name: order.firstName,
    last_name: order.lastName,
    company: "",
    address_1: order.address.address1,
    address_2: order.address.address2 ?? "",
    city: order.address.city,
    state: order.address.provinceCode ?? order.address.province ?? "",
    postcode: order.address.zip ?? "",
    country: order.address.countryCode,
  };
  return {
    id: Number(order.id),
    parent_id: 0,
    number: String(order.number),
    order_key: `wc_order_demo${order.id}`,
    created_via: order.source,
    version: "9.4.0",
    status: wooStatus(order.status),
    currency: order.currency,
    date_created: gmt(created),
    date_created_gmt: gmt(created),
    date_modified: gmt(created),
    date_modified_gmt: gmt(created),
    discount_total: "0.00",
    shipping_total: order.shipping,
    total: total,
    total_tax: order.tax,
    prices_include_tax: false,
    customer_id: 0,
    customer_note: "",
    billing: { ...address, email: order.email, phone: "" },
    shipping: { ...address, phone: "" },
    payment_method: order.stripeAuthorisedOnly
      ? "stripe"
      : order.paymentMethod.toLowerCase().replace(/[^a-z]+/g, "_"),
    payment_method_title: order.paymentMethod,
    transaction_id: order.stripeAuthorisedOnly ? `ch_demo_${order.id}` : `txn_demo_${order.id}`,
    date_paid_gmt:
      order.status === "pending_payment" || order.stripeAuthorisedOnly ? null : gmt(created),
    date_completed_gmt: order.status === "completed" ? gmt(created) : null,
    meta_data: order.stripeAuthorisedOnly
      ? [{ id: Number(order.id) * 10, key: "_stripe_charge_captured", value: "no" }]
      : [],
    line_items: order.lines.map((line) => ({
      id: Number(line.id),
      name: `${line.title} - ${line.variant}`,
      product_id: Number(line.productId),
      variation_id: Number(line.variantId),
      quantity: line.quantity,
      tax_class: "",
      subtotal: fromCents(cents(line.price) * line.quantity),
      total: fromCents(cents(line.price) * line.quantity),
      sku: line.sku,
      price: Number(line.price),
      image: { id: 0, src: absolute(options.baseUrl, line.image) },
      meta_data: [
        {
          id: Number(line.id) * 10,
          key: "pa_variant",
          value: line.variant,
          display_key: "Variant",
          display_value: line.variant,
        },
        ...line.properties.map((p, i) => ({
          id: Number(line.id) * 10 + i + 1,
          key: p.key,
          value: absolute(options.baseUrl, p.value),
        })),
      ],
    })),
    shipping_lines: [
      {
        id: Number(order.id) * 10,
        method_title: order.shippingTitle,
        method_id: "flat_rate",
        total: order.shipping,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// What the app stores after importing one of these orders

/** The product's page on the shop's storefront, in each cart's own address form. */
export function demoStorefrontProductUrl(
  platform: "shopify" | "woocommerce",
  shop: string,
  title: string,
): string {
  return platform === "shopify"
    ? `https://${shop}/products/${productHandle(title)}`
    : `http://${shop}/product/${productHandle(title)}`;
}

export function normalizedDemoOrder(
  order: DemoCartOrder,
  platform: "shopify" | "woocommerce",
  /** `shop`: the shop's domain, for the products' storefront addresses. */
  options: { baseUrl: string; now: Date; shop?: string },
): NormalizedOrder {
  const created = createdAt(order, options.now);
  const { subtotal, total } = orderAmounts(order);
  const address: Address = { name: `${order.firstName} ${order.lastName}`, ...order.address };
  const raw =
    platform === "shopify" ? shopifyWebhookOrder(order, options) : wooOrder(order, options);
  const optionKeys = (props: DemoCartLine["properties"]) =>
    props.filter((p) => !p.key.startsWith("_")).map((p) => ({ name: p.key, value: p.value }));
  const prop = (props: DemoCartLine["properties"], key: string) => {
    const value = props.find((p) => p.key === key)?.value;
    return value ? absolute(options.baseUrl, value) : null;
  };
  return {
    cartOrderId: order.id,
    cartOrderNumber: platform === "shopify" ? `#${order.number}` : String(order.number),
    cartStatusRaw:
      platform === "shopify" ? shopifyStatus(order.status).financial : wooStatus(order.status),
    cartStatus: order.status,
    customerName: address.name,
    customerEmail: order.email,
    billingAddress: address,
    shippingAddress: address,
    currency: order.currency,
    subtotal,
    shippingTotal: order.shipping,
    taxTotal: order.tax,
    total,
    paymentMethod: order.paymentMethod,
    shippingMethod: order.shippingTitle,
    sourceChannel: order.source,
    note: null,
    cartCreatedAt: created,
    cartUpdatedAt: created,
    lineItems: order.lines.map((line) => {
      const upload = prop(line.properties, "_upload");
      const personalised = line.properties.length > 0;
      return {
        cartLineId: line.id,
        sku: line.sku,
        title: line.title,
        style: line.variant,
        quantity: line.quantity,
        price: line.price,
        mockupUrl: absolute(options.baseUrl, line.image),
        cartProductId: line.productId,
        cartVariantId: line.variantId,
        productUrl: options.shop
          ? demoStorefrontProductUrl(platform, options.shop, line.title)
          : null,
        personalization: personalised
          ? {
              previewUrl: prop(line.properties, "_preview"),
              designUrl: prop(line.properties, "_design"),
              clientImages: upload ? [upload] : [],
              options: optionKeys(line.properties),
            }
          : null,
      };
    }),
    // The Stripe charge still to be captured, so Capture shows on the order page from the start.
    payments:
      platform === "woocommerce" && order.stripeAuthorisedOnly
        ? [
            {
              kind: "authorization" as const,
              amount: orderAmounts(order).total,
              currency: order.currency,
              status: "success",
              gateway: "stripe",
              cartTransactionId: `ch_demo_${order.id}`,
            },
          ]
        : [],
    raw,
  };
}

/** Product ids of the personalised products in these orders (the demo shops' settings). */
export const DEMO_PERSONALIZED_PRODUCTS = ["8104221000101", "8104221000202"];
