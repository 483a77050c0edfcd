import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, orders, submissions } from "~/db/schema";
import { seedDemoShop } from "~/demo/seed.server";
import { decode } from "turbo-stream";
import { providers } from "~/db/schema";
import { encodeCursor } from "~/orders/catalog.server";
import { CART_STATUSES, LIFECYCLE_STATES, ORDER_TYPES } from "~/orders/core/model";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { findShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp, shopifySessionToken } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: "s",
    encryptionKey: app.ctx.config.encryptionKey,
  });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const orderNumbers = (html: string) => [...html.matchAll(/>(#\d{4,5})</g)].map((m) => m[1]);

type DemoOrder = typeof orders.$inferSelect;

async function demoShopId(): Promise<string> {
  const shop = await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN);
  return shop!.id;
}

/** Every order of the demo shop, newest first, as the database has them. */
async function allDemoOrders(): Promise<DemoOrder[]> {
  const rows = await app.ctx.db
    .select()
    .from(orders)
    .where(eq(orders.shopId, await demoShopId()));
  return rows.sort(
    (a, b) =>
      b.cartCreatedAt.getTime() - a.cartCreatedAt.getTime() ||
      (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

/** The order numbers the catalog shows for a query, all on one page. */
async function catalogNumbers(query: string): Promise<string[]> {
  const res = await app.fetch(`/app?limit=250&${query}`);
  expect(res.status).toBe(200);
  return orderNumbers(await res.text()) as string[];
}

/** Decodes a single-fetch answer (`.data` URLs) as the browser does. */
async function decodeData(res: Response): Promise<Record<string, unknown>> {
  const decoded = await decode(res.body!);
  await decoded.done;
  return decoded.value as Record<string, unknown>;
}

/** The next page's cursor for a query, from the loader data the page hydrates from. */
async function catalogCursor(query: string): Promise<string | null> {
  const res = await app.fetch(`/app.data?${query}&_route=routes%2Fapp._index`);
  expect(res.status).toBe(200);
  const value = (await decodeData(res)) as Record<
    string,
    { data?: { nextCursor?: string | null } }
  >;
  return value["routes/app._index"]?.data?.nextCursor ?? null;
}

describe("the catalog page (demo mode)", () => {
  it("serves the demo shop's orders newest first, 50 a page, with a link to older ones", async () => {
    const res = await app.fetch("/app");
    expect(res.status).toBe(200);
    const html = await res.text();
    const numbers = orderNumbers(html);
    expect(numbers).toHaveLength(50);
    expect(numbers[0]).toBe("#1072");
    expect(numbers).toEqual([...numbers].sort().reverse());
    expect(html).toContain("Juniper &amp; Pine (demo)");
  });

  it("shows only the signed-in shop's orders", async () => {
    const other = await createShop(app.ctx.db, { domain: "someone-else.myshopify.com" });
    await createOrder(app.ctx.db, other, {
      cartOrderNumber: "#9999",
      customerName: "Not Your Customer",
      cartCreatedAt: new Date(Date.now() + 3_600_000),
    });
    const html = await (await app.fetch("/app")).text();
    expect(html).not.toContain("Not Your Customer");
    expect(orderNumbers(html)).not.toContain("#9999");
  });

  it("pages by cursor without repeating or skipping an order", async () => {
    const shop = await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN);
    const first = await app.fetch("/app");
    const html = await first.text();
    const cursor = /cursor=([A-Za-z0-9_-]+)/.exec(html)?.[1];
    // The next-page cursor travels in the loader data the page hydrates from.
    const data = await app.fetch("/app.data?_route=routes%2Fapp._index");
    expect(data.status).toBe(200);
    const dataText = await data.text();
    const nextCursor = cursor ?? /"nextCursor","([^"]+)"/.exec(dataText)?.[1];
    expect(nextCursor).toBeTruthy();
    const second = orderNumbers(await (await app.fetch(`/app?cursor=${nextCursor}`)).text());
    const all = [...orderNumbers(html), ...second];
    expect(second).toHaveLength(22);
    expect(new Set(all).size).toBe(72);
    expect(shop).toBeTruthy();
  });

  it("answers a forged cursor with 400 and a clear message", async () => {
    const res = await app.fetch("/app?cursor=bm90LWEtY3Vyc29y");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The page cursor is not valid");
  });

  it("answers the health check with the database kind", async () => {
    const res = await app.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});

describe("searching and filtering the catalog", () => {
  const numbersOf = (list: DemoOrder[]) => list.map((o) => o.cartOrderNumber);

  it("filters by each type, cart status, lifecycle state and alert exactly as the orders are stored", async () => {
    const all = await allDemoOrders();
    const cases: [string, (o: DemoOrder) => boolean][] = [
      ...ORDER_TYPES.map((t): [string, (o: DemoOrder) => boolean] => [
        `type=${t}`,
        (o) => o.type === t,
      ]),
      ...CART_STATUSES.map((c): [string, (o: DemoOrder) => boolean] => [
        `status=${c}`,
        (o) => o.cartStatus === c,
      ]),
      ...LIFECYCLE_STATES.map((st): [string, (o: DemoOrder) => boolean] => [
        `state=${st}`,
        (o) => o.state === st,
      ]),
      ["alert=any", (o) => o.alert !== null],
      ["alert=provider_rejected", (o) => o.alert?.code === "provider_rejected"],
    ];
    let nonEmpty = 0;
    for (const [query, keep] of cases) {
      const expected = numbersOf(all.filter(keep));
      expect(await catalogNumbers(query), query).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    // The demo shop has orders of every kind, so most filters really select something.
    expect(nonEmpty).toBeGreaterThan(15);
  });

  it("combines filters, and says so when nothing matches", async () => {
    const all = await allDemoOrders();
    const inAppErrors = numbersOf(all.filter((o) => o.type === "in_app" && o.state === "error"));
    expect(inAppErrors.length).toBeGreaterThan(1);
    expect(await catalogNumbers("type=in_app&state=error")).toEqual(inAppErrors);
    const waiting = numbersOf(
      all.filter((o) => o.type === "other" && o.cartStatus === "processing" && o.state === "new"),
    );
    expect(waiting.length).toBeGreaterThan(0);
    expect(await catalogNumbers("type=other&status=processing&state=new")).toEqual(waiting);

    const none = await app.fetch("/app?type=amazon&state=pending");
    expect(none.status).toBe(200);
    const html = await none.text();
    expect(orderNumbers(html)).toEqual([]);
    expect(html).toContain("No orders match");
  });

  it("sorts oldest first when asked", async () => {
    const all = await allDemoOrders();
    expect(await catalogNumbers("sort=oldest")).toEqual(numbersOf([...all].reverse()));
  });

  it("searches by order number with or without #, by its beginning, and by the cart's order id", async () => {
    expect(await catalogNumbers("search=%231042")).toEqual(["#1042"]);
    expect(await catalogNumbers("search=1042")).toEqual(["#1042"]);
    expect(await catalogNumbers("search=%20%231042%20")).toEqual(["#1042"]);
    const prefix = await catalogNumbers("search=104");
    expect([...prefix].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `#104${i}`));

    const [target] = (await allDemoOrders()).filter((o) => o.cartOrderNumber === "#1017");
    expect(await catalogNumbers(`search=${target!.cartOrderId}`)).toEqual(["#1017"]);
    // Search and filters combine: #1017 is not Amazon, so nothing.
    const type = target!.type === "amazon" ? "other" : "amazon";
    expect(await catalogNumbers(`search=${target!.cartOrderId}&type=${type}`)).toEqual([]);

    const missing = await app.fetch("/app?search=987654");
    expect(missing.status).toBe(200);
    expect(await missing.text()).toContain("No orders match");
    // Wildcards are text, not patterns.
    expect(await catalogNumbers("search=10%25")).toEqual([]);
    expect(await catalogNumbers("search=_0")).toEqual([]);
  });

  it("answers a filter value it does not know with 400 naming the parameter", async () => {
    const bad: [string, string][] = [
      ["type=bogus", "type: one of in_app, amazon, shineon, other"],
      ["status=paid", "status: one of pending_payment"],
      ["state=deleted", "state: one of new"],
      ["alert=Not%20A%20Code", "alert: an alert code"],
      ["sort=cheapest", "sort: one of newest, oldest"],
      ["limit=0", "limit: at least 1"],
      ["limit=lots", "limit: a whole number"],
      [`search=${"9".repeat(101)}`, "search: at most 100 characters"],
    ];
    for (const [query, message] of bad) {
      const res = await app.fetch(`/app?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain(message);
    }
  });

  it("pages through filtered orders without repeating or skipping one, either way round", async () => {
    const all = await allDemoOrders();
    for (const [query, expected] of [
      ["type=in_app", numbersOf(all.filter((o) => o.type === "in_app"))],
      ["type=in_app&sort=oldest", numbersOf(all.filter((o) => o.type === "in_app").reverse())],
      [
        "status=processing&state=open",
        numbersOf(all.filter((o) => o.cartStatus === "processing" && o.state === "open")),
      ],
    ] as const) {
      expect(expected.length, query).toBeGreaterThan(7);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const q = `${query}&limit=7${cursor ? `&cursor=${cursor}` : ""}`;
        const numbers = orderNumbers(await (await app.fetch(`/app?${q}`)).text()) as string[];
        seen.push(...numbers);
        cursor = await catalogCursor(q);
        if (!cursor) break;
      }
      expect(seen, query).toEqual(expected);
    }
  });

  it("refuses a cursor replayed with other filters, rather than showing a wrong page", async () => {
    const cursor = await catalogCursor("type=in_app&limit=5");
    expect(cursor).toBeTruthy();
    const res = await app.fetch(`/app?type=amazon&limit=5&cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("belongs to other filters");
    // A hand-made cursor without the filter mark is refused the same way.
    const forged = encodeCursor("after", { at: new Date(), id: randomUUID() }, { type: "amazon" });
    expect((await app.fetch(`/app?cursor=${forged}`)).status).toBe(400);
  });
});

/** Posts a bulk action as the catalog page does, and decodes the answer as the browser would. */
async function postBulk(
  fields: Record<string, string>,
  query = "",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.fetch(`/app.data?index${query ? `&${query}` : ""}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const value = (await decodeData(res)) as
    Record<string, { data?: Record<string, unknown> }> | Record<string, unknown>;
  // Single fetch wraps an action's data as { data } (status in the response).
  const body = ((value as { data?: Record<string, unknown> }).data ?? value) as Record<
    string,
    unknown
  >;
  return { status: res.status, body };
}

interface SummaryBody {
  summary: {
    total: number;
    done: number;
    alreadySubmitted: number;
    failed: number;
    results: { orderId: string; number: string | null; outcome: string; message: string }[];
  };
}

describe("bulk actions from the catalog", () => {
  it("submits the selected orders once: submitted, already submitted skipped, failures with their reason", async () => {
    const shopId = await demoShopId();
    const shop = { id: shopId };
    const [provider] = await app.ctx.db
      .select()
      .from(providers)
      .where(and(eq(providers.shopId, shopId), eq(providers.kind, "sandbox")));
    const ready = await createOrder(app.ctx.db, shop, { cartOrderNumber: "#7001", type: "other" }, [
      {
        personalization: {
          designUrl: "/demo/design-name.svg",
          options: [{ name: "Name", value: "Ava" }],
        },
      },
    ]);
    // Personalised, but the final design file never arrived: the provider could not print it.
    const noDesign = await createOrder(app.ctx.db, shop, { cartOrderNumber: "#7005" });
    const sent = await createOrder(app.ctx.db, shop, { cartOrderNumber: "#7002", state: "open" });
    await app.ctx.db.insert(submissions).values({
      shopId,
      orderId: sent.id,
      providerId: provider!.id,
      poNumber: "PO-7002-A",
      idempotencyKey: `ol_${randomUUID()}`,
      state: "submitted",
      attempts: 1,
    });
    const unpaid = await createOrder(app.ctx.db, shop, {
      cartOrderNumber: "#7003",
      cartStatus: "pending_payment",
      cartStatusRaw: "pending",
    });
    const other = await createShop(app.ctx.db, { domain: "bulk-other.myshopify.com" });
    const foreign = await createOrder(app.ctx.db, other, { cartOrderNumber: "#7004" });
    const ids = [ready.id, sent.id, unpaid.id, foreign.id, noDesign.id];

    const { status, body } = await postBulk({ bulkAction: "submit", ids: ids.join(",") });
    expect(status).toBe(200);
    const { summary } = body as unknown as SummaryBody;
    expect(summary, JSON.stringify(summary.results)).toMatchObject({
      total: 5,
      done: 1,
      alreadySubmitted: 1,
      failed: 3,
    });
    const byNumber = new Map(summary.results.map((r) => [r.number ?? r.orderId, r]));
    expect(byNumber.get("#7001")).toMatchObject({ outcome: "done" });
    expect(byNumber.get("#7002")).toMatchObject({ outcome: "already_submitted" });
    expect(byNumber.get("#7003")?.message).toContain("awaiting payment");
    expect(byNumber.get("#7005")).toMatchObject({ outcome: "failed" });
    expect(byNumber.get("#7005")?.message).toContain("has no final design file");
    // Another shop's order is not found here, and its number is not revealed.
    expect(byNumber.get(foreign.id)).toMatchObject({ outcome: "failed", number: null });

    const subs = await app.ctx.db
      .select()
      .from(submissions)
      .where(inArray(submissions.orderId, ids));
    const count = (id: string) => subs.filter((s) => s.orderId === id).length;
    expect(ids.map(count)).toEqual([1, 1, 0, 0, 0]);
    const states = await app.ctx.db
      .select({ id: orders.id, state: orders.state })
      .from(orders)
      .where(inArray(orders.id, ids));
    expect(new Map(states.map((s) => [s.id, s.state]))).toEqual(
      new Map([
        [ready.id, "open"],
        [sent.id, "open"],
        [unpaid.id, "new"],
        [foreign.id, "new"],
        // Validation failed: the order now carries an alert saying what to fix.
        [noDesign.id, "error"],
      ]),
    );
    const timeline = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, ready.id));
    expect(timeline.map((e) => [e.action, e.actor, e.actorName])).toEqual([
      ["submit", "owner", "Demo owner"],
    ]);

    // Again: the order just submitted is now skipped, and still has one purchase order.
    const again = (await postBulk({ bulkAction: "submit", ids: ready.id }))
      .body as unknown as SummaryBody;
    expect(again.summary).toMatchObject({ done: 0, alreadySubmitted: 1, failed: 0 });
    const after = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, ready.id));
    expect(after).toHaveLength(1);
  });

  it("runs an owner action on all orders matching the filter, with each order's answer", async () => {
    const all = await allDemoOrders();
    const errorsInApp = all.filter((o) => o.state === "error" && o.type === "shineon");
    expect(errorsInApp.length).toBeGreaterThan(0);
    const { status, body } = await postBulk(
      { bulkAction: "reprocess", allMatching: "true" },
      "type=shineon&state=error",
    );
    expect(status).toBe(200);
    const { summary } = body as unknown as SummaryBody;
    expect(summary.total).toBe(errorsInApp.length);
    expect(summary.results.map((r) => r.number).sort()).toEqual(
      errorsInApp.map((o) => o.cartOrderNumber).sort(),
    );
    for (const r of summary.results) expect(r.message).toBeTruthy();
  });

  it("refuses a bad bulk request and changes nothing", async () => {
    const before = await app.ctx.db.select({ n: submissions.id }).from(submissions);
    const cases: [Record<string, string>, string, number][] = [
      [{ bulkAction: "launch", ids: randomUUID() }, "Choose one of the bulk actions", 400],
      [{ bulkAction: "submit", ids: "not-a-uuid" }, "not valid", 400],
      [{ bulkAction: "submit" }, "No orders were selected", 400],
      [
        { bulkAction: "submit", ids: Array.from({ length: 251 }, () => randomUUID()).join(",") },
        "at most 250",
        400,
      ],
    ];
    for (const [fields, message, code] of cases) {
      const { status, body } = await postBulk(fields);
      expect(status, JSON.stringify(fields).slice(0, 60)).toBe(code);
      expect(String(body.error)).toContain(message);
    }
    const bad = await postBulk({ bulkAction: "submit", allMatching: "true" }, "type=bogus");
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain("type: one of");
    const after = await app.ctx.db.select({ n: submissions.id }).from(submissions);
    expect(after.length).toBe(before.length);
  });

  it("refuses 'all that match' beyond the cap, asking to narrow the filter", async () => {
    const shopId = await demoShopId();
    await app.ctx.db.insert(orders).values(
      Array.from({ length: 260 }, (_, i) => ({
        shopId,
        cartOrderId: `cap-${i}`,
        cartOrderNumber: `#8${String(i).padStart(3, "0")}`,
        cartStatusRaw: "paid",
        cartStatus: "processing" as const,
        state: "archived" as const,
        type: "amazon" as const,
        currency: "USD",
        total: "1.00",
        cartCreatedAt: new Date(Date.UTC(2020, 0, 1, 0, i)),
        cartUpdatedAt: new Date(Date.UTC(2020, 0, 1, 0, i)),
      })),
    );
    const { status, body } = await postBulk(
      { bulkAction: "archive", allMatching: "true" },
      "state=archived&type=amazon",
    );
    expect(status).toBe(413);
    expect(String(body.error)).toContain("More than 250 orders");
    await app.ctx.db.delete(orders).where(
      and(
        eq(orders.shopId, shopId),
        inArray(
          orders.cartOrderId,
          Array.from({ length: 260 }, (_, i) => `cap-${i}`),
        ),
      ),
    );
  });
});

describe("the catalog outside demo mode", () => {
  let shopifyApp: TestApp;
  beforeAll(async () => {
    shopifyApp = await startTestApp();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await shopifyApp?.close();
  });

  it("sends a visitor without a Shopify session to sign in, showing no orders", async () => {
    const res = await shopifyApp.fetch("/app");
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/auth\/login/);
  });
});

describe("the catalog embedded in the Shopify admin", () => {
  let embedded: TestApp;
  beforeAll(async () => {
    embedded = await startTestApp();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await embedded?.close();
  });

  // Shopify's library answers self-identified bots (Node's fetch among them) with 410.
  const asBrowser = { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" } };

  it("shows the shop's own orders and loads App Bridge for a valid session token", async () => {
    const shop = await createShop(embedded.ctx.db, { domain: "embedded-shop.myshopify.com" });
    await createSession(embedded.ctx.db, shop.domain);
    await createOrder(embedded.ctx.db, shop, {
      cartOrderNumber: "#5150",
      customerName: "Iris Okafor",
    });
    const host = Buffer.from(`admin.shopify.com/store/embedded-shop`).toString("base64url");
    const res = await embedded.fetch(
      `/app?embedded=1&shop=${shop.domain}&host=${host}&id_token=${shopifySessionToken(shop.domain)}`,
      asBrowser,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Iris Okafor");
    expect(html).toContain("app-bridge.js");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors");
  });

  it("refuses a session token signed with another secret", async () => {
    const shop = await createShop(embedded.ctx.db, { domain: "forged-shop.myshopify.com" });
    await createSession(embedded.ctx.db, shop.domain);
    await createOrder(embedded.ctx.db, shop, { customerName: "Secret Customer" });
    const host = Buffer.from(`admin.shopify.com/store/forged-shop`).toString("base64url");
    const res = await embedded.fetch(
      `/app?embedded=1&shop=${shop.domain}&host=${host}&id_token=${shopifySessionToken(shop.domain, "wrong")}`,
      asBrowser,
    );
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain("Secret Customer");
  });
});
