import { describe, expect, it } from "vitest";
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  computeSignature,
  describeZodError,
  providerEventSchema,
  purchaseOrderSchema,
  signBody,
  verifySignature,
} from "./protocol";
import type { PurchaseOrder } from "./protocol";

const SECRET = "whsec_test_secret";
const NOW = new Date("2025-03-01T12:00:00Z");
const NOW_SECONDS = NOW.getTime() / 1000;

function verify(
  rawBody: string | Uint8Array,
  headers: Partial<Record<string, string>>,
  overrides: { secret?: string; now?: Date; toleranceSeconds?: number } = {},
) {
  return verifySignature({
    secret: overrides.secret ?? SECRET,
    rawBody,
    timestampHeader: headers[TIMESTAMP_HEADER],
    signatureHeader: headers[SIGNATURE_HEADER],
    now: overrides.now ?? NOW,
    toleranceSeconds: overrides.toleranceSeconds,
  });
}

function at(secondsFromNow: number): Date {
  return new Date(NOW.getTime() + secondsFromNow * 1000);
}

describe("signBody / verifySignature", () => {
  const body = JSON.stringify({ hello: "wörld", n: 1 });

  it("signs with the unix timestamp and a sha256= hex HMAC of `${timestamp}.${body}`", () => {
    const headers = signBody(SECRET, body, NOW);
    expect(headers[TIMESTAMP_HEADER]).toBe(String(NOW_SECONDS));
    expect(headers[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers[SIGNATURE_HEADER]).toBe(
      `sha256=${computeSignature(SECRET, String(NOW_SECONDS), body)}`,
    );
  });

  it("round-trips for string and byte bodies alike", () => {
    const headers = signBody(SECRET, body, NOW);
    expect(verify(body, headers)).toEqual({ ok: true });
    expect(verify(Buffer.from(body, "utf8"), headers)).toEqual({ ok: true });
    expect(verify(body, signBody(SECRET, Buffer.from(body), NOW))).toEqual({ ok: true });
  });

  it("accepts upper-case hex and surrounding whitespace", () => {
    const headers = signBody(SECRET, body, NOW);
    const upper = `sha256=${headers[SIGNATURE_HEADER].slice(7).toUpperCase()}`;
    expect(verify(body, { ...headers, [SIGNATURE_HEADER]: ` ${upper} ` })).toEqual({ ok: true });
  });

  it("refuses a tampered body", () => {
    const headers = signBody(SECRET, body, NOW);
    expect(verify(body.replace("1", "2"), headers)).toMatchObject({
      ok: false,
      reason: "mismatch",
    });
  });

  it("refuses a signature made with another secret", () => {
    const headers = signBody("someone-else", body, NOW);
    expect(verify(body, headers)).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("refuses a replayed signature under a new timestamp", () => {
    const headers = signBody(SECRET, body, at(-100));
    const replayed = { ...headers, [TIMESTAMP_HEADER]: String(NOW_SECONDS) };
    expect(verify(body, replayed)).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("accepts a timestamp up to 300 s old and refuses an older one", () => {
    expect(verify(body, signBody(SECRET, body, at(-300)))).toEqual({ ok: true });
    const stale = verify(body, signBody(SECRET, body, at(-301)));
    expect(stale).toMatchObject({ ok: false, reason: "stale" });
    expect(stale.ok || stale.message).toMatch(/301s old/);
  });

  it("refuses a timestamp more than 300 s in the future but tolerates small clock skew", () => {
    expect(verify(body, signBody(SECRET, body, at(30)))).toEqual({ ok: true });
    const future = verify(body, signBody(SECRET, body, at(301)));
    expect(future).toMatchObject({ ok: false, reason: "stale" });
    expect(future.ok || future.message).toMatch(/future/);
  });

  it("honours a custom tolerance", () => {
    const headers = signBody(SECRET, body, at(-10));
    expect(verify(body, headers, { toleranceSeconds: 5 })).toMatchObject({ reason: "stale" });
  });

  it("reports missing headers", () => {
    const headers = signBody(SECRET, body, NOW);
    expect(verify(body, {})).toMatchObject({ ok: false, reason: "missing" });
    expect(verify(body, { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] })).toMatchObject({
      reason: "missing",
      message: expect.stringContaining(TIMESTAMP_HEADER),
    });
    expect(
      verify(body, { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER], [SIGNATURE_HEADER]: "" }),
    ).toMatchObject({ reason: "missing", message: expect.stringContaining(SIGNATURE_HEADER) });
  });

  it.each([
    ["an ISO timestamp", { [TIMESTAMP_HEADER]: "2025-03-01T12:00:00Z" }],
    ["a negative timestamp", { [TIMESTAMP_HEADER]: "-5" }],
    ["a signature without the scheme", { [SIGNATURE_HEADER]: "a".repeat(64) }],
    ["another scheme", { [SIGNATURE_HEADER]: `sha1=${"a".repeat(40)}` }],
    ["a short digest", { [SIGNATURE_HEADER]: `sha256=${"a".repeat(63)}` }],
    ["a long digest", { [SIGNATURE_HEADER]: `sha256=${"a".repeat(66)}` }],
    ["non-hex digits", { [SIGNATURE_HEADER]: `sha256=${"z".repeat(64)}` }],
  ])("reports %s as malformed", (_label, override) => {
    const headers = { ...signBody(SECRET, body, NOW), ...override };
    expect(verify(body, headers)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

function samplePurchaseOrder(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    poNumber: "PO-1001",
    idempotencyKey: "sub_7b1e0c7e",
    orderNumber: "#1001",
    callbackUrl: "https://app.orderlane.example/api/providers/p1/events",
    recipient: {
      name: "Ada Lovelace",
      address1: "12 Analytical St",
      city: "London",
      zip: "N1 9GU",
      country: "United Kingdom",
      countryCode: "GB",
    },
    shippingMethod: "standard",
    items: [
      {
        lineId: "line-1",
        sku: "MUG-11OZ",
        title: "Mug",
        quantity: 2,
        files: [{ kind: "design", url: "https://cdn.example/design.png" }],
        options: { text: "Hi" },
      },
    ],
    ...overrides,
  };
}

describe("purchaseOrderSchema", () => {
  it("accepts a complete purchase order, with null for optional fields", () => {
    const po = samplePurchaseOrder();
    const withNulls = { ...po, recipient: { ...po.recipient, company: null, phone: null } };
    expect(purchaseOrderSchema.parse(po)).toEqual(po);
    expect(purchaseOrderSchema.safeParse(withNulls).success).toBe(true);
  });

  it("names the bad field in the error description", () => {
    const po = samplePurchaseOrder();
    const bad = { ...po, items: [{ ...po.items[0], quantity: 0 }] };
    const result = purchaseOrderSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error && describeZodError(result.error)).toMatch(/^items\[0\]\.quantity: /);
  });

  it("requires at least one item and a two-letter country code", () => {
    const po = samplePurchaseOrder({ items: [] });
    const result = purchaseOrderSchema.safeParse({
      ...po,
      recipient: { ...po.recipient, countryCode: "gbr" },
    });
    const description = result.error ? describeZodError(result.error) : "";
    expect(description).toContain("items:");
    expect(description).toContain("recipient.countryCode:");
  });

  it("refuses non-http URLs and unknown file kinds", () => {
    const po = samplePurchaseOrder({ callbackUrl: "javascript:alert(1)" });
    const item = { ...po.items[0]!, files: [{ kind: "mockup", url: "ftp://x/y" }] };
    const result = purchaseOrderSchema.safeParse({ ...po, items: [item] });
    const description = result.error ? describeZodError(result.error) : "";
    expect(description).toContain("callbackUrl:");
    expect(description).toContain("items[0].files[0].kind:");
    expect(description).toContain("items[0].files[0].url:");
  });

  it("refuses repeated line ids, which would make shipments ambiguous", () => {
    const po = samplePurchaseOrder();
    const item = po.items[0]!;
    const result = purchaseOrderSchema.safeParse({ ...po, items: [item, { ...item }] });
    expect(result.error && describeZodError(result.error)).toMatch(
      /^items\[1\]\.lineId: Duplicate/,
    );
  });
});

describe("providerEventSchema", () => {
  const base = {
    id: "evt_1",
    occurredAt: "2025-03-01T12:00:00Z",
    providerOrderId: "SBX-1",
    poNumber: "PO-1001",
  };
  const shipment = {
    carrier: "Sandbox Post",
    trackingNumber: "SBX123",
    trackingUrl: "https://track.example/SBX123",
    items: [{ lineId: "line-1", quantity: 2 }],
  };

  it("accepts each event type in its complete form", () => {
    expect(providerEventSchema.parse({ ...base, type: "shipment.shipped", shipment }).type).toBe(
      "shipment.shipped",
    );
    expect(
      providerEventSchema.parse({ ...base, type: "order.rejected", reason: "bad art" }),
    ).toEqual({ ...base, type: "order.rejected", reason: "bad art" });
    expect(providerEventSchema.safeParse({ ...base, type: "order.cancelled" }).success).toBe(true);
    expect(
      providerEventSchema.safeParse({
        ...base,
        occurredAt: "2025-03-01T14:00:00+02:00",
        type: "shipment.shipped",
        shipment: { ...shipment, trackingUrl: null },
      }).success,
    ).toBe(true);
  });

  it("requires a shipment on shipped and a reason on rejected", () => {
    const shipped = providerEventSchema.safeParse({ ...base, type: "shipment.shipped" });
    expect(shipped.error && describeZodError(shipped.error)).toMatch(/^shipment: /);
    const rejected = providerEventSchema.safeParse({ ...base, type: "order.rejected" });
    expect(rejected.error && describeZodError(rejected.error)).toMatch(/^reason: /);
  });

  it("refuses unknown types, empty shipments and non-ISO times", () => {
    expect(providerEventSchema.safeParse({ ...base, type: "order.lost" }).success).toBe(false);
    expect(
      providerEventSchema.safeParse({
        ...base,
        type: "shipment.shipped",
        shipment: { ...shipment, items: [] },
      }).success,
    ).toBe(false);
    expect(
      providerEventSchema.safeParse({
        ...base,
        occurredAt: "yesterday",
        type: "order.cancelled",
      }).success,
    ).toBe(false);
  });
});
