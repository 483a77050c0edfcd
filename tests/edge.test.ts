// The HTTP edge as an attacker or an unlucky client meets it: bodies bounded whatever their framing,
// the headers every page carries, forms posted from other sites, text the database cannot keep,
// and 5xx answers that carry a reference instead of internals.
import http from "node:http";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN, DEFAULT_DEMO_SHOPIFY_SHOP } from "~/demo/constants";
import { createApiToken } from "~/shops/api-tokens.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let demoShop: Shop;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  demoShop = await ensureShop(app.ctx.db, {
    platform: "demo",
    domain: DEMO_SHOP_DOMAIN,
    name: "Demo",
  });
  await ensureShop(app.ctx.db, {
    platform: "shopify",
    domain: DEFAULT_DEMO_SHOPIFY_SHOP,
    name: "Demo Shopify",
  });
  await ensureShop(app.ctx.db, { platform: "woocommerce", domain: DEMO_WOO_DOMAIN, name: "Woo" });
  const created = await createApiToken(app.ctx.db, demoShop.id, { name: "edge", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  token = created.token;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** A body of `megabytes` MiB sent without Content-Length (chunked), one reused 64 KiB chunk. */
function chunkedBody(megabytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let left = megabytes * 16;
  return new ReadableStream({
    pull(controller) {
      if (left-- <= 0) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

async function postChunked(path: string, megabytes: number, headers: Record<string, string> = {}) {
  return app.fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: chunkedBody(megabytes),
    duplex: "half",
  } as RequestInit);
}

describe("request bodies", () => {
  it("stops a chunked 200 MB body at the cap with 413, on a page and on a machine door, without keeping it", async () => {
    const callbackPath = "/connect/woocommerce/callback";
    const eventsPath = "/API/providers/00000000-0000-4000-8000-000000000000/events";
    // A small oversize body to each door first, so the figure below is what a big body costs and
    // not the first request's warm-up (compiling, buffer pools).
    expect((await postChunked(callbackPath, 2)).status).toBe(413);
    expect((await postChunked(eventsPath, 4)).status).toBe(413);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const callback = await postChunked(callbackPath, 200);
      expect(callback.status).toBe(413);
      expect((await callback.json()).error.code).toBe("body_too_large");
      // Routing ignores case; so does the cap.
      const events = await postChunked(
        "/API/providers/00000000-0000-4000-8000-000000000000/events",
        200,
      );
      expect(events.status).toBe(413);
    } finally {
      clearInterval(sampler);
    }
    expect((peak - before) / 1024 / 1024).toBeLessThan(50);
  }, 120_000);

  it("gives page forms a much smaller cap than machine doors", async () => {
    const order = await createOrder(app.ctx.db, demoShop);
    const form = await postChunked(`/app/orders/${order.id}`, 1, {
      "Content-Type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(413);
    // A webhook of the same size is within a machine door's cap: it is read, and refused only
    // for what it is (unsigned), not for its size.
    const webhook = await postChunked("/webhooks/shopify", 0.5);
    expect(webhook.status).not.toBe(413);
    expect(webhook.status).toBeLessThan(500);
  });

  it("refuses a declared length over the cap before reading it", async () => {
    // fetch will not send a length it does not keep to, so the request is written by hand.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${app.url}/api/v1/orders`, {
        method: "POST",
        headers: { "Content-Length": String(10 * 1024 * 1024), Authorization: `Bearer ${token}` },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.write("x");
    });
    expect(status).toBe(413);
  });
});

describe("headers on every page", () => {
  async function page(path: string, cookie?: string) {
    return app.fetch(path, {
      headers: {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
        ...(cookie ? { Cookie: cookie } : {}),
      },
    });
  }

  it("a standalone page may be framed by nobody, and says so with nosniff and a referrer policy", async () => {
    for (const path of ["/app", "/auth/login", "/connect/woocommerce", "/no-such-page"]) {
      const res = await page(path);
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
    }
  });

  it("a Shopify shop's pages may be framed by its admin, decided from the signed-in shop", async () => {
    const chosen = await page(`/app?shop=${DEFAULT_DEMO_SHOPIFY_SHOP}`);
    const cookie = chosen.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).not.toBe("");
    // No ?shop= this time: the shop comes from who is signed in.
    const res = await page("/app", cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(
      `frame-ancestors https://admin.shopify.com https://${DEFAULT_DEMO_SHOPIFY_SHOP};`,
    );
    const woo = await page(`/app?shop=${DEMO_WOO_DOMAIN}`);
    expect(woo.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("JSON answers carry nosniff too", async () => {
    const res = await app.fetch("/api/v1/orders", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("forms posted from another site", () => {
  it("answers 403 with a clear message and changes nothing", async () => {
    const order = await createOrder(app.ctx.db, demoShop);
    const forged: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "cross-site" },
    ];
    for (const headers of forged) {
      const res = await app.fetch(`/app/orders/${order.id}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ intent: "action", action: "archive" }).toString(),
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toMatch(/another website/);
    }
    const [row] = await app.ctx.db
      .select({ state: orders.state })
      .from(orders)
      .where(eq(orders.id, order.id));
    expect(row?.state).toBe(order.state);
  });

  it("lets the app's own pages post, and machine doors take posts from anywhere", async () => {
    const order = await createOrder(app.ctx.db, demoShop);
    const own = await app.fetch(`/app/orders/${order.id}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: new URL(app.url).origin,
        "Sec-Fetch-Site": "same-origin",
      },
      body: new URLSearchParams({ intent: "hold" }).toString(),
    });
    expect(own.status).not.toBe(403);
    const webhook = await app.fetch("/webhooks/shopify", {
      method: "POST",
      headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(webhook.status).not.toBe(403);
    const events = await app.fetch("/api/providers/00000000-0000-4000-8000-000000000000/events", {
      method: "POST",
      headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(events.status).not.toBe(403);
  });
});

describe("text the database cannot keep, and errors", () => {
  it("answers a NUL in a search with 400, naming no internals", async () => {
    const res = await app.fetch("/api/v1/orders?search=%00", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/select|from "order"|params/i);
  });

  it("a 500 carries a short reference and never the query or its parameters", async () => {
    await app.ctx.db.execute(sql`alter table "order" rename to order_away`);
    try {
      const res = await app.fetch("/api/v1/orders?search=Ava", {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as {
        error: { code: string; message: string; reference: string };
      };
      expect(body.error.code).toBe("internal_error");
      expect(body.error.reference).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.stringify(body)).not.toMatch(/select|relation|order_away|Ava/i);
    } finally {
      await app.ctx.db.execute(sql`alter table order_away rename to "order"`);
    }
  });
});
