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
import { PRINTFUL_BASE_URL, createPrintfulProvider } from "./printful";

const TOKEN = "pf_private_5a1e";
const SECRET = "whsec_printful_77c1";
const ORDERS_URL = `${PRINTFUL_BASE_URL}/orders`;
const ORDER_URL = `${ORDERS_URL}/:id`;
const CONFIRM_URL = `${ORDERS_URL}/:id/confirm`;
const WEBHOOK_URL = `${CALLBACK_URL}?token=${SECRET}`;

function config(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return providerConfig({
    kind: "printful",
    name: "Printful EU",
    credentials: { token: TOKEN },
    signingSecret: SECRET,
    settings: {
      storeId: "1234567",
      variantIds: { "TEE-BLK-M": 4017, "POSTER-18x24": "1" },
      shippingMethods: { standard: "STANDARD" },
      optionIds: ["embroidery_type"],
    },
    ...overrides,
  });
}

function provider(overrides: Partial<ProviderConfig> = {}, timeoutMs?: number) {
  const factory: ProviderFactory = createPrintfulProvider;
  return factory(config(overrides), { ...testDeps(), timeoutMs });
}

/** Printful's order object, in the shape of their v1 "Get order data" response. */
function printfulOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 13,
    external_id: "PO-1001-1",
    store: 1234567,
    status: "pending",
    shipping: "STANDARD",
    shipping_service_name: "Flat Rate (3-4 business days after fulfillment)",
    created: 1740830340,
    updated: 1740830340,
    recipient: { name: "Ada King Lovelace", country_code: "US" },
    items: [
      {
        id: 501,
        external_id: "line-1",
        variant_id: 4017,
        quantity: 2,
        price: "13.50",
        retail_price: "24.00",
        name: "Name tee",
        files: [{ type: "default", url: "https://cdn.example/designs/line-1.png" }],
        options: [],
      },
      {
        id: 502,
        external_id: "line-2",
        variant_id: 1,
        quantity: 1,
        price: "9.00",
        retail_price: "18.00",
        name: "Poster",
        files: [],
        options: [],
      },
    ],
    incomplete_items: [],
    costs: { currency: "USD", total: "36.00" },
    shipments: [],
    ...overrides,
  };
}

const shipment = {
  id: 10,
  carrier: "USPS",
  service: "USPS First Class Package",
  tracking_number: "9400111899223817612345",
  tracking_url: "https://myorders.co/tracking/9400111899223817612345",
  created: 1740916800,
  ship_date: "2025-03-02",
  shipped_at: 1740916800,
  reshipment: false,
  items: [{ item_id: 501, quantity: 2 }],
};

interface Seen {
  method: string;
  url: URL;
  authorization: string | null;
  storeId: string | null;
  body?: unknown;
}

function record(request: Request, body?: unknown): Seen {
  return {
    method: request.method,
    url: new URL(request.url),
    authorization: request.headers.get("authorization"),
    storeId: request.headers.get("x-pf-store-id"),
    body,
  };
}

function serveCreate(reply: () => Response | Promise<Response>) {
  const seen: Seen[] = [];
  mswServer.use(
    http.post(ORDERS_URL, async ({ request }) => {
      seen.push(record(request, await request.json()));
      return reply();
    }),
  );
  return seen;
}

const createdReply = () => HttpResponse.json({ code: 200, result: printfulOrder() });

function printfulError(status: number, message: string, reason = "BadRequest") {
  return HttpResponse.json(
    { code: status, result: message, error: { reason, message } },
    { status },
  );
}

describe("Printful submit", () => {
  it("creates and confirms the order with recipient, mapped variants, files and options", async () => {
    const seen = serveCreate(createdReply);
    const po = purchaseOrder({
      items: [
        item({
          personalization: {
            designUrl: "https://cdn.example/designs/line-1.png",
            options: { Name: "Ada", embroidery_type: "flat" },
          },
        }),
        item({
          lineId: "line-2",
          sku: "POSTER-18x24",
          title: "Poster",
          quantity: 1,
          price: "18.00",
          personalised: false,
          personalization: { designUrl: "https://cdn.example/posters/galaxy.pdf" },
        }),
      ],
    });

    const outcome = await provider().submit(po, { signal: openSignal() });

    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "13" });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url.pathname).toBe("/orders");
    expect(request?.url.searchParams.get("confirm")).toBe("true");
    expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.storeId).toBe("1234567");
    expect(request?.body).toEqual({
      external_id: "PO-1001-1",
      shipping: "STANDARD",
      retail_costs: { currency: "USD" },
      recipient: {
        name: "Ada King Lovelace",
        address1: "1300 Rosa Parks Blvd",
        address2: "Suite 4",
        city: "Detroit",
        state_code: "MI",
        state_name: "Michigan",
        country_code: "US",
        zip: "48216",
        phone: "3135551234",
        email: "ada@example.com",
      },
      items: [
        {
          external_id: "line-1",
          variant_id: 4017,
          quantity: 2,
          retail_price: "24.00",
          name: "Name tee",
          files: [{ url: "https://cdn.example/designs/line-1.png" }],
          options: [{ id: "embroidery_type", value: "flat" }],
        },
        {
          external_id: "line-2",
          variant_id: 1,
          quantity: 1,
          retail_price: "18.00",
          name: "Poster",
          files: [{ url: "https://cdn.example/posters/galaxy.pdf" }],
          options: [],
        },
      ],
    });
  });

  it("sends no store header with a store-level token", async () => {
    const seen = serveCreate(createdReply);
    await provider({ settings: { variantIds: { "TEE-BLK-M": 4017 } } }).submit(purchaseOrder(), {
      signal: openSignal(),
    });
    expect(seen[0]?.storeId).toBeNull();
    expect(seen[0]?.body).not.toHaveProperty("shipping");
  });

  it.each([
    ["a 409", () => printfulError(409, "Order with this external ID already exists", "Conflict")],
    ["a 400 about the external id", () => printfulError(400, "External ID is already used")],
  ])("treats %s as already accepted and fetches the existing order", async (_label, reply) => {
    serveCreate(reply);
    const lookups: Seen[] = [];
    mswServer.use(
      http.get(ORDER_URL, ({ request }) => {
        lookups.push(record(request));
        return HttpResponse.json({ code: 200, result: printfulOrder() });
      }),
    );

    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });

    expect(outcome).toEqual({ kind: "accepted", providerOrderId: "13" });
    expect(lookups.map((l) => l.url.pathname)).toEqual(["/orders/@PO-1001-1"]);
    expect(lookups[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(lookups[0]?.storeId).toBe("1234567");
  });

  it("confirms an existing order that an earlier attempt left as a draft", async () => {
    serveCreate(() => printfulError(409, "Order with this external ID already exists", "Conflict"));
    const confirmed: string[] = [];
    mswServer.use(
      http.get(ORDER_URL, () =>
        HttpResponse.json({ code: 200, result: printfulOrder({ status: "draft" }) }),
      ),
      http.post(CONFIRM_URL, ({ params }) => {
        confirmed.push(String(params.id));
        return HttpResponse.json({ code: 200, result: printfulOrder() });
      }),
    );
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "accepted",
      providerOrderId: "13",
    });
    expect(confirmed).toEqual(["13"]);
  });

  it("turns a 400 into a rejection carrying Printful's message", async () => {
    serveCreate(() => printfulError(400, "Recipient: State code is not valid"));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "Printful refused the order: Recipient: State code is not valid",
    });
  });

  it("turns a 401 into a rejection carrying Printful's message", async () => {
    serveCreate(() => printfulError(401, "The access token provided is invalid.", "Unauthorized"));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "Printful refused the order: The access token provided is invalid.",
    });
  });

  it.each([
    [429, "Too many requests"],
    [500, "Internal error"],
    [503, "Service unavailable"],
  ])("reports HTTP %i as unavailable", async (status, message) => {
    serveCreate(() => printfulError(status, message, "ServerError"));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: `Printful is unavailable: ${message} (HTTP ${status})`,
    });
  });

  it("reports a timeout as unavailable", async () => {
    serveCreate(async () => {
      await delay("infinite");
      return createdReply();
    });
    expect(await provider({}, 50).submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "Printful did not answer within 50 ms",
    });
  });

  it("reports a network failure as unavailable", async () => {
    serveCreate(() => HttpResponse.error());
    const outcome = await provider().submit(purchaseOrder(), { signal: openSignal() });
    expect(outcome.kind === "unavailable" && outcome.reason).toMatch(
      /^Printful could not be reached/,
    );
  });

  it("reports a body without an order id as unavailable with a readable reason", async () => {
    serveCreate(() => new HttpResponse("Service Temporarily Unavailable", { status: 200 }));
    expect(await provider().submit(purchaseOrder(), { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason:
        'Printful answered without an order id: HTTP 200 with a body we could not use ("Service Temporarily Unavailable")',
    });
  });

  it("refuses to send an order with an unmapped SKU, without calling Printful", async () => {
    const po = purchaseOrder({ items: [item({ sku: "MUG-WHT-11" })] });
    expect(await provider().submit(po, { signal: openSignal() })).toEqual({
      kind: "rejected",
      reason: "Printful: no variant id is mapped for MUG-WHT-11",
    });
  });
});

describe("Printful validate", () => {
  it("accepts a complete order", () => {
    expect(provider().validate(purchaseOrder())).toEqual([]);
  });

  it("asks to map a SKU that has no variant id", () => {
    const po = purchaseOrder({ items: [item({ sku: "MUG-WHT-11" })] });
    expect(provider().validate(po)).toEqual([
      {
        code: "variant_not_mapped",
        lineId: "line-1",
        message: "Name tee (MUG-WHT-11) is not mapped to a Printful product variant",
        fix: "Add a rule for SKU MUG-WHT-11 with its Printful variant id (Settings → Providers → Routing rules → Add rule, provider Printful EU)",
        recheck: true,
      },
    ]);
  });

  it("takes the variant id a routing rule names, over the settings' map", async () => {
    const po = purchaseOrder({
      items: [item({ sku: "MUG-WHT-11", providerProduct: "1320" })],
    });
    expect(provider().validate(po)).toEqual([]);
    const seen = serveCreate(createdReply);
    expect((await provider().submit(po, { signal: openSignal() })).kind).toBe("accepted");
    const body = seen[0]?.body as { items: { variant_id: number }[] };
    expect(body.items.map((i) => i.variant_id)).toEqual([1320]);
  });

  it("needs a print file even for items that are not personalised", () => {
    const po = purchaseOrder({
      items: [item({ sku: "POSTER-18x24", personalised: false, personalization: null })],
    });
    expect(provider().validate(po)).toEqual([
      expect.objectContaining({ code: "design_file_missing", lineId: "line-1" }),
    ]);
  });

  it("needs a state code in the USA, Canada and Australia", () => {
    const po = purchaseOrder();
    const recipient = { ...po.recipient, countryCode: "CA", provinceCode: null };
    expect(provider().validate({ ...po, recipient })).toEqual([
      expect.objectContaining({
        message: "Printful needs a state/province code for addresses in CA",
      }),
    ]);
  });

  it("explains that Brazil needs a tax number we do not have", () => {
    const po = purchaseOrder();
    const recipient = { ...po.recipient, countryCode: "BR", provinceCode: null };
    expect(provider().validate({ ...po, recipient })).toEqual([
      expect.objectContaining({ code: "tax_number_required" }),
    ]);
  });

  it("reports unreadable settings", () => {
    const problems = provider({ settings: { variantIds: { "TEE-BLK-M": "t-shirt" } } }).validate(
      purchaseOrder(),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        code: "provider_settings_invalid",
        message: expect.stringContaining("variantIds.TEE-BLK-M"),
      }),
    ]);
  });
});

describe("Printful webhooks", () => {
  const shipped = {
    type: "package_shipped",
    created: 1740916900,
    retries: 0,
    store: 1234567,
    data: { shipment, order: printfulOrder({ status: "partial", shipments: [shipment] }) },
  };

  it("reads package_shipped with the shipped lines mapped to our line ids", () => {
    expect(provider().parseEvent(incoming(shipped, { url: WEBHOOK_URL }))).toEqual({
      ok: true,
      events: [
        {
          type: "shipped",
          eventId: "printful:shipment:10",
          providerOrderId: "13",
          poNumber: "PO-1001-1",
          shipment: {
            carrier: "USPS",
            trackingNumber: "9400111899223817612345",
            trackingUrl: "https://myorders.co/tracking/9400111899223817612345",
            shippedAt: new Date(1740916800 * 1000),
            items: [{ lineId: "line-1", quantity: 2 }],
          },
        },
      ],
    });
  });

  it("reads order_failed as a rejection with Printful's reason", () => {
    const body = {
      type: "order_failed",
      created: 1740916900,
      retries: 0,
      store: 1234567,
      data: {
        reason: "Print file could not be downloaded",
        order: printfulOrder({ status: "failed" }),
      },
    };
    expect(provider().parseEvent(incoming(body, { url: WEBHOOK_URL }))).toEqual({
      ok: true,
      events: [
        {
          type: "rejected",
          eventId: "printful:order_failed:13:1740830340",
          providerOrderId: "13",
          poNumber: "PO-1001-1",
          reason: "Printful could not fulfil the order: Print file could not be downloaded",
        },
      ],
    });
  });

  it("reads order_canceled as a cancellation", () => {
    const body = {
      type: "order_canceled",
      created: 1740916900,
      retries: 1,
      store: 1234567,
      data: { reason: "Canceled by the customer", order: printfulOrder({ status: "canceled" }) },
    };
    expect(provider().parseEvent(incoming(body, { url: WEBHOOK_URL }))).toMatchObject({
      ok: true,
      events: [
        {
          type: "cancelled",
          reason: "Canceled by the customer",
          eventId: "printful:order_canceled:13",
        },
      ],
    });
  });

  it.each([
    ["a wrong token", `${CALLBACK_URL}?token=nope`],
    ["no token", CALLBACK_URL],
  ])("answers 401 to %s", (_label, url) => {
    expect(provider().parseEvent(incoming(shipped, { url }))).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it.each([
    ["a body that is not JSON", "{"],
    ["an event without a type", JSON.stringify({ data: {} })],
    [
      "a shipment without its order",
      JSON.stringify({ type: "package_shipped", data: { shipment } }),
    ],
    [
      "a shipment without a tracking number",
      JSON.stringify({
        ...shipped,
        data: { ...shipped.data, shipment: { ...shipment, tracking_number: null } },
      }),
    ],
  ])("answers 400 to %s", (_label, raw) => {
    expect(provider().parseEvent(incoming(raw, { url: WEBHOOK_URL }))).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it.each(["stock_updated", "product_synced", "order_put_hold", "package_returned"])(
    "ignores %s",
    (type) => {
      const body = { type, created: 1740916900, retries: 0, store: 1234567, data: {} };
      expect(provider().parseEvent(incoming(body, { url: WEBHOOK_URL }))).toEqual({
        ok: true,
        events: [],
      });
    },
  );
});

describe("Printful poll and cancel", () => {
  const submitted = { poNumber: "PO-1001-1", providerOrderId: "13" };

  it("polls the order and reports its shipments with the webhook's event ids", async () => {
    const seen: Seen[] = [];
    mswServer.use(
      http.get(ORDER_URL, ({ request }) => {
        seen.push(record(request));
        return HttpResponse.json({
          code: 200,
          result: printfulOrder({ status: "fulfilled", shipments: [shipment] }),
        });
      }),
    );
    const events = await provider().poll!(submitted, { signal: openSignal() });
    expect(seen.map((s) => s.url.pathname)).toEqual(["/orders/13"]);
    expect(events).toEqual([
      expect.objectContaining({ type: "shipped", eventId: "printful:shipment:10" }),
    ]);
  });

  it("reports a failed order as a rejection", async () => {
    mswServer.use(
      http.get(ORDER_URL, () =>
        HttpResponse.json({ code: 200, result: printfulOrder({ status: "failed" }) }),
      ),
    );
    expect(await provider().poll!(submitted, { signal: openSignal() })).toEqual([
      expect.objectContaining({ type: "rejected", eventId: "printful:order_failed:13:1740830340" }),
    ]);
  });

  it("throws a readable error when Printful cannot be read", async () => {
    mswServer.use(http.get(ORDER_URL, () => printfulError(404, "Not Found", "NotFound")));
    await expect(provider().poll!(submitted, { signal: openSignal() })).rejects.toThrow(
      "Printful order look-up failed: Not Found (HTTP 404)",
    );
  });

  it("cancels by deleting the order", async () => {
    const seen: Seen[] = [];
    mswServer.use(
      http.delete(ORDER_URL, ({ request }) => {
        seen.push(record(request));
        return HttpResponse.json({ code: 200, result: printfulOrder({ status: "canceled" }) });
      }),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "cancelled",
    });
    expect(seen.map((s) => `${s.method} ${s.url.pathname}`)).toEqual(["DELETE /orders/13"]);
  });

  it("passes on Printful's refusal to cancel an order in production", async () => {
    mswServer.use(
      http.delete(ORDER_URL, () =>
        printfulError(400, "Order is being fulfilled and can not be canceled"),
      ),
    );
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "refused",
      reason:
        "Printful would not cancel the order: Order is being fulfilled and can not be canceled",
    });
  });

  it("reports a cancel that hits a 500 as unavailable", async () => {
    mswServer.use(http.delete(ORDER_URL, () => new HttpResponse(null, { status: 500 })));
    expect(await provider().cancel(submitted, { signal: openSignal() })).toEqual({
      kind: "unavailable",
      reason: "Printful is unavailable: HTTP 500 with an empty body",
    });
  });
});

describe("Printful shipment dates", () => {
  it("falls back to the clock when a shipment has no date", () => {
    const undated = { ...shipment, created: null, ship_date: null, shipped_at: null };
    const body = {
      type: "package_shipped",
      created: 1740916900,
      data: { shipment: undated, order: printfulOrder() },
    };
    const parsed = provider().parseEvent(incoming(body, { url: WEBHOOK_URL }));
    expect(
      parsed.ok && parsed.events[0]?.type === "shipped" && parsed.events[0].shipment.shippedAt,
    ).toEqual(NOW);
  });
});
