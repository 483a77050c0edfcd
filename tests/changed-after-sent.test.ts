// "Changed in the cart after it was sent", through the doors: the carts' webhooks change an order a
// provider (the real sandbox, over HTTP) has accepted; the owner reads the alert on the order page
// and in the JSON API, and answers it there.
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWooBody } from "~/carts/woocommerce/delivery.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { orderEvents, orders, providers, shops, submissions } from "~/db/schema";
import { sendSubmission } from "~/fulfillment/send.server";
import type { SandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import {
  closeVite,
  drainQueue,
  shopifySessionToken,
  shopifyWebhook,
  startTestApp,
  type TestApp,
} from "./support/app";
import { createSession, createShop } from "./support/factories";
import { SANDBOX_SECRET, startSandbox } from "./support/fulfillment";
import { shopifyJson, webhookOrder } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let sandbox: SandboxProvider;

beforeAll(async () => {
  app = await startTestApp();
  // Nothing ships while a test runs: changes are made to orders still being produced.
  sandbox = await startSandbox({ shipDelayMs: 10 * 60_000 });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await sandbox?.close();
  await app?.close();
  await closeVite();
});

interface Wired {
  shop: Shop;
  token: string;
}

async function wire(shop: Shop): Promise<Wired> {
  await app.ctx.db.insert(providers).values({
    shopId: shop.id,
    kind: "sandbox",
    name: "Sandbox Printer",
    endpoint: sandbox.url,
    signingSecret: sealSecret(app.ctx.config.encryptionKey, SANDBOX_SECRET),
    isDefault: true,
  });
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Ops", createdBy: "Ava" });
  if (!created.ok) throw new Error("no token");
  return { shop, token: created.token };
}

function api(w: Wired, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${w.token}`);
  return app.fetch(path, { ...init, headers });
}

async function apiOrder(w: Wired, orderId: string) {
  const res = await api(w, `/api/v1/orders/${orderId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { order: { alert: { code: string; message: string } | null } })
    .order;
}

function answer(w: Wired, orderId: string, action: string, body?: unknown) {
  return api(w, `/api/v1/orders/${orderId}/actions/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function orderOf(shopId: string, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.cartOrderId, cartOrderId)));
  return order!;
}

async function submissionOf(orderId: string) {
  const [row] = await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, orderId));
  return row!;
}

async function timeline(orderId: string) {
  return app.ctx.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.createdAt));
}

/** Submitted through the API and sent to the sandbox as the send job does; accepted there. */
async function sendToProvider(w: Wired, orderId: string) {
  const res = await api(w, `/api/v1/orders/${orderId}/submit`, { method: "POST" });
  expect(res.status).toBe(200);
  const submission = await submissionOf(orderId);
  await sendSubmission(
    app.ctx,
    { shopId: w.shop.id, submissionId: submission.id },
    { lastAttempt: false },
  );
  const sent = await submissionOf(orderId);
  expect(sent.state).toBe("submitted");
  return sent;
}

// ---- Shopify --------------------------------------------------------------------------------

async function shopifyShop(): Promise<Wired> {
  const shop = await createShop(app.ctx.db, {
    domain: `changed-${randomUUID().slice(0, 8)}.myshopify.com`,
  });
  await createSession(app.ctx.db, shop.domain);
  return wire(shop);
}

async function deliverShopify(w: Wired, topic: string, payload: Record<string, unknown>) {
  const res = await app.fetch(
    "/webhooks/shopify",
    shopifyWebhook(topic, w.shop.domain, null, { rawBody: shopifyJson(payload) }),
  );
  expect(res.status).toBe(200);
  await drainQueue(app.ctx, "process-webhook");
}

const YORK = {
  first_name: "Mia",
  last_name: "Okafor",
  name: "Mia Okafor",
  address1: "4 Elm Rd",
  city: "York",
  province: "North Yorkshire",
  province_code: "NYK",
  zip: "YO1 7HH",
  country: "United Kingdom",
  country_code: "GB",
};

function later(payload: Record<string, unknown>, changes: Record<string, unknown>) {
  return {
    ...payload,
    ...changes,
    updated_at: new Date(Date.parse(String(payload.updated_at)) + 60_000).toISOString(),
  };
}

async function orderPageHtml(w: Wired, orderId: string): Promise<string> {
  const host = Buffer.from(`admin.shopify.com/store/${w.shop.domain}`).toString("base64url");
  const query = `embedded=1&shop=${w.shop.domain}&host=${host}&id_token=${shopifySessionToken(w.shop.domain)}`;
  const res = await app.fetch(`/app/orders/${orderId}?${query}`, {
    headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" },
  });
  expect(res.status).toBe(200);
  return res.text();
}

describe("changed in the cart after it was sent", () => {
  it("a Shopify orders/updated moving a sent order raises the alert with old and new address; asking the sandbox to update clears it", async () => {
    const w = await shopifyShop();
    const created = webhookOrder();
    await deliverShopify(w, "orders/create", created);
    const order = await orderOf(w.shop.id, String(created.id));
    const sent = await sendToProvider(w, order.id);

    const moved = later(created, { shipping_address: YORK });
    await deliverShopify(w, "orders/updated", moved);

    const change =
      "Shipping address: 9 Harbour St, Halifax, Nova Scotia, B3H 1A1, Canada → 4 Elm Rd, York, North Yorkshire, YO1 7HH, United Kingdom";
    const alert = (await apiOrder(w, order.id)).alert;
    expect(alert?.code).toBe("changed_after_sent");
    expect(alert?.message).toContain(change);
    const html = await orderPageHtml(w, order.id);
    expect(html).toContain("Changed in the cart after it was sent");
    expect(html).toContain("9 Harbour St, Halifax, Nova Scotia, B3H 1A1, Canada");
    expect(html).toContain("4 Elm Rd, York, North Yorkshire, YO1 7HH, United Kingdom");
    for (const choice of ["Ask the provider to update", "Cancel and send again", "Keep as sent"]) {
      expect(html).toContain(choice);
    }

    // The same delivery again (Shopify retries) changes nothing and raises nothing new.
    await deliverShopify(w, "orders/updated", moved);
    const raised = (await timeline(order.id)).filter((e) => e.action === "changed_after_sent");
    expect(raised).toHaveLength(1);

    const res = await answer(w, order.id, "update-at-provider");
    expect(res.status).toBe(200);
    // The sandbox now holds the new address under the same order and PO.
    const held = sandbox.purchaseOrder(sent.providerOrderId!);
    expect(held?.poNumber).toBe(sent.poNumber);
    expect(held?.recipient).toMatchObject({ address1: "4 Elm Rd", city: "York" });
    expect((await apiOrder(w, order.id)).alert).toBeNull();
    const asked = (await timeline(order.id)).find((e) => e.action === "update_at_provider");
    expect(asked).toMatchObject({ actor: "owner", actorName: `API token "Ops"` });
    expect(asked?.message).toContain(`updated ${sent.poNumber}`);
    // Exactly once: the update went under its own key, the purchase order was not sent again.
    expect(sandbox.stats().requestsByKey[sent.idempotencyKey]).toBe(1);
    expect(await submissionOf(order.id)).toMatchObject({
      state: "submitted",
      idempotencyKey: sent.idempotencyKey,
    });
  });

  it("a change before the order was sent raises nothing", async () => {
    const w = await shopifyShop();
    const created = webhookOrder();
    await deliverShopify(w, "orders/create", created);
    await deliverShopify(w, "orders/updated", later(created, { shipping_address: YORK }));
    const order = await orderOf(w.shop.id, String(created.id));
    expect(order.shippingAddress?.city).toBe("York");
    expect(order.alert).toBeNull();
    expect((await timeline(order.id)).some((e) => e.action === "changed_after_sent")).toBe(false);
  });

  it("a provider that is already producing refuses the update: the alert stays with its reason until the owner keeps it as sent", async () => {
    const w = await shopifyShop();
    const base = webhookOrder();
    const lines = (base.line_items as Record<string, unknown>[]).map((line, i) =>
      i === 0 ? { ...line, sku: "MUG-SANDBOX-IN-PRODUCTION" } : line,
    );
    const created = { ...base, line_items: lines } as Record<string, unknown>;
    await deliverShopify(w, "orders/create", created);
    const order = await orderOf(w.shop.id, String(created.id));
    await sendToProvider(w, order.id);
    await deliverShopify(w, "orders/updated", later(created, { shipping_address: YORK }));

    const res = await answer(w, order.id, "update-at-provider");
    expect(res.status).toBe(409);
    const refusal = (await res.json()) as { error: { message: string } };
    expect(refusal.error.message).toContain("already in production");
    const html = await orderPageHtml(w, order.id);
    expect(html).toContain("already in production");
    expect((await apiOrder(w, order.id)).alert?.code).toBe("changed_after_sent");

    const kept = await answer(w, order.id, "keep-as-sent");
    expect(kept.status).toBe(200);
    expect((await apiOrder(w, order.id)).alert).toBeNull();
    const entry = (await timeline(order.id)).find((e) => e.action === "keep_as_sent");
    expect(entry).toMatchObject({ actor: "owner", actorName: `API token "Ops"` });
    expect(entry?.message).toContain("4 Elm Rd, York");
    // Answered once, it cannot be answered again.
    expect((await answer(w, order.id, "keep-as-sent")).status).toBe(409);
  });

  it("a provider that does not answer leaves the alert and says so", async () => {
    const w = await shopifyShop();
    const created = webhookOrder();
    await deliverShopify(w, "orders/create", created);
    const order = await orderOf(w.shop.id, String(created.id));
    await sendToProvider(w, order.id);
    await deliverShopify(w, "orders/updated", later(created, { shipping_address: YORK }));
    // The provider's address stops answering.
    await app.ctx.db
      .update(providers)
      .set({ endpoint: "http://127.0.0.1:9" })
      .where(eq(providers.shopId, w.shop.id));
    const res = await answer(w, order.id, "update-at-provider");
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /could not be reached/,
    );
    expect((await apiOrder(w, order.id)).alert?.code).toBe("changed_after_sent");
  });
});

// ---- WooCommerce ----------------------------------------------------------------------------

const WOO_SECRET = "whsec-changed";

async function wooShop(): Promise<Wired> {
  const shop = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: `store-${randomUUID().slice(0, 8)}.example`,
    name: "Woo store",
  });
  const credentials = sealSecret(
    app.ctx.config.encryptionKey,
    JSON.stringify({ consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: WOO_SECRET }),
  );
  const [stored] = await app.ctx.db
    .update(shops)
    .set({ credentials })
    .where(eq(shops.id, shop.id))
    .returning();
  return wire(stored!);
}

async function deliverWoo(w: Wired, topic: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await app.fetch(`/webhooks/woocommerce/${w.shop.id}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-WC-Webhook-Source": "https://store.example/",
      "X-WC-Webhook-Topic": topic,
      "X-WC-Webhook-Resource": "order",
      "X-WC-Webhook-Event": topic.split(".")[1]!,
      "X-WC-Webhook-ID": "41",
      "X-WC-Webhook-Delivery-ID": randomUUID().replace(/-/g, ""),
      "X-WC-Webhook-Signature": signWooBody(body, WOO_SECRET),
    },
  });
  expect(res.status).toBe(200);
  await drainQueue(app.ctx, "process-webhook");
}

function mugLine(quantity: number) {
  return {
    id: 501,
    name: "Mug",
    product_id: 5,
    variation_id: 0,
    quantity,
    tax_class: "",
    subtotal: "10.00",
    subtotal_tax: "0.00",
    total: "10.00",
    total_tax: "0.00",
    taxes: [],
    meta_data: [],
    sku: "MUG-W",
    price: 10,
  };
}

describe("changed in the cart after it was sent, WooCommerce", () => {
  it("order.updated raising a quantity raises the alert; cancel and send again sends a new purchase order with a new key", async () => {
    const w = await wooShop();
    const id = 70_000 + Math.floor(Math.random() * 10_000);
    await deliverWoo(w, "order.created", wooOrder({ id, lineItems: [mugLine(1)] }));
    const order = await orderOf(w.shop.id, String(id));
    const sent = await sendToProvider(w, order.id);

    await deliverWoo(
      w,
      "order.updated",
      wooOrder({ id, lineItems: [mugLine(2)], modified: "2026-11-20T18:00:00" }),
    );
    const alert = (await apiOrder(w, order.id)).alert;
    expect(alert?.code).toBe("changed_after_sent");
    expect(alert?.message).toContain("Quantity of Mug: 1 → 2");

    const res = await answer(w, order.id, "cancel-and-resend");
    expect(res.status).toBe(200);
    expect((await apiOrder(w, order.id)).alert).toBeNull();
    const again = await submissionOf(order.id);
    expect(again).toMatchObject({ state: "pending", poNumber: `${sent.poNumber}-R2` });
    expect(again.idempotencyKey).not.toBe(sent.idempotencyKey);
    // The send job sends the new purchase order once; the cancelled one stays cancelled there.
    await sendSubmission(
      app.ctx,
      { shopId: w.shop.id, submissionId: again.id },
      { lastAttempt: false },
    );
    const resent = await submissionOf(order.id);
    expect(resent.state).toBe("submitted");
    expect(resent.providerOrderId).not.toBe(sent.providerOrderId);
    expect(sandbox.purchaseOrder(resent.providerOrderId!)?.items[0]?.quantity).toBe(2);
    expect(sandbox.stats().requestsByKey[again.idempotencyKey]).toBe(1);
    const entry = (await timeline(order.id)).find((e) => e.action === "cancel_and_resend");
    expect(entry).toMatchObject({ actor: "owner", actorName: `API token "Ops"` });
    expect(entry?.message).toContain(`cancelled ${sent.poNumber}`);
  });
});
