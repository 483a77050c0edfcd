// Capture on WooCommerce through the JSON API: a WooCommerce Stripe authorise-only charge is
// captured whole by moving the order to processing (the extension then sets
// `_stripe_charge_captured` to "yes"); any other gateway has nothing Orderlane can capture.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shops } from "~/db/schema";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder } from "./support/factories";
import { mswServer } from "./support/msw";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

async function wooShop() {
  const shop = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: `store-${randomUUID().slice(0, 8)}.example`,
    name: "Woo store",
  });
  const credentials = sealSecret(
    app.ctx.config.encryptionKey,
    JSON.stringify({ consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: "whsec" }),
  );
  await app.ctx.db.update(shops).set({ credentials }).where(eq(shops.id, shop.id));
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  return { shop, token: created.token };
}

function call(token: string, method: string, path: string, body?: unknown) {
  return app.fetch(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The order as WooCommerce answers it, `captured` the extension's flag (absent: not Stripe's). */
function answer(id: number, status: string, paymentMethod: string, captured?: "no" | "yes") {
  return wooOrder({
    id,
    status,
    modified: new Date(Date.now() + 60_000).toISOString().slice(0, 19),
    currency: "EUR",
    total: "35.00",
    payment_method: paymentMethod,
    transaction_id: paymentMethod === "stripe" ? `ch_${id}` : "",
    date_paid_gmt: captured === "no" || status === "on-hold" ? null : "2026-12-01T10:00:00",
    meta_data: captured ? [{ id: 1, key: "_stripe_charge_captured", value: captured }] : [],
  });
}

interface Payments {
  status: string;
  capturable: string;
  captured: string;
  transactions: { kind: string; amount: string; gateway: string }[];
}

describe("Capture on WooCommerce", () => {
  it("captures a Stripe charge whole by moving the order to processing; a part is refused first", async () => {
    const { shop, token } = await wooShop();
    const order = await createOrder(app.ctx.db, shop, {
      cartOrderId: "741",
      cartStatusRaw: "on-hold",
      currency: "EUR",
      total: "35.00",
    });
    const base = `https://${shop.domain}/wp-json/wc/v3/orders/741`;
    let state = answer(741, "on-hold", "stripe", "no");
    const puts: unknown[] = [];
    mswServer.use(
      http.get(base, () => HttpResponse.json(state)),
      http.put(base, async ({ request }) => {
        const body = (await request.json()) as { status: string };
        puts.push(body);
        // The extension captures the charge on the move to processing.
        state = answer(741, body.status, "stripe", "yes");
        return HttpResponse.json(state);
      }),
    );
    expect((await call(token, "POST", `/api/v1/orders/${order.id}/payments/sync`)).status).toBe(
      200,
    );
    const before = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(before).toMatchObject({ status: "authorised", capturable: "35.00", captured: "0.00" });

    const part = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "10.00",
    });
    expect(part.status).toBe(422);
    expect(JSON.stringify(await part.json())).toContain("whole authorisation only");
    expect(puts).toEqual([]);

    const whole = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "35.00",
    });
    expect(whole.status).toBe(200);
    expect(puts).toEqual([{ status: "processing" }]);
    const after = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(after).toMatchObject({ status: "paid", capturable: "0.00", captured: "35.00" });

    // Reading the order again finds the same capture, not a second one.
    expect((await call(token, "POST", `/api/v1/orders/${order.id}/payments/sync`)).status).toBe(
      200,
    );
    const synced = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(synced.transactions.map((t) => [t.kind, t.amount])).toEqual([
      ["authorization", "35.00"],
      ["capture", "35.00"],
    ]);
  });

  it("another gateway's order has nothing to capture, and Capture sends nothing", async () => {
    const { shop, token } = await wooShop();
    const order = await createOrder(app.ctx.db, shop, {
      cartOrderId: "742",
      cartStatusRaw: "on-hold",
      currency: "EUR",
      total: "35.00",
    });
    const base = `https://${shop.domain}/wp-json/wc/v3/orders/742`;
    const puts: unknown[] = [];
    mswServer.use(
      http.get(base, () => HttpResponse.json(answer(742, "on-hold", "bacs"))),
      http.put(base, async ({ request }) => {
        puts.push(await request.json());
        return HttpResponse.json(answer(742, "processing", "bacs"));
      }),
    );
    expect((await call(token, "POST", `/api/v1/orders/${order.id}/payments/sync`)).status).toBe(
      200,
    );
    const payments = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(payments.capturable).toBe("0.00");
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "35.00",
    });
    expect(res.status).toBe(409);
    expect(JSON.stringify(await res.json())).toContain("Nothing on this order is waiting");
    expect(puts).toEqual([]);
  });
});
