import { createServer, request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  IDEMPOTENCY_KEY_HEADER,
  MAX_BODY_BYTES,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  acceptedResponseSchema,
  errorResponseSchema,
  providerEventSchema,
  signBody,
  verifySignature,
} from "../protocol";
import type { ProviderEvent, PurchaseOrder } from "../protocol";
import {
  EVENT_MAX_RETRIES,
  SANDBOX_CARRIER,
  SANDBOX_SKUS,
  startSandboxProvider,
} from "./sandbox-provider.server";
import type { SandboxProvider, SandboxProviderOptions } from "./sandbox-provider.server";

const SECRET = "sandbox-test-secret";

// Everything started in a test is closed after it, pass or fail, so no port or timer leaks.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface Logged {
  level: "info" | "warn" | "error";
  message: string;
}

async function sandbox(options: Partial<SandboxProviderOptions> = {}) {
  const logged: Logged[] = [];
  const provider = await startSandboxProvider({
    secret: SECRET,
    port: 0,
    shipDelayMs: 50,
    eventRetryBaseDelayMs: 10,
    log: {
      info: (message) => logged.push({ level: "info", message }),
      warn: (message) => logged.push({ level: "warn", message }),
      error: (message) => logged.push({ level: "error", message }),
    },
    ...options,
  });
  cleanups.push(() => provider.close());
  return { provider, logged };
}

interface ReceivedEvent {
  rawBody: string;
  headers: IncomingHttpHeaders;
}

/** Our side of the callback, reduced to recording what arrives and answering `status()`. */
async function startReceiver(status: (attempt: number) => number = () => 200) {
  const received: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ rawBody: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.writeHead(status(received.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${port}/api/providers/sandbox/events`, received };
}

function purchaseOrder(callbackUrl: string, overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    poNumber: "PO-2001",
    idempotencyKey: "key-2001",
    orderNumber: "#2001",
    callbackUrl,
    recipient: {
      name: "Grace Hopper",
      address1: "1 Compiler Way",
      city: "Arlington",
      provinceCode: "VA",
      zip: "22201",
      country: "United States",
      countryCode: "US",
      email: "grace@example.com",
    },
    shippingMethod: "standard",
    items: [
      {
        lineId: "l1",
        sku: "TEE-M",
        title: "T-shirt",
        quantity: 1,
        files: [{ kind: "design", url: "https://cdn.example/tee.png" }],
        options: { size: "M" },
      },
      {
        lineId: "l2",
        sku: "MUG-11",
        title: "Mug",
        quantity: 3,
        files: [],
        options: {},
      },
    ],
    ...overrides,
  };
}

function withSku(po: PurchaseOrder, sku: string): PurchaseOrder {
  const [first, ...rest] = po.items;
  return { ...po, items: [{ ...first!, sku: `MUG-${sku}-11` }, ...rest] };
}

interface PostOptions {
  secret?: string;
  signed?: boolean;
  rawBody?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function postOrder(
  provider: SandboxProvider,
  po: PurchaseOrder | null,
  opts: PostOptions = {},
) {
  const rawBody = opts.rawBody ?? JSON.stringify(po);
  const signature = opts.signed === false ? {} : signBody(opts.secret ?? SECRET, rawBody);
  const response = await fetch(`${provider.url}/orders`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(po ? { [IDEMPOTENCY_KEY_HEADER]: po.idempotencyKey } : {}),
      ...signature,
      ...opts.headers,
    },
    body: rawBody,
    signal: opts.signal,
  });
  const json: unknown = await response.json();
  return { status: response.status, headers: response.headers, json };
}

function errorOf(json: unknown) {
  return errorResponseSchema.parse(json).error;
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs}ms`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseEvent(received: ReceivedEvent): ProviderEvent {
  const verification = verifySignature({
    secret: SECRET,
    rawBody: received.rawBody,
    timestampHeader: received.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined,
    signatureHeader: received.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined,
  });
  expect(verification).toEqual({ ok: true });
  return providerEventSchema.parse(JSON.parse(received.rawBody));
}

describe("sandbox provider: routes", () => {
  it("answers /health and 404s anything else as JSON", async () => {
    const { provider } = await sandbox();
    const health = await fetch(`${provider.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    for (const [method, path] of [
      ["GET", "/nope"],
      ["GET", "/orders"],
      ["DELETE", "/health"],
    ] as const) {
      const response = await fetch(`${provider.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      expect(errorOf(await response.json()).code).toBe("not_found");
    }
  });
});

describe("sandbox provider: accepting and shipping", () => {
  it("accepts a signed purchase order and later posts a signed shipped event", async () => {
    const receiver = await startReceiver();
    const { provider } = await sandbox();
    const po = purchaseOrder(receiver.url);

    const { status, json } = await postOrder(provider, po);
    expect(status).toBe(201);
    const { providerOrderId } = acceptedResponseSchema.parse(json);
    expect(providerOrderId).toMatch(/^SBX-/);

    await waitFor(() => receiver.received.length === 1);
    const received = receiver.received[0]!;
    expect(received.headers["content-type"]).toBe("application/json");
    const event = parseEvent(received);
    expect(event).toMatchObject({ type: "shipment.shipped", providerOrderId, poNumber: "PO-2001" });
    if (event.type !== "shipment.shipped") throw new Error("unreachable");
    expect(event.id).toMatch(/^evt_/);
    expect(event.shipment.carrier).toBe(SANDBOX_CARRIER);
    expect(event.shipment.items).toEqual([
      { lineId: "l1", quantity: 1 },
      { lineId: "l2", quantity: 3 },
    ]);

    const tracking = await fetch(event.shipment.trackingUrl!);
    expect(tracking.status).toBe(200);
    expect(await tracking.json()).toMatchObject({
      trackingNumber: event.shipment.trackingNumber,
      poNumber: "PO-2001",
    });
    expect(provider.stats()).toMatchObject({ ordersAccepted: 1, requests: 1, eventsDelivered: 1 });
  });

  it("gives each order its own id, tracking number and event id", async () => {
    const receiver = await startReceiver();
    const { provider } = await sandbox();
    const a = await postOrder(provider, purchaseOrder(receiver.url));
    const b = await postOrder(
      provider,
      purchaseOrder(receiver.url, { poNumber: "PO-2002", idempotencyKey: "key-2002" }),
    );
    expect(acceptedResponseSchema.parse(a.json).providerOrderId).not.toBe(
      acceptedResponseSchema.parse(b.json).providerOrderId,
    );
    await waitFor(() => receiver.received.length === 2);
    const [first, second] = receiver.received.map(parseEvent);
    expect(first!.id).not.toBe(second!.id);
    if (first?.type !== "shipment.shipped" || second?.type !== "shipment.shipped") {
      throw new Error("expected two shipments");
    }
    expect(first.shipment.trackingNumber).not.toBe(second.shipment.trackingNumber);
  });

  it("posts order.rejected and order.cancelled events for the late-failure SKUs", async () => {
    const receiver = await startReceiver();
    const { provider } = await sandbox();
    const base = purchaseOrder(receiver.url);
    await postOrder(provider, withSku(base, SANDBOX_SKUS.lateReject));
    await postOrder(
      provider,
      withSku({ ...base, poNumber: "PO-2003", idempotencyKey: "key-2003" }, SANDBOX_SKUS.cancel),
    );
    await waitFor(() => receiver.received.length === 2);
    const events = receiver.received.map(parseEvent);
    const byPo = new Map(events.map((event) => [event.poNumber, event]));
    expect(byPo.get("PO-2001")).toMatchObject({
      type: "order.rejected",
      reason: expect.any(String),
    });
    expect(byPo.get("PO-2003")).toMatchObject({ type: "order.cancelled" });
  });
});

describe("sandbox provider: idempotency", () => {
  it("answers a repeated key with the same order and creates nothing new", async () => {
    const receiver = await startReceiver();
    const { provider } = await sandbox({ shipDelayMs: 100 });
    const po = purchaseOrder(receiver.url);

    const first = await postOrder(provider, po);
    const second = await postOrder(provider, po);
    // Keyed by the body alone too, for clients that cannot set the header.
    const third = await postOrder(provider, po, { headers: { [IDEMPOTENCY_KEY_HEADER]: "" } });
    expect([first.status, second.status, third.status]).toEqual([201, 200, 200]);
    expect(second.json).toEqual(first.json);
    expect(third.json).toEqual(first.json);
    expect(provider.stats()).toMatchObject({ ordersAccepted: 1, requests: 3 });

    await waitFor(() => receiver.received.length >= 1);
    await sleep(150);
    expect(receiver.received).toHaveLength(1);
  });

  it("refuses a key reused for a different PO", async () => {
    const { provider } = await sandbox({ shipDelayMs: 60_000 });
    const po = purchaseOrder("http://127.0.0.1:9/events");
    await postOrder(provider, po);
    const reused = await postOrder(provider, { ...po, poNumber: "PO-OTHER" });
    expect(reused.status).toBe(409);
    expect(errorOf(reused.json).code).toBe("idempotency_conflict");
    expect(provider.stats().ordersAccepted).toBe(1);
  });

  it("refuses a header key that disagrees with the body", async () => {
    const { provider } = await sandbox({ shipDelayMs: 60_000 });
    const po = purchaseOrder("http://127.0.0.1:9/events");
    const result = await postOrder(provider, po, {
      headers: { [IDEMPOTENCY_KEY_HEADER]: "other" },
    });
    expect(result.status).toBe(422);
    expect(errorOf(result.json).message).toMatch(/^idempotencyKey: /);
    expect(provider.stats().ordersAccepted).toBe(0);
  });
});

describe("sandbox provider: refusing bad requests", () => {
  it.each([
    ["unsigned", { signed: false }, /Missing/],
    ["signed with the wrong secret", { secret: "not-the-secret" }, /does not match/],
    ["badly formatted", { headers: { [SIGNATURE_HEADER]: "sha256=nothex" } }, /64 hex/],
    ["stale", { headers: { [TIMESTAMP_HEADER]: "1000000000" } }, /old/],
  ] satisfies [string, PostOptions, RegExp][])(
    "answers 401 to a purchase order %s",
    async (_label, opts, message) => {
      const { provider } = await sandbox();
      const { status, json } = await postOrder(
        provider,
        purchaseOrder("http://127.0.0.1:9/"),
        opts,
      );
      expect(status).toBe(401);
      expect(errorOf(json)).toMatchObject({ code: "invalid_signature", message });
      expect(provider.stats()).toMatchObject({ ordersAccepted: 0, requests: 1 });
    },
  );

  it("answers 422 naming the bad field", async () => {
    const { provider } = await sandbox();
    const po = purchaseOrder("http://127.0.0.1:9/");
    const bad = { ...po, items: [{ ...po.items[0]!, quantity: 0 }] };
    const { status, json } = await postOrder(provider, bad);
    expect(status).toBe(422);
    expect(errorOf(json)).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/^items\[0\]\.quantity: /),
    });

    const noRecipientCity = await postOrder(provider, {
      ...po,
      recipient: { ...po.recipient, city: "" },
    });
    expect(errorOf(noRecipientCity.json).message).toMatch(/recipient\.city/);
    expect(provider.stats().ordersAccepted).toBe(0);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const { provider } = await sandbox();
    const { status, json } = await postOrder(provider, null, { rawBody: "{not json" });
    expect(status).toBe(400);
    expect(errorOf(json).code).toBe("invalid_json");
  });

  it("answers 413 to a body over 1 MiB, declared up front", async () => {
    const { provider } = await sandbox();
    const rawBody = JSON.stringify({ padding: "x".repeat(MAX_BODY_BYTES) });
    const { status, json } = await postOrder(provider, null, { rawBody });
    expect(status).toBe(413);
    expect(errorOf(json).code).toBe("payload_too_large");
  });

  it("answers 413 to a chunked body that grows past 1 MiB", async () => {
    const { provider } = await sandbox();
    const { port } = new URL(provider.url);
    const chunk = Buffer.alloc(64 * 1024, "x");
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/orders" }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (data: string) => (body += data));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      // Chunked, so the limit has to be enforced while reading rather than from Content-Length.
      for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) req.write(chunk);
      req.end();
    });
    expect(result.status).toBe(413);
    expect(errorOf(JSON.parse(result.body)).code).toBe("payload_too_large");
  });
});

describe("sandbox provider: failure modes", () => {
  it(`rejects an order holding a ${SANDBOX_SKUS.reject} SKU with a reason`, async () => {
    const { provider } = await sandbox();
    const po = withSku(purchaseOrder("http://127.0.0.1:9/"), SANDBOX_SKUS.reject);
    const { status, json } = await postOrder(provider, po);
    expect(status).toBe(422);
    expect(errorOf(json)).toMatchObject({
      code: "rejected",
      message: expect.stringContaining(SANDBOX_SKUS.reject),
    });
    expect(provider.stats().ordersAccepted).toBe(0);
  });

  it(`answers 503 to a ${SANDBOX_SKUS.unavailable} SKU failTimes times, then accepts`, async () => {
    const { provider } = await sandbox({ failTimes: 2, shipDelayMs: 60_000 });
    const po = withSku(purchaseOrder("http://127.0.0.1:9/"), SANDBOX_SKUS.unavailable);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { status, headers, json } = await postOrder(provider, po);
      statuses.push(status);
      if (status === 503) {
        expect(errorOf(json).code).toBe("unavailable");
        expect(headers.get("retry-after")).toBe("1");
      }
    }
    expect(statuses).toEqual([503, 503, 201, 200]);
    expect(provider.stats()).toMatchObject({ ordersAccepted: 1, requests: 4 });

    // The outage is counted per purchase order, so another one starts failing afresh.
    const other = { ...po, poNumber: "PO-3", idempotencyKey: "key-3" };
    expect((await postOrder(provider, other)).status).toBe(503);
  });

  it(`never answers a ${SANDBOX_SKUS.timeout} SKU, and close() still returns`, async () => {
    const { provider } = await sandbox();
    const po = withSku(purchaseOrder("http://127.0.0.1:9/"), SANDBOX_SKUS.timeout);
    await expect(
      postOrder(provider, po, { signal: AbortSignal.timeout(300) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });

    const held = postOrder(provider, po);
    await waitFor(() => provider.stats().requests === 2);
    await provider.close();
    await expect(held).rejects.toThrow();
    expect(provider.stats().ordersAccepted).toBe(0);
  });

  it.each([
    ["reject", 422, "rejected"],
    ["error", 503, "unavailable"],
  ] as const)("with behaviour %s answers every order %i", async (behaviour, status, code) => {
    const { provider } = await sandbox({ behaviour, failTimes: 0 });
    for (let i = 0; i < 3; i++) {
      const result = await postOrder(provider, purchaseOrder("http://127.0.0.1:9/"));
      expect(result.status).toBe(status);
      expect(errorOf(result.json).code).toBe(code);
    }
    expect(provider.stats().ordersAccepted).toBe(0);
  });

  it("with behaviour timeout holds every order", async () => {
    const { provider } = await sandbox({ behaviour: "timeout" });
    await expect(
      postOrder(provider, purchaseOrder("http://127.0.0.1:9/"), {
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
  });
});

describe("sandbox provider: event delivery", () => {
  it("retries a refused event with the same id and a fresh signature", async () => {
    const receiver = await startReceiver((attempt) => (attempt <= 2 ? 500 : 204));
    const { provider, logged } = await sandbox();
    await postOrder(provider, purchaseOrder(receiver.url));

    await waitFor(() => receiver.received.length === 3);
    const ids = receiver.received.map((r) => parseEvent(r).id);
    expect(new Set(ids).size).toBe(1);
    await waitFor(() => provider.stats().eventsDelivered === 1);
    expect(logged.filter((l) => l.level === "warn")).toHaveLength(2);
  });

  it("gives up after five retries and logs it", async () => {
    const receiver = await startReceiver(() => 503);
    const { provider, logged } = await sandbox();
    await postOrder(provider, purchaseOrder(receiver.url));

    await waitFor(() => provider.stats().eventsAbandoned === 1);
    expect(receiver.received).toHaveLength(1 + EVENT_MAX_RETRIES);
    const errors = logged.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/gave up .* after 6 attempts: HTTP 503/);
  });

  it("retries when the callback URL cannot be reached", async () => {
    const { provider, logged } = await sandbox();
    // Port 9 (discard) on loopback is closed, so every attempt is a connection error.
    await postOrder(provider, purchaseOrder("http://127.0.0.1:9/events"));
    await waitFor(() => provider.stats().eventsAbandoned === 1);
    expect(logged.filter((l) => l.level === "warn")).toHaveLength(EVENT_MAX_RETRIES);
  });

  it("close() cancels shipments that have not happened yet", async () => {
    const receiver = await startReceiver();
    const { provider } = await sandbox({ shipDelayMs: 100 });
    expect((await postOrder(provider, purchaseOrder(receiver.url))).status).toBe(201);
    await provider.close();
    await sleep(250);
    expect(receiver.received).toHaveLength(0);
    expect(provider.stats().eventsDelivered).toBe(0);
  });

  it("close() cancels pending retries", async () => {
    const receiver = await startReceiver(() => 500);
    const { provider } = await sandbox({ eventRetryBaseDelayMs: 100 });
    await postOrder(provider, purchaseOrder(receiver.url));
    await waitFor(() => receiver.received.length === 1);
    await provider.close();
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
  });
});

describe("stock query", () => {
  async function askStock(url: string, body: unknown, secret = SECRET) {
    const raw = JSON.stringify(body);
    const res = await fetch(`${url}/stock`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...signBody(secret, raw) },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  it("answers each SKU asked with what it holds, and none for an out-of-stock SKU", async () => {
    const { provider } = await sandbox({ stock: { "MUG-11": 4 }, defaultStock: 12 });
    const answer = await askStock(provider.url, {
      skus: ["MUG-11", "TEE-1", `X-${SANDBOX_SKUS.outOfStock}`],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      stock: [
        { sku: "MUG-11", available: 4, leadTimeDays: 1 },
        { sku: "TEE-1", available: 12, leadTimeDays: 1 },
        { sku: `X-${SANDBOX_SKUS.outOfStock}`, available: 0, leadTimeDays: 1 },
      ],
    });
  });

  it("refuses an unsigned query and one without SKUs", async () => {
    const { provider } = await sandbox();
    expect((await askStock(provider.url, { skus: ["A"] }, "wrong-secret")).status).toBe(401);
    const empty = await askStock(provider.url, { skus: [] });
    expect(empty.status).toBe(422);
    expect(errorResponseSchema.parse(empty.body).error.code).toBe("invalid_request");
  });
});
