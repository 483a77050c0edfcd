import http_ from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorFor } from "~/carts/connectors.server";
import { signWooBody } from "~/carts/woocommerce/delivery.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { shops, webhookReceipts, wooConnectRequests } from "~/db/schema";
import { openSecret, sealSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { mswServer } from "./support/msw";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
beforeAll(async () => {
  // Private addresses refused, as in production (tests otherwise allow them, like development);
  // the connect form is posted more often in a minute than one address may
  // (tests/rate-limits.test.ts covers that limit).
  app = await startTestApp({
    env: { ALLOW_PRIVATE_OUTBOUND: "0", RATE_LIMIT_SIGN_IN_PER_MIN: "100" },
  });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

// A public address typed directly: the connect check needs no DNS for it (this machine has none).
const STORE = "https://93.184.215.14";
const API = `${STORE}/wp-json/wc/v3`;

const cookieFrom = (res: Response): string => {
  const set = res.headers.getSetCookie().find((c) => c.startsWith("__orderlane_woo="));
  if (!set) throw new Error(`no session cookie (status ${res.status})`);
  return set.split(";")[0]!;
};

function connectForm(storeUrl: string, cookie?: string) {
  return app.fetch("/connect/woocommerce?index", {
    method: "POST",
    body: new URLSearchParams({ intent: "connect", storeUrl }),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
    },
  });
}

/** The store's side of the handshake: what WooCommerce posts to callback_url. */
function postKeys(nonce: string, overrides: Record<string, unknown> = {}) {
  return app.fetch("/connect/woocommerce/callback", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      key_id: 7,
      user_id: nonce,
      consumer_key: "ck_4f1a9e2b7c3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f",
      consumer_secret: "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
      key_permissions: "read_write",
      ...overrides,
    }),
  });
}

async function start(): Promise<{ nonce: string; cookie: string; location: URL }> {
  const res = await connectForm(`${STORE}/`);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  return { nonce: location.searchParams.get("user_id")!, cookie: cookieFrom(res), location };
}

/** A WooCommerce REST API that records the webhooks created on it. */
function storeApi(options: { hpos: boolean; refuseWebhooks?: boolean }) {
  const created: Record<string, unknown>[] = [];
  mswServer.use(
    http.get(`${API}/system_status`, () =>
      HttpResponse.json({
        settings: {
          HPOS_enabled: options.hpos,
          order_datastore: options.hpos
            ? "Automattic\\WooCommerce\\Internal\\DataStores\\Orders\\OrdersTableDataStore"
            : "WC_Order_Data_Store_CPT",
        },
      }),
    ),
    http.get(`${API}/webhooks`, () => HttpResponse.json([])),
    // WordPress's index names the site's time zone, which the shop takes as its own.
    http.get(`${STORE}/wp-json/`, () =>
      HttpResponse.json({
        name: "Harbour Prints",
        timezone_string: "Europe/Lisbon",
        gmt_offset: 0,
      }),
    ),
    http.post(`${API}/webhooks`, async ({ request }) => {
      if (options.refuseWebhooks) {
        return HttpResponse.json(
          {
            code: "woocommerce_rest_cannot_create",
            message: "Sorry, you are not allowed to create resources.",
          },
          { status: 403 },
        );
      }
      const body = (await request.json()) as Record<string, unknown>;
      created.push(body);
      return HttpResponse.json({ id: 100 + created.length, ...body }, { status: 201 });
    }),
  );
  return created;
}

describe("connecting a WooCommerce store", () => {
  it("refuses a store address that is not https", async () => {
    const res = await connectForm("http://shop.example.com");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("must start with https://");
    expect(await app.ctx.db.select().from(wooConnectRequests)).toHaveLength(0);
  });

  it("refuses loopback and private addresses outside development", async () => {
    for (const url of ["https://127.0.0.1", "https://10.0.0.12/shop", "https://localhost:8443"]) {
      const res = await connectForm(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toMatch(/not a public/);
    }
    expect(await app.ctx.db.select().from(wooConnectRequests)).toHaveLength(0);
  });

  it("refuses loopback written as IPv4 inside IPv6", async () => {
    for (const url of ["https://[::127.0.0.1]", "https://[::ffff:127.0.0.1]:8443/shop"]) {
      const res = await connectForm(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toMatch(/is not a public internet address/);
    }
    expect(await app.ctx.db.select().from(wooConnectRequests)).toHaveLength(0);
  });

  it("sends the owner to the store's approval page with a one-time nonce", async () => {
    const { location, nonce, cookie } = await start();
    expect(`${location.origin}${location.pathname}`).toBe(`${STORE}/wc-auth/v1/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      app_name: "Orderlane",
      scope: "read_write",
      user_id: nonce,
      return_url: `${TEST_SHOPIFY.appUrl}/connect/woocommerce/return`,
      callback_url: `${TEST_SHOPIFY.appUrl}/connect/woocommerce/callback`,
    });
    expect(nonce.length).toBeGreaterThanOrEqual(32);
    expect(cookie).toMatch(/^__orderlane_woo=/);
    const [stored] = await app.ctx.db
      .select()
      .from(wooConnectRequests)
      .where(eq(wooConnectRequests.nonce, nonce));
    expect(stored).toMatchObject({ storeUrl: STORE, completedAt: null });
  });

  it("refuses a key callback whose nonce it did not issue, or that is not WooCommerce's", async () => {
    const before = await app.ctx.db.select().from(shops);
    const wrong = await postKeys("not-a-nonce-we-made");
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.message).toMatch(/No connection in progress/);
    const { nonce } = await start();
    const readOnly = await postKeys(nonce, { key_permissions: "read" });
    expect(readOnly.status).toBe(400);
    const garbage = await app.fetch("/connect/woocommerce/callback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(garbage.status).toBe(400);
    const noKey = await postKeys(nonce, { consumer_key: "" });
    expect(noKey.status).toBe(400);
    expect(await app.ctx.db.select().from(shops)).toHaveLength(before.length);
  });

  it("stores the keys sealed, creates the webhooks with a secret, and signs the owner in", async () => {
    const created = storeApi({ hpos: true });
    const { nonce, cookie } = await start();

    const callback = await postKeys(nonce);
    expect(callback.status).toBe(200);
    const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, "93.184.215.14"));
    expect(shop).toMatchObject({ platform: "woocommerce", uninstalledAt: null });
    // Sealed at rest: neither key appears in the stored column.
    expect(shop!.credentials).not.toContain("cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d");
    expect(shop!.credentials).not.toContain("ck_4f1a9e2b7c3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f");
    const keys = JSON.parse(openSecret(app.ctx.config.encryptionKey, shop!.credentials!));
    expect(keys).toMatchObject({
      consumerKey: "ck_4f1a9e2b7c3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f",
      consumerSecret: "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
      url: STORE,
    });
    expect(keys.webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    // The same nonce cannot be used twice.
    expect((await postKeys(nonce)).status).toBe(403);

    const back = await app.fetch(`/connect/woocommerce/return?success=1&user_id=${nonce}`, {
      headers: { Cookie: cookie },
    });
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe("/app");
    const session = cookieFrom(back);

    const deliveryUrl = `${TEST_SHOPIFY.appUrl}/webhooks/woocommerce/${shop!.id}`;
    expect(created.map((w) => w.topic)).toEqual([
      "order.created",
      "order.updated",
      "order.deleted",
      "order.restored",
    ]);
    for (const hook of created) {
      expect(hook).toMatchObject({
        delivery_url: deliveryUrl,
        secret: keys.webhookSecret,
        status: "active",
      });
    }
    const [connected] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop!.id));
    expect(connected!.connection).toMatchObject({
      wooOrderEditor: "hpos",
      webhookIds: ["101", "102", "103", "104"],
      storeUrl: STORE,
    });
    expect(connected!.settings).toMatchObject({
      timezone: "Europe/Lisbon",
      timezoneSource: "cart",
    });

    // Signed in: the catalog opens with the cookie, and the return link cannot be replayed.
    const catalog = await app.fetch("/app", { headers: { Cookie: session } });
    expect(catalog.status).toBe(200);
    expect(await catalog.text()).toContain("93.184.215.14");
    const replay = await app.fetch(`/connect/woocommerce/return?success=1&user_id=${nonce}`, {
      headers: { Cookie: cookie },
    });
    expect(replay.headers.get("location")).toBe("/connect/woocommerce");
    expect(cookieFrom(replay)).not.toBe(session);

    // The store's deliveries, signed with the secret it was given, are accepted.
    const body = JSON.stringify(wooOrder({ id: 4401 }));
    const delivered = await app.fetch(`/webhooks/woocommerce/${shop!.id}`, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Delivery-ID": "a1b2c3",
        "X-WC-Webhook-Signature": signWooBody(body, keys.webhookSecret),
      },
    });
    expect(delivered.status).toBe(200);
    expect(
      await app.ctx.db.select().from(webhookReceipts).where(eq(webhookReceipts.shopId, shop!.id)),
    ).toHaveLength(1);
  });

  it("does not sign in without a cookie, with a tampered one, or from another browser", async () => {
    expect((await app.fetch("/app")).headers.get("location")).toBe("/auth/login");

    storeApi({ hpos: false });
    const { nonce, cookie } = await start();
    expect((await postKeys(nonce)).status).toBe(200);

    // Another browser (without the cookie that started the handshake) cannot finish it.
    const stranger = await app.fetch(`/connect/woocommerce/return?success=1&user_id=${nonce}`);
    expect(stranger.headers.get("location")).toBe("/connect/woocommerce");
    const page = await app.fetch("/connect/woocommerce", {
      headers: { Cookie: cookieFrom(stranger) },
    });
    expect(await page.text()).toContain("started in another browser");

    const back = await app.fetch(`/connect/woocommerce/return?success=1&user_id=${nonce}`, {
      headers: { Cookie: cookie },
    });
    const session = cookieFrom(back);
    expect((await app.fetch("/app", { headers: { Cookie: session } })).status).toBe(200);

    // Flip one character of the signed value: the signature no longer matches.
    const [name, value] = session.split("=") as [string, string];
    const i = Math.floor(value.length / 3);
    const flipped = value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1);
    const tampered = await app.fetch("/app", { headers: { Cookie: `${name}=${flipped}` } });
    expect(tampered.status).toBe(302);
    expect(tampered.headers.get("location")).toBe("/auth/login");
  });

  it("signs the owner in but says so when the store refuses the webhooks", async () => {
    storeApi({ hpos: false, refuseWebhooks: true });
    const { nonce, cookie } = await start();
    expect((await postKeys(nonce)).status).toBe(200);
    const back = await app.fetch(`/connect/woocommerce/return?success=1&user_id=${nonce}`, {
      headers: { Cookie: cookie },
    });
    expect(back.headers.get("location")).toBe("/connect/woocommerce");
    const page = await app.fetch("/connect/woocommerce", { headers: { Cookie: cookieFrom(back) } });
    const html = await page.text();
    expect(html).toContain("not allowed to create resources");
    expect(html).toContain("Try again");

    // Once the store allows it, Try again finishes the set-up and opens the catalog.
    mswServer.resetHandlers();
    const created = storeApi({ hpos: false });
    const retry = await app.fetch("/connect/woocommerce?index", {
      method: "POST",
      body: new URLSearchParams({ intent: "setup" }),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookieFrom(back),
      },
    });
    expect(retry.status).toBe(302);
    expect(retry.headers.get("location")).toBe("/app");
    expect(created).toHaveLength(4);
    // Without a signed-in store, Try again does nothing.
    const anonymous = await app.fetch("/connect/woocommerce?index", {
      method: "POST",
      body: new URLSearchParams({ intent: "setup" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(await anonymous.text()).toContain("Connect the store first");
  });

  it("tells the owner when they declined at the store", async () => {
    const { nonce, cookie } = await start();
    const back = await app.fetch(`/connect/woocommerce/return?success=0&user_id=${nonce}`, {
      headers: { Cookie: cookie },
    });
    expect(back.headers.get("location")).toBe("/connect/woocommerce");
    const page = await app.fetch("/connect/woocommerce", { headers: { Cookie: cookieFrom(back) } });
    expect(await page.text()).toContain("did not grant access");
    // Shown once: the page's answer forgets it.
    const again = await app.fetch("/connect/woocommerce", {
      headers: { Cookie: cookieFrom(page) },
    });
    expect(await again.text()).not.toContain("did not grant access");
    expect((await app.fetch("/connect/woocommerce")).headers.getSetCookie()).toEqual([]);
  });
});

describe("calls to a connected store", () => {
  // A store address on this machine, as if saved before the policy (or by hand): listening on
  // "::" it answers loopback in every spelling, and counts what reaches it.
  let inside: http_.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    inside = http_.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"id":1,"secret":"inside"}');
    });
    await new Promise<void>((resolve) => inside.listen(0, "::", resolve));
    port = (inside.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => inside.close(() => resolve()));
  });

  it.each(["http://127.0.0.1:PORT", "http://[::ffff:127.0.0.1]:PORT", "http://[::127.0.0.1]:PORT"])(
    "are checked when they are made: %s is not called",
    async (template) => {
      const url = template.replace("PORT", String(port));
      const shop = await ensureShop(app.ctx.db, {
        platform: "woocommerce",
        domain: `inside-${port}-${hits}-${Math.random().toString(36).slice(2)}.example`,
        name: "Inside Store",
      });
      await app.ctx.db
        .update(shops)
        .set({
          credentials: sealSecret(
            app.ctx.config.encryptionKey,
            JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test", url }),
          ),
        })
        .where(eq(shops.id, shop.id));
      const [stored] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
      const before = hits;
      const connector = connectorFor(app.ctx, stored!);
      const outcome = await connector.fetchOrder("4401");
      expect(outcome).toEqual({
        ok: false,
        retryable: false,
        reason: expect.stringMatching(
          /^WooCommerce was not called: the address .+ is on a private network, which is not allowed$/,
        ),
      });
      // An import stops at once, not after its retries.
      const pages = connector.importOrders({ mode: "all" }, null)[Symbol.asyncIterator]();
      await expect(pages.next()).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(
          /stopped the import .*: the address .+ is on a private network/,
        ),
      });
      expect(hits).toBe(before);
    },
  );
});
