// The demo's Shopify and WooCommerce shops and their cart simulator: `npm run demo` as a user runs
// it (a child process, real ports), and the same wiring in this process where the connectors'
// calls are followed into the simulator.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorFor } from "~/carts/connectors.server";
import { KEY_FILE_NAME } from "~/config.server";
import { openDatabase } from "~/db/client.server";
import { importRuns, lineItems, orders, shops, webhookReceipts } from "~/db/schema";
import {
  DEMO_SHOPIFY_ACCESS_TOKEN,
  DEMO_WOO_CONSUMER_KEY,
  startDemoCarts,
  type DemoCarts,
} from "~/demo/cart-shops.server";
import { DEMO_SHOPIFY_ORDERS, DEMO_WOO_ORDERS } from "~/demo/cart-orders";
import { createApiToken } from "~/shops/api-tokens.server";
import { startCartSimulator, type CartSimulator } from "~/demo/cart-simulator.server";
import { DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { seedDemoShop } from "~/demo/seed.server";
import { runImportJob } from "~/orders/import.server";
import { openSecret } from "~/security/encryption.server";
import { findShop } from "~/shops/shops.server";
import { drainQueue, startTestApp, type TestApp } from "./support/app";
import { testDatabaseKind } from "./support/db";
import { childEnv } from "./support/process";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const SHOPIFY_SHOP = "demo-store.myshopify.com";
const sample = fs.readFileSync(
  path.resolve(import.meta.dirname, "../docs/samples/shopify-orders-create.json"),
  "utf8",
);

function signedShopifyDelivery(secret: string, webhookId: string, shop = SHOPIFY_SHOP) {
  return {
    method: "POST",
    body: sample,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(sample).digest("base64"),
    },
  };
}

async function graphql(simulatorUrl: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(
    `${simulatorUrl}/shopify/${SHOPIFY_SHOP}/admin/api/2026-10/graphql.json`,
    {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Access-Token": DEMO_SHOPIFY_ACCESS_TOKEN,
      },
      body: JSON.stringify({ query, variables }),
    },
  );
  const body = (await response.json()) as { data: Record<string, unknown>; errors?: unknown[] };
  return { status: response.status, body };
}

describe.skipIf(testDatabaseKind !== "pglite")("npm run demo with its cart shops", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-demo-carts-"));
  let child: ChildProcess | null = null;
  let output = "";
  let url = "";

  beforeAll(async () => {
    // SHOPIFY_API_SECRET is deliberately unset: the demo makes one up and prints it.
    child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--demo"], {
      env: childEnv({ DATA_DIR: dataDir, PORT: "0", SANDBOX_PORT: "0", DEMO_CART_PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /demo app at (http:\/\/localhost:\d+)/.exec(output);
        if (match?.[1]) {
          clearInterval(timer);
          resolve(match[1]);
        }
      }, 100);
      child!.once("exit", (code) => {
        clearInterval(timer);
        reject(new Error(`demo exited with ${code}:\n${output}`));
      });
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(() => {
    if (child && child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const printedSecret = () => /SHOPIFY_API_SECRET=([0-9a-f]{48}) \(made up/.exec(output)?.[1];
  const simulatorUrl = () =>
    /cart simulator listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];

  it("seeds a Shopify and a WooCommerce shop and shows each one's orders through the switcher", async () => {
    expect(output).toMatch(
      /demo Shopify shop demo-store\.myshopify\.com ready \(5 orders created\)/,
    );
    expect(output).toMatch(/demo WooCommerce shop demo-woo\.localhost ready \(5 orders created\)/);

    const shopifyPage = await fetch(`${url}/app?shop=${SHOPIFY_SHOP}`);
    expect(shopifyPage.status).toBe(200);
    const shopifyHtml = await shopifyPage.text();
    expect(shopifyHtml).toContain("Ava Lindqvist");
    // The switcher offers every demo shop, with the chosen one selected.
    expect(shopifyHtml).toContain("Showing demo shop");
    expect(shopifyHtml).toMatch(/<option value="demo-woo\.localhost"/);
    expect(shopifyHtml).toMatch(/<option value="demo-store\.myshopify\.com" selected/);
    expect(shopifyHtml).not.toContain("Isla Fairweather");
    expect(shopifyHtml).not.toContain("#1072"); // the original demo shop's newest order
    // The choice is remembered for pages that carry no `shop` parameter.
    const cookie = shopifyPage.headers.get("set-cookie")?.split(";")[0];
    expect(cookie).toMatch(/^orderlane_demo_shop=/);
    const remembered = await (await fetch(`${url}/app`, { headers: { cookie: cookie! } })).text();
    expect(remembered).toContain("Ava Lindqvist");

    const wooHtml = await (await fetch(`${url}/app?shop=${DEMO_WOO_DOMAIN}`)).text();
    expect(wooHtml).toContain("Isla Fairweather");
    expect(wooHtml).not.toContain("Ava Lindqvist");

    // Without a choice, the original demo shop as before.
    expect(await (await fetch(`${url}/app`)).text()).toContain("#1072");
  });

  it("refuses a shop parameter naming a shop that is not a demo shop", async () => {
    const response = await fetch(`${url}/app?shop=someone-else.myshopify.com`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("someone-else.myshopify.com is not a demo shop");
  });

  it("accepts a Shopify delivery signed with the printed secret, and refuses a wrong signature", async () => {
    const secret = printedSecret();
    expect(secret).toBeDefined();
    const accepted = await fetch(
      `${url}/webhooks/shopify`,
      signedShopifyDelivery(secret!, "demo-delivery-1"),
    );
    expect(accepted.status).toBe(200);
    const forged = await fetch(
      `${url}/webhooks/shopify`,
      signedShopifyDelivery("not-the-secret", "demo-delivery-2"),
    );
    expect(forged.status).toBe(401);
  });

  it("answers the cart calls of both shops from the seeded orders", async () => {
    const sim = simulatorUrl();
    expect(sim).toBeDefined();
    const { body } = await graphql(
      sim!,
      `
        query Order($id: ID!) {
          order(id: $id) {
            id
            name
            email
            displayFulfillmentStatus
          }
        }
      `,
      { id: "gid://shopify/Order/6120448000303" },
    );
    expect(body).toMatchObject({
      data: { order: { name: "#1003", displayFulfillmentStatus: "ON_HOLD" } },
    });

    const woo = await fetch(
      `${sim}/wp-json/wc/v3/orders?per_page=2&consumer_key=${DEMO_WOO_CONSUMER_KEY}`,
    );
    expect(woo.status).toBe(200);
    expect(woo.headers.get("x-wp-total")).toBe("5");
    expect(woo.headers.get("x-wp-totalpages")).toBe("3");
    const withoutKey = await fetch(`${sim}/wp-json/wc/v3/orders`);
    expect(withoutKey.status).toBe(401);
  });

  it("keeps what it stored once stopped: the receipt, the shops' orders, the store's sealed keys", async () => {
    await new Promise((resolve) => {
      child!.once("exit", resolve);
      process.kill(child!.pid!, "SIGTERM");
    });
    expect(child!.exitCode).toBe(0);
    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      const shopify = await findShop(database.db, "shopify", SHOPIFY_SHOP);
      const woo = await findShop(database.db, "woocommerce", DEMO_WOO_DOMAIN);
      const receipts = await database.db
        .select()
        .from(webhookReceipts)
        .where(eq(webhookReceipts.source, "shopify"));
      expect(receipts.map((r) => [r.deliveryId, r.shopId, r.topic])).toEqual([
        ["demo-delivery-1", shopify!.id, "orders/create"],
      ]);
      // The accepted orders/create adds a sixth order once the demo's worker has run its job,
      // which may or may not have happened before the stop; the receipt says which.
      const delivered = receipts[0]?.processedAt ? 1 : 0;
      expect(await database.db.$count(orders, eq(orders.shopId, shopify!.id))).toBe(5 + delivered);
      expect(await database.db.$count(orders, eq(orders.shopId, woo!.id))).toBe(5);

      const credentials = JSON.parse(
        // Sealed with the key the demo made for its data folder, not one from the source.
        openSecret(
          Buffer.from(fs.readFileSync(path.join(dataDir, KEY_FILE_NAME), "utf8").trim(), "hex"),
          woo!.credentials!,
        ),
      ) as Record<string, string>;
      expect(credentials.url).toBe(simulatorUrl());
      // The printed WooCommerce secret is the one stored for the store's deliveries.
      expect(output).toContain(`signed with ${credentials.webhookSecret}`);
      expect(woo!.credentials).not.toContain(credentials.consumerSecret!);
    } finally {
      await database.close();
    }
  });
});

describe("the demo's cart simulator behind the real connectors", () => {
  let app: TestApp;
  let carts: DemoCarts;

  beforeAll(async () => {
    app = await startTestApp({ demo: true, env: { DEMO_CART_PORT: "0" } });
    // The carts deliver their webhooks to this app, as they do to `npm run demo`.
    app.ctx.config.publicUrl = app.url;
    await seedDemoShop(app.ctx.db, {
      sandboxUrl: "http://127.0.0.1:9",
      sandboxSecret: "sandbox-secret",
      encryptionKey: app.ctx.config.encryptionKey,
    });
    carts = await startDemoCarts(app.ctx, {
      sandboxUrl: "http://127.0.0.1:9",
      sandboxSecret: "sandbox-secret",
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await carts?.simulator.close();
    await app?.close();
  });

  const shopRow = async (platform: "shopify" | "woocommerce" | "demo", domain: string) => {
    const [row] = await app.ctx.db
      .select()
      .from(shops)
      .where(and(eq(shops.platform, platform), eq(shops.domain, domain)));
    return row!;
  };

  it("sends Shopify Admin API calls for the demo shop to the simulator: tracking becomes a fulfillment", async () => {
    const shop = await shopRow("shopify", SHOPIFY_SHOP);
    const trackingNumber = `1Z${randomUUID().slice(0, 8)}`;
    const outcome = await connectorFor(app.ctx, shop).pushTracking({
      shopDomain: SHOPIFY_SHOP,
      cartOrderId: "6120448000101",
      carrier: "UPS",
      trackingNumber,
      trackingUrl: null,
      items: [{ cartLineId: "15800440000101", quantity: 1 }],
      notifyCustomer: true,
      completesOrder: true,
    });
    expect(outcome).toMatchObject({ ok: true });
    const { body } = await graphql(
      carts.simulator.url,
      `
        {
          order(id: "gid://shopify/Order/6120448000101") {
            displayFulfillmentStatus
            fulfillments {
              trackingInfo {
                number
                company
              }
            }
          }
        }
      `,
      {},
    );
    expect(body).toMatchObject({
      data: {
        order: {
          displayFulfillmentStatus: "FULFILLED",
          fulfillments: [{ trackingInfo: [{ number: trackingNumber, company: "UPS" }] }],
        },
      },
    });
    expect(
      carts.simulator
        .requests()
        .filter((r) => r.cart === "shopify")
        .map((r) => r.what),
      // Its fulfillment orders, the fulfillment, the order read back (the cart's answer is
      // stored at once), and this test's own question.
    ).toEqual(["order", "fulfillmentCreate", "order", "order"]);
  });

  it("refuses to fulfil a Shopify order on hold, in Shopify's words", async () => {
    const shop = await shopRow("shopify", SHOPIFY_SHOP);
    const outcome = await connectorFor(app.ctx, shop).pushTracking({
      shopDomain: SHOPIFY_SHOP,
      cartOrderId: "6120448000303",
      carrier: "UPS",
      trackingNumber: "1ZHELD",
      trackingUrl: null,
      items: [{ cartLineId: "15800440000303", quantity: 1 }],
      notifyCustomer: false,
      completesOrder: true,
    });
    // Nothing fulfillable: the connector finds no open fulfillment order and sends nothing.
    expect(outcome).toMatchObject({ ok: true });
    const { body } = await graphql(
      carts.simulator.url,
      `
        mutation {
          fulfillmentCreate(
            fulfillment: {
              lineItemsByFulfillmentOrder: [
                { fulfillmentOrderId: "gid://shopify/FulfillmentOrder/6120455000303" }
              ]
            }
          ) {
            fulfillment {
              id
            }
            userErrors {
              message
            }
          }
        }
      `,
      {},
    );
    expect(body).toMatchObject({
      data: {
        fulfillmentCreate: {
          fulfillment: null,
          userErrors: [{ message: expect.stringContaining("unfulfillable status= on_hold") }],
        },
      },
    });
  });

  it("lands WooCommerce tracking as a customer note and a shipment tracking entry in the simulated store", async () => {
    const shop = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const outcome = await connectorFor(app.ctx, shop).pushTracking({
      shopDomain: DEMO_WOO_DOMAIN,
      cartOrderId: "4301",
      carrier: "Royal Mail",
      trackingNumber: "RM123456785GB",
      trackingUrl: "https://www.royalmail.com/track-your-item#/tracking-results/RM123456785GB",
      items: [{ cartLineId: "801", quantity: 1 }],
      notifyCustomer: true,
      completesOrder: true,
    });
    expect(outcome).toMatchObject({ ok: true });
    const key = `consumer_key=${DEMO_WOO_CONSUMER_KEY}`;
    const notes = (await (
      await fetch(`${carts.simulator.url}/wp-json/wc/v3/orders/4301/notes?${key}`)
    ).json()) as { note: string; customer_note: boolean }[];
    expect(notes).toContainEqual(
      expect.objectContaining({
        note: expect.stringContaining("RM123456785GB"),
        customer_note: true,
      }),
    );
    const trackings = (await (
      await fetch(
        `${carts.simulator.url}/wp-json/wc-shipment-tracking/v3/orders/4301/shipment-trackings?${key}`,
      )
    ).json()) as { tracking_number: string }[];
    expect(trackings.map((t) => t.tracking_number)).toEqual(["RM123456785GB"]);
    const order = (await (
      await fetch(`${carts.simulator.url}/wp-json/wc/v3/orders/4301?${key}`)
    ).json()) as { status: string };
    expect(order.status).toBe("completed");
  });

  it("answers a WooCommerce call for an order the store does not have with WooCommerce's 404", async () => {
    const shop = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const outcome = await connectorFor(app.ctx, shop).pushTracking({
      shopDomain: DEMO_WOO_DOMAIN,
      cartOrderId: "999999",
      carrier: null,
      trackingNumber: "X1",
      trackingUrl: null,
      items: [],
      notifyCustomer: false,
      completesOrder: false,
    });
    expect(outcome).toEqual({
      ok: false,
      retryable: false,
      reason: "WooCommerce (HTTP 404): Invalid ID.",
    });
  });

  it("captures the WooCommerce Stripe order's charge whole through the route: the store marks it captured", async () => {
    const shop = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const order = await storedOrder(shop.id, { id: "4305" });
    const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
    if (!created.ok) throw new Error("token not created");
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${created.token}`,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const before = (await (await api("GET", `/api/v1/orders/${order!.id}/payments`)).json()) as {
      status: string;
      capturable: string;
    };
    expect(before).toMatchObject({ status: "authorised", capturable: "32.75" });
    const part = await api("POST", `/api/v1/orders/${order!.id}/payments/capture`, {
      amount: "10.00",
    });
    expect(part.status).toBe(422);
    const whole = await api("POST", `/api/v1/orders/${order!.id}/payments/capture`, {
      amount: "32.75",
    });
    expect(whole.status).toBe(200);
    const after = (await (await api("GET", `/api/v1/orders/${order!.id}/payments`)).json()) as {
      status: string;
      captured: string;
    };
    expect(after).toMatchObject({ status: "paid", captured: "32.75" });
    const inStore = await fetch(
      `${carts.simulator.url}/wp-json/wc/v3/orders/4305?consumer_key=${DEMO_WOO_CONSUMER_KEY}`,
    );
    const stored = (await inStore.json()) as {
      status: string;
      meta_data: { key: string; value: unknown }[];
    };
    expect(stored.status).toBe("processing");
    expect(stored.meta_data).toContainEqual(
      expect.objectContaining({ key: "_stripe_charge_captured", value: "yes" }),
    );
  });

  it("a WooCommerce order paid another way has nothing to capture", async () => {
    const shop = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const order = await storedOrder(shop.id, { id: "4303" });
    const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
    if (!created.ok) throw new Error("token not created");
    const res = await fetch(`${app.url}/api/v1/orders/${order!.id}/payments`, {
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(((await res.json()) as { capturable: string }).capturable).toBe("0.00");
  });

  const storedOrder = async (shopId: string, where: { id?: string; number?: string }) => {
    const [row] = await app.ctx.db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.shopId, shopId),
          where.id ? eq(orders.cartOrderId, where.id) : eq(orders.cartOrderNumber, where.number!),
        ),
      );
    return row;
  };

  it("sends the signed webhooks a cart sends after a change it accepted, and the order then shows the cart's status", async () => {
    const woo = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const shopify = await shopRow("shopify", SHOPIFY_SHOP);
    expect((await storedOrder(woo.id, { id: "4302" }))?.cartStatus).toBe("processing");
    expect((await storedOrder(shopify.id, { id: "6120448000202" }))?.cartStatus).toBe("processing");
    const parcel = {
      carrier: "UPS",
      trackingUrl: null,
      notifyCustomer: true,
      completesOrder: true,
    };
    expect(
      await connectorFor(app.ctx, woo).pushTracking({
        ...parcel,
        shopDomain: DEMO_WOO_DOMAIN,
        cartOrderId: "4302",
        trackingNumber: "1ZWOO4302",
        items: [{ cartLineId: "802", quantity: 2 }],
      }),
    ).toMatchObject({ ok: true });
    expect(
      await connectorFor(app.ctx, shopify).pushTracking({
        ...parcel,
        shopDomain: SHOPIFY_SHOP,
        cartOrderId: "6120448000202",
        trackingNumber: "1ZSHOP1002",
        items: [
          { cartLineId: "15800440000202", quantity: 2 },
          { cartLineId: "15800440000203", quantity: 1 },
        ],
      }),
    ).toMatchObject({ ok: true });

    // Each cart's deliveries arrive at the app's webhook doors, signed, and are accepted.
    await carts.simulator.deliveriesSettled();
    const receipts = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(inArray(webhookReceipts.shopId, [woo.id, shopify.id]));
    expect(receipts.map((r) => [r.source, r.topic, r.error])).toEqual(
      expect.arrayContaining([
        ["woocommerce", "order.updated", null],
        ["shopify", "orders/updated", null],
      ]),
    );
    await drainQueue(app.ctx, "process-webhook");
    expect((await storedOrder(woo.id, { id: "4302" }))?.cartStatus).toBe("completed");
    expect((await storedOrder(shopify.id, { id: "6120448000202" }))?.cartStatus).toBe("completed");
  });

  it("imports the demo shop's orders from its cart: by ids and numbers, and one deleted here comes back", async () => {
    const demo = await shopRow("demo", DEMO_SHOP_DOMAIN);
    await app.ctx.db
      .delete(orders)
      .where(and(eq(orders.shopId, demo.id), eq(orders.cartOrderNumber, "#1001")));
    // The Import page's form, as the browser posts it.
    const started = await app.fetch(`/app/import.data?shop=${DEMO_SHOP_DOMAIN}`, {
      method: "POST",
      body: new URLSearchParams({ intent: "start", mode: "ids", ids: "#1001, 1002" }),
    });
    expect(started.status).toBe(200);
    const [queued] = await app.ctx.db
      .select({ id: importRuns.id })
      .from(importRuns)
      .where(eq(importRuns.shopId, demo.id));
    const runId = queued!.id;
    await runImportJob(app.ctx, { shopId: demo.id, runId }, { lastAttempt: false });
    const [run] = await app.ctx.db.select().from(importRuns).where(eq(importRuns.id, runId));
    expect(run).toMatchObject({ status: "completed", done: 2, total: 2, created: 1 });
    expect(await storedOrder(demo.id, { number: "#1001" })).toBeDefined();
  });

  it("writes a status change on the demo shop to its cart, which refuses what a cart refuses", async () => {
    const demo = await shopRow("demo", DEMO_SHOP_DOMAIN);
    const held = await storedOrder(demo.id, { number: "#1072" });
    const post = (orderId: string, change: string) =>
      app.fetch(`/app/orders/${orderId}?shop=${DEMO_SHOP_DOMAIN}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent: "status", change }).toString(),
      });
    expect((await post(held!.id, "hold")).status).toBe(200);
    expect((await storedOrder(demo.id, { number: "#1072" }))?.cartStatus).toBe("on_hold");
    const cart = (await (
      await fetch(`${carts.simulator.url}/demo-cart/api/orders/${held!.cartOrderId}`)
    ).json()) as { cartStatus: string };
    expect(cart.cartStatus).toBe("on_hold");
    expect(
      carts.simulator.requests().filter((r) => r.cart === "demo" && r.method === "POST"),
    ).toHaveLength(1);
  });

  it("cancels a demo shop order through its cart from the order page, releasing and refunding its payments", async () => {
    const demo = await shopRow("demo", DEMO_SHOP_DOMAIN);
    const held = await storedOrder(demo.id, { number: "#1072" });
    const post = (fields: Record<string, string>) =>
      app.fetch(`/app/orders/${held!.id}?shop=${DEMO_SHOP_DOMAIN}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const page = await app.fetch(`/app/orders/${held!.id}?shop=${DEMO_SHOP_DOMAIN}`);
    expect(await page.text()).toContain("Cancel Order");
    const res = await post({ intent: "cancel_order", reason: "customer", notifyCustomer: "true" });
    expect(res.status).toBe(200);
    const stored = await storedOrder(demo.id, { number: "#1072" });
    expect(stored).toMatchObject({ cartStatus: "cancelled", orderStatusKey: "cancelled" });
    const cart = (await (
      await fetch(`${carts.simulator.url}/demo-cart/api/orders/${held!.cartOrderId}`)
    ).json()) as { cartStatus: string; payments: { kind: string; status: string }[] };
    expect(cart.cartStatus).toBe("cancelled");
    // Every capture the cart holds was refunded.
    const kinds = cart.payments.filter((p) => p.status === "success").map((p) => p.kind);
    expect(kinds.filter((k) => k === "refund")).toHaveLength(
      kinds.filter((k) => k === "capture").length,
    );
    const again = await post({
      intent: "cancel_order",
      reason: "customer",
      notifyCustomer: "false",
    });
    expect(again.status).toBe(409);
  });

  it("leads the order page's links to pages of the simulator that show the order, product and parcel", async () => {
    const demo = await shopRow("demo", DEMO_SHOP_DOMAIN);
    const links = async (shop: string, orderId: string) => {
      const page = await app.fetch(`/app/orders/${orderId}?shop=${shop}`);
      expect(page.status).toBe(200);
      const text = await page.text();
      return [...text.matchAll(/href="(http:\/\/127\.0\.0\.1:\d+\/[^"]+)"/g)].map((m) =>
        m[1]!.replace(/&amp;/g, "&"),
      );
    };
    const open = async (url: string) => {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      return response.text();
    };

    // The demo shop: Edit Order, View product on the store, Define Design, and a parcel.
    const shipped = (
      await app.ctx.db
        .select()
        .from(orders)
        .where(and(eq(orders.shopId, demo.id), eq(orders.state, "closed")))
        .limit(1)
    )[0]!;
    const found = await links(DEMO_SHOP_DOMAIN, shipped.id);
    expect(found.join("\n")).toContain("/demo-cart/admin/orders/");
    const editor = found.find((l) => l.includes("/demo-cart/admin/orders/"));
    expect(await open(editor!)).toContain(`Order ${shipped.cartOrderNumber}`);
    const product = found.find((l) => l.includes("/demo-cart/products/"));
    const [item] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, shipped.id));
    expect(await open(product!)).toContain(item!.title);
    const design = found.find((l) => l.includes("/demo-cart/admin/products/"));
    expect(await open(design!)).toContain("Design");
    const tracking = found.find((l) => l.includes("/track/"));
    expect(await open(tracking!)).toContain(shipped.cartOrderNumber);

    // The Shopify shop: its admin's order page and its storefront's product page.
    const shopify = await shopRow("shopify", SHOPIFY_SHOP);
    const first = await storedOrder(shopify.id, { number: "#1001" });
    const shopifyLinks = await links(SHOPIFY_SHOP, first!.id);
    const shopifyEditor = shopifyLinks.find((l) => l.includes("/admin/orders/6120448000101"));
    expect(await open(shopifyEditor!)).toContain("Order #1001");
    const storefront = shopifyLinks.find((l) => l.includes("/products/custom-name-tee"));
    expect(await open(storefront!)).toContain("Custom Name Tee");
    // An order the simulator does not have answers a page saying so, not raw JSON.
    const missing = await fetch(`${carts.simulator.url}/demo-cart/admin/orders/0`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/html");
  });

  it("seeds once: a second start creates nothing and keeps the owner's changes", async () => {
    const shop = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    await app.ctx.db
      .update(orders)
      .set({ note: "Gift wrap" })
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, "4302")));
    const again = await startDemoCarts(app.ctx, {
      sandboxUrl: "http://127.0.0.1:9",
      sandboxSecret: "sandbox-secret",
    });
    await carts.simulator.close();
    carts = again;
    expect([again.shopify.ordersCreated, again.woo.ordersCreated]).toEqual([0, 0]);
    const [kept] = await app.ctx.db
      .select({ note: orders.note })
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, "4302")));
    expect(kept?.note).toBe("Gift wrap");
    // The store's address follows the simulator of this start.
    const stored = await shopRow("woocommerce", DEMO_WOO_DOMAIN);
    const credentials = JSON.parse(
      openSecret(app.ctx.config.encryptionKey, stored.credentials!),
    ) as { url: string };
    expect(credentials.url).toBe(again.simulator.url);
  });

  it("shows the chosen demo shop's orders and refuses any other shop", async () => {
    const woo = await app.fetch(`/app?shop=${DEMO_WOO_DOMAIN}`);
    expect(woo.status).toBe(200);
    expect(await woo.text()).toContain("Isla Fairweather");
    const other = await app.fetch(`/app?shop=not-a-demo.example.com`);
    expect(other.status).toBe(403);
  });
});

describe("the cart simulator's answers, as each cart words them", () => {
  let sim: CartSimulator;
  beforeAll(async () => {
    sim = await startCartSimulator({
      port: 0,
      appUrl: "http://localhost:3000",
      shopify: {
        shop: SHOPIFY_SHOP,
        accessToken: DEMO_SHOPIFY_ACCESS_TOKEN,
        orders: DEMO_SHOPIFY_ORDERS,
      },
      woo: { consumerKey: DEMO_WOO_CONSUMER_KEY, consumerSecret: "cs", orders: DEMO_WOO_ORDERS },
    });
  });
  afterAll(() => sim.close());

  it("refuses a wrong Shopify access token with 401", async () => {
    const response = await fetch(
      `${sim.url}/shopify/${SHOPIFY_SHOP}/admin/api/2026-10/graphql.json`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_wrong" },
        body: JSON.stringify({ query: "{ shop { name } }" }),
      },
    );
    expect(response.status).toBe(401);
  });

  it("answers an unknown field or a syntax error with GraphQL errors", async () => {
    const unknown = await graphql(sim.url, "{ draftOrders(first: 1) { nodes { id } } }", {});
    expect(unknown.body).toMatchObject({
      data: { draftOrders: null },
      errors: [{ message: "Field 'draftOrders' doesn't exist on type 'QueryRoot'" }],
    });
    const broken = await graphql(sim.url, "{ order(id: ", {});
    expect(broken.body).toMatchObject({
      errors: [{ message: expect.stringContaining("Parse error") }],
    });
  });

  it("pages orders(query:) with cursors and aliases", async () => {
    const query = `query Page($after: String) {
      page: orders(first: 2, after: $after, query: "created_at:>=2000-01-01 AND -name:#1004") {
        nodes { name }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const first = await graphql(sim.url, query, {});
    const page1 = first.body.data["page"] as {
      nodes: { name: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page1.nodes.map((n) => n.name)).toEqual(["#1005", "#1003"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(sim.url, query, { after: page1.pageInfo.endCursor });
    const page2 = second.body.data["page"] as { nodes: { name: string }[]; pageInfo: unknown };
    expect(page2.nodes.map((n) => n.name)).toEqual(["#1002", "#1001"]);
    expect(page2.pageInfo).toMatchObject({ hasNextPage: false });
  });

  it("runs a bulk operation whose JSONL lists orders and their line items by parent", async () => {
    const run = await graphql(
      sim.url,
      `
        mutation {
          bulkOperationRunQuery(
            query: """
            { orders { edges { node { id lineItems { edges { node { id } } } } } } }
            """
          ) {
            bulkOperation {
              id
              status
            }
            userErrors {
              message
            }
          }
        }
      `,
      {},
    );
    const started = run.body.data["bulkOperationRunQuery"] as { bulkOperation: { id: string } };
    const poll = await graphql(
      sim.url,
      `
        query ($id: ID!) {
          node(id: $id) {
            ... on BulkOperation {
              status
              url
              objectCount
            }
          }
        }
      `,
      { id: started.bulkOperation.id },
    );
    const op = poll.body.data["node"] as { status: string; url: string; objectCount: string };
    expect(op.status).toBe("COMPLETED");
    const lines = (await (await fetch(op.url)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; __parentId?: string });
    expect(lines).toHaveLength(Number(op.objectCount));
    expect(lines.filter((l) => !l.__parentId)).toHaveLength(5);
    expect(lines.filter((l) => l.__parentId === "gid://shopify/Order/6120448000202")).toHaveLength(
      2,
    );
  });

  it("holds, releases and cancels, refusing what Shopify refuses", async () => {
    const fo = "gid://shopify/FulfillmentOrder/6120455000202";
    const release = await graphql(
      sim.url,
      `
        mutation ($id: ID!) {
          fulfillmentOrderReleaseHold(id: $id) {
            userErrors {
              message
            }
          }
        }
      `,
      { id: fo },
    );
    expect(release.body.data["fulfillmentOrderReleaseHold"]).toEqual({
      fulfillmentOrder: null,
      userErrors: [{ field: ["id"], message: "The fulfillment order is not on hold." }],
    });
    const hold = await graphql(
      sim.url,
      `
        mutation ($id: ID!) {
          fulfillmentOrderHold(id: $id, fulfillmentHold: { reason: OTHER, reasonNotes: "x" }) {
            fulfillmentOrder {
              status
            }
            userErrors {
              message
            }
          }
        }
      `,
      { id: fo },
    );
    expect(hold.body.data["fulfillmentOrderHold"]).toMatchObject({
      fulfillmentOrder: { status: "ON_HOLD" },
      userErrors: [],
    });
    const cancel = `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refundMethod: { originalPaymentMethodsRefund: true }, restock: true) { job { done } orderCancelUserErrors { message } } }`;
    const first = await graphql(sim.url, cancel, { id: "gid://shopify/Order/6120448000202" });
    expect(first.body.data["orderCancel"]).toMatchObject({ orderCancelUserErrors: [] });
    const again = await graphql(sim.url, cancel, { id: "gid://shopify/Order/6120448000202" });
    expect(again.body.data["orderCancel"]).toMatchObject({
      orderCancelUserErrors: [{ message: "Order has already been cancelled" }],
    });
  });

  it("refuses WooCommerce requests as WooCommerce does", async () => {
    const key = `consumer_key=${DEMO_WOO_CONSUMER_KEY}`;
    const tooBig = await fetch(`${sim.url}/wp-json/wc/v3/orders?per_page=101&${key}`);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toMatchObject({ code: "rest_invalid_param" });
    const badStatus = await fetch(`${sim.url}/wp-json/wc/v3/orders/4302?${key}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: "shipped" }),
    });
    expect(badStatus.status).toBe(400);
    const badJson = await fetch(`${sim.url}/wp-json/wc/v3/orders/4302?${key}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(await badJson.json()).toMatchObject({ code: "rest_invalid_json" });
    const noRoute = await fetch(`${sim.url}/wp-json/wc/v3/coupons?${key}`);
    expect(noRoute.status).toBe(404);
    expect(await noRoute.json()).toMatchObject({ code: "rest_no_route" });
    const onHold = await fetch(`${sim.url}/wp-json/wc/v3/orders?status=on-hold&${key}`);
    expect(((await onHold.json()) as { id: number }[]).map((o) => o.id)).toEqual([4305, 4303]);
  });
});
