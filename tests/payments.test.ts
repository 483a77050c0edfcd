// Payments through the JSON API: status and amounts worked out from the cart's transactions, and
// Capture through Shopify's orderCapture (shaped as the Admin GraphQL API documents it), with every
// bad amount refused before anything reaches the cart.
import { and, eq } from "drizzle-orm";
import { HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, paymentTransactions } from "~/db/schema";
import { createApiToken } from "~/shops/api-tokens.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mockShopifyAdmin, type GraphqlCall } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** A Shopify order whose 50.00 USD is authorised and not yet captured. */
async function authorisedOrder() {
  const shop = await createShop(app.ctx.db, { platform: "shopify" });
  await createSession(app.ctx.db, shop.domain);
  const order = await createOrder(app.ctx.db, shop, {
    cartOrderId: "450789469",
    currency: "USD",
    total: "50.00",
  });
  await app.ctx.db.insert(paymentTransactions).values({
    shopId: shop.id,
    orderId: order.id,
    kind: "authorization",
    amount: "50.00",
    currency: "USD",
    status: "success",
    gateway: "shopify_payments",
    cartTransactionId: "389404469",
    processedAt: new Date("2026-12-01T10:00:00Z"),
  });
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  return { shop, order, token: created.token };
}

function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers = new Headers({ "content-type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  return app.fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Shopify's answer to orderCapture: the new capture transaction on the authorisation. */
function captured(id: string) {
  return (c: GraphqlCall) => {
    const input = c.variables.input as { amount: string; currency: string };
    return {
      data: {
        orderCapture: {
          transaction: {
            id: `gid://shopify/OrderTransaction/${id}`,
            kind: "CAPTURE",
            status: "SUCCESS",
            gateway: "shopify_payments",
            processedAt: "2026-12-07T12:00:00Z",
            errorCode: null,
            parentTransaction: { id: "gid://shopify/OrderTransaction/389404469" },
            amountSet: { shopMoney: { amount: input.amount, currencyCode: input.currency } },
          },
          userErrors: [],
        },
      },
    };
  };
}

interface Payments {
  status: string;
  capturable: string;
  captured: string;
  refunded: string;
  transactions: { kind: string; amount: string; parentId: string | null; gateway: string }[];
}

describe("payments", () => {
  it("an authorised order answers its status and amounts from its transactions", async () => {
    const { order, token } = await authorisedOrder();
    const res = await call(token, "GET", `/api/v1/orders/${order.id}/payments`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "authorised",
      currency: "USD",
      capturable: "50.00",
      captured: "0.00",
      refunded: "0.00",
      transactions: [
        {
          kind: "authorization",
          status: "success",
          amount: "50.00",
          gateway: "shopify_payments",
          parentId: null,
          createdAt: "2026-12-01T10:00:00.000Z",
        },
      ],
    });
  });

  it("captures in part and then the rest, finalCapture on the last, each stored before the answer", async () => {
    const { shop, order, token } = await authorisedOrder();
    let next = 0;
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneOrderCapture: (c) => captured(["900001", "900002"][next++]!)(c),
    });
    const first = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "20.00",
    });
    expect(first.status).toBe(200);
    const afterFirst = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(afterFirst).toMatchObject({
      status: "partly_captured",
      capturable: "30.00",
      captured: "20.00",
    });
    const second = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "30",
    });
    expect(second.status).toBe(200);
    expect(calls.map((c) => c.variables.input)).toEqual([
      {
        id: "gid://shopify/Order/450789469",
        parentTransactionId: "gid://shopify/OrderTransaction/389404469",
        amount: "20.00",
        currency: "USD",
        finalCapture: false,
      },
      {
        id: "gid://shopify/Order/450789469",
        parentTransactionId: "gid://shopify/OrderTransaction/389404469",
        amount: "30.00",
        currency: "USD",
        finalCapture: true,
      },
    ]);
    const payments = (await (
      await call(token, "GET", `/api/v1/orders/${order.id}/payments`)
    ).json()) as Payments;
    expect(payments).toMatchObject({ status: "paid", capturable: "0.00", captured: "50.00" });
    const auth = payments.transactions[0]!;
    expect(payments.transactions.slice(1).map((t) => [t.kind, t.amount, t.parentId])).toEqual([
      ["capture", "20.00", (auth as unknown as { id: string }).id],
      ["capture", "30.00", (auth as unknown as { id: string }).id],
    ]);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.action, "payment_captured")));
    expect(events.map((e) => e.message).sort()).toEqual([
      "Captured 20.00 USD through shopify_payments",
      "Captured 30.00 USD through shopify_payments",
    ]);
  });

  it("refuses a bad amount with the reason and sends nothing to Shopify", async () => {
    const { shop, order, token } = await authorisedOrder();
    const calls = mockShopifyAdmin(shop.domain, { OrderlaneOrderCapture: captured("1") });
    const cases: [unknown, number, RegExp][] = [
      [{ amount: "50.01" }, 422, /At most 50.00 USD can be captured/],
      [{ amount: "0" }, 422, /more than zero/],
      [{ amount: "0.00" }, 422, /more than zero/],
      [{ amount: "-5" }, 422, /cannot be negative/],
      [{ amount: "ten" }, 422, /is not an amount/],
      [{ amount: "1e3" }, 422, /is not an amount/],
      [{ amount: "12.345" }, 422, /USD amounts have at most 2 decimals/],
      [{ amount: 12.34 }, 400, /decimal string/],
      [{}, 400, /decimal string/],
    ];
    for (const [body, status, reason] of cases) {
      const res = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const { error } = (await res.json()) as { error: { message: string } };
      expect(error.message, JSON.stringify(body)).toMatch(reason);
    }
    expect(calls).toEqual([]);
    const rows = await app.ctx.db
      .select()
      .from(paymentTransactions)
      .where(eq(paymentTransactions.orderId, order.id));
    expect(rows).toHaveLength(1);
  });

  it("a capture Shopify refuses shows its words, stores nothing and says so on the timeline", async () => {
    const { shop, order, token } = await authorisedOrder();
    mockShopifyAdmin(shop.domain, {
      OrderlaneOrderCapture: () => ({
        data: {
          orderCapture: {
            transaction: null,
            userErrors: [{ field: ["amount"], message: "Authorization has expired" }],
          },
        },
      }),
    });
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "10.00",
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe("Shopify: Authorization has expired");
    const rows = await app.ctx.db
      .select()
      .from(paymentTransactions)
      .where(eq(paymentTransactions.orderId, order.id));
    expect(rows).toHaveLength(1);
    const [event] = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.action, "capture_refused")));
    expect(event!.message).toContain("Authorization has expired");
  });

  it("a capture that times out at Shopify: 409 saying nothing was captured, nothing stored", async () => {
    const { shop, order, token } = await authorisedOrder();
    mockShopifyAdmin(shop.domain, {
      OrderlaneOrderCapture: () => new HttpResponse("Service Unavailable", { status: 503 }),
    });
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/payments/capture`, {
      amount: "10.00",
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toMatch(/could not be reached, so nothing was captured/);
    const rows = await app.ctx.db
      .select()
      .from(paymentTransactions)
      .where(eq(paymentTransactions.orderId, order.id));
    expect(rows).toHaveLength(1);
  });

  it("another shop's order is 404 and a missing token 401, on every payments route", async () => {
    const mine = await authorisedOrder();
    const theirs = await authorisedOrder();
    const base = `/api/v1/orders/${theirs.order.id}/payments`;
    expect((await call(mine.token, "GET", base)).status).toBe(404);
    expect((await call(mine.token, "POST", `${base}/sync`)).status).toBe(404);
    expect((await call(mine.token, "POST", `${base}/capture`, { amount: "1.00" })).status).toBe(
      404,
    );
    expect((await call(null, "GET", base)).status).toBe(401);
    expect((await call(null, "POST", `${base}/sync`)).status).toBe(401);
    expect((await call(null, "POST", `${base}/capture`, { amount: "1.00" })).status).toBe(401);
  });
});
