import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoShop } from "~/demo/seed.server";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { findShop } from "~/shops/shops.server";
import { TEST_SHOPIFY, closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: "s",
    encryptionKey: app.ctx.config.encryptionKey,
  });
});
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const orderNumbers = (html: string) => [...html.matchAll(/>(#\d{4})</g)].map((m) => m[1]);

describe("the catalog page (demo mode)", () => {
  it("serves the demo shop's orders newest first, 50 a page, with a link to older ones", async () => {
    const res = await app.fetch("/app");
    expect(res.status).toBe(200);
    const html = await res.text();
    const numbers = orderNumbers(html);
    expect(numbers).toHaveLength(50);
    expect(numbers[0]).toBe("#1072");
    expect(numbers).toEqual([...numbers].sort().reverse());
    expect(html).toContain("Juniper &amp; Pine (demo)");
  });

  it("shows only the signed-in shop's orders", async () => {
    const other = await createShop(app.ctx.db, { domain: "someone-else.myshopify.com" });
    await createOrder(app.ctx.db, other, {
      cartOrderNumber: "#9999",
      customerName: "Not Your Customer",
      cartCreatedAt: new Date(Date.now() + 3_600_000),
    });
    const html = await (await app.fetch("/app")).text();
    expect(html).not.toContain("Not Your Customer");
    expect(orderNumbers(html)).not.toContain("#9999");
  });

  it("pages by cursor without repeating or skipping an order", async () => {
    const shop = await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN);
    const first = await app.fetch("/app");
    const html = await first.text();
    const cursor = /cursor=([A-Za-z0-9_-]+)/.exec(html)?.[1];
    // The next-page cursor travels in the loader data the page hydrates from.
    const data = await app.fetch("/app.data?_route=routes%2Fapp._index");
    expect(data.status).toBe(200);
    const dataText = await data.text();
    const nextCursor = cursor ?? /"nextCursor","([^"]+)"/.exec(dataText)?.[1];
    expect(nextCursor).toBeTruthy();
    const second = orderNumbers(await (await app.fetch(`/app?cursor=${nextCursor}`)).text());
    const all = [...orderNumbers(html), ...second];
    expect(second).toHaveLength(22);
    expect(new Set(all).size).toBe(72);
    expect(shop).toBeTruthy();
  });

  it("answers a forged cursor with 400 and a clear message", async () => {
    const res = await app.fetch("/app?cursor=bm90LWEtY3Vyc29y");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The page cursor is not valid");
  });

  it("answers the health check with the database kind", async () => {
    const res = await app.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});

describe("the catalog outside demo mode", () => {
  let shopifyApp: TestApp;
  beforeAll(async () => {
    shopifyApp = await startTestApp();
  });
  afterAll(async () => {
    await shopifyApp?.close();
  });

  it("sends a visitor without a Shopify session to sign in, showing no orders", async () => {
    const res = await shopifyApp.fetch("/app");
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/auth\/login/);
  });
});

describe("the catalog embedded in the Shopify admin", () => {
  let embedded: TestApp;
  beforeAll(async () => {
    embedded = await startTestApp();
  });
  afterAll(async () => {
    await embedded?.close();
  });

  // Shopify's library answers self-identified bots (Node's fetch among them) with 410.
  const asBrowser = { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" } };

  // A session token as App Bridge issues it: an HS256 JWT signed with the app's secret.
  function sessionToken(shop: string, secret = TEST_SHOPIFY.apiSecret): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: TEST_SHOPIFY.apiKey,
      sub: "42",
      exp: now + 60,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    })}`;
    return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
  }

  it("shows the shop's own orders and loads App Bridge for a valid session token", async () => {
    const shop = await createShop(embedded.ctx.db, { domain: "embedded-shop.myshopify.com" });
    await createSession(embedded.ctx.db, shop.domain);
    await createOrder(embedded.ctx.db, shop, {
      cartOrderNumber: "#5150",
      customerName: "Iris Okafor",
    });
    const host = Buffer.from(`admin.shopify.com/store/embedded-shop`).toString("base64url");
    const res = await embedded.fetch(
      `/app?embedded=1&shop=${shop.domain}&host=${host}&id_token=${sessionToken(shop.domain)}`,
      asBrowser,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Iris Okafor");
    expect(html).toContain("app-bridge.js");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors");
  });

  it("refuses a session token signed with another secret", async () => {
    const shop = await createShop(embedded.ctx.db, { domain: "forged-shop.myshopify.com" });
    await createSession(embedded.ctx.db, shop.domain);
    await createOrder(embedded.ctx.db, shop, { customerName: "Secret Customer" });
    const host = Buffer.from(`admin.shopify.com/store/forged-shop`).toString("base64url");
    const res = await embedded.fetch(
      `/app?embedded=1&shop=${shop.domain}&host=${host}&id_token=${sessionToken(shop.domain, "wrong")}`,
      asBrowser,
    );
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain("Secret Customer");
  });
});
