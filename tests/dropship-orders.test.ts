// Drop-ship purchase orders through the doors an owner's integration uses: Dropship on an order
// (POST /api/v1/orders/:id/dropship), the purchase-order list and one PO, and what reaches the
// distributor (a real HTTP server speaking the provider protocol on loopback).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  flowTriggerEvents,
  distributorItems,
  lineItems,
  orderEvents,
  providers,
  shipments,
  submissions,
  webhookReceipts,
} from "~/db/schema";
import { sendSubmission } from "~/fulfillment/send.server";
import { mapSku } from "~/fulfillment/dropship/sku-map.server";
import { pollDistributorTracking } from "~/fulfillment/dropship/tracking-poll.server";
import { submitOrder } from "~/fulfillment/submit.server";
import { IDEMPOTENCY_KEY_HEADER, signBody } from "~/fulfillment/protocol";
import { RetryLater } from "~/jobs/queues";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, drainQueue, startTestApp, type TestApp } from "./support/app";
import { startSftpServer, type TestFileServer } from "./support/file-servers";
import { createOrder, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const SECRET = "distributor-secret";

let app: TestApp;
let shop: Shop;
let other: Shop;
let token: string;
let otherToken: string;
let east: string;
let west: string;
let otherDistributor: string;
let printer: string;

/** A distributor's order endpoint: records every request; `hangFirst` leaves the first unanswered. */
interface FakeDistributor {
  url: string;
  requests: { path: string; key: string | null; body: Record<string, unknown> }[];
  orders: Map<string, string>;
  hangNext: number;
  server: Server;
}
let distributorServer: FakeDistributor;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function startDistributor(): Promise<FakeDistributor> {
  const fake: FakeDistributor = {
    url: "",
    requests: [],
    orders: new Map(),
    hangNext: 0,
    server: createServer((req, res) => {
      void readBody(req).then((raw) => {
        const key = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
        const body = JSON.parse(raw) as Record<string, unknown>;
        fake.requests.push({
          path: req.url ?? "",
          key: typeof key === "string" ? key : null,
          body,
        });
        if (req.url === "/stock") {
          const skus = body.skus as string[];
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ stock: skus.map((sku) => ({ sku, available: 7 })) }));
          return;
        }
        if (fake.hangNext > 0) {
          fake.hangNext--;
          return; // never answered: the caller's time limit decides
        }
        const k = String(key);
        if (!fake.orders.has(k)) fake.orders.set(k, `EAST-${fake.orders.size + 1}`);
        res.writeHead(fake.orders.size === 1 ? 201 : 200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ providerOrderId: fake.orders.get(k), status: "accepted" }));
      });
    }),
  };
  await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

async function addDistributor(shopId: string, name: string, endpoint: string | null) {
  const [row] = await app.ctx.db
    .insert(providers)
    .values({
      shopId,
      kind: "distributor",
      name,
      endpoint,
      signingSecret: sealSecret(app.ctx.config.encryptionKey, SECRET),
      settings: { orders: { delivery: "http", liveStock: true, maxAddressLength: 35 } },
    })
    .returning();
  return row!.id;
}

async function carries(providerId: string, shopId: string, sku: string, stock = 20, lead = 1) {
  await app.ctx.db.insert(distributorItems).values({
    shopId,
    providerId,
    sku,
    stock,
    cost: "4.00",
    leadTimeDays: lead,
  });
}

function api(path: string, init: RequestInit & { as?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${init.as ?? token}`);
  if (init.body) headers.set("content-type", "application/json");
  return app.fetch(path, { ...init, headers });
}

function dropship(orderId: string, body: unknown, as?: string) {
  return api(`/api/v1/orders/${orderId}/dropship`, {
    method: "POST",
    body: JSON.stringify(body),
    as,
  });
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** A paid order with a mug (carried by East and West) and, optionally, a printed tee. */
async function mugOrder(withTee = false, sku = "MUG-11") {
  const items = [
    { sku, title: "Camp Mug", quantity: 2, price: "12.00", personalization: null },
    ...(withTee
      ? [
          {
            sku: "TEE-BLK-M",
            title: "Plain Tee",
            quantity: 1,
            price: "20.00",
            personalization: null,
          },
        ]
      : []),
  ];
  const order = await createOrder(app.ctx.db, shop, {}, items);
  const lines = await app.ctx.db
    .select()
    .from(lineItems)
    .where(eq(lineItems.orderId, order.id))
    .orderBy(lineItems.position);
  return { order, mug: lines[0]!, tee: lines[1] };
}

beforeAll(async () => {
  app = await startTestApp();
  distributorServer = await startDistributor();
  shop = await createShop(app.ctx.db, { platform: "shopify", domain: "ds-orders.myshopify.com" });
  other = await createShop(app.ctx.db, { platform: "shopify", domain: "ds-other.myshopify.com" });
  for (const [s, set] of [
    [shop, (t: string) => (token = t)],
    [other, (t: string) => (otherToken = t)],
  ] as const) {
    const created = await createApiToken(app.ctx.db, s.id, { name: "t", createdBy: "Ava" });
    if (!created.ok) throw new Error("no token");
    set(created.token);
  }
  east = await addDistributor(shop.id, "East Supply", distributorServer.url);
  west = await addDistributor(shop.id, "West Wholesale", distributorServer.url);
  otherDistributor = await addDistributor(other.id, "Other Shop Supply", distributorServer.url);
  const [pod] = await app.ctx.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "sandbox",
      name: "Sandbox Printer",
      endpoint: "http://127.0.0.1:9",
      isDefault: true,
    })
    .returning();
  printer = pod!.id;
  await carries(east, shop.id, "MUG-11");
  await carries(west, shop.id, "MUG-11");
  await carries(east, shop.id, "LAMP-2", 20, 3);
  await carries(east, shop.id, "VASE-1", 0);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    distributorServer?.server.close(() => resolve());
    distributorServer?.server.closeAllConnections();
  });
  await app?.close();
  await closeVite();
});

describe("Dropship", () => {
  it("places one purchase order, sends it once with its key, and the order becomes Open", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "PO-7001",
      items: [{ lineId: mug.id, distributorId: east }],
      confirm: true,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { purchaseOrders: { id: string; poNumber: string }[] };
    expect(body.purchaseOrders.map((p) => p.poNumber)).toEqual(["PO-7001"]);
    const [po] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.id, body.purchaseOrders[0]!.id));
    expect(po).toMatchObject({ dropship: true, lineIds: [mug.id], state: "pending" });

    // The same request again (a double click, a retried call) places nothing new.
    const again = await dropship(order.id, {
      poNumber: "PO-7001",
      items: [{ lineId: mug.id, distributorId: east }],
      confirm: true,
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { replayed: boolean }).replayed).toBe(true);

    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: po!.id },
      { lastAttempt: false },
    );
    const sent = distributorServer.requests.filter((r) => r.body.poNumber === "PO-7001");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.key).toBe(po!.idempotencyKey);
    expect((sent[0]!.body.items as { sku: string; quantity: number }[])[0]).toMatchObject({
      sku: "MUG-11",
      quantity: 2,
    });
    const orderRes = await api(`/api/v1/orders/${order.id}`);
    expect(((await orderRes.json()) as { order: { state: string } }).order.state).toBe("open");
  });

  it("refuses without the confirmation: 400, and nothing is placed", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, { items: [{ lineId: mug.id, distributorId: east }] });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("confirmation_required");
    expect(
      await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, order.id)),
    ).toEqual([]);
  });

  it("refuses a PO number the shop already used: 409 naming the PO that has it", async () => {
    const first = await mugOrder();
    await dropship(first.order.id, {
      poNumber: "PO-DUP",
      items: [{ lineId: first.mug.id, distributorId: east }],
      confirm: true,
    });
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "po-dup",
      items: [{ lineId: mug.id, distributorId: west }],
      confirm: true,
    });
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error.code).toBe("po_number_taken");
    expect(error.message).toBe(
      `PO number PO-DUP is already used by the purchase order to East Supply for order ${first.order.cartOrderNumber}`,
    );
  });

  it("refuses an item the distributor cannot ship: 409 with the reason", async () => {
    const lamp = await mugOrder(false, "LAMP-2");
    const res = await dropship(lamp.order.id, {
      items: [{ lineId: lamp.mug.id, distributorId: east }],
      confirm: true,
    });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toEqual({
      code: "not_eligible",
      message:
        "Camp Mug cannot be drop-shipped by East Supply: Lead time 3 days (your limit is 1 day)",
    });
    const vase = await mugOrder(false, "VASE-1");
    const out = await dropship(vase.order.id, {
      items: [{ lineId: vase.mug.id, distributorId: east }],
      confirm: true,
    });
    expect((await errorOf(out)).message).toMatch(/Out of stock/);
  });

  it("refuses an address longer than the distributor takes, naming the field", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      items: [{ lineId: mug.id, distributorId: east }],
      shippingAddress: {
        name: "Ava Lindqvist",
        address1: "1 A Very Long Street Name That Goes On And On",
        city: "Portland",
        provinceCode: "OR",
        zip: "97201",
        countryCode: "US",
      },
      confirm: true,
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; problems: { field: string }[] } };
    expect(body.error.code).toBe("invalid_address");
    expect(body.error.problems.map((p) => p.field)).toEqual(["address1"]);
  });

  it("answers 404 for another shop's order, and for another shop's distributor", async () => {
    const { order, mug } = await mugOrder();
    const foreignOrder = await dropship(
      order.id,
      { items: [{ lineId: mug.id, distributorId: east }], confirm: true },
      otherToken,
    );
    expect(foreignOrder.status).toBe(404);
    const foreignDistributor = await dropship(order.id, {
      items: [{ lineId: mug.id, distributorId: otherDistributor }],
      confirm: true,
    });
    expect(foreignDistributor.status).toBe(404);
    expect((await errorOf(foreignDistributor)).code).toBe("unknown_distributor");
  });

  it("retries a distributor that times out with the same key: one order at the distributor", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "PO-SLOW",
      items: [{ lineId: mug.id, distributorId: west }],
      confirm: true,
    });
    const id = ((await res.json()) as { purchaseOrders: { id: string }[] }).purchaseOrders[0]!.id;
    distributorServer.hangNext = 1;
    await expect(
      sendSubmission(
        app.ctx,
        { shopId: shop.id, submissionId: id },
        { lastAttempt: false },
        { timeoutMs: 500 },
      ),
    ).rejects.toBeInstanceOf(RetryLater);
    await sendSubmission(app.ctx, { shopId: shop.id, submissionId: id }, { lastAttempt: false });
    const calls = distributorServer.requests.filter((r) => r.body.poNumber === "PO-SLOW");
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect([...distributorServer.orders.keys()].filter((k) => k === calls[0]!.key)).toHaveLength(1);
    const [po] = await app.ctx.db.select().from(submissions).where(eq(submissions.id, id));
    expect(po!.state).toBe("submitted");
  });
});

describe("orders with print-on-demand and drop-ship items", () => {
  it("Submit sends the printed item only; the order is Open once the drop-ship PO is placed", async () => {
    const { order, mug, tee } = await mugOrder(true);
    const result = await submitOrder(app.ctx, shop.id, order.id, { actor: "owner", name: "Ava" });
    expect(result.outcome).toBe("submitted");
    const subs = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, order.id));
    expect(subs.map((s) => s.providerId)).toEqual([printer]);
    const [teeRow] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, tee!.id));
    expect(teeRow!.providerId).toBe(printer);
    let state = (
      (await (await api(`/api/v1/orders/${order.id}`)).json()) as { order: { state: string } }
    ).order.state;
    expect(state).toBe("new");

    // Submit again has nothing left to send: the rest waits for Dropship.
    const again = await submitOrder(app.ctx, shop.id, order.id, { actor: "owner", name: "Ava" });
    expect(again).toMatchObject({ outcome: "refused" });
    expect((again as { reason: string }).reason).toMatch(/Dropship/);

    const res = await dropship(order.id, {
      items: [{ lineId: mug.id, distributorId: east }],
      confirm: true,
    });
    expect(res.status).toBe(201);
    state = (
      (await (await api(`/api/v1/orders/${order.id}`)).json()) as { order: { state: string } }
    ).order.state;
    expect(state).toBe("open");
  });

  it("the countdown never sends an order whose items are all drop-shipped", async () => {
    const deadline = new Date(Date.now() - 1000);
    const order = await createOrder(app.ctx.db, shop, { autoSubmitAt: deadline }, [
      { sku: "MUG-11", title: "Camp Mug", quantity: 1, price: "12.00", personalization: null },
    ]);
    const result = await submitOrder(
      app.ctx,
      shop.id,
      order.id,
      { actor: "system" },
      {
        deadline: deadline.toISOString(),
      },
    );
    expect(result.outcome).toBe("refused");
    expect(
      await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, order.id)),
    ).toEqual([]);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id));
    expect(events.map((e) => e.action)).toContain("countdown_stopped");
    const row = (
      (await (await api(`/api/v1/orders/${order.id}`)).json()) as {
        order: { state: string; autoSubmitAt: string | null };
      }
    ).order;
    expect(row).toMatchObject({ state: "new", autoSubmitAt: null });
  });
});

describe("purchase orders list", () => {
  it("lists the shop's purchase orders newest first, searches, filters and pages", async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { order, mug } = await mugOrder();
      const poNumber = `LIST-${i}`;
      await dropship(order.id, {
        poNumber,
        items: [{ lineId: mug.id, distributorId: west }],
        confirm: true,
      });
      placed.push(poNumber);
    }
    const search = await api(`/api/v1/purchase-orders?search=LIST-`);
    const found = (await search.json()) as {
      purchaseOrders: { poNumber: string; shipped: string; distributor: { name: string } }[];
    };
    expect(found.purchaseOrders.map((p) => p.poNumber)).toEqual([...placed].reverse());
    expect(found.purchaseOrders.every((p) => p.shipped === "not_shipped")).toBe(true);

    const byDistributor = await api(`/api/v1/purchase-orders?search=West`);
    expect(
      (
        (await byDistributor.json()) as { purchaseOrders: { distributor: { name: string } }[] }
      ).purchaseOrders.every((p) => p.distributor.name === "West Wholesale"),
    ).toBe(true);

    // Keyset paging: two pages of the same search, nothing twice, nothing missed.
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: Response = await api(
        `/api/v1/purchase-orders?search=LIST-&cursor=${encodeURIComponent(cursor)}`,
      );
      const json = (await page.json()) as {
        purchaseOrders: { poNumber: string }[];
        nextCursor: string | null;
      };
      seen.push(...json.purchaseOrders.map((p) => p.poNumber));
      cursor = json.nextCursor;
    }
    expect(seen).toEqual([...placed].reverse());

    const shipped = await api(`/api/v1/purchase-orders?search=LIST-&shipped=shipped`);
    expect(((await shipped.json()) as { purchaseOrders: unknown[] }).purchaseOrders).toEqual([]);
    expect((await api(`/api/v1/purchase-orders?shipped=lost`)).status).toBe(400);
    expect((await api(`/api/v1/purchase-orders?cursor=nonsense`)).status).toBe(400);
  });

  it("shows one PO with its items and history; another shop's PO is 404", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "PO-VIEW",
      items: [{ lineId: mug.id, distributorId: east }],
      confirm: true,
    });
    const id = ((await res.json()) as { purchaseOrders: { id: string }[] }).purchaseOrders[0]!.id;
    const one = await api(`/api/v1/purchase-orders/${id}`);
    expect(one.status).toBe(200);
    const po = (
      (await one.json()) as {
        purchaseOrder: {
          poNumber: string;
          items: { title: string }[];
          history: { message: string }[];
        };
      }
    ).purchaseOrder;
    expect(po.poNumber).toBe("PO-VIEW");
    expect(po.items.map((i) => i.title)).toEqual(["Camp Mug"]);
    expect(po.history[0]!.message).toMatch(/PO-VIEW placed with East Supply/);
    expect((await api(`/api/v1/purchase-orders/${id}`, { as: otherToken })).status).toBe(404);
  });
});

describe("tracking from a distributor", () => {
  it("refuses a shipment for a PO it does not know, and keeps it for support", async () => {
    const body = JSON.stringify({
      id: "evt_unknown_1",
      type: "shipment.shipped",
      occurredAt: new Date().toISOString(),
      providerOrderId: "NOPE-1",
      poNumber: "PO-NOBODY",
      shipment: {
        carrier: "UPS",
        trackingNumber: "1Z999",
        items: [{ lineId: "00000000-0000-4000-8000-000000000000", quantity: 1 }],
      },
    });
    const res = await app.fetch(`/api/providers/${east}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signBody(SECRET, body) },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(404);
    const [receipt] = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(eq(webhookReceipts.deliveryId, `${east}:evt_unknown_1`));
    expect(receipt!.error).toMatch(/No purchase order/);
  });
});

describe("SKU swapping", () => {
  function swap(orderId: string, lineId: string, body: unknown, as?: string) {
    return api(`/api/v1/orders/${orderId}/items/${lineId}/swap`, {
      method: "POST",
      body: JSON.stringify(body),
      as,
    });
  }

  it("switches an item to another distributor, in the timeline with both SKUs; the next PO goes there", async () => {
    await carries(west, shop.id, "MUG-11-W");
    const { order, mug } = await mugOrder();
    // West sells the same mug under its own SKU: the owner maps it, then swaps to it.
    await mapSku(app.ctx.db, shop.id, {
      shopSku: "MUG-11",
      providerId: west,
      distributorSku: "MUG-11-W",
    });
    const res = await swap(order.id, mug.id, { distributorId: west, sku: "MUG-11-W" });
    expect(res.status, await res.clone().text()).toBe(200);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id));
    const swapped = events.find((e) => e.action === "sku_swapped")!;
    expect(swapped.message).toBe("Camp Mug: SKU MUG-11 swapped for SKU MUG-11-W at West Wholesale");

    // The next purchase order goes to the new distributor, as its SKU.
    const placed = await dropship(order.id, {
      poNumber: "PO-SWAP",
      items: [{ lineId: mug.id, distributorId: west }],
      confirm: true,
    });
    expect(placed.status).toBe(201);
    const id = ((await placed.json()) as { purchaseOrders: { id: string }[] }).purchaseOrders[0]!
      .id;
    await sendSubmission(app.ctx, { shopId: shop.id, submissionId: id }, { lastAttempt: false });
    const sent = distributorServer.requests.find((r) => r.body.poNumber === "PO-SWAP")!;
    expect((sent.body.items as { sku: string }[])[0]!.sku).toBe("MUG-11-W");

    // Sent now: no more swapping.
    const late = await swap(order.id, mug.id, { distributorId: east, sku: "MUG-11" });
    expect(late.status).toBe(409);
  });

  it("Reset undoes a swap made before sending", async () => {
    const { order, mug } = await mugOrder();
    const res = await swap(order.id, mug.id, { distributorId: west, sku: "MUG-11-W" });
    expect(res.status, await res.clone().text()).toBe(200);
    const reset = await api(`/api/v1/orders/${order.id}/actions/reset`, { method: "POST" });
    expect(reset.status).toBe(200);
    const [row] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, mug.id));
    expect(row).toMatchObject({ providerId: null, distributorSku: null });
  });

  it("refuses a SKU the distributor does not carry (409), another shop's order or distributor (404)", async () => {
    const { order, mug } = await mugOrder();
    const wrong = await swap(order.id, mug.id, { distributorId: west, sku: "NOPE" });
    expect(wrong.status).toBe(409);
    expect((await errorOf(wrong)).message).toBe(
      "West Wholesale does not carry Camp Mug as SKU NOPE",
    );
    expect(
      (await swap(order.id, mug.id, { distributorId: west, sku: "MUG-11" }, otherToken)).status,
    ).toBe(404);
    expect(
      (await swap(order.id, mug.id, { distributorId: otherDistributor, sku: "MUG-11" })).status,
    ).toBe(404);
  });
});

describe("tracking read from a distributor's shipments file, and overdue purchase orders", () => {
  let sftp: TestFileServer;
  let filed: string;

  beforeAll(async () => {
    sftp = await startSftpServer();
    const [row] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "distributor",
        name: "Harbor Files",
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ ordersPassword: sftp.password }),
        ),
        settings: {
          orders: {
            delivery: "file",
            tracking: "file",
            poServer: {
              protocol: "sftp",
              host: sftp.host,
              port: sftp.port,
              username: sftp.username,
            },
            poFolder: "/po",
            shipmentsPath: "/out/shipments.csv",
          },
        },
      })
      .returning();
    filed = row!.id;
    await carries(filed, shop.id, "MUG-11");
  });
  afterAll(async () => {
    await sftp?.close();
  });

  it("uploads the PO file, reads the tracking every few hours, and stores each parcel once", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "PO-FILE-1",
      items: [{ lineId: mug.id, distributorId: filed }],
      confirm: true,
    });
    const id = ((await res.json()) as { purchaseOrders: { id: string }[] }).purchaseOrders[0]!.id;
    await sendSubmission(app.ctx, { shopId: shop.id, submissionId: id }, { lastAttempt: false });
    expect(readFileSync(path.join(sftp.root, "po/PO-FILE-1.csv"), "utf8")).toMatch(
      /^PO Number,SKU,Quantity,/,
    );

    mkdirSync(path.join(sftp.root, "out"), { recursive: true });
    writeFileSync(
      path.join(sftp.root, "out/shipments.csv"),
      "\uFEFFPO Number,SKU,Quantity,Carrier,Tracking Number\r\n" +
        "PO-SOMEONE-ELSE,X,1,UPS,1Z000\r\n" +
        "PO-FILE-1,MUG-11,two,UPS,1ZBAD\r\n" +
        "PO-FILE-1,MUG-11,2,UPS,1Z4242\r\n",
    );
    const now = new Date();
    const first = await pollDistributorTracking(app.ctx, now);
    expect(first.failures).toEqual([]);
    expect(first.events).toBe(1);
    await drainQueue(app.ctx, "process-webhook");
    const parcels = await app.ctx.db.select().from(shipments).where(eq(shipments.submissionId, id));
    expect(parcels.map((p) => [p.carrier, p.trackingNumber, p.items])).toEqual([
      ["UPS", "1Z4242", [{ lineItemId: mug.id, quantity: 2 }]],
    ]);

    // Not due again before four hours; after, the same row is not a second parcel.
    expect(
      (await pollDistributorTracking(app.ctx, new Date(now.getTime() + 60_000))).distributorsRead,
    ).toBe(0);
    const po = (
      (await (await api(`/api/v1/purchase-orders/${id}`)).json()) as {
        purchaseOrder: { shipped: string; tracking: { trackingNumber: string }[] };
      }
    ).purchaseOrder;
    expect(po.shipped).toBe("shipped");
    expect(po.tracking.map((t) => t.trackingNumber)).toEqual(["1Z4242"]);
  });

  it("flags a PO unshipped after six weeks as Overdue, says so, and stops looking for it", async () => {
    const { order, mug } = await mugOrder();
    const res = await dropship(order.id, {
      poNumber: "PO-LATE",
      items: [{ lineId: mug.id, distributorId: filed }],
      confirm: true,
    });
    const id = ((await res.json()) as { purchaseOrders: { id: string }[] }).purchaseOrders[0]!.id;
    await sendSubmission(app.ctx, { shopId: shop.id, submissionId: id }, { lastAttempt: false });
    const placedAt = new Date(Date.now() - 43 * 86_400_000);
    await app.ctx.db.update(submissions).set({ createdAt: placedAt }).where(eq(submissions.id, id));

    const result = await pollDistributorTracking(app.ctx, new Date(Date.now() + 5 * 3_600_000));
    expect(result.overdue).toBe(1);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id));
    expect(events.find((e) => e.action === "purchase_order_overdue")!.message).toMatch(
      /PO-LATE is overdue: Harbor Files has not shipped it 6 weeks after it was placed.*Contact the distributor/,
    );
    const listed = (await (await api(`/api/v1/purchase-orders?shipped=overdue`)).json()) as {
      purchaseOrders: { poNumber: string }[];
    };
    expect(listed.purchaseOrders.map((p) => p.poNumber)).toContain("PO-LATE");
    // The Shopify shop's Flow hears it once, with the PO and how many days past six weeks.
    const flow = await app.ctx.db
      .select()
      .from(flowTriggerEvents)
      .where(eq(flowTriggerEvents.eventKey, `submission:${id}:overdue`));
    expect(flow.map((f) => [f.trigger, f.payload])).toEqual([
      [
        "orderlane-po-overdue",
        expect.objectContaining({ "Purchase order number": "PO-LATE", "Days overdue": 1 }),
      ],
    ]);
    const [row] = await app.ctx.db.select().from(submissions).where(eq(submissions.id, id));
    const polledAt = row!.polledAt;
    // Flagged once; later runs neither flag it again nor ask about it.
    expect(
      (await pollDistributorTracking(app.ctx, new Date(Date.now() + 10 * 3_600_000))).overdue,
    ).toBe(0);
    const [after] = await app.ctx.db.select().from(submissions).where(eq(submissions.id, id));
    expect(after!.polledAt).toEqual(polledAt);
    expect(
      await app.ctx.db
        .select()
        .from(flowTriggerEvents)
        .where(eq(flowTriggerEvents.eventKey, `submission:${id}:overdue`)),
    ).toHaveLength(1);
  });
});
