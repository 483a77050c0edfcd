// Import, through the doors the owner uses: the /app/import route starts and resumes runs, the
// import-orders job (pulled from the real queue, run by the worker's own handler) reads the cart
// through the real connectors, and the real ingest stores the pages. msw stands in for the carts:
// a WooCommerce store's REST API (pages of 100 with X-WP-Total / X-WP-TotalPages, 429 and 503 on
// the way) and a Shopify shop's Admin GraphQL API (a bulk operation and its JSONL file, paged
// orders(query:) reads). The page shows progress, notices and where a stopped run stopped.
import { and, count, eq, sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { importRuns, lineItems, orders, shops } from "~/db/schema";
import { DEFAULT_DEMO_SHOPIFY_SHOP, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { RetryLater } from "~/jobs/queues";
import { jobHandlers } from "~/jobs/worker.server";
import {
  IMPORT_LEASE_SECONDS,
  parseImportInput,
  runImportJob,
  type ImportRunRow,
} from "~/orders/import.server";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import { graphqlLine, graphqlOrderNode, mockShopifyAdmin } from "./support/shopify-orders";

let app: TestApp;
let woo: { id: string };
let shopify: { id: string };

const STORE = "https://woo-import.test";
const API = `${STORE}/wp-json/wc/v3`;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  // The demo's two cart shops are the owner's shops here (demo mode lets a request name one with
  // ?shop=); their carts are msw, not the demo's simulator, which this app never started.
  const wooShop = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: DEMO_WOO_DOMAIN,
    name: "Woo store",
  });
  const [wooRow] = await app.ctx.db
    .update(shops)
    .set({
      credentials: sealSecret(
        app.ctx.config.encryptionKey,
        JSON.stringify({ consumerKey: "ck_import", consumerSecret: "cs_import", url: STORE }),
      ),
      connection: { storeUrl: STORE, wooOrderEditor: "hpos" },
    })
    .where(eq(shops.id, wooShop.id))
    .returning();
  woo = wooRow!;
  shopify = await ensureShop(app.ctx.db, {
    platform: "shopify",
    domain: DEFAULT_DEMO_SHOPIFY_SHOP,
    name: "Shopify shop",
  });
  await createSession(app.ctx.db, DEFAULT_DEMO_SHOPIFY_SHOP);
});
afterAll(async () => {
  await app?.close();
  await closeVite();
});

// --- the WooCommerce store ---------------------------------------------------------------------

interface WooStore {
  /** Every GET /orders, as "page:N" or the query that was not a page read. */
  reads: string[];
  /** Answer these pages with this status this many times before serving them. */
  failures: Map<number, { status: number; times: number }>;
}

/** Orders 1..n, created a minute apart on 2026-10-01 (UTC), served as WooCommerce pages them. */
function wooStore(n: number): WooStore {
  const store: WooStore = { reads: [], failures: new Map() };
  const all = Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const created = new Date(Date.UTC(2026, 9, 1, 0, id)).toISOString().slice(0, 19);
    return wooOrder({ id, date_created_gmt: created });
  });
  mswServer.use(
    http.get(`${API}/orders`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      const perPage = Number(q.get("per_page") ?? 10);
      const page = Number(q.get("page") ?? 1);
      let list = all;
      if (q.get("include")) {
        const ids = new Set(q.get("include")!.split(","));
        list = all.filter((o) => ids.has(String(o.id)));
        store.reads.push(`include:${q.get("include")}`);
      } else if (q.get("search")) {
        list = all.filter((o) => o.number === q.get("search"));
        store.reads.push(`search:${q.get("search")}`);
      } else {
        store.reads.push(`page:${page}`);
        const after = q.get("after");
        const before = q.get("before");
        if (after || before) {
          expect(q.get("dates_are_gmt")).toBe("true");
          list = all.filter((o) => {
            const at = Date.parse(`${String(o.date_created_gmt)}Z`);
            return (!after || at > Date.parse(after)) && (!before || at < Date.parse(before));
          });
        }
      }
      const failure = store.failures.get(page);
      if (failure && failure.times > 0 && !q.get("include") && !q.get("search")) {
        failure.times--;
        return HttpResponse.json(
          failure.status === 429
            ? { code: "woocommerce_rest_too_many_requests", message: "Too many requests" }
            : { code: "service_unavailable", message: "The store is down for maintenance" },
          // Retry-After: 0 keeps the test quick; waiting without it is the connector's own test.
          { status: failure.status, headers: { "Retry-After": "0" } },
        );
      }
      const pages = Math.max(1, Math.ceil(list.length / perPage));
      if (page > pages && list.length > 0) {
        return HttpResponse.json(
          {
            code: "rest_post_invalid_page_number",
            message: "The page number requested is larger than the number of pages available.",
          },
          { status: 400 },
        );
      }
      return HttpResponse.json(list.slice((page - 1) * perPage, page * perPage), {
        headers: { "X-WP-Total": String(list.length), "X-WP-TotalPages": String(pages) },
      });
    }),
  );
  return store;
}

// --- driving the route and the queue ----------------------------------------------------------

function post(shopDomain: string, fields: Record<string, string>) {
  return app.fetch(`/app/import.data?shop=${shopDomain}`, {
    method: "POST",
    body: new URLSearchParams(fields),
  });
}
const postWoo = (fields: Record<string, string>) => post(DEMO_WOO_DOMAIN, fields);

async function importPage(shopDomain = DEMO_WOO_DOMAIN): Promise<string> {
  return (await app.fetch(`/app/import?shop=${shopDomain}`)).text();
}

/** Runs every queued import-orders job with the worker's own handler. */
async function drainImports(): Promise<number> {
  const handler = jobHandlers(app.ctx)["import-orders"]!;
  let ran = 0;
  for (;;) {
    const jobs = await app.ctx.jobs.fetch("import-orders", { batchSize: 5 });
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
      await handler(job.data, { id: job.id, retryCount: job.retryCount, lastAttempt: false });
      await app.ctx.jobs.complete("import-orders", job.id);
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

async function latestRun(shopId = woo.id): Promise<ImportRunRow> {
  const runs = await runsOf(shopId);
  return runs[runs.length - 1]!;
}

async function orderCount(shopId = woo.id): Promise<number> {
  const [row] = await app.ctx.db
    .select({ n: count() })
    .from(orders)
    .where(eq(orders.shopId, shopId));
  return row!.n;
}

async function storedIds(shopId = woo.id): Promise<string[]> {
  const rows = await app.ctx.db
    .select({ id: orders.cartOrderId })
    .from(orders)
    .where(eq(orders.shopId, shopId));
  return rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

beforeEach(async () => {
  // Each test starts with no orders, no runs and no queued jobs of an earlier test.
  wooStore(0);
  await drainImports();
  mswServer.resetHandlers();
  for (const shop of [woo, shopify]) {
    await app.ctx.db.delete(orders).where(eq(orders.shopId, shop.id));
    await app.ctx.db.delete(importRuns).where(eq(importRuns.shopId, shop.id));
  }
  await app.ctx.db
    .update(shops)
    .set({ connection: { readAllOrders: true } })
    .where(eq(shops.id, shopify.id));
});

describe("Import from WooCommerce: all orders", () => {
  it("reads three pages of 100 (through a 429 and a 503), stores each order once, and a re-import creates nothing new", async () => {
    const store = wooStore(250);
    store.failures.set(2, { status: 429, times: 1 });
    store.failures.set(3, { status: 503, times: 1 });
    const res = await postWoo({ intent: "start", mode: "all" });
    expect(res.status).toBe(200);
    expect(await latestRun()).toMatchObject({ mode: "all", status: "queued", done: 0 });

    expect(await drainImports()).toBe(1);
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 250,
      total: 250,
      created: 250,
      updated: 0,
      skipped: 0,
      resumeCursor: null,
      error: null,
    });
    expect(store.reads).toEqual(["page:1", "page:2", "page:2", "page:3", "page:3"]);
    expect(await storedIds()).toEqual(range(1, 250));
    // Stored whole: the order's lines came with it.
    const [lines] = await app.ctx.db
      .select({ n: count() })
      .from(lineItems)
      .where(eq(lineItems.shopId, woo.id));
    expect(lines!.n).toBe(500);

    const again = await postWoo({ intent: "start", mode: "all" });
    expect(again.status).toBe(200);
    await drainImports();
    // Nothing changed in the store: counted as unchanged, not as 250 updates.
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 250,
      created: 0,
      updated: 0,
      params: expect.objectContaining({ unchanged: 250 }),
    });
    expect(await orderCount()).toBe(250);
    expect(await runsOf(woo.id)).toHaveLength(2);
  });

  it("leaves an archived order as it is and brings a deleted one back", async () => {
    wooStore(250);
    await postWoo({ intent: "start", mode: "all" });
    await drainImports();
    await app.ctx.db
      .update(orders)
      .set({ state: "archived", customerName: "Kept as archived" })
      .where(and(eq(orders.shopId, woo.id), eq(orders.cartOrderId, "2")));
    await app.ctx.db
      .delete(orders)
      .where(and(eq(orders.shopId, woo.id), eq(orders.cartOrderId, "5")));

    await postWoo({ intent: "start", mode: "all" });
    await drainImports();
    expect(await latestRun()).toMatchObject({
      status: "completed",
      done: 250,
      created: 1,
      updated: 0,
      skipped: 1,
      params: expect.objectContaining({ unchanged: 248 }),
    });
    const [archived] = await app.ctx.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, woo.id), eq(orders.cartOrderId, "2")));
    expect(archived).toMatchObject({ state: "archived", customerName: "Kept as archived" });
    expect(await storedIds()).toEqual(range(1, 250));
  });
});

describe("Import: a failure and Resume", () => {
  it("says where it stopped, and Resume carries on from that page without duplicates", async () => {
    const store = wooStore(250);
    // More 503s than the connector's attempts: the import gives up on page 2.
    store.failures.set(2, { status: 503, times: 5 });
    await postWoo({ intent: "start", mode: "all" });
    await drainImports();
    const failed = await latestRun();
    expect(failed).toMatchObject({
      status: "failed",
      done: 100,
      total: 250,
      resumeCursor: "page:2",
    });
    expect(failed.error).toMatch(
      /^Stopped after 100 of 250 orders: WooCommerce \(HTTP 503\) stopped the import at page 2 after 5 attempts: .*maintenance/,
    );
    expect(await storedIds()).toEqual(range(1, 100));

    const html = await importPage();
    expect(html).toContain("Stopped after 100 of 250 orders");
    expect(html).toContain("Resume");

    const res = await postWoo({ intent: "resume", runId: failed.id });
    expect(res.status).toBe(200);
    expect((await latestRun()).status).toBe("queued");
    store.reads.length = 0;
    await drainImports();
    expect(await latestRun()).toMatchObject({
      id: failed.id,
      status: "completed",
      done: 250,
      total: 250,
      created: 250,
      error: null,
    });
    // Page 1 was not read again.
    expect(store.reads).toEqual(["page:2", "page:3"]);
    expect(await storedIds()).toEqual(range(1, 250));
    expect(await runsOf(woo.id)).toHaveLength(1);
  });

  it("marks the run failed when storing a page fails, keeping the pages before it", async () => {
    wooStore(250);
    // The database refuses one order of the third page.
    await app.ctx.db.execute(sql`
      create or replace function test_refuse_order() returns trigger language plpgsql as $$
      begin
        if new.cart_order_id = '205' then raise exception 'disk full'; end if;
        return new;
      end $$`);
    await app.ctx.db.execute(sql`
      create trigger test_refuse_order before insert on "order"
      for each row execute function test_refuse_order()`);
    try {
      await postWoo({ intent: "start", mode: "all" });
      await drainImports();
    } finally {
      await app.ctx.db.execute(sql`drop trigger test_refuse_order on "order"`);
    }
    const failed = await latestRun();
    expect(failed).toMatchObject({ status: "failed", done: 200, resumeCursor: "page:3" });
    expect(failed.error).toMatch(/^Stopped after 200 of 250 orders: .*disk full/);
    // The page is one transaction: nothing of it was kept.
    expect(await storedIds()).toEqual(range(1, 200));

    await postWoo({ intent: "resume", runId: failed.id });
    await drainImports();
    expect(await latestRun()).toMatchObject({ status: "completed", done: 250, created: 250 });
    expect(await storedIds()).toEqual(range(1, 250));
  });

  it("refuses to resume a finished run, another shop's run, or a run that does not exist", async () => {
    wooStore(3);
    await postWoo({ intent: "start", mode: "all" });
    await drainImports();
    const done = await latestRun();
    const again = await postWoo({ intent: "resume", runId: done.id });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("only a stopped import can be resumed");

    const other = await createShop(app.ctx.db);
    const [theirs] = await app.ctx.db
      .insert(importRuns)
      .values({ shopId: other.id, mode: "all", status: "failed", error: "Stopped after 0 orders" })
      .returning();
    const foreign = await postWoo({ intent: "resume", runId: theirs!.id });
    expect(foreign.status).toBe(404);
    expect((await runsOf(other.id))[0]).toMatchObject({ status: "failed" });

    const bogus = await postWoo({ intent: "resume", runId: "not-a-run" });
    expect(bogus.status).toBe(400);
  });
});

describe("Import: one at a time", () => {
  it("refuses a second import while one is under way, with a message, and creates no run", async () => {
    wooStore(3);
    const first = await postWoo({ intent: "start", mode: "all" });
    expect(first.status).toBe(200);
    const second = await postWoo({ intent: "start", mode: "ids", ids: "1" });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("An import is already waiting to start");
    expect(await runsOf(woo.id)).toHaveLength(1);

    const both = await Promise.all([
      postWoo({ intent: "start", mode: "all" }),
      postWoo({ intent: "start", mode: "all" }),
    ]);
    expect(both.map((r) => r.status)).toEqual([409, 409]);
    await drainImports();
    // Two at once: exactly one wins.
    const race = await Promise.all([
      postWoo({ intent: "start", mode: "all" }),
      postWoo({ intent: "start", mode: "all" }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await runsOf(woo.id)).toHaveLength(2);
  });

  it("a run whose worker died stops counting as under way, and can be resumed from its page", async () => {
    const store = wooStore(250);
    await postWoo({ intent: "start", mode: "all" });
    const run = await latestRun();
    // The worker read the first page, then died: the row stopped moving.
    await app.ctx.db
      .update(importRuns)
      .set({
        status: "running",
        done: 100,
        total: 250,
        resumeCursor: "page:2",
        updatedAt: new Date(Date.now() - (IMPORT_LEASE_SECONDS + 5) * 1000),
      })
      .where(eq(importRuns.id, run.id));
    expect(await importPage()).toContain("stopped responding");

    const res = await postWoo({ intent: "resume", runId: run.id });
    expect(res.status).toBe(200);
    await drainImports();
    expect(await latestRun()).toMatchObject({ id: run.id, status: "completed", done: 250 });
    // Both jobs (the first delivery and the resume) read from where the run stood: page 2.
    expect(store.reads).toEqual(["page:2", "page:3"]);
  });

  it("a job delivered again while another worker holds the run waits, and does nothing once it finished", async () => {
    const store = wooStore(3);
    await postWoo({ intent: "start", mode: "all" });
    const run = await latestRun();
    await app.ctx.db
      .update(importRuns)
      .set({ status: "running", updatedAt: new Date() })
      .where(eq(importRuns.id, run.id));
    const data = { shopId: woo.id, runId: run.id };
    await expect(runImportJob(app.ctx, data, { lastAttempt: false })).rejects.toThrow(RetryLater);
    expect(store.reads).toHaveLength(0);

    await app.ctx.db.update(importRuns).set({ status: "queued" }).where(eq(importRuns.id, run.id));
    await drainImports();
    expect(await latestRun()).toMatchObject({ status: "completed", done: 3, created: 3 });
    await runImportJob(app.ctx, data, { lastAttempt: false });
    expect(store.reads).toHaveLength(1);
    expect(await latestRun()).toMatchObject({ status: "completed", done: 3, created: 3 });
  });
});

describe("Import from WooCommerce: by IDs and by range", () => {
  it("reads ids separated by commas, spaces and lines, once each, and lists those the store lacks", async () => {
    const store = wooStore(250);
    const res = await postWoo({ intent: "start", mode: "ids", ids: "#11, 12\n13  11,,9999" });
    expect(res.status).toBe(200);
    const run = await latestRun();
    expect(run).toMatchObject({ mode: "ids", total: 4 });
    expect(run.params.ids).toEqual(["11", "12", "13", "9999"]);
    await drainImports();
    expect(store.reads).toEqual(["include:11,12,13,9999", "search:9999"]);
    expect(await latestRun()).toMatchObject({ status: "completed", created: 3, done: 3, total: 4 });
    expect((await latestRun()).params.missing).toEqual(["9999"]);
    expect(await storedIds()).toEqual(["11", "12", "13"]);
    const html = await importPage();
    expect(html).toContain("Not found in the cart");
    expect(html).toContain("9999");
  });

  it("imports the orders created between two days, both included", async () => {
    wooStore(250);
    const res = await postWoo({
      intent: "start",
      mode: "range",
      from: "2026-10-01",
      to: "2026-10-01",
    });
    expect(res.status).toBe(200);
    await drainImports();
    // Orders 1..250 were placed a minute apart from 00:01 on 2026-10-01: all on that day.
    expect(await latestRun()).toMatchObject({ status: "completed", created: 250, total: 250 });

    const none = await postWoo({
      intent: "start",
      mode: "range",
      from: "2026-10-02",
      to: "2026-10-03",
    });
    expect(none.status).toBe(200);
    await drainImports();
    expect(await latestRun()).toMatchObject({ status: "completed", done: 0, created: 0 });
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
    const res = await postWoo({ intent: "start", ...(fields as Record<string, string>) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
    expect(await runsOf(woo.id)).toHaveLength(0);
    const [queued] = await app.ctx.jobs.fetch("import-orders");
    expect(queued).toBeUndefined();
  });
});

// --- Shopify -----------------------------------------------------------------------------------

const BULK_FILE = "https://storage.googleapis.example/bulk/import-test.jsonl";

/** A bulk operation that completes at once, whose JSONL file holds these orders with 2 lines each. */
function shopifyBulk(ids: string[]) {
  mswServer.use(
    http.get(BULK_FILE, () => {
      const text = ids
        .map((id) => {
          const parent = `gid://shopify/Order/${id}`;
          const lines = [1, 2].map((n) =>
            JSON.stringify({ ...graphqlLine(id, n), __parentId: parent }),
          );
          return [
            JSON.stringify(graphqlOrderNode({ id, updatedAt: "2026-11-01T12:00:00Z" })),
            ...lines,
          ].join("\n");
        })
        .join("\n");
      return new HttpResponse(`${text}\n`, { headers: { "Content-Type": "application/jsonl" } });
    }),
  );
  return mockShopifyAdmin(DEFAULT_DEMO_SHOPIFY_SHOP, {
    OrderlaneBulkOrders: () => ({
      data: {
        bulkOperationRunQuery: {
          bulkOperation: { id: "gid://shopify/BulkOperation/77", status: "CREATED" },
          userErrors: [],
        },
      },
    }),
    OrderlaneBulkStatus: () => ({
      data: {
        bulkOperation: {
          id: "gid://shopify/BulkOperation/77",
          status: "COMPLETED",
          errorCode: null,
          objectCount: String(ids.length * 3),
          url: ids.length > 0 ? BULK_FILE : null,
          partialDataUrl: null,
        },
      },
    }),
  });
}

const shopifyIds = (n: number) => Array.from({ length: n }, (_, i) => `${7_300_000_000_001 + i}`);

describe("Import from Shopify", () => {
  it("All: a bulk operation's JSONL is stored in pages of 250; a re-import updates, never duplicates", async () => {
    const ids = shopifyIds(260);
    const calls = shopifyBulk(ids);
    const res = await post(DEFAULT_DEMO_SHOPIFY_SHOP, { intent: "start", mode: "all" });
    expect(res.status).toBe(200);
    await drainImports();
    expect(calls.map((c) => c.operation)).toEqual(["OrderlaneBulkOrders", "OrderlaneBulkStatus"]);
    expect(await latestRun(shopify.id)).toMatchObject({
      status: "completed",
      done: 260,
      created: 260,
      notice: null,
      error: null,
    });
    expect(await storedIds(shopify.id)).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    // Finished: the page says what it found, not how many "so far".
    const finished = await importPage(DEFAULT_DEMO_SHOPIFY_SHOP);
    expect(finished).toMatch(/260 (of 260 )?orders/);
    expect(finished).not.toContain("so far");
    expect(finished).toContain("260 new, 0 updated");
    const [lines] = await app.ctx.db
      .select({ n: count() })
      .from(lineItems)
      .where(eq(lineItems.shopId, shopify.id));
    expect(lines!.n).toBe(520);

    shopifyBulk(ids);
    await post(DEFAULT_DEMO_SHOPIFY_SHOP, { intent: "start", mode: "all" });
    await drainImports();
    expect(await latestRun(shopify.id)).toMatchObject({
      status: "completed",
      done: 260,
      created: 0,
      updated: 0,
      params: expect.objectContaining({ unchanged: 260 }),
    });
    expect(await orderCount(shopify.id)).toBe(260);
    const again = await importPage(DEFAULT_DEMO_SHOPIFY_SHOP);
    expect(again).toContain("0 new, 0 updated, 260 unchanged");
  });

  it("without read_all_orders, the page explains the 60-day window", async () => {
    await app.ctx.db.update(shops).set({ connection: {} }).where(eq(shops.id, shopify.id));
    shopifyBulk(shopifyIds(3));
    await post(DEFAULT_DEMO_SHOPIFY_SHOP, { intent: "start", mode: "all" });
    await drainImports();
    const run = await latestRun(shopify.id);
    expect(run).toMatchObject({ status: "completed", done: 3 });
    expect(run.notice).toMatch(/last 60 days.*“Read all orders” access/);
    const html = await importPage(DEFAULT_DEMO_SHOPIFY_SHOP);
    expect(html).toContain("only the last 60 days of orders");
    expect(html).toContain("“Read all orders” access");
    expect(html).not.toContain("read_all_orders");

    // With the permission, the same import carries no notice.
    await app.ctx.db
      .update(shops)
      .set({ connection: { readAllOrders: true } })
      .where(eq(shops.id, shopify.id));
    shopifyBulk(shopifyIds(3));
    await post(DEFAULT_DEMO_SHOPIFY_SHOP, { intent: "start", mode: "all" });
    await drainImports();
    expect(await latestRun(shopify.id)).toMatchObject({ status: "completed", notice: null });
  });

  it("a failed bulk operation stops the run with Shopify's reason", async () => {
    mockShopifyAdmin(DEFAULT_DEMO_SHOPIFY_SHOP, {
      OrderlaneBulkOrders: () => ({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id: "gid://shopify/BulkOperation/78", status: "CREATED" },
            userErrors: [],
          },
        },
      }),
      OrderlaneBulkStatus: () => ({
        data: {
          bulkOperation: {
            id: "gid://shopify/BulkOperation/78",
            status: "FAILED",
            errorCode: "INTERNAL_SERVER_ERROR",
            objectCount: "0",
            url: null,
            partialDataUrl: null,
          },
        },
      }),
    });
    await post(DEFAULT_DEMO_SHOPIFY_SHOP, { intent: "start", mode: "all" });
    await drainImports();
    const run = await latestRun(shopify.id);
    expect(run).toMatchObject({ status: "failed", done: 0 });
    expect(run.error).toMatch(/^Stopped after 0 orders: .*INTERNAL_SERVER_ERROR/);
    expect(await orderCount(shopify.id)).toBe(0);
  });

  it("By range: paged orders(query:) reads, each page stored as it comes", async () => {
    const ids = shopifyIds(25);
    const calls = mockShopifyAdmin(DEFAULT_DEMO_SHOPIFY_SHOP, {
      OrderlaneOrders: ({ variables }) => {
        const first = Number(variables.first);
        const start = variables.after ? Number(variables.after) : 0;
        const slice = ids.slice(start, start + first);
        const more = start + first < ids.length;
        return {
          data: {
            orders: {
              pageInfo: { hasNextPage: more, endCursor: more ? String(start + first) : null },
              nodes: slice.map((id) => ({
                ...graphqlOrderNode({ id, createdAt: "2026-10-01T08:00:00Z" }),
                lineItems: { pageInfo: { hasNextPage: false }, nodes: [graphqlLine(id, 1)] },
              })),
            },
          },
        };
      },
    });
    const res = await post(DEFAULT_DEMO_SHOPIFY_SHOP, {
      intent: "start",
      mode: "range",
      from: "2026-10-01",
      to: "2026-10-01",
    });
    expect(res.status).toBe(200);
    await drainImports();
    expect(calls.length).toBeGreaterThan(1);
    expect(calls[0]!.variables.query).toBe(
      "created_at:>='2026-10-01T00:00:00.000Z' created_at:<='2026-10-01T23:59:59.999Z'",
    );
    expect(await latestRun(shopify.id)).toMatchObject({
      status: "completed",
      done: 25,
      created: 25,
    });
    expect(await orderCount(shopify.id)).toBe(25);
  });
});

describe("parseImportInput", () => {
  it("keeps the first 1,000 distinct ids, however many times each is repeated", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `${i + 1}`);
    const input = parseImportInput({ mode: "ids", ids: [...ids, ...ids].join("\n") });
    expect(input.ok && input.request.mode === "ids" && input.request.ids).toEqual(ids);
  });
});
