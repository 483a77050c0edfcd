// Import, through the doors the owner uses: the /app/import route starts and resumes runs, the
// import-orders job (pulled from the real queue) reads the cart and stores pages, and the page
// shows progress, notices and where a stopped run stopped.
//
// The job is run with its two collaborators handed in (runImportJob's `deps`): a cart that serves
// pages from memory (and fails on demand), and `contractIngest` below, which keeps ingest's
// promises for what Import relies on (one row per cart id, archived orders left alone) on real
// rows. Ingest itself is the order-sync work's; once it lands, `contractIngest` can give way to it
// and every assertion here still holds.
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CartReadError,
  type CartConnector,
  type ImportPage,
  type ImportRequest,
  type NormalizedOrder,
} from "~/carts/connector";
import { importRuns, orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { RetryLater } from "~/jobs/queues";
import {
  IMPORT_LEASE_SECONDS,
  parseImportInput,
  runImportJob,
  type ImportDeps,
  type ImportRunRow,
} from "~/orders/import.server";
import type { IngestOutcome } from "~/orders/ingest.server";
import type { ShopRow } from "~/orders/orders.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createShop } from "./support/factories";

let app: TestApp;
let shop: Shop;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  shop = await ensureShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN, name: "Demo" });
});
afterAll(async () => {
  await app?.close();
  await closeVite();
});

// --- the cart ---------------------------------------------------------------------------------

function cartOrder(n: number, overrides: Partial<NormalizedOrder> = {}): NormalizedOrder {
  const at = new Date(Date.UTC(2026, 9, 1, 12, n));
  return {
    cartOrderId: `${9_007_199_254_740_000n + BigInt(n)}`,
    cartOrderNumber: `${1000 + n}`,
    cartStatusRaw: "processing",
    cartStatus: "processing",
    customerName: `Customer ${n}`,
    customerEmail: `c${n}@example.com`,
    billingAddress: null,
    shippingAddress: {
      name: `Customer ${n}`,
      address1: "1 Main St",
      city: "Austin",
      province: "TX",
      country: "United States",
      countryCode: "US",
    },
    currency: "USD",
    subtotal: "20.00",
    shippingTotal: "5.00",
    taxTotal: "0.00",
    total: "25.00",
    paymentMethod: "Card",
    shippingMethod: "Standard",
    sourceChannel: "web",
    note: null,
    cartCreatedAt: at,
    cartUpdatedAt: at,
    lineItems: [],
    payments: [],
    raw: { id: n },
    ...overrides,
  };
}

interface FakeCart {
  connector: CartConnector;
  /** Each importOrders call: what was asked and from where. */
  reads: { request: ImportRequest; cursor: string | null }[];
  /** Make the read of this page (1-based, counted from the start of the list) fail once. */
  failPage: { page: number; error: Error } | null;
  notice: string | null;
}

/** A cart with these orders, served `pageSize` at a time; the cursor is the next page's offset. */
function fakeCart(list: NormalizedOrder[], pageSize = 3): FakeCart {
  const cart: FakeCart = {
    reads: [],
    failPage: null,
    notice: null,
    connector: {
      async *importOrders(request, cursor): AsyncIterable<ImportPage> {
        cart.reads.push({ request, cursor });
        const wanted =
          request.mode === "ids"
            ? list.filter(
                (o) =>
                  request.ids.includes(o.cartOrderNumber) || request.ids.includes(o.cartOrderId),
              )
            : request.mode === "range"
              ? list.filter((o) => o.cartCreatedAt >= request.from && o.cartCreatedAt <= request.to)
              : list;
        const missing =
          request.mode === "ids"
            ? request.ids.filter(
                (id) => !list.some((o) => o.cartOrderNumber === id || o.cartOrderId === id),
              )
            : [];
        let offset = cursor ? Number(cursor) : 0;
        do {
          const page = offset / pageSize + 1;
          if (cart.failPage?.page === page) {
            const { error } = cart.failPage;
            cart.failPage = null;
            throw error;
          }
          const next = offset + pageSize;
          yield {
            orders: wanted.slice(offset, next),
            resumeCursor: next < wanted.length ? String(next) : null,
            total: wanted.length,
            notice: cart.notice,
            missing: offset === 0 ? missing : [],
          };
          offset = next;
        } while (offset < wanted.length);
      },
      fetchOrder: () => Promise.reject(new Error("not used by Import")),
      setOrderStatus: () => Promise.reject(new Error("not used by Import")),
      pushTracking: () => Promise.reject(new Error("not used by Import")),
      orderEditorUrl: () => null,
    },
  };
  return cart;
}

// --- ingest's promises, on real rows ----------------------------------------------------------

const ingested: string[] = [];

async function contractIngest(
  ctx: Pick<TestApp["ctx"], "db">,
  target: ShopRow,
  incoming: NormalizedOrder[],
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  for (const o of incoming) {
    ingested.push(o.cartOrderId);
    const [existing] = await ctx.db
      .select({ id: orders.id, state: orders.state })
      .from(orders)
      .where(and(eq(orders.shopId, target.id), eq(orders.cartOrderId, o.cartOrderId)));
    const fields = {
      cartOrderNumber: `#${o.cartOrderNumber}`,
      cartStatusRaw: o.cartStatusRaw,
      cartStatus: o.cartStatus,
      customerName: o.customerName,
      currency: o.currency,
      total: o.total,
      cartUpdatedAt: o.cartUpdatedAt,
      rawPayload: o.raw,
    };
    if (existing?.state === "archived") {
      outcomes.push({ cartOrderId: o.cartOrderId, outcome: "archived", orderId: existing.id });
    } else if (existing) {
      await ctx.db.update(orders).set(fields).where(eq(orders.id, existing.id));
      outcomes.push({ cartOrderId: o.cartOrderId, outcome: "updated", orderId: existing.id });
    } else {
      const [row] = await ctx.db
        .insert(orders)
        .values({
          ...fields,
          shopId: target.id,
          cartOrderId: o.cartOrderId,
          state: "new",
          type: "other",
          cartCreatedAt: o.cartCreatedAt,
        })
        .returning({ id: orders.id });
      outcomes.push({ cartOrderId: o.cartOrderId, outcome: "created", orderId: row!.id });
    }
  }
  return outcomes;
}

function depsFor(cart: FakeCart): ImportDeps {
  return {
    connector: () => cart.connector,
    ingest: (ctx, target, incoming) => contractIngest(ctx, target, incoming),
  };
}

// --- driving the route and the queue ----------------------------------------------------------

function post(fields: Record<string, string>) {
  return app.fetch("/app/import.data", { method: "POST", body: new URLSearchParams(fields) });
}

/** Runs every queued import-orders job as the worker would, with this cart. */
async function drainImports(cart: FakeCart): Promise<number> {
  let ran = 0;
  for (;;) {
    const jobs = await app.ctx.jobs.boss.fetch<{ shopId: string; runId: string }>("import-orders", {
      batchSize: 5,
    });
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
      await runImportJob(app.ctx, job.data, { lastAttempt: false }, depsFor(cart));
      await app.ctx.jobs.boss.complete("import-orders", job.id);
      ran++;
    }
  }
}

async function runsOf(shopId: string): Promise<ImportRunRow[]> {
  return app.ctx.db
    .select()
    .from(importRuns)
    .where(eq(importRuns.shopId, shopId))
    .orderBy(importRuns.createdAt);
}

async function latestRun(): Promise<ImportRunRow> {
  const runs = await runsOf(shop.id);
  return runs[runs.length - 1]!;
}

async function orderCount(): Promise<number> {
  const [row] = await app.ctx.db
    .select({ n: count() })
    .from(orders)
    .where(eq(orders.shopId, shop.id));
  return row!.n;
}

const seven = Array.from({ length: 7 }, (_, i) => cartOrder(i + 1));

beforeEach(async () => {
  // Each test starts with no orders, no runs and no queued jobs of an earlier test.
  await drainImports(fakeCart([]));
  await app.ctx.db.delete(orders).where(eq(orders.shopId, shop.id));
  await app.ctx.db.delete(importRuns).where(eq(importRuns.shopId, shop.id));
  ingested.length = 0;
});

describe("Import: all orders", () => {
  it("reads three pages and ends completed with done = total, then re-importing creates nothing new", async () => {
    const cart = fakeCart(seven);
    const res = await post({ intent: "start", mode: "all" });
    expect(res.status).toBe(200);
    const queued = await latestRun();
    expect(queued).toMatchObject({ mode: "all", status: "queued", done: 0 });

    expect(await drainImports(cart)).toBe(1);
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 7,
      total: 7,
      created: 7,
      updated: 0,
      skipped: 0,
      resumeCursor: null,
      error: null,
    });
    expect(cart.reads).toEqual([{ request: { mode: "all" }, cursor: null }]);
    expect(await orderCount()).toBe(7);

    const again = await post({ intent: "start", mode: "all" });
    expect(again.status).toBe(200);
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 7,
      created: 0,
      updated: 7,
    });
    expect(await orderCount()).toBe(7);
    expect(await runsOf(shop.id)).toHaveLength(2);
  });

  it("leaves an archived order as it is and brings a deleted one back", async () => {
    const cart = fakeCart(seven);
    await post({ intent: "start", mode: "all" });
    await drainImports(cart);
    const archivedId = seven[1]!.cartOrderId;
    const deletedId = seven[4]!.cartOrderId;
    await app.ctx.db
      .update(orders)
      .set({ state: "archived", customerName: "Kept as archived" })
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, archivedId)));
    await app.ctx.db
      .delete(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, deletedId)));

    await post({ intent: "start", mode: "all" });
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 7,
      created: 1,
      updated: 5,
      skipped: 1,
    });
    const [archived] = await app.ctx.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, archivedId)));
    expect(archived).toMatchObject({ state: "archived", customerName: "Kept as archived" });
    const back = await app.ctx.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, deletedId)));
    expect(back).toHaveLength(1);
    expect(await orderCount()).toBe(7);
  });

  it("shows the cart's notice (the 60-day window) on the page", async () => {
    const cart = fakeCart(seven);
    cart.notice =
      "Shopify returned orders from the last 60 days only: this app may not read older ones";
    await post({ intent: "start", mode: "all" });
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({ status: "completed", notice: cart.notice });
    const html = await (await app.fetch("/app/import")).text();
    expect(html).toContain("the last 60 days only");
    expect(html).toContain("7 of 7 orders");
  });
});

describe("Import: a failure and Resume", () => {
  it("says where it stopped, and Resume carries on from that page without duplicates", async () => {
    const cart = fakeCart(seven);
    cart.failPage = {
      page: 2,
      error: new CartReadError("WooCommerce (HTTP 503): the store is down for maintenance", true),
    };
    await post({ intent: "start", mode: "all" });
    await drainImports(cart);
    const failed = await latestRun();
    expect(failed).toMatchObject({
      status: "failed",
      done: 3,
      total: 7,
      resumeCursor: "3",
      error:
        "Stopped after 3 of 7 orders: WooCommerce (HTTP 503): the store is down for maintenance",
    });
    expect(await orderCount()).toBe(3);

    const html = await (await app.fetch("/app/import")).text();
    expect(html).toContain("Stopped after 3 of 7 orders");
    expect(html).toContain("Resume");

    const res = await post({ intent: "resume", runId: failed.id });
    expect(res.status).toBe(200);
    expect((await latestRun()).status).toBe("queued");
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({
      id: failed.id,
      status: "completed",
      done: 7,
      total: 7,
      created: 7,
      error: null,
    });
    expect(cart.reads.map((r) => r.cursor)).toEqual([null, "3"]);
    expect(await orderCount()).toBe(7);
    // Every order was handed to ingest exactly once over both attempts.
    expect([...ingested].sort()).toEqual(seven.map((o) => o.cartOrderId).sort());
    expect(await runsOf(shop.id)).toHaveLength(1);
  });

  it("marks the run failed when storing a page fails, keeping the pages before it", async () => {
    const cart = fakeCart(seven);
    let pages = 0;
    const deps: ImportDeps = {
      connector: () => cart.connector,
      ingest: async (ctx, target, incoming) => {
        if (++pages === 3) throw new Error("database connection lost");
        return contractIngest(ctx, target, incoming);
      },
    };
    await post({ intent: "start", mode: "all" });
    const [job] = await app.ctx.jobs.boss.fetch<{ shopId: string; runId: string }>("import-orders");
    await runImportJob(app.ctx, job!.data, { lastAttempt: false }, deps);
    await app.ctx.jobs.boss.complete("import-orders", job!.id);
    expect(await latestRun()).toMatchObject({
      status: "failed",
      done: 6,
      resumeCursor: "6",
      error: "Stopped after 6 of 7 orders: database connection lost",
    });
  });

  it("refuses to resume a finished run, another shop's run, or a run that does not exist", async () => {
    await post({ intent: "start", mode: "all" });
    await drainImports(fakeCart(seven));
    const done = await latestRun();
    const again = await post({ intent: "resume", runId: done.id });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("only a stopped import can be resumed");

    const other = await createShop(app.ctx.db);
    const [theirs] = await app.ctx.db
      .insert(importRuns)
      .values({ shopId: other.id, mode: "all", status: "failed", error: "Stopped after 0 orders" })
      .returning();
    const foreign = await post({ intent: "resume", runId: theirs!.id });
    expect(foreign.status).toBe(404);
    expect((await runsOf(other.id))[0]).toMatchObject({ status: "failed" });

    const bogus = await post({ intent: "resume", runId: "not-a-run" });
    expect(bogus.status).toBe(400);
  });
});

describe("Import: one at a time", () => {
  it("refuses a second import while one is under way, with a message, and creates no run", async () => {
    const first = await post({ intent: "start", mode: "all" });
    expect(first.status).toBe(200);
    const second = await post({ intent: "start", mode: "ids", ids: "1001" });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("An import is already waiting to start");
    expect(await runsOf(shop.id)).toHaveLength(1);

    // Two at once: exactly one wins.
    const both = await Promise.all([
      post({ intent: "start", mode: "all" }),
      post({ intent: "start", mode: "all" }),
    ]);
    expect(both.map((r) => r.status)).toEqual([409, 409]);
    await drainImports(fakeCart(seven));
    const race = await Promise.all([
      post({ intent: "start", mode: "all" }),
      post({ intent: "start", mode: "all" }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await runsOf(shop.id)).toHaveLength(2);
  });

  it("a run whose worker died stops counting as under way, and can be resumed", async () => {
    const cart = fakeCart(seven);
    await post({ intent: "start", mode: "all" });
    const run = await latestRun();
    // The worker read the first page, then died: the row stopped moving.
    await app.ctx.db
      .update(importRuns)
      .set({
        status: "running",
        done: 3,
        total: 7,
        resumeCursor: "3",
        updatedAt: new Date(Date.now() - (IMPORT_LEASE_SECONDS + 5) * 1000),
      })
      .where(eq(importRuns.id, run.id));
    const html = await (await app.fetch("/app/import")).text();
    expect(html).toContain("stopped responding");

    const res = await post({ intent: "resume", runId: run.id });
    expect(res.status).toBe(200);
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({ id: run.id, status: "completed", done: 7 });
    // Both jobs (the first delivery and the resume) read from where the run stood: page 2.
    expect(cart.reads.map((r) => r.cursor)).toEqual(["3"]);
  });

  it("a job delivered again while another worker holds the run waits, and does nothing once it finished", async () => {
    await post({ intent: "start", mode: "all" });
    const run = await latestRun();
    await app.ctx.db
      .update(importRuns)
      .set({ status: "running", updatedAt: new Date() })
      .where(eq(importRuns.id, run.id));
    const cart = fakeCart(seven);
    const data = { shopId: shop.id, runId: run.id };
    await expect(
      runImportJob(app.ctx, data, { lastAttempt: false }, depsFor(cart)),
    ).rejects.toThrow(RetryLater);
    expect(cart.reads).toHaveLength(0);

    await app.ctx.db.update(importRuns).set({ status: "queued" }).where(eq(importRuns.id, run.id));
    await drainImports(cart);
    expect(await latestRun()).toMatchObject({ status: "completed", done: 7, created: 7 });
    await runImportJob(app.ctx, data, { lastAttempt: false }, depsFor(cart));
    expect(cart.reads).toHaveLength(1);
    expect(await latestRun()).toMatchObject({ status: "completed", done: 7, created: 7 });
  });
});

describe("Import: by IDs and by range", () => {
  it("reads ids separated by commas, spaces and lines, once each, and lists those the cart lacks", async () => {
    const cart = fakeCart(seven);
    const res = await post({ intent: "start", mode: "ids", ids: "#1001, 1002\n1003  1001,,9999" });
    expect(res.status).toBe(200);
    const run = await latestRun();
    expect(run).toMatchObject({ mode: "ids", total: 4 });
    expect(run.params.ids).toEqual(["1001", "1002", "1003", "9999"]);
    await drainImports(cart);
    expect(cart.reads[0]!.request).toEqual({ mode: "ids", ids: ["1001", "1002", "1003", "9999"] });
    expect(await latestRun()).toMatchObject({ status: "completed", created: 3, done: 3, total: 3 });
    expect((await latestRun()).params.missing).toEqual(["9999"]);
    const html = await (await app.fetch("/app/import")).text();
    expect(html).toContain("Not found in the cart");
    expect(html).toContain("9999");
  });

  it("imports the orders created between two days, both included", async () => {
    const cart = fakeCart(seven);
    const res = await post({
      intent: "start",
      mode: "range",
      from: "2026-10-01",
      to: "2026-10-01",
    });
    expect(res.status).toBe(200);
    await drainImports(cart);
    const request = cart.reads[0]!.request;
    expect(request).toEqual({
      mode: "range",
      from: new Date("2026-10-01T00:00:00.000Z"),
      to: new Date("2026-10-01T23:59:59.999Z"),
    });
    expect(await latestRun()).toMatchObject({ status: "completed", created: 7 });
  });

  it.each([
    [{ mode: "ids", ids: "" }, "Enter at least one order number or id"],
    [{ mode: "ids", ids: " ,\n, " }, "Enter at least one order number or id"],
    [{ mode: "ids", ids: "1001, <script>" }, "is not an order number or id"],
    [{ mode: "ids", ids: "x".repeat(65) }, "is not an order number or id"],
    [
      { mode: "ids", ids: Array.from({ length: 1001 }, (_, i) => i + 1).join(",") },
      "Import up to 1,000 orders by id at a time",
    ],
    [
      { mode: "range", from: "2026-10-05", to: "2026-10-01" },
      "The last day comes before the first",
    ],
    [{ mode: "range", from: "2026-02-31", to: "2026-03-01" }, "Enter the first day as YYYY-MM-DD"],
    [{ mode: "range", from: "2026-10-01" }, "Enter the last day as YYYY-MM-DD"],
    [{ mode: "range", from: "10/01/2026", to: "2026-10-02" }, "Enter the first day as YYYY-MM-DD"],
    [{ mode: "range", from: "1999-12-31", to: "2026-10-02" }, "Start on 2000-01-01 or later"],
    [{ mode: "range", from: "2999-01-01", to: "2999-01-02" }, "The first day is in the future"],
    [{ mode: "everything" }, "Choose All, By range or By IDs"],
    [{}, "Choose All, By range or By IDs"],
  ])("refuses %j with 400 and a clear message, and starts nothing", async (fields, message) => {
    const res = await post({ intent: "start", ...(fields as Record<string, string>) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
    expect(await runsOf(shop.id)).toHaveLength(0);
    const [queued] = await app.ctx.jobs.boss.fetch("import-orders");
    expect(queued).toBeUndefined();
  });
});

describe("parseImportInput", () => {
  it("keeps the first 1,000 distinct ids, however many times each is repeated", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `${i + 1}`);
    const input = parseImportInput({ mode: "ids", ids: [...ids, ...ids].join("\n") });
    expect(input.ok && input.request.mode === "ids" && input.request.ids).toEqual(ids);
  });
});
