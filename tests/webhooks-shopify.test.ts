import type { IncomingMessage } from "node:http";
import { format } from "node:util";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "~/db/client.server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  customerDataRequests,
  lineItems,
  orderEvents,
  orders,
  sessions,
  shops,
  webhookReceipts,
} from "~/db/schema";
import { receiptGuard } from "~/carts/webhook-receipts.server";
import { guardJobInsert } from "~/jobs/guarded-insert.server";
import { closeVite, drainQueue, shopifyWebhook, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { shopifyJson, webhookOrder } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const post = (init: RequestInit) => app.fetch("/webhooks/shopify", init);

async function receiptsFor(domain: string) {
  return app.ctx.db.select().from(webhookReceipts).where(eq(webhookReceipts.shopDomain, domain));
}

describe("Shopify webhooks", () => {
  it("refuses a bad HMAC with 401 and stores nothing", async () => {
    const shop = await createShop(app.ctx.db);
    const res = await post(
      shopifyWebhook("app/uninstalled", shop.domain, { id: 1 }, { secret: "not-the-secret" }),
    );
    expect(res.status).toBe(401);
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
    const [still] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(still?.uninstalledAt).toBeNull();
  });

  it("refuses a body altered after signing", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const res = await post({ ...signed, body: JSON.stringify({ id: 2 }) });
    expect(res.status).toBe(401);
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("refuses a webhook missing Shopify's headers with 400", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const headers = { ...signed.headers };
    delete headers["X-Shopify-Webhook-Id"];
    const res = await post({ ...signed, headers });
    expect(res.status).toBe(400);
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("refuses an oversized body with 413 before reading it", async () => {
    const shop = await createShop(app.ctx.db);
    const huge = { note: "x".repeat(app.ctx.config.maxBodyBytes + 10) };
    const res = await post(shopifyWebhook("orders/create", shop.domain, huge));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("body_too_large");
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("app/uninstalled: answers 200, then the worker ends the shop's sessions and marks it uninstalled", async () => {
    const shop = await createShop(app.ctx.db);
    await createSession(app.ctx.db, shop.domain);
    const order = await createOrder(app.ctx.db, shop);

    const res = await post(shopifyWebhook("app/uninstalled", shop.domain, { id: 1 }));
    expect(res.status).toBe(200);
    const [receipt] = await receiptsFor(shop.domain);
    expect(receipt?.topic).toBe("app/uninstalled");
    expect(receipt?.processedAt).toBeNull();

    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const [after] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(after?.uninstalledAt).toBeInstanceOf(Date);
    expect(
      await app.ctx.db.select().from(sessions).where(eq(sessions.shop, shop.domain)),
    ).toHaveLength(0);
    // Orders are kept until Shopify asks for shop/redact.
    expect(await app.ctx.db.select().from(orders).where(eq(orders.id, order.id))).toHaveLength(1);
    const [processed] = await receiptsFor(shop.domain);
    expect(processed?.processedAt).toBeInstanceOf(Date);
  });

  it("a redelivered webhook (same X-Shopify-Webhook-Id) is stored and queued once", async () => {
    const shop = await createShop(app.ctx.db);
    const first = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 }, { webhookId: "dup-1" });
    expect((await post(first)).status).toBe(200);
    const again = await post(first);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-orderlane-duplicate")).toBe("true");
    expect(await receiptsFor(shop.domain)).toHaveLength(1);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
  });

  it("shop/redact erases the shop, its orders and its sessions", async () => {
    const shop = await createShop(app.ctx.db);
    await createSession(app.ctx.db, shop.domain);
    const order = await createOrder(app.ctx.db, shop);
    const res = await post(
      shopifyWebhook("shop/redact", shop.domain, { shop_id: 1, shop_domain: shop.domain }),
    );
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");
    expect(await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id))).toHaveLength(0);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.id, order.id))).toHaveLength(0);
    expect(
      await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id)),
    ).toHaveLength(0);
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("customers/redact erases that customer's details from the named orders only", async () => {
    const shop = await createShop(app.ctx.db);
    // An id beyond 2^53: it must match digit for digit, not after rounding through a double.
    const bigId = "9007199254740993";
    const target = await createOrder(app.ctx.db, shop, {
      cartOrderId: bigId,
      customerEmail: "someone-else@example.com",
    });
    const neighbour = await createOrder(app.ctx.db, shop, {
      cartOrderId: "9007199254740992",
      customerName: "Noah Berg",
      customerEmail: "noah@example.com",
    });
    const rawBody = `{"shop_id":1,"shop_domain":"${shop.domain}","customer":{"id":7,"email":"gone@example.com"},"orders_to_redact":[${bigId}]}`;
    const res = await post(shopifyWebhook("customers/redact", shop.domain, null, { rawBody }));
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");

    const [redacted] = await app.ctx.db.select().from(orders).where(eq(orders.id, target.id));
    expect(redacted?.customerName).toBe("Redacted customer");
    expect(redacted?.customerEmail).toBeNull();
    expect(redacted?.shippingAddress).toBeNull();
    const [item] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, target.id));
    expect(item?.personalization).toEqual({});
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, target.id), eq(orderEvents.action, "customer_redacted")));
    expect(events).toHaveLength(1);

    const [untouched] = await app.ctx.db.select().from(orders).where(eq(orders.id, neighbour.id));
    expect(untouched?.customerName).toBe("Noah Berg");
  });

  it("customers/data_request gathers the customer's data for the owner, and notes it on their orders", async () => {
    const shop = await createShop(app.ctx.db);
    const order = await createOrder(app.ctx.db, shop, { cartOrderId: "450789469" }, [
      {
        title: "Name Necklace",
        sku: "NECK-GOLD",
        personalization: { options: [{ name: "Name", value: "Ava" }] },
      },
    ]);
    const byEmail = await createOrder(app.ctx.db, shop, { customerEmail: "ava@example.com" });
    const someoneElse = await createOrder(app.ctx.db, shop, {
      customerName: "Noor Haddad",
      customerEmail: "noor@example.com",
    });
    const payload = {
      shop_id: 1,
      shop_domain: shop.domain,
      orders_requested: [450789469],
      customer: { id: 207119551, email: "ava@example.com" },
      data_request: { id: 9999 },
    };
    for (let i = 0; i < 2; i++) {
      expect(
        (await post(shopifyWebhook("customers/data_request", shop.domain, payload))).status,
      ).toBe(200);
    }
    await drainQueue(app.ctx, "process-webhook");

    const requests = await app.ctx.db
      .select()
      .from(customerDataRequests)
      .where(eq(customerDataRequests.shopId, shop.id));
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ cartRequestId: "9999", orderCount: 2 });
    const exported = JSON.stringify(request!.export);
    expect(exported).toContain(order.cartOrderNumber);
    expect(exported).toContain(byEmail.cartOrderNumber);
    expect(exported).toContain("12 Alder St");
    expect(exported).toContain('{"name":"Name","value":"Ava"}');
    expect(exported).not.toContain(someoneElse.cartOrderNumber);
    expect(exported).not.toContain("Noor Haddad");

    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id));
    expect(events.find((e) => e.action === "customer_data_requested")?.message).toContain("9999");
  });

  it("order topics are stored, queued and answered at once", async () => {
    const shop = await createShop(app.ctx.db);
    const res = await post(
      shopifyWebhook("orders/create", shop.domain, null, {
        rawBody: shopifyJson(webhookOrder({ id: "820982911946154508" })),
      }),
    );
    expect(res.status).toBe(200);
    const [receipt] = await receiptsFor(shop.domain);
    expect(receipt?.topic).toBe("orders/create");
    expect(receipt?.shopId).toBe(shop.id);
    expect((receipt?.payload as { id: unknown }).id).toBe("820982911946154508");
    expect(receipt?.processedAt).toBeNull();
  });

  it("app/uninstalled stops the shop's countdowns and queued jobs; later orders write nothing", async () => {
    const shop = await createShop(app.ctx.db);
    await createSession(app.ctx.db, shop.domain);
    await post(
      shopifyWebhook("orders/create", shop.domain, null, {
        rawBody: shopifyJson(webhookOrder({ id: "6600000000001" })),
      }),
    );
    await drainQueue(app.ctx, "process-webhook");
    const [counting] = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    expect(counting?.autoSubmitAt).toBeInstanceOf(Date);
    const queuedBefore = await app.ctx.jobs.find("auto-submit", {
      data: { shopId: shop.id },
      queued: true,
    });
    expect(queuedBefore).toHaveLength(1);

    await post(shopifyWebhook("app/uninstalled", shop.domain, { id: 1 }));
    await drainQueue(app.ctx, "process-webhook");
    const [stopped] = await app.ctx.db.select().from(orders).where(eq(orders.id, counting!.id));
    expect(stopped?.autoSubmitAt).toBeNull();
    expect(
      await app.ctx.jobs.find("auto-submit", { data: { shopId: shop.id }, queued: true }),
    ).toHaveLength(0);
    const [job] = await app.ctx.jobs.find("auto-submit", { id: queuedBefore[0]!.id });
    expect(job?.state).toBe("cancelled");
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(
        and(eq(orderEvents.orderId, counting!.id), eq(orderEvents.action, "countdown_stopped")),
      );
    expect(events).toHaveLength(1);

    // A delivery still in flight after the uninstall changes nothing.
    await post(
      shopifyWebhook("orders/create", shop.domain, null, {
        rawBody: shopifyJson(webhookOrder({ id: "6600000000002" })),
      }),
    );
    await drainQueue(app.ctx, "process-webhook");
    expect(await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(
      1,
    );
  });

  it("answers anything but POST with 405 and stores nothing", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    for (const method of ["GET", "PUT"]) {
      const res = await post({
        ...signed,
        method,
        body: method === "GET" ? undefined : signed.body,
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect((await res.json()).error.code).toBe("method_not_allowed");
    }
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("refuses a signed delivery without an API version or with a shop that is not a Shopify domain", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const noVersion = { ...signed.headers };
    delete noVersion["X-Shopify-API-Version"];
    const res = await post({ ...signed, headers: noVersion });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("X-Shopify-API-Version");

    const elsewhere = await post(shopifyWebhook("app/uninstalled", "shop.example.com", { id: 1 }));
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).error.code).toBe("shop_domain_invalid");
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
    expect(await receiptsFor("shop.example.com")).toHaveLength(0);
  });

  it("refuses a signature that is not the body's HMAC even when it has the right length", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const other = shopifyWebhook("app/uninstalled", shop.domain, { id: 2 });
    const res = await post({
      ...signed,
      headers: {
        ...signed.headers,
        "X-Shopify-Hmac-Sha256": other.headers["X-Shopify-Hmac-Sha256"]!,
      },
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("signature_invalid");
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
  });

  it("the same delivery sent several times at once is stored and queued once", async () => {
    const shop = await createShop(app.ctx.db);
    const delivery = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(delivery)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const fresh = answers.filter((r) => r.headers.get("x-orderlane-duplicate") === "false");
    expect(fresh).toHaveLength(1);
    const receipts = await receiptsFor(shop.domain);
    expect(receipts).toHaveLength(1);
    const jobs = await app.ctx.jobs.find("process-webhook", {
      data: { receiptId: receipts[0]!.id },
    });
    expect(jobs).toHaveLength(1);
    await drainQueue(app.ctx, "process-webhook");
    const [processed] = await receiptsFor(shop.domain);
    expect(processed?.processedAt).toBeInstanceOf(Date);
  });

  it("never enqueues a delivery's job without the receipt guard, should pg-boss's insert change shape", () => {
    const webhook = {
      source: "shopify" as const,
      shopDomain: "guard.myshopify.com",
      deliveryId: "guard-1",
      topic: "app/uninstalled",
      payload: { id: 1 },
    };
    const batch = [{ webhook, receiptId: "00000000-0000-4000-8000-000000000000" }];
    expect(() =>
      guardJobInsert(
        "insert into pgboss.job select * from json_to_recordset($1)",
        ["[]"],
        receiptGuard(batch),
      ),
    ).toThrow(/pg-boss/);
    const { statement, params } = guardJobInsert(
      "WITH ins AS (INSERT INTO pgboss.job SELECT * FROM json_to_recordset($1::text::json)) SELECT 1",
      ["[]"],
      receiptGuard(batch),
    );
    // The job rows are read only for receipts that were inserted.
    expect(statement).toMatch(/^with receipt as \(/);
    expect(statement).toContain("in (select id from receipt)");
    expect(params).toHaveLength(2);
    expect(JSON.parse(params[1] as string)).toEqual([
      {
        id: batch[0]!.receiptId,
        source: "shopify",
        shop_domain: "guard.myshopify.com",
        delivery_id: "guard-1",
        topic: "app/uninstalled",
        payload: { id: 1 },
      },
    ]);
  });

  it("stores a burst of deliveries sent at once, each exactly once, and tells redeliveries apart", async () => {
    const shop = await createShop(app.ctx.db);
    const ids = Array.from({ length: 40 }, (_, i) => `burst-${shop.id}-${i}`);
    // Every delivery twice, all in flight together: Shopify retries while the first is in flight.
    const answers = await Promise.all(
      [...ids, ...ids].map((webhookId, i) =>
        post(
          shopifyWebhook(
            "orders/create",
            shop.domain,
            webhookOrder({ id: String(9_100_000 + (i % 40)) }),
            { webhookId },
          ),
        ),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    const duplicates = answers.map((r) => r.headers.get("x-orderlane-duplicate"));
    expect(duplicates.filter((d) => d === "false")).toHaveLength(40);
    expect(duplicates.filter((d) => d === "true")).toHaveLength(40);
    const receipts = await receiptsFor(shop.domain);
    expect(receipts.map((r) => r.deliveryId).sort()).toEqual([...ids].sort());
    expect(receipts.every((r) => r.shopId === shop.id)).toBe(true);
    // One job per receipt, no more.
    const jobs = await queryRows<{ receipt: string }>(
      app.ctx.db,
      sql`select data->>'receiptId' as receipt from pgboss.job
          where name = 'process-webhook' and (data->>'receiptId')::uuid in (
            select id from webhook_receipt where shop_domain = ${shop.domain})`,
    );
    expect(jobs.map((j) => j.receipt).sort()).toEqual(receipts.map((r) => r.id).sort());
  });

  it("a burst the database refuses for its values is retried per delivery, so the others are kept", async () => {
    const shop = await createShop(app.ctx.db);
    const burst = 12;
    // Deliveries are written together only when they wait behind writes in flight, and on a busy
    // machine the requests may arrive too far apart for that. So the writes of single deliveries
    // are held until the app has read every delivery of the burst: the ones read meanwhile wait
    // behind them and go to the database together, however slowly the requests came in.
    let read = 0;
    let everyDeliveryRead!: () => void;
    const allRead = new Promise<void>((resolve) => (everyDeliveryRead = resolve));
    const countReads = (req: IncomingMessage) => {
      if (req.url !== "/webhooks/shopify") return;
      req.once("end", () => {
        // The door hands a delivery to the receipt writer as soon as its body is read, with no
        // I/O in between; the next turn of the event loop comes after that.
        if (++read === burst) setImmediate(everyDeliveryRead);
      });
    };
    app.server.on("request", countReads);
    const insert = app.ctx.jobs.sendManyGuarded.bind(app.ctx.jobs);
    const spy = vi
      .spyOn(app.ctx.jobs, "sendManyGuarded")
      .mockImplementation(async (queue, jobs, guard) => {
        if (jobs.length > 1) {
          throw Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" });
        }
        await allRead;
        return insert(queue, jobs, guard);
      });
    try {
      const answers = await Promise.all(
        Array.from({ length: burst }, (_, i) =>
          post(
            shopifyWebhook(
              "orders/create",
              shop.domain,
              webhookOrder({ id: String(9_200_000 + i) }),
            ),
          ),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
      expect(spy.mock.calls.some(([, jobs]) => jobs.length > 1)).toBe(true);
    } finally {
      spy.mockRestore();
      app.server.off("request", countReads);
    }
    expect(await receiptsFor(shop.domain)).toHaveLength(burst);
  });

  it("keeps a delivery whose text holds a NUL character (PostgreSQL refuses NUL in JSON)", async () => {
    const shop = await createShop(app.ctx.db);
    const order = { ...webhookOrder({ id: "9300001" }), note: "gift\u0000wrap" };
    const res = await post(shopifyWebhook("orders/create", shop.domain, order));
    expect(res.status).toBe(200);
    const [receipt] = await receiptsFor(shop.domain);
    expect((receipt?.payload as { note: string }).note).toBe("gift\ufffdwrap");
  });

  it("a delivery that cannot be stored is answered 500, keeps nothing, and its retry is stored once", async () => {
    const shop = await createShop(app.ctx.db);
    const delivery = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const send = vi
      .spyOn(app.ctx.jobs, "sendManyGuarded")
      .mockRejectedValueOnce(new Error("connection terminated unexpectedly"));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const failed = await post(delivery);
      expect(failed.status).toBe(500);
      expect((await failed.json()).error.code).toBe("internal_error");
      expect(await receiptsFor(shop.domain)).toHaveLength(0);
    } finally {
      send.mockRestore();
      errors.mockRestore();
    }
    // Shopify retries with the same webhook id.
    const retried = await post(delivery);
    expect(retried.status).toBe(200);
    expect(retried.headers.get("x-orderlane-duplicate")).toBe("false");
    expect(await receiptsFor(shop.domain)).toHaveLength(1);
  });

  it("a delivery the database cannot store is refused with 400 alone; its batch-mates are stored", async () => {
    const shop = await createShop(app.ctx.db);
    const valid = Array.from({ length: 40 }, (_, i) => ({
      webhookId: `mate-${shop.id}-${i}`,
      delivery: shopifyWebhook(
        "orders/create",
        shop.domain,
        webhookOrder({ id: String(9_400_000 + i) }),
        {
          webhookId: `mate-${shop.id}-${i}`,
        },
      ),
    }));
    // "\ud800" escaped in the JSON text: JSON.parse takes it, PostgreSQL's jsonb refuses it.
    const loneSurrogate = `lone-${shop.id}`;
    const lone = shopifyWebhook(
      "orders/create",
      shop.domain,
      { ...webhookOrder({ id: "9400100" }), note: "gift\ud800wrap" },
      { webhookId: loneSurrogate },
    );
    expect(lone.body).toContain("\\ud800");
    // Arrays nested 10,000 deep: parsed, but serialising them again throws a RangeError. (No id
    // of 16 digits, so the body is parsed without a reviver, as most deliveries are.)
    const nested = `deep-${shop.id}`;
    const { line_items: lines } = webhookOrder();
    const smallIds = (lines as Record<string, unknown>[]).map((line, i) => ({
      ...line,
      id: 4500 + i,
    }));
    const deepText = JSON.stringify(webhookOrder({ id: "9400101", lineItems: smallIds })).replace(
      /}$/,
      `,"note_attributes_extra":${"[".repeat(10_000)}${"]".repeat(10_000)}}`,
    );
    expect(deepText).not.toMatch(/\d{16}/);
    const deep = shopifyWebhook("orders/create", shop.domain, null, {
      webhookId: nested,
      rawBody: deepText,
    });
    const sent = [...valid.slice(0, 20).map((v) => v.delivery), lone, deep];
    sent.push(...valid.slice(20).map((v) => v.delivery));

    // A slow database: deliveries pile up behind the first writes and go in batches, so the
    // poisoned ones share a statement with valid ones (before the fix, their batch-mates were
    // answered 500).
    const insert = app.ctx.jobs.sendManyGuarded.bind(app.ctx.jobs);
    const slow = vi
      .spyOn(app.ctx.jobs, "sendManyGuarded")
      .mockImplementation(async (queue, jobs, guard) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return insert(queue, jobs, guard);
      });
    const answers = await Promise.all(sent.map((d) => post(d))).finally(() => slow.mockRestore());
    const idOf = (d: (typeof sent)[number]) => d.headers["X-Shopify-Webhook-Id"]!;
    // Every answer at once, so a failure shows which deliveries got what.
    expect(new Map(sent.map((d, i) => [idOf(d), answers[i]!.status]))).toEqual(
      new Map(sent.map((d) => [idOf(d), d === lone || d === deep ? 400 : 200])),
    );
    for (const poisoned of [lone, deep]) {
      const body = (await answers[sent.indexOf(poisoned)]!.json()) as {
        error: { code: string; message: string };
      };
      expect(body.error.code).toBe("invalid_payload");
      expect(body.error.message).toMatch(/cannot be stored/);
    }

    const receipts = await receiptsFor(shop.domain);
    const stored = receipts.filter((r) => r.deliveryId.startsWith("mate-"));
    expect(stored).toHaveLength(40);
    expect(stored.filter((r) => r.error !== null || r.payload === null)).toEqual([]);
    // The poisoned ones are recorded as rejected, without their payload and without a job.
    for (const poisoned of [loneSurrogate, nested]) {
      const [rejected] = receipts.filter((r) => r.deliveryId === poisoned);
      expect(rejected?.payload, poisoned).toBeNull();
      expect(rejected?.error).toMatch(/^Rejected: /);
      expect(
        await app.ctx.jobs.find("process-webhook", { data: { receiptId: rejected!.id } }),
      ).toHaveLength(0);
    }
    // Each valid one has its job.
    for (const receipt of stored) {
      expect(
        await app.ctx.jobs.find("process-webhook", { data: { receiptId: receipt.id } }),
      ).toHaveLength(1);
    }
  });

  it("a delivery that cannot be stored is logged by its ids and error code, never its payload", async () => {
    const shop = await createShop(app.ctx.db);
    const webhookId = `logged-${shop.id}`;
    const delivery = shopifyWebhook("orders/create", shop.domain, webhookOrder({ id: "9500001" }), {
      webhookId,
    });
    // As a driver reports a failed query: its text and parameters in the message, a code below.
    const send = vi
      .spyOn(app.ctx.jobs, "sendManyGuarded")
      .mockImplementation((_queue, _jobs, guard) =>
        Promise.reject(
          Object.assign(
            new Error(`Failed query: ${guard.sql}\nparams: ${guard.params.join(",")}`),
            { cause: Object.assign(new Error("connection reset"), { code: "08006" }) },
          ),
        ),
      );
    const logged: string[] = [];
    const errors = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      logged.push(format(...args));
    });
    try {
      const res = await post(delivery);
      expect(res.status).toBe(500);
    } finally {
      send.mockRestore();
      errors.mockRestore();
    }
    const log = logged.join("\n");
    expect(log).toContain("[webhooks] delivery failed");
    expect(log).toContain(webhookId);
    expect(log).toContain(shop.domain);
    expect(log).toContain("08006");
    for (const personal of ["mia@example.com", "Okafor", "9 Harbour St", "B3H 1A1", "Grandma"]) {
      expect(log).not.toContain(personal);
    }
    expect(log).not.toContain("params");
  });

  it("counts a streamed body without Content-Length as it arrives, and stores it when within the cap", async () => {
    const shop = await createShop(app.ctx.db);
    const signed = shopifyWebhook("app/uninstalled", shop.domain, { id: 1 });
    const bytes = new TextEncoder().encode(signed.body as string);
    const res = await post({
      ...signed,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await receiptsFor(shop.domain)).toHaveLength(1);
  });
});
