import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { mswServer } from "../../../tests/support/msw";
import type { ProviderConfig, ProviderFactory } from "../provider";
import {
  CALLBACK_URL,
  NOW,
  incoming,
  item,
  openSignal,
  providerConfig,
  purchaseOrder,
  testDeps,
} from "./pod-test-fixtures";
import { SHINEON_BASE_URL, createShineOnProvider } from "./shineon";

const TOKEN = "so_live_3c1f0e";
const SECRET = "whsec_shineon_8d2b";
const ORDERS_URL = `${SHINEON_BASE_URL}/v1/orders`;
const ORDER_URL = `${ORDERS_URL}/:id`;
const CANCEL_URL = `${ORDERS_URL}/:id/cancel`;
const NOTIFY_URL = `${CALLBACK_URL}?token=${SECRET}`;

function config(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return providerConfig({
    kind: "shineon",
    name: "ShineOn jewellery",
    credentials: { token: TOKEN },
    signingSecret: SECRET,
    settings: { test: true, shippingMethods: { standard: "standard-us" } },
    ...overrides,
  });
}

function provider(overrides: Partial<ProviderConfig> = {}, timeoutMs?: number) {
  const factory: ProviderFactory = createShineOnProvider;
  return factory(config(overrides), { ...testDeps(), timeoutMs });
}

/** ShineOn's order object as their Orders API returns it (trimmed to what we read and a bit more). */
function shineOnOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 98765,
    status: "awaiting_payment",
    on_hold_reason: null,
    store_order_id: "PO-1001-1",
    source_id: "PO-1001-1",
    shipment_notification_url: NOTIFY_URL,
    email: "ada@example.com",
    test: true,
    name: "SHINE-98765",
    created_at: "2025-03-01T11:59:00+00:00",
    updated_at: "2025-03-01T11:59:00+00:00",
    line_items: [
      {
        id: 20017,
        store_line_item_id: "line-1",
        sku: "SO-20021",
        title: "Name necklace (Gold)",
        quantity: 2,
        price: 19.97,
        properties: { Name: "Ada", print_url: "https://cdn.example/designs/line-1.png" },
      },
    ],
    ...overrides,
  };
}

interface Seen {
  method: string;
  url: URL;
  authorization: string | null;
  body?: unknown;
}

/** No earlier order under our PO number, then the create answered by `reply`. */
function serve(reply: () => Response | Promise<Response>, existing: unknown[] = []) {
  const seen: Seen[] = [];
  mswServer.use(
    http.get(ORDERS_URL, ({ request }) => {
      seen.push({
        method: "GET",
        url: new URL(request.url),
        authorization: request.headers.get("authorization"),
      });
      return HttpResponse.json({ orders: existing });
    }),
    http.post(ORDERS_URL, async ({ request }) => {
      seen.push({
        method: "POST",
        url: new URL(request.url),
        authorization: request.headers.get("authorization"),
        body: await request.json(),
      });
      return reply();
    }),
  );
  return seen;
}

const createdReply = () => HttpResponse.json({ order: shineOnOrder() }, { status: 201 });

describe("ShineOn submit", () => {
  it("searches by source_id, then creates the order with our lines and a tokenised callback", async () => {
    const seen = serve(createdReply);
    const po = purchaseOrder({
      items: [
        item({ sku: "SO-20021" }),
        item({
          lineId: "line-2",
          sku: "SO-ENGRAVE-1",
          title: "Engraved bar",
          quantity: 1,
          personalization: {
            options: { "Engraving Line 1": "Always", "Engraving Font": "Script" },
          },
        }),
      ],
    });

    const outcome = await provider().submit(po, { signal: openSignal() });

    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "98765" });
    expect(seen.map((s) => s.method)).toEqual(["GET", "POST"]);
    expect(seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(seen[0]?.url.searchParams.get("source_ids")).toBe("PO-1001-1");
    expect(seen[1]?.url.pathname).toBe("/v1/orders");
    expect(seen[1]?.body).toEqual({
      order: {
        source_id: "PO-1001-1",
        shipment_notification_url: NOTIFY_URL,
        shipping_method: "standard-us",
        email: "ada@example.com",
        test: true,
        line_items: [
          {
            store_line_item_id: "line-1",
            sku: "SO-20021",
            quantity: 2,
            properties: { Name: "Ada", print_url: "https://cdn.example/designs/line-1.png" },
          },
          {
            store_line_item_id: "line-2",
            sku: "SO-ENGRAVE-1",
            quantity: 1,
            properties: { "Engraving Line 1": "Always", "Engraving Font": "Script" },
          },
        ],
        shipping_address: {
          name: "Ada King Lovelace",
          address1: "1300 Rosa Parks Blvd",
          address2: "Suite 4",
          city: "Detroit",
          province: "Michigan",
          province_code: "MI",
          zip: "48216",
          country_code: "US",
          phone: "3135551234",
        },
      },
    });
  });

  it("leaves out the method and the test flag when none is configured", async () => {
    const seen = serve(createdReply);
    await provider({ settings: {} }).submit(purchaseOrder(), { signal: openSignal() });
    const body = seen[1]?.body as { order: Record<string, unknown> };
    expect(body.order).not.toHaveProperty("shipping_method");
    expect(body.order).not.toHaveProperty("test");
  });

  it("returns the existing order when an earlier attempt already created it", async () => {
    const seen = serve(createdReply, [shineOnOrder({ status: "in_production" })]);
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "98765" });
    expect(seen.map((s) => s.method)).toEqual(["GET"]);
  });

  it("finds the order after a duplicate refusal from a concurrent attempt", async () => {
    let searches = 0;
    mswServer.use(
      http.get(ORDERS_URL, () => {
        searches += 1;
        return HttpResponse.json({ orders: searches === 1 ? [] : [shineOnOrder()] });
      }),
      http.post(ORDERS_URL, () =>
        HttpResponse.json(
          {
            message: "The given data was invalid.",
            errors: { source_id: ["The source id has already been taken."] },
          },
          { status: 422 },
        ),
      ),
    );
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "98765" });
    expect(searches).toBe(2);
  });

  it("will not resubmit an order ShineOn holds as cancelled", async () => {
    serve(createdReply, [shineOnOrder({ status: "cancelled" })]);
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn already has order 98765 for PO-1001-1, and it was cancelled",
    });
  });

  it("turns a 4xx into a rejection carrying ShineOn's message", async () => {
    serve(() => HttpResponse.json({ error: "SKU SO-20021 requires a print_url" }, { status: 400 }));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn refused the order: SKU SO-20021 requires a print_url",
    });
  });

  it("reads Laravel-style validation errors", async () => {
    serve(() =>
      HttpResponse.json(
        {
          message: "The given data was invalid.",
          errors: { "order.shipping_address.zip": ["The zip field is required."] },
        },
        { status: 422 },
      ),
    );
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn refused the order: The zip field is required.",
    });
  });

  it("rejects a bad token with their message", async () => {
    serve(createdReply);
    mswServer.use(
      http.get(ORDERS_URL, () => HttpResponse.json({ error: "Unauthenticated." }, { status: 401 })),
    );
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn refused the order: Unauthenticated.",
    });
  });

  it.each([500, 503, 429])("reports HTTP %i as unavailable", async (status) => {
    serve(() => HttpResponse.json({ error: "Server Error" }, { status }));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: `ShineOn is unavailable: Server Error (HTTP ${status})`,
    });
  });

  it("reports an unavailable search as unavailable, and does not create", async () => {
    const created: unknown[] = [];
    mswServer.use(
      http.get(ORDERS_URL, () => new HttpResponse(null, { status: 502 })),
      http.post(ORDERS_URL, () => {
        created.push(true);
        return createdReply();
      }),
    );
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "ShineOn is unavailable: HTTP 502 with an empty body",
    });
    expect(created).toEqual([]);
  });

  it("reports a timeout as unavailable", async () => {
    serve(async () => {
      await delay("infinite");
      return createdReply();
    });
    expect(await provider({}, 50).submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "ShineOn did not answer within 50 ms",
    });
  });

  it("reports a network failure as unavailable", async () => {
    serve(() => HttpResponse.error());
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome.kind === "unavailable" && outcome.reason).toMatch(
      /^ShineOn could not be reached/,
    );
  });

  it("reports a garbage body as unavailable with a readable reason", async () => {
    serve(() => HttpResponse.json({ ok: true }, { status: 201 }));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason:
        'ShineOn answered without an order id: HTTP 201 with a body we could not use ("{"ok":true}")',
    });
  });
});

describe("ShineOn validate", () => {
  it("accepts a complete order", () => {
    expect(provider().validate(purchaseOrder())).toEqual([]);
  });

  it("requires a postal code", () => {
    const po = purchaseOrder();
    expect(provider().validate({ ...po, recipient: { ...po.recipient, zip: "" } })).toEqual([
      expect.objectContaining({
        code: "address_missing_field",
        message: "The shipping address has no postal code, which ShineOn requires",
      }),
    ]);
  });

  it("accepts an engraving without a design file but not a personalised item with nothing", () => {
    const po = purchaseOrder({
      items: [
        item({ personalization: { options: { "Engraving Line 1": "Always" } } }),
        item({ lineId: "line-2", personalization: null }),
      ],
    });
    expect(provider().validate(po)).toEqual([
      expect.objectContaining({ code: "personalisation_missing", lineId: "line-2" }),
    ]);
  });

  it("requires the token and a signing secret for the notification URL", () => {
    expect(provider({ credentials: {}, signingSecret: null }).validate(purchaseOrder())).toEqual([
      expect.objectContaining({ code: "provider_credentials_missing" }),
      expect.objectContaining({
        code: "provider_secret_missing",
        fix: "Save the provider once to give it a signing secret (Settings → Providers → ShineOn jewellery → Edit, then Save)",
        recheck: true,
      }),
    ]);
  });
});

describe("ShineOn shipment notifications", () => {
  const notification = {
    order: {
      id: 98765,
      source_id: "PO-1001-1",
      store_order_id: "PO-1001-1",
      line_items: [
        {
          id: 20017,
          store_line_item_id: "line-1",
          sku: "SO-20021",
          quantity: 2,
          tracking_company: "USPS",
          tracking_number: "9400110200881958183792",
        },
        {
          id: 20018,
          store_line_item_id: "line-2",
          sku: "SO-ENGRAVE-1",
          quantity: 1,
          tracking_company: null,
          tracking_number: null,
        },
      ],
    },
  };

  it("reads a notification as a parcel holding our lines", () => {
    expect(provider().parseEvent(incoming(notification, { url: NOTIFY_URL }))).toEqual({
      ok: true,
      events: [
        {
          type: "shipped",
          eventId: "shineon:shipped:98765:9400110200881958183792",
          providerOrderId: "98765",
          poNumber: "PO-1001-1",
          shipment: {
            carrier: "USPS",
            trackingNumber: "9400110200881958183792",
            trackingUrl: null,
            shippedAt: NOW,
            items: [{ lineId: "line-1", quantity: 2 }],
          },
        },
      ],
    });
  });

  it("falls back to store_order_id when source_id comes back empty", () => {
    const body = { order: { ...notification.order, source_id: "" } };
    expect(provider().parseEvent(incoming(body, { url: NOTIFY_URL }))).toMatchObject({
      ok: true,
      events: [{ poNumber: "PO-1001-1" }],
    });
  });

  it("reads a cancelled order as a cancellation", () => {
    const body = {
      order: { ...notification.order, status: "cancelled", cancel_reason: "canceled_by_seller" },
    };
    expect(provider().parseEvent(incoming(body, { url: NOTIFY_URL }))).toEqual({
      ok: true,
      events: [
        {
          type: "cancelled",
          eventId: "shineon:cancelled:98765",
          providerOrderId: "98765",
          poNumber: "PO-1001-1",
          reason: "canceled_by_seller",
        },
      ],
    });
  });

  it.each([
    ["a wrong token", `${CALLBACK_URL}?token=guess`],
    ["no token", CALLBACK_URL],
  ])("answers 401 to %s", (_label, url) => {
    expect(provider().parseEvent(incoming(notification, { url }))).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("answers 401 when no secret is configured", () => {
    expect(
      provider({ signingSecret: null }).parseEvent(incoming(notification, { url: NOTIFY_URL })),
    ).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ["a body that is not JSON", "<xml/>"],
    ["an order without an id", JSON.stringify({ order: { line_items: [] } })],
    [
      "a line without a quantity",
      JSON.stringify({
        order: { id: 1, line_items: [{ store_line_item_id: "line-1", tracking_number: "X" }] },
      }),
    ],
  ])("answers 400 to %s", (_label, raw) => {
    expect(provider().parseEvent(incoming(raw, { url: NOTIFY_URL }))).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it.each([
    ["something that is not about an order", { ping: true }],
    ["an order with nothing shipped yet", { order: { id: 98765, line_items: [] } }],
  ])("returns no events for %s", (_label, body) => {
    expect(provider().parseEvent(incoming(body, { url: NOTIFY_URL }))).toEqual({
      ok: true,
      events: [],
    });
  });
});

describe("ShineOn poll and cancel", () => {
  const submitted = { poNumber: "PO-1001-1", providerOrderId: "98765" };

  it("polls the order and reads tracking from its lines", async () => {
    const seen: string[] = [];
    mswServer.use(
      http.get(ORDER_URL, ({ params, request }) => {
        seen.push(`${String(params.id)} ${request.headers.get("authorization")}`);
        return HttpResponse.json({
          order: shineOnOrder({
            status: "shipped",
            line_items: [
              {
                id: 20017,
                store_line_item_id: "line-1",
                sku: "SO-20021",
                quantity: 2,
                tracking_company: "USPS",
                tracking_number: "9400110200881958183792",
              },
            ],
          }),
        });
      }),
    );
    const events = await provider().poll!(submitted, { signal: openSignal() });
    expect(seen).toEqual([`98765 Bearer ${TOKEN}`]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "shipped",
        eventId: "shineon:shipped:98765:9400110200881958183792",
      }),
    ]);
  });

  it("throws a readable error when the order cannot be fetched", async () => {
    mswServer.use(
      http.get(ORDER_URL, () => HttpResponse.json({ error: "Order not found" }, { status: 404 })),
    );
    await expect(provider().poll!(submitted, { signal: openSignal() })).rejects.toThrow(
      "ShineOn order look-up failed: Order not found (HTTP 404)",
    );
  });

  it("cancels with ShineOn's cancel endpoint", async () => {
    const seen: string[] = [];
    mswServer.use(
      http.post(CANCEL_URL, ({ params }) => {
        seen.push(String(params.id));
        return new HttpResponse(null, { status: 202 });
      }),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "cancelled",
    });
    expect(seen).toEqual(["98765"]);
  });

  it("passes on a refusal to cancel", async () => {
    mswServer.use(
      http.post(CANCEL_URL, () =>
        HttpResponse.json({ error: "Order is already in production" }, { status: 422 }),
      ),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "refused",
      reason: "ShineOn would not cancel the order: Order is already in production",
    });
  });

  it("reports a cancel that times out as unavailable", async () => {
    mswServer.use(
      http.post(CANCEL_URL, async () => {
        await delay("infinite");
        return new HttpResponse(null, { status: 202 });
      }),
    );
    expect(await provider({}, 50).cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "ShineOn did not answer within 50 ms",
    });
  });
});
