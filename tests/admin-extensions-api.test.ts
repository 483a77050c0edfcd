// The admin extensions' backend (/api/admin), called as Shopify's admin calls it: a fetch from
// the extension's sandbox (another origin) carrying the admin's session token as a bearer token.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importRuns, orders, providers } from "~/db/schema";
import type { Shop } from "~/shops/shops.server";
import type {
  AdminActionResponse,
  AdminBulkSubmitResponse,
  AdminErrorBody,
  AdminImportResponse,
  AdminOrderResponse,
} from "../extensions/shared/admin-api";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

/** Where admin UI extensions run: a sandboxed frame on Shopify's extensions origin, in a browser. */
const ADMIN_ORIGIN = "https://extensions.shopifycdn.com";
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";

let app: TestApp;
let shop: Shop;
let otherShop: Shop;

beforeAll(async () => {
  app = await startTestApp();
  shop = await createShop(app.ctx.db, { platform: "shopify", domain: "admin-ext.myshopify.com" });
  otherShop = await createShop(app.ctx.db, {
    platform: "shopify",
    domain: "other-admin-ext.myshopify.com",
  });
  // Installed shops have an offline session: no token exchange is needed.
  await createSession(app.ctx.db, shop.domain);
  await createSession(app.ctx.db, otherShop.domain);
  await app.ctx.db.insert(providers).values({
    shopId: shop.id,
    kind: "sandbox",
    name: "Sandbox Printer",
    // Nothing is sent in this file (no worker runs): submitting queues the purchase orders.
    endpoint: "http://127.0.0.1:9",
    isDefault: true,
  });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await app?.close();
  await closeVite();
});

interface TokenOptions {
  shopDomain?: string;
  secret?: string;
  aud?: string;
  /** Seconds from now. */
  exp?: number;
  nbf?: number;
}

/** A session token as the admin signs it: HS256 with the app's secret, aud = API key, dest = shop. */
function sessionToken(options: TokenOptions = {}): string {
  const shopDomain = options.shopDomain ?? shop.domain;
  const now = Math.floor(Date.now() / 1000);
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    iss: `https://${shopDomain}/admin`,
    dest: `https://${shopDomain}`,
    aud: options.aud ?? TEST_SHOPIFY.apiKey,
    sub: "42",
    exp: now + (options.exp ?? 60),
    nbf: now + (options.nbf ?? -5),
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  })}`;
  const secret = options.secret ?? TEST_SHOPIFY.apiSecret;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

function gidPath(cartOrderId: string): string {
  return encodeURIComponent(`gid://shopify/Order/${cartOrderId}`);
}

/** Every answer the tests saw, as "method template status", to hold the API docs to. */
const seen = new Set<string>();

function templateOf(path: string): string {
  return path
    .replace(/^\/api\/admin\/orders\/[^/]+/, "/api/admin/orders/{gid}")
    .replace(/\/actions\/[^/]+$/, "/actions/{action}");
}

async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = sessionToken(), ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set("Origin", ADMIN_ORIGIN);
  headers.set("User-Agent", BROWSER);
  if (token !== null) headers.set("Authorization", `Bearer ${token}`);
  const res = await app.fetch(path, { ...rest, headers });
  seen.add(`${(rest.method ?? "GET").toLowerCase()} ${templateOf(path)} ${res.status}`);
  return res;
}

function post(path: string, body?: unknown, token?: string | null) {
  return call(path, {
    method: "POST",
    ...(token === undefined ? {} : { token }),
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
}

async function countingDown(overrides: Partial<typeof orders.$inferInsert> = {}) {
  return createOrder(
    app.ctx.db,
    shop,
    { state: "new", autoSubmitAt: new Date(Date.now() + 3_600_000), ...overrides },
    [
      {
        sku: "TEE-BLK-M",
        title: "Name Tee",
        quantity: 2,
        price: "21.00",
        mockupUrl: "https://cdn.example.com/mockup-tee.png",
        personalization: {
          previewUrl: "https://cdn.example.com/preview-ava.png",
          designUrl: "https://cdn.example.com/design-ava.png",
          clientImages: [],
          options: [
            { name: "Name", value: "Ava" },
            { name: "Font", value: "Script" },
          ],
        },
      },
    ],
  );
}

describe("who may call", () => {
  it("answers the extension's preflight with the CORS headers the admin needs", async () => {
    const res = await app.fetch(`/api/admin/orders/${gidPath("1")}`, {
      method: "OPTIONS",
      headers: {
        Origin: ADMIN_ORIGIN,
        "User-Agent": BROWSER,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
  });

  it("answers 401 JSON, never a redirect, without a token or with a bad one", async () => {
    const order = await countingDown();
    const path = `/api/admin/orders/${gidPath(order.cartOrderId)}`;
    const cases: [string, string | null][] = [
      ["missing", null],
      ["expired", sessionToken({ exp: -120, nbf: -600 })],
      ["wrongly signed", sessionToken({ secret: "not-the-app-secret" })],
      ["another app's", sessionToken({ aud: "another-apps-api-key" })],
      ["not a token", "garbage"],
    ];
    for (const [label, token] of cases) {
      const res = await call(path, { token });
      expect(res.status, label).toBe(401);
      expect(res.headers.get("location"), label).toBeNull();
      // The extension can read the answer: the CORS headers are on the error too.
      expect(res.headers.get("access-control-allow-origin"), label).toBe("*");
      const body = (await res.json()) as AdminErrorBody;
      expect(body.error.code, label).toBe("unauthorized");
      expect(body.error.message, label).toMatch(/session/i);
    }
    // The same for every route: nothing is changed.
    for (const route of [
      `/api/admin/orders/${gidPath(order.cartOrderId)}/actions/hold`,
      `/api/admin/orders/${gidPath(order.cartOrderId)}/import`,
      "/api/admin/bulk-submit",
    ]) {
      const res = await post(route, { orders: [`gid://shopify/Order/${order.cartOrderId}`] }, null);
      expect(res.status, route).toBe(401);
    }
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.state).toBe("new");
  });

  it("keeps each shop to its own orders: another shop's token gets 404", async () => {
    const order = await countingDown();
    const res = await call(`/api/admin/orders/${gidPath(order.cartOrderId)}`, {
      token: sessionToken({ shopDomain: otherShop.domain }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as AdminErrorBody).error.code).toBe("not_in_orderlane");
    const hold = await post(
      `/api/admin/orders/${gidPath(order.cartOrderId)}/actions/hold`,
      undefined,
      sessionToken({ shopDomain: otherShop.domain }),
    );
    expect(hold.status).toBe(404);
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.state).toBe("new");
  });
});

describe("GET /api/admin/orders/:gid", () => {
  it("shows the order in the owner's words, with the server's deadline and clock", async () => {
    const order = await countingDown();
    const res = await call(`/api/admin/orders/${gidPath(order.cartOrderId)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const { order: view } = (await res.json()) as AdminOrderResponse;
    expect(view).toMatchObject({
      id: order.id,
      gid: `gid://shopify/Order/${order.cartOrderId}`,
      number: order.cartOrderNumber,
      state: "new",
      stateLabel: "New",
      shopStatus: { label: "New", tone: "info" },
      countdown: { kind: "running", deadline: order.autoSubmitAt!.toISOString() },
      submit: { kind: "not_submitted", label: "Not submitted", alert: null },
      actions: {
        submit: { allowed: true, reason: null, label: "Submit now" },
        hold: { allowed: true, reason: null },
        release: { allowed: false },
      },
      openHref: `app:app/orders/${order.id}`,
      openUrl: `${TEST_SHOPIFY.appUrl}/app/orders/${order.id}`,
      purchaseOrders: [],
    });
    // Counted from the server's clock, not the browser's.
    expect(Math.abs(Date.parse(view.serverNow) - Date.now())).toBeLessThan(60_000);
    expect(view.actions.release.reason).toEqual(expect.any(String));
    expect(view.items).toEqual([
      expect.objectContaining({
        title: "Name Tee",
        quantity: 2,
        personalised: true,
        thumbnailUrl: "https://cdn.example.com/preview-ava.png",
        options: [
          { name: "Name", value: "Ava" },
          { name: "Font", value: "Script" },
        ],
      }),
    ]);
  });

  it("says an order it does not know is not in Orderlane (404), whatever the id", async () => {
    for (const gid of [gidPath("5550001112223"), encodeURIComponent("gid://shopify/Product/1")]) {
      const res = await call(`/api/admin/orders/${gid}`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as AdminErrorBody;
      expect(body.error.code).toBe("not_in_orderlane");
      expect(body.error.message).toContain("not in Orderlane");
    }
  });

  it("shows a failed submission's reason, alert and fix", async () => {
    const order = await countingDown({
      state: "error",
      autoSubmitAt: null,
      alert: {
        code: "provider_rejected",
        message: "The design file is too small to print",
        fix: "Fix what the provider objects to (Edit the order), then Reprocess",
      },
    });
    const res = await call(`/api/admin/orders/${gidPath(order.cartOrderId)}`);
    const { order: view } = (await res.json()) as AdminOrderResponse;
    expect(view.submit).toEqual({
      kind: "failed",
      label: "Submission failed",
      tone: "critical",
      reason: "The design file is too small to print",
      alert: {
        code: "provider_rejected",
        message: "The design file is too small to print",
        fix: "Fix what the provider objects to (Edit the order), then Reprocess",
      },
    });
    expect(view.stateLabel).toBe("Error");
  });
});

describe("POST /api/admin/orders/:gid/actions/:action", () => {
  it("holds and releases the countdown, answering the order as it is now", async () => {
    const order = await countingDown();
    const path = `/api/admin/orders/${gidPath(order.cartOrderId)}/actions`;
    const held = await post(`${path}/hold`);
    expect(held.status).toBe(200);
    expect(held.headers.get("access-control-allow-origin")).toBe("*");
    const heldBody = (await held.json()) as AdminActionResponse;
    expect(heldBody.order.state).toBe("on_hold");
    expect(heldBody.order.countdown.kind).toBe("paused");
    expect(heldBody.order.actions.release.allowed).toBe(true);

    const released = (await (await post(`${path}/release`)).json()) as AdminActionResponse;
    expect(released.order.state).toBe("new");
    expect(released.order.countdown.kind).toBe("running");
  });

  it("refuses what the lifecycle refuses with 409 and its reason", async () => {
    const order = await countingDown();
    const res = await post(`/api/admin/orders/${gidPath(order.cartOrderId)}/actions/release`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as AdminErrorBody;
    expect(body.error.code).toBe("refused");
    expect(body.error.message.length).toBeGreaterThan(10);
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.state).toBe("new");
  });

  it("submits once: a second Submit is 409 already submitted", async () => {
    const order = await countingDown();
    const path = `/api/admin/orders/${gidPath(order.cartOrderId)}/actions/submit`;
    const first = await post(path);
    expect(first.status).toBe(200);
    const body = (await first.json()) as AdminActionResponse;
    expect(body.message).toBe("Order submitted to 1 provider");
    expect(body.order.purchaseOrders).toEqual([
      expect.objectContaining({ providerName: "Sandbox Printer", tracking: [] }),
    ]);
    expect(body.order.submit.kind).toBe("sending");

    const again = await post(path);
    expect(again.status).toBe(409);
    expect(((await again.json()) as AdminErrorBody).error.code).toBe("already_submitted");
  });

  it("answers 404 for an action it does not have and for an order it does not know", async () => {
    const order = await countingDown();
    const unknownAction = await post(
      `/api/admin/orders/${gidPath(order.cartOrderId)}/actions/delete`,
    );
    expect(unknownAction.status).toBe(404);
    expect(((await unknownAction.json()) as AdminErrorBody).error.code).toBe("unknown_action");
    const unknownOrder = await post(`/api/admin/orders/${gidPath("5550009998887")}/actions/submit`);
    expect(unknownOrder.status).toBe(404);
    expect(((await unknownOrder.json()) as AdminErrorBody).error.message).toContain(
      "not in Orderlane",
    );
  });
});

describe("POST /api/admin/bulk-submit", () => {
  it("submits the selection, one answer per order in the owner's words", async () => {
    const fresh = await countingDown();
    const sent = await countingDown();
    await post(`/api/admin/orders/${gidPath(sent.cartOrderId)}/actions/submit`);
    const held = await countingDown({ state: "archived", autoSubmitAt: null });
    const gid = (id: string) => `gid://shopify/Order/${id}`;
    const res = await post("/api/admin/bulk-submit", {
      orders: [
        gid(fresh.cartOrderId),
        gid(sent.cartOrderId),
        gid(held.cartOrderId),
        gid("5550007776665"),
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as AdminBulkSubmitResponse;
    expect(body).toMatchObject({
      total: 4,
      submitted: 1,
      alreadySubmitted: 1,
      refused: 1,
      notInOrderlane: 1,
      summary: "1 order submitted, 1 skipped as already submitted, 1 refused, 1 not in Orderlane",
    });
    expect(body.results.map((r) => [r.gid, r.outcome])).toEqual([
      [gid(fresh.cartOrderId), "submitted"],
      [gid(sent.cartOrderId), "already_submitted"],
      [gid(held.cartOrderId), "refused"],
      [gid("5550007776665"), "not_in_orderlane"],
    ]);
    expect(body.results[0]!.message).toBe("Order submitted to 1 provider");
    expect(body.results[2]!.message.length).toBeGreaterThan(10);
  });

  it("refuses a malformed selection with 400 and says why", async () => {
    for (const [payload, words] of [
      [{ orders: [] }, /at least one/],
      [{ orders: ["gid://shopify/Product/1"] }, /Not Shopify order ids/],
      [{ nope: true }, /order ids|orders/],
    ] as const) {
      const res = await post("/api/admin/bulk-submit", payload);
      expect(res.status).toBe(400);
      expect(((await res.json()) as AdminErrorBody).error.message).toMatch(words);
    }
    const tooMany = await post("/api/admin/bulk-submit", {
      orders: Array.from({ length: 251 }, (_, i) => `gid://shopify/Order/${i + 1}`),
    });
    expect(tooMany.status).toBe(400);
  });
});

describe("POST /api/admin/orders/:gid/import", () => {
  it("starts an Import run for that one order, and says another is under way", async () => {
    const res = await post(`/api/admin/orders/${gidPath("5550001234567")}/import`);
    expect(res.status).toBe(202);
    const body = (await res.json()) as AdminImportResponse;
    const [run] = await app.ctx.db.select().from(importRuns).where(eq(importRuns.id, body.runId));
    expect(run).toMatchObject({ shopId: shop.id, mode: "ids", status: "queued" });
    expect(run!.params).toMatchObject({ ids: ["5550001234567"] });

    const busy = await post(`/api/admin/orders/${gidPath("5550001234568")}/import`);
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as AdminErrorBody).error.code).toBe("import_busy");
  });
});

describe("docs/openapi.yaml", () => {
  it("documents each /api/admin route, and every documented answer was produced above", () => {
    type Spec = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const spec = parse(readFileSync("docs/openapi.yaml", "utf8")) as Spec;
    const documented = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith("/api/admin/"))
      .flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method]) => ["get", "post"].includes(method))
          .flatMap(([method, op]) =>
            Object.keys(op.responses ?? {}).map((status) => `${method} ${path} ${status}`),
          ),
      );
    const routes = new Set(documented.map((d) => d.split(" ").slice(0, 2).join(" ")));
    expect([...routes].sort()).toEqual(
      [
        "get /api/admin/orders/{gid}",
        "post /api/admin/orders/{gid}/actions/{action}",
        "post /api/admin/orders/{gid}/import",
        "post /api/admin/bulk-submit",
      ].sort(),
    );
    expect(documented.filter((d) => !seen.has(d))).toEqual([]);
  });
});
