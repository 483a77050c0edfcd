import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { type CartConnection } from "~/orders/core/model";
import { sealSecret } from "~/security/encryption.server";
import { mswServer } from "../../../tests/support/msw";
import { CartReadError, type ImportPage } from "../connector";
import { createWooCommerceConnector } from "./connector.server";
import { wooOrder } from "./test-fixtures";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

const config = loadConfig({ NODE_ENV: "test" });
const ctx = { config, shopify: null };
const STORE = "https://shop.example";
const API = `${STORE}/wp-json/wc/v3`;

function connector(connection: CartConnection = {}, withKeys = true) {
  return createWooCommerceConnector(
    ctx,
    {
      id: "00000000-0000-4000-8000-000000000001",
      platform: "woocommerce",
      domain: "shop.example",
      credentials: withKeys
        ? sealSecret(
            config.encryptionKey,
            JSON.stringify({ consumerKey: "ck_k", consumerSecret: "cs_s", url: STORE }),
          )
        : null,
      connection,
      settings: DEFAULT_SHOP_SETTINGS,
    },
    { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
  );
}

async function collect(iter: AsyncIterable<ImportPage>) {
  const pages: ImportPage[] = [];
  let error: unknown = null;
  try {
    for await (const page of iter) pages.push(page);
  } catch (err) {
    error = err;
  }
  return { pages, error };
}

/** 250 orders served 100 a page, as WooCommerce pages them, with the headers it sends. */
function ordersPage(page: number, total = 250) {
  const pages = Math.ceil(total / 100);
  const from = (page - 1) * 100 + 1;
  const ids = Array.from(
    { length: Math.max(0, Math.min(100, total - from + 1)) },
    (_, i) => from + i,
  );
  return HttpResponse.json(
    ids.map((id) => wooOrder({ id })),
    { headers: { "X-WP-Total": String(total), "X-WP-TotalPages": String(pages) } },
  );
}

describe("WooCommerce import", () => {
  it("reads every page over X-WP-TotalPages, waiting out a 429 and a 503 on the way", async () => {
    const seen: string[] = [];
    let page2Calls = 0;
    mswServer.use(
      http.get(`${API}/orders`, ({ request }) => {
        const url = new URL(request.url);
        const page = Number(url.searchParams.get("page"));
        seen.push(`${page}:${url.searchParams.get("per_page")}:${url.searchParams.get("orderby")}`);
        expect(request.headers.get("authorization")).toBe(
          `Basic ${Buffer.from("ck_k:cs_s").toString("base64")}`,
        );
        if (page === 2) {
          page2Calls++;
          if (page2Calls === 1) {
            return HttpResponse.json(
              { code: "too_many_requests", message: "Slow down" },
              { status: 429, headers: { "Retry-After": "0" } },
            );
          }
          if (page2Calls === 2) return new HttpResponse("Service Unavailable", { status: 503 });
        }
        return ordersPage(page);
      }),
    );
    const { pages, error } = await collect(connector().importOrders({ mode: "all" }, null));
    expect(error).toBeNull();
    expect(pages.map((p) => p.orders.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.resumeCursor)).toEqual(["page:2", "page:3", null]);
    expect(pages[0]!.total).toBe(250);
    expect(pages[2]!.orders.at(-1)!.cartOrderId).toBe("250");
    expect(page2Calls).toBe(3);
    expect(seen).toEqual(["1:100:id", "2:100:id", "2:100:id", "2:100:id", "3:100:id"]);
  });

  it("stops after bounded retries saying where, and a resumed import carries on from there", async () => {
    let failing = true;
    let page2Calls = 0;
    mswServer.use(
      http.get(`${API}/orders`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get("page"));
        if (page === 2 && failing) {
          page2Calls++;
          return HttpResponse.json(
            { code: "internal_server_error", message: "Database connection lost" },
            { status: 502 },
          );
        }
        return ordersPage(page);
      }),
    );
    const first = await collect(connector().importOrders({ mode: "all" }, null));
    expect(first.pages).toHaveLength(1);
    expect(page2Calls).toBe(4);
    expect(first.error).toBeInstanceOf(CartReadError);
    const err = first.error as CartReadError;
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/page 2/);
    expect(err.message).toMatch(/Database connection lost/);
    expect(err.message).toMatch(/4 attempts/);

    failing = false;
    const resumed = await collect(
      connector().importOrders({ mode: "all" }, first.pages.at(-1)!.resumeCursor),
    );
    expect(resumed.error).toBeNull();
    expect(resumed.pages.map((p) => p.orders[0]!.cartOrderId)).toEqual(["101", "201"]);
  });

  it("a resume past the last page ends cleanly (WooCommerce's invalid page answer)", async () => {
    mswServer.use(
      http.get(`${API}/orders`, () =>
        HttpResponse.json(
          {
            code: "rest_post_invalid_page_number",
            message: "The page number requested is larger than the number of pages available.",
          },
          { status: 400 },
        ),
      ),
    );
    const { pages, error } = await collect(connector().importOrders({ mode: "all" }, "page:9"));
    expect(error).toBeNull();
    expect(pages).toEqual([{ orders: [], resumeCursor: null }]);
  });

  it("does not retry a refusal: revoked keys stop the import with the store's words", async () => {
    let calls = 0;
    mswServer.use(
      http.get(`${API}/orders`, () => {
        calls++;
        return HttpResponse.json(
          { code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot list resources." },
          { status: 401 },
        );
      }),
    );
    const { error } = await collect(connector().importOrders({ mode: "all" }, null));
    expect(calls).toBe(1);
    expect((error as CartReadError).retryable).toBe(false);
    expect((error as CartReadError).message).toMatch(/Sorry, you cannot list resources/);
  });

  it("asks for a date range in GMT", async () => {
    let params: URLSearchParams | null = null;
    mswServer.use(
      http.get(`${API}/orders`, ({ request }) => {
        params = new URL(request.url).searchParams;
        return ordersPage(1, 3);
      }),
    );
    const { pages } = await collect(
      connector().importOrders(
        {
          mode: "range",
          from: new Date("2026-10-01T00:00:00Z"),
          to: new Date("2026-10-31T23:59:59Z"),
        },
        null,
      ),
    );
    expect(pages).toHaveLength(1);
    expect(params!.get("after")).toBe("2026-10-01T00:00:00.000Z");
    expect(params!.get("before")).toBe("2026-10-31T23:59:59.000Z");
    expect(params!.get("dates_are_gmt")).toBe("true");
  });

  it("by IDs: ids through include, numbers through search, the rest reported missing", async () => {
    mswServer.use(
      http.get(`${API}/orders`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        const include = params.get("include");
        if (include) {
          const ids = include
            .split(",")
            .map(Number)
            .filter((id) => id === 7 || id === 8);
          return HttpResponse.json(ids.map((id) => wooOrder({ id })));
        }
        const search = params.get("search");
        if (search === "WC-1042")
          return HttpResponse.json([wooOrder({ id: 42, number: "WC-1042" })]);
        // WooCommerce's search is loose: an order that merely mentions 999 is no match.
        if (search === "999") return HttpResponse.json([wooOrder({ id: 3, number: "3" })]);
        return HttpResponse.json([]);
      }),
    );
    const { pages, error } = await collect(
      connector().importOrders({ mode: "ids", ids: ["7", "#8", "WC-1042", "999", "7"] }, null),
    );
    expect(error).toBeNull();
    const ids = pages.flatMap((p) => p.orders.map((o) => o.cartOrderId));
    expect(ids).toEqual(["7", "8", "42"]);
    expect(pages.at(-1)!.missing).toEqual(["999"]);
    expect(pages.at(-1)!.resumeCursor).toBeNull();
  });

  it("skips checkout drafts and trashed orders in a page", async () => {
    mswServer.use(
      http.get(`${API}/orders`, () =>
        HttpResponse.json(
          [
            wooOrder({ id: 1 }),
            wooOrder({ id: 2, status: "checkout-draft" }),
            wooOrder({ id: 3, status: "trash" }),
          ],
          { headers: { "X-WP-Total": "3", "X-WP-TotalPages": "1" } },
        ),
      ),
    );
    const { pages } = await collect(connector().importOrders({ mode: "all" }, null));
    expect(pages.flatMap((p) => p.orders.map((o) => o.cartOrderId))).toEqual(["1"]);
  });

  it("refuses to start without readable keys", async () => {
    const { error } = await collect(connector({}, false).importOrders({ mode: "all" }, null));
    expect((error as CartReadError).message).toMatch(/connect the store again/);
  });
});

describe("WooCommerce order reads and status", () => {
  it("fetches one order, and says when the store no longer has it", async () => {
    mswServer.use(
      http.get(`${API}/orders/77`, () => HttpResponse.json(wooOrder({ id: 77, number: "1077" }))),
      http.get(`${API}/orders/78`, () =>
        HttpResponse.json(
          { code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID." },
          { status: 404 },
        ),
      ),
    );
    const found = await connector().fetchOrder("77");
    expect(found).toMatchObject({
      ok: true,
      order: { cartOrderId: "77", cartOrderNumber: "1077" },
    });
    expect(await connector().fetchOrder("78")).toEqual({ ok: true, order: null });
  });

  it("writes hold, release and cancel as WooCommerce statuses", async () => {
    const bodies: unknown[] = [];
    mswServer.use(
      http.put(`${API}/orders/90`, async ({ request }) => {
        const body = (await request.json()) as { status: string };
        bodies.push(body);
        return HttpResponse.json(wooOrder({ id: 90, status: body.status }));
      }),
    );
    const ref = { cartOrderId: "90", cartOrderNumber: "90" };
    expect(await connector().setOrderStatus(ref, "hold")).toEqual({ ok: true });
    expect(await connector().setOrderStatus(ref, "release")).toEqual({ ok: true });
    expect(await connector().setOrderStatus(ref, "cancel")).toEqual({ ok: true });
    expect(bodies).toEqual([
      { status: "on-hold" },
      { status: "processing" },
      { status: "cancelled" },
    ]);
  });

  it("returns WooCommerce's own words when it refuses a status", async () => {
    mswServer.use(
      http.put(`${API}/orders/91`, () =>
        HttpResponse.json(
          {
            code: "rest_invalid_param",
            message: "Invalid parameter(s): status",
            data: { status: 400 },
          },
          { status: 400 },
        ),
      ),
      http.put(`${API}/orders/92`, () =>
        HttpResponse.json(wooOrder({ id: 92, status: "completed" })),
      ),
      http.put(`${API}/orders/93`, () => new HttpResponse("Bad gateway", { status: 502 })),
    );
    const refused = await connector().setOrderStatus(
      { cartOrderId: "91", cartOrderNumber: "91" },
      "hold",
    );
    expect(refused).toEqual({
      ok: false,
      retryable: false,
      reason: "WooCommerce (HTTP 400): Invalid parameter(s): status",
    });
    const vetoed = await connector().setOrderStatus(
      { cartOrderId: "92", cartOrderNumber: "92" },
      "cancel",
    );
    expect(vetoed).toMatchObject({ ok: false, retryable: false });
    expect(vetoed.ok === false && vetoed.reason).toMatch(/kept order 92 as "completed"/);
    const down = await connector().setOrderStatus(
      { cartOrderId: "93", cartOrderNumber: "93" },
      "release",
    );
    expect(down).toMatchObject({ ok: false, retryable: true });
  });

  it("opens the HPOS order editor or the legacy one, as detected for the store", () => {
    const ref = { cartOrderId: "1234", cartOrderNumber: "1234" };
    expect(connector({ wooOrderEditor: "hpos" }).orderEditorUrl(ref)).toBe(
      "https://shop.example/wp-admin/admin.php?page=wc-orders&action=edit&id=1234",
    );
    expect(connector({ wooOrderEditor: "legacy" }).orderEditorUrl(ref)).toBe(
      "https://shop.example/wp-admin/post.php?post=1234&action=edit",
    );
    expect(
      connector(
        { wooOrderEditor: "hpos", storeUrl: "https://example.org/shop" },
        false,
      ).orderEditorUrl(ref),
    ).toBe("https://example.org/shop/wp-admin/admin.php?page=wc-orders&action=edit&id=1234");
  });
});
