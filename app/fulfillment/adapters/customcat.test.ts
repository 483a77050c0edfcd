import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { mswServer } from "../../../tests/support/msw";
import type { ProviderConfig, ProviderFactory } from "../provider";
import { CUSTOMCAT_BASE_URL, createCustomCatProvider } from "./customcat";
import {
  NOW,
  incoming,
  item,
  openSignal,
  providerConfig,
  purchaseOrder,
  testDeps,
} from "./pod-test-fixtures";

const API_KEY = "cc-rw-4f1d2a";
const READ_KEY = "cc-ro-99e0aa";
const ORDER_URL = `${CUSTOMCAT_BASE_URL}/order/PO-1001-1`;
const STATUS_URL = `${CUSTOMCAT_BASE_URL}/order/status/PO-1001-1`;
const CC_ORDER_ID = "6f1c2d7e-0b6a-4d0e-9a51-3c8e1f2a9b10";

function config(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return providerConfig({
    kind: "customcat",
    name: "CustomCat US",
    credentials: { apiKey: API_KEY },
    settings: {
      sandbox: true,
      shippingMethod: "Economy",
      shippingMethods: { express: "2 Day" },
      catalogSkus: { "TEE-BLK-M": "45475" },
    },
    ...overrides,
  });
}

function provider(overrides: Partial<ProviderConfig> = {}, timeoutMs?: number) {
  const factory: ProviderFactory = createCustomCatProvider;
  return factory(config(overrides), { ...testDeps(), timeoutMs });
}

interface Captured {
  method: string;
  url: URL;
  contentType: string | null;
  body: Record<string, unknown>;
}

function captureOrder(reply: () => Response | Promise<Response>) {
  const seen: Captured[] = [];
  mswServer.use(
    http.post(ORDER_URL, async ({ request }) => {
      seen.push({
        method: request.method,
        url: new URL(request.url),
        contentType: request.headers.get("content-type"),
        body: (await request.json()) as Record<string, unknown>,
      });
      return reply();
    }),
  );
  return seen;
}

const created = () =>
  HttpResponse.json({
    ORDER_ID: "PO-1001-1",
    MSG: "Order added successfully",
    CUSTOMCAT_ORDER_ID: CC_ORDER_ID,
  });

describe("CustomCat submit", () => {
  it("posts the order under our PO number with the key, address, items and sandbox flag", async () => {
    const seen = captureOrder(created);
    const po = purchaseOrder({
      shippingMethod: "express",
      items: [
        item(),
        item({
          lineId: "line-2",
          sku: "MUG-CC-11",
          title: "Catalog mug",
          quantity: 1,
          personalised: false,
          personalization: null,
        }),
      ],
    });

    const outcome = await provider().submit(po, { signal: openSignal() });

    expect(outcome).toEqual({ kind: "accepted", providerOrderId: CC_ORDER_ID });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url.pathname).toBe("/api/v1/order/PO-1001-1");
    expect(request?.contentType).toContain("application/json");
    expect(request?.body).toEqual({
      api_key: API_KEY,
      shipping_first_name: "Ada King",
      shipping_last_name: "Lovelace",
      shipping_address1: "1300 Rosa Parks Blvd",
      shipping_address2: "Suite 4",
      shipping_city: "Detroit",
      shipping_state: "MI",
      shipping_zip: "48216",
      shipping_country: "US",
      shipping_email: "ada@example.com",
      shipping_phone: "3135551234",
      shipping_method: "2 Day",
      items: [
        {
          catalog_sku: "45475",
          design_url: "https://cdn.example/designs/line-1.png",
          quantity: 2,
        },
        { sku: "MUG-CC-11", quantity: 1 },
      ],
      sandbox: "1",
    });
  });

  it("sends live orders and the default method when the cart's method is not mapped", async () => {
    const seen = captureOrder(created);
    await provider({ settings: {} }).submit(purchaseOrder(), { signal: openSignal() });
    expect(seen[0]?.body).toMatchObject({ sandbox: "0", shipping_method: "Economy" });
    expect(seen[0]?.body.items).toEqual([
      {
        catalog_sku: "TEE-BLK-M",
        design_url: "https://cdn.example/designs/line-1.png",
        quantity: 2,
      },
    ]);
  });

  it("treats a duplicate order id as already accepted and looks up CustomCat's id", async () => {
    captureOrder(() =>
      HttpResponse.json({ error_description: "Duplicate Order: PO-1001-1" }, { status: 400 }),
    );
    const lookups: URL[] = [];
    mswServer.use(
      http.get(STATUS_URL, ({ request }) => {
        lookups.push(new URL(request.url));
        return HttpResponse.json({
          ORDER_ID: "PO-1001-1",
          CUSTOMCAT_ORDER_ID: CC_ORDER_ID,
          ORDER_DATE: "2025-03-01 11:58:00",
          ORDER_STATUS: "Pending",
          SHIPMENTS: [],
          LINE_ITEMS: [{ STATUS: "Processing", PRODUCT_NAME: "Bella+Canvas 3001C" }],
        });
      }),
    );

    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });

    expect(outcome).toEqual({ kind: "accepted", providerOrderId: CC_ORDER_ID });
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.searchParams.get("api_key")).toBe(API_KEY);
  });

  it("still accepts a duplicate when the look-up fails, keyed by our PO number", async () => {
    captureOrder(() => HttpResponse.json({ MSG: "Duplicate Order" }, { status: 400 }));
    mswServer.use(http.get(STATUS_URL, () => new HttpResponse(null, { status: 503 })));
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "PO-1001-1" });
  });

  it("turns a 400 into a rejection carrying CustomCat's own message", async () => {
    captureOrder(() =>
      HttpResponse.json(
        { error: "invalid_request", error_description: "Invalid Shipping Method" },
        { status: 400 },
      ),
    );
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "rejected",
      reason: "CustomCat refused the order: Invalid Shipping Method",
    });
  });

  it("rejects a 403 from a read-only key with their message", async () => {
    captureOrder(() => HttpResponse.json({ MSG: "Forbidden: read-only API key" }, { status: 403 }));
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "rejected",
      reason: "CustomCat refused the order: Forbidden: read-only API key",
    });
  });

  it.each([
    [500, "Internal Server Error"],
    [502, "Bad Gateway"],
    [429, "Too Many Requests"],
  ])("reports HTTP %i as unavailable", async (status, message) => {
    captureOrder(() => HttpResponse.json({ MSG: message }, { status }));
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "unavailable",
      reason: `CustomCat is unavailable: ${message} (HTTP ${status})`,
    });
  });

  it("reports a timeout as unavailable", async () => {
    captureOrder(async () => {
      await delay("infinite");
      return created();
    });
    const outcome = await provider({}, 50).submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "unavailable",
      reason: "CustomCat did not answer within 50 ms",
    });
  });

  it("reports a network failure as unavailable", async () => {
    mswServer.use(http.post(ORDER_URL, () => HttpResponse.error()));
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome.kind).toBe("unavailable");
    expect(outcome.kind === "unavailable" && outcome.reason).toMatch(
      /^CustomCat could not be reached \(.+\)$/,
    );
  });

  it("honours the caller's abort signal", async () => {
    captureOrder(async () => {
      await delay("infinite");
      return created();
    });
    const controller = new AbortController();
    const pending = provider().submit(purchaseOrder(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toEqual({
      kind: "unavailable",
      reason: "CustomCat did not answer before the call was cancelled",
    });
  });

  it("reports an HTML page as unavailable, quoting its start", async () => {
    captureOrder(
      () =>
        new HttpResponse("<html><body>Bad gateway</body></html>", {
          status: 200,
          headers: { "Content-Type": "text/html" },
        }),
    );
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "unavailable",
      reason:
        'CustomCat answered without an order id: HTTP 200 with a body we could not use ("<html><body>Bad gateway</body></html>")',
    });
  });

  it("reports a 200 without an order id as unavailable, with their message", async () => {
    captureOrder(() => HttpResponse.json({ MSG: "Order is being processed" }));
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome).toEqual({
      kind: "unavailable",
      reason: "CustomCat answered without an order id: Order is being processed",
    });
  });

  it("refuses to send without an API key, and never calls out", async () => {
    const outcome = await provider({ credentials: {} }).submit(purchaseOrder(), {
      signal: openSignal(),
    });
    expect(outcome).toEqual({ kind: "rejected", reason: "CustomCat: no API key is saved" });
  });
});

describe("CustomCat validate", () => {
  it("accepts a complete order", () => {
    expect(provider().validate(purchaseOrder())).toEqual([]);
  });

  it("requires email, phone, postal code and a US state code", () => {
    const po = purchaseOrder();
    const problems = provider().validate({
      ...po,
      recipient: { ...po.recipient, email: null, phone: " ", zip: null, provinceCode: null },
    });
    expect(problems.map((p) => p.message)).toEqual([
      "The shipping address has no postal code, which CustomCat requires",
      "The shipping address has no email address, which CustomCat requires",
      "The shipping address has no phone number, which CustomCat requires",
      "CustomCat needs a state/province code for addresses in US",
    ]);
  });

  it("requires a design file for a personalised item", () => {
    const po = purchaseOrder({ items: [item({ personalization: { options: { Name: "Ada" } } })] });
    expect(provider().validate(po)).toEqual([
      expect.objectContaining({ code: "design_file_missing", lineId: "line-1" }),
    ]);
  });

  it("reports a missing key and unreadable settings with where to fix them", () => {
    const problems = provider({ credentials: {}, settings: { sandbox: "yes" } }).validate(
      purchaseOrder(),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        code: "provider_credentials_missing",
        fix: "Paste your CustomCat API key (Settings → Providers → CustomCat US → Edit)",
        recheck: true,
      }),
      expect.objectContaining({
        code: "provider_settings_invalid",
        message: expect.stringContaining("sandbox"),
      }),
    ]);
  });
});

describe("CustomCat webhooks", () => {
  const shipped = {
    api_key: API_KEY,
    order_id: "PO-1001-1",
    customcat_order_id: CC_ORDER_ID,
    tracker_number: "9400111899223817612345",
    tracking_url: "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223817612345",
  };

  it("reads an order-shipped payload as a shipment of the whole order", () => {
    expect(provider().parseEvent(incoming(shipped))).toEqual({
      ok: true,
      events: [
        {
          type: "shipped",
          eventId: "customcat:shipped:PO-1001-1:9400111899223817612345",
          providerOrderId: CC_ORDER_ID,
          poNumber: "PO-1001-1",
          shipment: {
            carrier: null,
            trackingNumber: "9400111899223817612345",
            trackingUrl: shipped.tracking_url,
            shippedAt: NOW,
            items: "all",
          },
        },
      ],
    });
  });

  it("records a partial shipment's tracking without marking lines shipped", () => {
    const parsed = provider().parseEvent(incoming({ ...shipped, items_remaining: 1 }));
    expect(
      parsed.ok && parsed.events[0]?.type === "shipped" && parsed.events[0].shipment.items,
    ).toEqual([]);
  });

  it("accepts the read-only key when the owner saved it as the signing secret", () => {
    const parsed = provider({ signingSecret: READ_KEY }).parseEvent(
      incoming({ ...shipped, api_key: READ_KEY }),
    );
    expect(parsed).toMatchObject({ ok: true, events: [{ type: "shipped" }] });
  });

  it("drops a tracking URL that is not http(s)", () => {
    const parsed = provider().parseEvent(
      incoming({ ...shipped, tracking_url: "javascript:alert(1)" }),
    );
    expect(
      parsed.ok && parsed.events[0]?.type === "shipped" && parsed.events[0].shipment.trackingUrl,
    ).toBe(null);
  });

  it.each([
    ["a wrong key", { ...shipped, api_key: "someone-else" }],
    ["no key", { ...shipped, api_key: undefined }],
    ["a key of another type", { ...shipped, api_key: 12345 }],
  ])("answers 401 to %s", (_label, body) => {
    expect(provider().parseEvent(incoming(body))).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 401 when no key is configured at all", () => {
    expect(provider({ credentials: {} }).parseEvent(incoming(shipped))).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it.each([
    ["a body that is not JSON", "tracker_number=1"],
    ["a JSON array", "[]"],
    ["a shipment without an order id", JSON.stringify({ ...shipped, order_id: undefined })],
    ["an empty tracking number", JSON.stringify({ ...shipped, tracker_number: "" })],
  ])("answers 400 to %s", (_label, raw) => {
    expect(provider().parseEvent(incoming(raw))).toMatchObject({ ok: false, status: 400 });
  });

  it.each([
    ["a product webhook", { api_key: API_KEY, product_id: 1032, name: "Mug" }],
    ["an unknown topic", { ...shipped, topic: "product-updated" }],
  ])("ignores %s", (_label, body) => {
    expect(provider().parseEvent(incoming(body))).toEqual({ ok: true, events: [] });
  });
});

describe("CustomCat poll", () => {
  const submitted = { poNumber: "PO-1001-1", providerOrderId: CC_ORDER_ID };

  it("reads shipments from the order status, with the same event id as the webhook", async () => {
    const seen: URL[] = [];
    mswServer.use(
      http.get(STATUS_URL, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({
          ORDER_ID: "PO-1001-1",
          CUSTOMCAT_ORDER_ID: CC_ORDER_ID,
          ORDER_STATUS: "Shipped",
          SHIPMENTS: [{ TRACKING_ID: "9400111899223817612345", METHOD: "Economy", VENDOR: "USPS" }],
          LINE_ITEMS: [{ STATUS: "Shipped", PRODUCT_NAME: "Bella+Canvas 3001C" }],
        });
      }),
    );

    const events = await provider().poll!(submitted, { signal: openSignal() });

    expect(seen[0]?.searchParams.get("api_key")).toBe(API_KEY);
    expect(events).toEqual([
      {
        type: "shipped",
        eventId: "customcat:shipped:PO-1001-1:9400111899223817612345",
        providerOrderId: CC_ORDER_ID,
        poNumber: "PO-1001-1",
        shipment: {
          carrier: "USPS",
          trackingNumber: "9400111899223817612345",
          trackingUrl: null,
          shippedAt: NOW,
          items: "all",
        },
      },
    ]);
  });

  it("returns nothing while the order is in production", async () => {
    mswServer.use(
      http.get(STATUS_URL, () =>
        HttpResponse.json({ ORDER_ID: "PO-1001-1", ORDER_STATUS: "Verified", SHIPMENTS: [] }),
      ),
    );
    expect(await provider().poll!(submitted, { signal: openSignal() })).toEqual([]);
  });

  it("throws a readable error when CustomCat cannot be read", async () => {
    mswServer.use(http.get(STATUS_URL, () => new HttpResponse("oops", { status: 500 })));
    await expect(provider().poll!(submitted, { signal: openSignal() })).rejects.toThrow(
      'CustomCat order status failed: HTTP 500 with a body we could not use ("oops")',
    );
  });
});

describe("CustomCat cancel", () => {
  const submitted = { poNumber: "PO-1001-1", providerOrderId: CC_ORDER_ID };

  it("deletes the order by our PO number", async () => {
    const seen: URL[] = [];
    mswServer.use(
      http.delete(ORDER_URL, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ ORDER_ID: "PO-1001-1", MSG: "Order deleted" });
      }),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "cancelled",
    });
    expect(seen[0]?.searchParams.get("api_key")).toBe(API_KEY);
  });

  it("passes on CustomCat's refusal once the order is in production", async () => {
    mswServer.use(
      http.delete(ORDER_URL, () =>
        HttpResponse.json(
          { MSG: "Order is in production and cannot be cancelled" },
          { status: 400 },
        ),
      ),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "refused",
      reason:
        "CustomCat would not cancel the order: Order is in production and cannot be cancelled",
    });
  });

  it("reports a 503 as unavailable", async () => {
    mswServer.use(http.delete(ORDER_URL, () => new HttpResponse(null, { status: 503 })));
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "CustomCat is unavailable: HTTP 503 with an empty body",
    });
  });
});
