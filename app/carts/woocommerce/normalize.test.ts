import { describe, expect, it } from "vitest";
import { divideAmount, normalizeWooStatus, readWooOrder, sumAmounts } from "./normalize";
import { wooOrder } from "./test-fixtures";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

const keys = DEFAULT_SHOP_SETTINGS.personalizationKeys;

function read(payload: unknown) {
  const result = readWooOrder(payload, keys);
  if (result.kind !== "order") throw new Error(`expected an order, got ${JSON.stringify(result)}`);
  return result.order;
}

describe("readWooOrder", () => {
  it("reads a WooCommerce order into the order model", () => {
    const payload = wooOrder({ id: 727, number: "1727" });
    const order = read(payload);
    expect(order).toMatchObject({
      cartOrderId: "727",
      cartOrderNumber: "1727",
      cartStatusRaw: "processing",
      cartStatus: "processing",
      customerName: "Maya Okafor",
      customerEmail: "maya@example.com",
      currency: "USD",
      subtotal: "39.9000",
      shippingTotal: "5.00",
      taxTotal: "2.10",
      total: "44.90",
      paymentMethod: "Credit card (Stripe)",
      shippingMethod: "Flat rate",
      sourceChannel: "checkout",
      note: "Please gift wrap",
    });
    expect(order.cartCreatedAt.toISOString()).toBe("2026-11-20T17:15:02.000Z");
    expect(order.cartUpdatedAt.toISOString()).toBe("2026-11-20T17:16:40.000Z");
    expect(order.shippingAddress).toEqual({
      name: "Maya Okafor",
      company: null,
      address1: "401 Pine St",
      address2: "Apt 3",
      city: "Seattle",
      province: "Washington",
      provinceCode: "WA",
      zip: "98101",
      country: "United States",
      countryCode: "US",
      phone: null,
    });
    expect(order.lineItems[0]).toEqual({
      cartLineId: "315",
      sku: "NECK-GOLD",
      title: "Name Necklace - Gold",
      style: "Gold",
      quantity: 1,
      price: "29.9000",
      mockupUrl: "https://store.example/wp-content/uploads/necklace.jpg",
      cartProductId: "93",
      cartVariantId: "101",
      productUrl: null,
      personalization: {
        previewUrl: "https://store.example/wp-content/uploads/previews/315.png",
        designUrl: null,
        clientImages: [],
        options: [{ name: "Engraving", value: "Ana" }],
      },
    });
    expect(order.lineItems[1]).toMatchObject({
      sku: null,
      style: null,
      quantity: 2,
      price: "5.0000",
      mockupUrl: null,
      cartVariantId: null,
      personalization: null,
    });
    expect(order.payments).toEqual([
      {
        kind: "capture",
        amount: "44.90",
        currency: "USD",
        status: "success",
        gateway: "stripe",
        cartTransactionId: "pi_3Nabc",
      },
    ]);
    expect(order.raw).toBe(payload);
  });

  it("maps every WooCommerce status, and counts one it does not know as on hold", () => {
    expect(
      ["pending", "failed", "processing", "on-hold", "completed", "cancelled", "refunded"].map(
        normalizeWooStatus,
      ),
    ).toEqual([
      "pending_payment",
      "failed",
      "processing",
      "on_hold",
      "completed",
      "cancelled",
      "refunded",
    ]);
    expect(normalizeWooStatus("wc-on-hold")).toBe("on_hold");
    expect(normalizeWooStatus("shipped")).toBe("on_hold");
  });

  it("tells drafts and trashed orders apart from orders", () => {
    expect(readWooOrder(wooOrder({ id: 5, status: "checkout-draft" }), keys)).toEqual({
      kind: "draft",
      cartOrderId: "5",
    });
    expect(readWooOrder(wooOrder({ id: 6, status: "trash" }), keys)).toEqual({
      kind: "trashed",
      cartOrderId: "6",
    });
  });

  it("takes the style from a custom attribute in the variation's title", () => {
    const order = read(
      wooOrder({
        id: 8,
        lineItems: [
          {
            id: 1,
            name: "Hoodie - Navy, XL",
            parent_name: "Hoodie",
            product_id: 10,
            variation_id: 11,
            quantity: 3,
            subtotal: "100.00",
            total: "90.00",
            sku: "HOOD-NVY-XL",
            meta_data: [],
            image: [],
          },
        ],
      }),
    );
    expect(order.lineItems[0]).toMatchObject({ style: "Navy, XL", price: "33.3333" });
  });

  it("records refunds as refund payments", () => {
    const order = read(
      wooOrder({ id: 9, status: "refunded", refunds: [{ id: 55, reason: "", total: "-44.90" }] }),
    );
    expect(order.cartStatus).toBe("refunded");
    expect(order.payments.map((p) => [p.kind, p.amount, p.cartTransactionId])).toEqual([
      ["capture", "44.90", "pi_3Nabc"],
      ["refund", "44.90", "55"],
    ]);
  });

  it("reads a minimal order: meta without display fields, no shipping address, no image", () => {
    const order = read({
      id: 4401,
      status: "processing",
      currency: "usd",
      date_created_gmt: "2026-11-20T17:15:02",
      total: "29.90",
      billing: { first_name: "Maya", email: "maya@example.com" },
      shipping: {},
      line_items: [
        {
          id: 1,
          name: "Name Necklace",
          product_id: 93,
          quantity: 1,
          subtotal: "29.90",
          meta_data: [{ key: "Engraving", value: "Ana" }],
        },
      ],
    });
    expect(order).toMatchObject({
      cartOrderNumber: "4401",
      currency: "USD",
      customerName: "Maya",
      shippingAddress: null,
      billingAddress: null,
      shippingMethod: null,
      payments: [],
    });
    expect(order.cartUpdatedAt).toEqual(order.cartCreatedAt);
    expect(order.lineItems[0]).toMatchObject({
      mockupUrl: null,
      personalization: { options: [{ name: "Engraving", value: "Ana" }] },
    });
  });

  it("refuses a payload that is not an order, naming what is wrong", () => {
    const result = readWooOrder({ id: "abc", status: "processing", line_items: "none" }, keys);
    expect(result.kind).toBe("invalid");
    if (result.kind !== "invalid") return;
    expect(result.message).toMatch(/^Not a WooCommerce order: /);
    expect(result.message).toMatch(/id/);
    expect(result.message).toMatch(/currency/);
    expect(readWooOrder(null, keys).kind).toBe("invalid");
    expect(readWooOrder(wooOrder({ id: 1, total: "12,50" }), keys)).toMatchObject({
      kind: "invalid",
      message: expect.stringMatching(/total: is not an amount/),
    });
  });
});

describe("amounts", () => {
  it("adds and divides decimal strings exactly", () => {
    expect(sumAmounts(["0.1", "0.2"])).toBe("0.3000");
    expect(sumAmounts(["-1.50", "1"])).toBe("-0.5000");
    expect(divideAmount("10.00", 3)).toBe("3.3333");
    expect(divideAmount("0.05", 2)).toBe("0.0250");
  });
});
