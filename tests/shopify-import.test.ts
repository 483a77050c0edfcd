import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orders, shops } from "~/db/schema";
import { CartReadError, type ImportPage, type ImportRequest } from "~/carts/connector";
import { createShopifyConnector } from "~/carts/shopify/connector.server";
import { ingestCartOrders } from "~/orders/ingest.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import {
  graphqlLine,
  graphqlOrderNode,
  graphqlOrderWithLines,
  mockShopifyAdmin,
  throttled,
} from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

async function shopifyShop(connection: { readAllOrders?: boolean } = {}) {
  const shop = await createShop(app.ctx.db);
  await createSession(app.ctx.db, shop.domain);
  const [updated] = await app.ctx.db
    .update(shops)
    .set({ connection })
    .where(eq(shops.id, shop.id))
    .returning();
  return updated!;
}

async function readAll(
  connector: ReturnType<typeof createShopifyConnector>,
  request: ImportRequest,
  cursor: string | null = null,
): Promise<ImportPage[]> {
  const pages: ImportPage[] = [];
  for await (const page of connector.importOrders(request, cursor)) pages.push(page);
  return pages;
}

const fast = { bulkPollMs: { first: 5, max: 20 } };

describe("Shopify Import", () => {
  it("All: one bulk operation whose JSONL is streamed into orders with their lines", async () => {
    const shop = await shopifyShop({ readAllOrders: true });
    const fileUrl = "https://storage.googleapis.example/bulk/orders.jsonl";
    const count = 260; // more than one page of 250
    let fileServed = 0;
    mswServer.use(
      http.get(fileUrl, () => {
        fileServed++;
        // Served as a stream, chunk by chunk, the way a large export arrives.
        const encoder = new TextEncoder();
        let i = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (i >= count) return controller.close();
            const id = `${7_000_000_000_000 + i}`;
            const orderLine = JSON.stringify(graphqlOrderNode({ id, name: `#B${i}` }));
            const parent = `gid://shopify/Order/${id}`;
            const children = [1, 2].map((n) =>
              JSON.stringify({ ...graphqlLine(id, n), __parentId: parent }),
            );
            // Split mid-line on purpose: lines must be reassembled across chunks.
            const text = `${orderLine}\n${children.join("\n")}\n`;
            controller.enqueue(encoder.encode(text.slice(0, 40)));
            controller.enqueue(encoder.encode(text.slice(40)));
            i++;
          },
        });
        return new HttpResponse(stream, { headers: { "Content-Type": "application/jsonl" } });
      }),
    );
    let polls = 0;
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneBulkOrders: () => ({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id: "gid://shopify/BulkOperation/9", status: "CREATED" },
            userErrors: [],
          },
        },
      }),
      OrderlaneBulkStatus: () => {
        polls++;
        const done = polls >= 2;
        return {
          data: {
            bulkOperation: {
              id: "gid://shopify/BulkOperation/9",
              status: done ? "COMPLETED" : "RUNNING",
              errorCode: null,
              objectCount: String(count * 3),
              url: done ? fileUrl : null,
              partialDataUrl: null,
            },
          },
        };
      },
    });
    const connector = createShopifyConnector(app.ctx, shop, fast);
    const pages = await readAll(connector, { mode: "all" });
    expect(fileServed).toBe(1);
    expect(pages.map((p) => p.orders.length)).toEqual([250, 10]);
    expect(pages[0]!.resumeCursor).not.toBeNull();
    expect(pages[1]!.resumeCursor).toBeNull();
    expect(pages[0]!.notice ?? null).toBeNull();
    const first = pages[0]!.orders[0]!;
    expect(first.cartOrderId).toBe("7000000000000");
    expect(first.lineItems.map((l) => l.sku)).toEqual(["POSTER-1", "POSTER-2"]);
    expect(first.lineItems[0]!.personalization?.designUrl).toBe(
      "https://cdn.example.com/poster-1.png",
    );
    expect(first.payments).toEqual([
      expect.objectContaining({ kind: "capture", amount: "35.0", status: "success" }),
    ]);
    expect(calls[0]!.variables.query).toMatch(/orders\s*{\s*edges/);

    // Ingesting the pages stores every order once; doing it again finds them unchanged, never
    // duplicates them.
    for (const page of pages) {
      await ingestCartOrders(app.ctx, shop, page.orders, { source: "import" });
    }
    const again = await ingestCartOrders(app.ctx, shop, pages[1]!.orders, { source: "import" });
    expect(again.every((o) => o.outcome === "unchanged")).toBe(true);
    const stored = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    expect(stored).toHaveLength(count);
    expect(stored.every((o) => o.type === "in_app" && o.itemCount === 2)).toBe(true);

    // A resumed import skips what the stopped one already handed on.
    const resumed = await readAll(connector, { mode: "all" }, pages[0]!.resumeCursor);
    expect(resumed.flatMap((p) => p.orders).map((o) => o.cartOrderNumber)[0]).toBe("#B250");
  });

  it("All without read_all_orders says so in the page notice", async () => {
    const shop = await shopifyShop();
    mockShopifyAdmin(shop.domain, {
      OrderlaneBulkOrders: () => ({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id: "gid://shopify/BulkOperation/10", status: "CREATED" },
            userErrors: [],
          },
        },
      }),
      OrderlaneBulkStatus: () => ({
        data: {
          bulkOperation: {
            id: "gid://shopify/BulkOperation/10",
            status: "COMPLETED",
            errorCode: null,
            objectCount: "0",
            url: null,
            partialDataUrl: null,
          },
        },
      }),
    });
    const pages = await readAll(createShopifyConnector(app.ctx, shop, fast), { mode: "all" });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.notice).toMatch(/last 60 days.*“Read all orders” access/);
  });

  it("a failed bulk operation stops the import with Shopify's reason", async () => {
    const shop = await shopifyShop({ readAllOrders: true });
    mockShopifyAdmin(shop.domain, {
      OrderlaneBulkOrders: () => ({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id: "gid://shopify/BulkOperation/11", status: "CREATED" },
            userErrors: [],
          },
        },
      }),
      OrderlaneBulkStatus: () => ({
        data: {
          bulkOperation: {
            id: "gid://shopify/BulkOperation/11",
            status: "FAILED",
            errorCode: "ACCESS_DENIED",
            objectCount: "0",
            url: null,
            partialDataUrl: null,
          },
        },
      }),
    });
    const error = await readAll(createShopifyConnector(app.ctx, shop, fast), { mode: "all" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CartReadError);
    expect((error as CartReadError).message).toMatch(/failed \(ACCESS_DENIED\)/);
    expect((error as CartReadError).retryable).toBe(false);
  });

  it("By range: paged orders(query:) reads, THROTTLED answers wait for the bucket and retry", async () => {
    const shop = await shopifyShop();
    let call = 0;
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneOrders: ({ variables }) => {
        call++;
        if (call === 1) return throttled();
        const second = variables.after === "cursor-1";
        const ids = second ? ["7100000000003"] : ["7100000000001", "7100000000002"];
        return {
          data: {
            orders: {
              pageInfo: { hasNextPage: !second, endCursor: second ? null : "cursor-1" },
              nodes: ids.map((id) => graphqlOrderWithLines({ id, lines: 2 })),
            },
          },
        };
      },
    });
    const from = new Date(Date.now() - 90 * 86_400_000);
    const to = new Date();
    const started = Date.now();
    const pages = await readAll(createShopifyConnector(app.ctx, shop), {
      mode: "range",
      from,
      to,
    });
    // 2 points short at 100 a second: the retry waited a moment, not a fixed long back-off.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.variables.query).toBe(
      `created_at:>='${from.toISOString()}' created_at:<='${to.toISOString()}'`,
    );
    expect(pages.map((p) => p.orders.map((o) => o.cartOrderId))).toEqual([
      ["7100000000001", "7100000000002"],
      ["7100000000003"],
    ]);
    expect(JSON.parse(pages[0]!.resumeCursor!)).toEqual({ after: "cursor-1" });
    // 90 days back without read_all_orders: the owner is told why older orders are missing.
    expect(pages[0]!.notice).toMatch(/60 days/);
  });

  it("By ids: order numbers and ids in one search; the ones Shopify lacks are listed", async () => {
    const shop = await shopifyShop({ readAllOrders: true });
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneOrders: () => ({
        data: {
          orders: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: [
              graphqlOrderWithLines({ id: "7200000000001", name: "#1001" }),
              graphqlOrderWithLines({ id: "7200000000002", name: "#1002" }),
            ],
          },
        },
      }),
    });
    const pages = await readAll(createShopifyConnector(app.ctx, shop), {
      mode: "ids",
      ids: ["#1001", "7200000000002", "1003"],
    });
    expect(calls[0]!.variables.query).toBe('name:"#1001" OR id:7200000000002 OR name:"#1003"');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.orders.map((o) => o.cartOrderNumber)).toEqual(["#1001", "#1002"]);
    expect(pages[0]!.missing).toEqual(["1003"]);
    expect(pages[0]!.total).toBe(3);
  });

  it("a 429 waits for Retry-After; an order with more lines than a page holds is read whole", async () => {
    const shop = await shopifyShop({ readAllOrders: true });
    let pages = 0;
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneOrders: () => {
        pages++;
        if (pages === 1) {
          return new HttpResponse(JSON.stringify({ errors: "Throttled" }), {
            status: 429,
            headers: { "Retry-After": "0.05", "Content-Type": "application/json" },
          });
        }
        const big = graphqlOrderWithLines({ id: "7400000000001", lines: 30 });
        (big.lineItems as { pageInfo: { hasNextPage: boolean } }).pageInfo.hasNextPage = true;
        return {
          data: { orders: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [big] } },
        };
      },
      OrderlaneOrder: () => ({
        data: { order: graphqlOrderWithLines({ id: "7400000000001", lines: 45 }) },
      }),
    });
    const result = await readAll(createShopifyConnector(app.ctx, shop), {
      mode: "ids",
      ids: ["7400000000001"],
    });
    expect(calls.map((c) => c.operation)).toEqual([
      "OrderlaneOrders",
      "OrderlaneOrders",
      "OrderlaneOrder",
    ]);
    expect(result[0]!.orders[0]!.lineItems).toHaveLength(45);
    expect(result[0]!.missing).toEqual([]);
  });

  it("a Shopify that stays down ends the import with a retryable CartReadError", async () => {
    const shop = await shopifyShop();
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, () =>
        HttpResponse.text("bad gateway", { status: 502 }),
      ),
    );
    const error = await readAll(createShopifyConnector(app.ctx, shop), {
      mode: "range",
      from: new Date(Date.now() - 86_400_000),
      to: new Date(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CartReadError);
    expect((error as CartReadError).retryable).toBe(true);
  });

  it("fetchOrder answers null for an order Shopify no longer has", async () => {
    const shop = await shopifyShop();
    mockShopifyAdmin(shop.domain, { OrderlaneOrder: () => ({ data: { order: null } }) });
    const result = await createShopifyConnector(app.ctx, shop).fetchOrder("7300000000001");
    expect(result).toEqual({ ok: true, order: null });
  });
});
