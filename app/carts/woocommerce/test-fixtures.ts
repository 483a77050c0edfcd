// WooCommerce REST v3 orders as a store sends them (GET /wp-json/wc/v3/orders/<id>, and the body of
// order.* webhooks), for tests. Field names and value types follow WooCommerce's REST reference:
// money as strings, dates in the site's zone and again in GMT without a zone, ids as numbers.

export interface WooOrderFixture {
  id: number;
  number?: string;
  status?: string;
  modified?: string;
  lineItems?: Record<string, unknown>[];
  [key: string]: unknown;
}

export function wooOrder(overrides: WooOrderFixture): Record<string, unknown> {
  const { id, number, status, modified, lineItems, ...rest } = overrides;
  return {
    id,
    parent_id: 0,
    number: number ?? String(id),
    order_key: `wc_order_${id}abc`,
    created_via: "checkout",
    version: "9.8.1",
    status: status ?? "processing",
    currency: "USD",
    date_created: "2026-11-20T09:15:02",
    date_created_gmt: "2026-11-20T17:15:02",
    date_modified: "2026-11-20T09:16:40",
    date_modified_gmt: modified ?? "2026-11-20T17:16:40",
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: "5.00",
    shipping_tax: "0.00",
    cart_tax: "2.10",
    total: "44.90",
    total_tax: "2.10",
    prices_include_tax: false,
    customer_id: 12,
    customer_ip_address: "203.0.113.9",
    customer_user_agent: "Mozilla/5.0",
    customer_note: "Please gift wrap",
    billing: { ...mayaAddress(), email: "maya@example.com", phone: "+1 206 555 0101" },
    shipping: { ...mayaAddress(), phone: "" },
    payment_method: "stripe",
    payment_method_title: "Credit card (Stripe)",
    transaction_id: "pi_3Nabc",
    date_paid: "2026-11-20T09:15:40",
    date_paid_gmt: "2026-11-20T17:15:40",
    date_completed: null,
    date_completed_gmt: null,
    cart_hash: "9b2f",
    meta_data: [],
    line_items: lineItems ?? [necklaceLine(), giftBoxLine()],
    tax_lines: [],
    shipping_lines: [
      { id: 317, method_title: "Flat rate", method_id: "flat_rate", total: "5.00", meta_data: [] },
    ],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
    ...rest,
  };
}

/** One buyer ships to where she pays; only the billing address carries her email and phone. */
function mayaAddress() {
  return {
    first_name: "Maya",
    last_name: "Okafor",
    company: "",
    address_1: "401 Pine St",
    address_2: "Apt 3",
    city: "Seattle",
    state: "WA",
    postcode: "98101",
    country: "US",
  };
}

/** Personalization to read: an engraving and a preview among an attribute and hidden meta. */
function necklaceLine(): Record<string, unknown> {
  return {
    id: 315,
    name: "Name Necklace - Gold",
    product_id: 93,
    variation_id: 101,
    quantity: 1,
    tax_class: "",
    subtotal: "29.90",
    subtotal_tax: "2.10",
    total: "29.90",
    total_tax: "2.10",
    taxes: [],
    meta_data: [
      { id: 2801, key: "pa_metal", value: "gold", display_key: "Metal", display_value: "Gold" },
      {
        id: 2802,
        key: "Engraving",
        value: "Ana",
        display_key: "Engraving",
        display_value: "Ana",
      },
      {
        id: 2803,
        key: "_preview_url",
        value: "https://store.example/wp-content/uploads/previews/315.png",
        display_key: "_preview_url",
        display_value: "https://store.example/wp-content/uploads/previews/315.png",
      },
      {
        id: 2804,
        key: "_reduced_stock",
        value: "1",
        display_key: "_reduced_stock",
        display_value: "1",
      },
    ],
    sku: "NECK-GOLD",
    price: 29.9,
    image: { id: 77, src: "https://store.example/wp-content/uploads/necklace.jpg" },
    parent_name: "Name Necklace",
  };
}

/** The bare line: no variation, no image, no SKU. */
function giftBoxLine(): Record<string, unknown> {
  return {
    id: 316,
    name: "Gift Box",
    product_id: 120,
    variation_id: 0,
    quantity: 2,
    tax_class: "",
    subtotal: "10.00",
    subtotal_tax: "0.00",
    total: "10.00",
    total_tax: "0.00",
    taxes: [],
    meta_data: [],
    sku: "",
    price: 5,
    image: { id: "", src: "" },
    parent_name: null,
  };
}
