// The catalog's drop-ship mark and filter, through the doors owners and integrations use: the JSON
// API's order list and the catalog page. Eligibility is the order page's rule (carried by a
// distributor, stock for the quantity in one warehouse, lead time within the shop's limit).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distributorItems, dropshipProducts, providers } from "~/db/schema";
import { mapSku } from "~/fulfillment/dropship/sku-map.server";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, shopifySessionToken, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let shop: Shop;
let plain: Shop;
let token: string;
let plainToken: string;
const numbers: Record<string, string> = {};

interface ListedOrder {
  id: string;
  number: string;
  dropshipEligible: boolean;
}

async function tokenFor(shopId: string): Promise<string> {
  const created = await createApiToken(app.ctx.db, shopId, { name: "Tests", createdBy: null });
  if (!created.ok) throw new Error("token not created");
  return created.token;
}

async function list(query: string, bearer = token): Promise<Response> {
  return app.fetch(`/api/v1/orders?${query}`, { headers: { authorization: `Bearer ${bearer}` } });
}

async function listed(query: string, bearer = token): Promise<ListedOrder[]> {
  const res = await list(query, bearer);
  expect(res.status).toBe(200);
  return ((await res.json()) as { orders: ListedOrder[] }).orders;
}

// Shopify's library answers self-identified bots (Node's fetch among them) with 410.
const asBrowser = { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" } };

async function catalogPage(s: Shop, query = ""): Promise<string> {
  const host = Buffer.from(`admin.shopify.com/store/${s.domain.split(".")[0]}`).toString(
    "base64url",
  );
  const res = await app.fetch(
    `/app?embedded=1&shop=${s.domain}&host=${host}&id_token=${shopifySessionToken(s.domain)}${query}`,
    asBrowser,
  );
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  app = await startTestApp();
  const db = app.ctx.db;
  shop = await createShop(db, { domain: "dropship-catalog.myshopify.com" });
  plain = await createShop(db, { domain: "no-distributors.myshopify.com" });
  await createSession(db, shop.domain);
  await createSession(db, plain.domain);
  const [east] = await db
    .insert(providers)
    .values({ shopId: shop.id, kind: "distributor", name: "East Supply" })
    .returning();
  const [west] = await db
    .insert(providers)
    .values({ shopId: shop.id, kind: "distributor", name: "West Wholesale" })
    .returning();
  const item = (
    providerId: string,
    sku: string,
    stock: number,
    leadTimeDays = 1,
    barcode?: string,
  ) =>
    db.insert(distributorItems).values({
      shopId: shop.id,
      providerId,
      sku,
      stock,
      cost: "5.00",
      leadTimeDays,
      barcode: barcode ?? null,
    });
  await item(east!.id, "MUG-11", 40);
  await item(east!.id, "LAMP-2", 50, 3);
  await item(west!.id, "RUG-9", 1);
  await item(east!.id, "E-STOOL", 9);
  await item(west!.id, "W-BARCODE-ITEM", 6, 1, "0885909950805");
  await item(east!.id, "E-OUT", 0);
  await db
    .insert(dropshipProducts)
    .values({ shopId: shop.id, sku: "BENCH", barcode: "0885909950805" });
  // A manual map at East replaces East's match by the shop SKU.
  await item(east!.id, "KETTLE", 30);
  await item(east!.id, "E-KETTLE-OUT", 0);
  await mapSku(db, shop.id, {
    shopSku: "KETTLE",
    providerId: east!.id,
    distributorSku: "E-KETTLE-OUT",
  });
  await mapSku(db, shop.id, { shopSku: "STOOL", providerId: east!.id, distributorSku: "E-STOOL" });

  const orders: [string, { sku: string | null; quantity: number }[]][] = [
    ["#3001", [{ sku: "MUG-11", quantity: 2 }]],
    ["#3002", [{ sku: "LAMP-2", quantity: 1 }]],
    ["#3003", [{ sku: "RUG-9", quantity: 2 }]],
    [
      "#3004",
      [
        { sku: "NOPE", quantity: 1 },
        { sku: null, quantity: 1 },
      ],
    ],
    [
      "#3005",
      [
        { sku: "NOPE", quantity: 1 },
        { sku: "STOOL", quantity: 3 },
      ],
    ],
    ["#3006", [{ sku: "BENCH", quantity: 1 }]],
    ["#3007", [{ sku: "KETTLE", quantity: 1 }]],
    ["#3008", [{ sku: "RUG-9", quantity: 1 }]],
  ];
  const base = Date.now() - 3_600_000;
  for (const [i, [number, lines]] of orders.entries()) {
    const order = await createOrder(
      db,
      shop,
      { cartOrderNumber: number, cartCreatedAt: new Date(base + i * 60_000) },
      lines,
    );
    numbers[order.id] = number;
  }
  await createOrder(db, plain, { cartOrderNumber: "#4001" }, [{ sku: "MUG-11", quantity: 1 }]);
  token = await tokenFor(shop.id);
  plainToken = await tokenFor(plain.id);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const ELIGIBLE = ["#3008", "#3006", "#3005", "#3001"];

describe("the API's order list and drop-ship eligibility", () => {
  it("says for each order whether some item can be drop-shipped now", async () => {
    const orders = await listed("");
    expect(orders.filter((o) => o.dropshipEligible).map((o) => o.number)).toEqual(ELIGIBLE);
    expect(orders.filter((o) => !o.dropshipEligible).map((o) => o.number)).toEqual([
      "#3007",
      "#3004",
      "#3003",
      "#3002",
    ]);
  });

  it("filters by it, page by page, without skipping or repeating an order", async () => {
    expect((await listed("dropshipEligible=true")).map((o) => o.number)).toEqual(ELIGIBLE);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(
        `dropshipEligible=true&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { orders: ListedOrder[]; nextCursor: string | null };
      expect(body.orders.every((o) => o.dropshipEligible)).toBe(true);
      seen.push(...body.orders.map((o) => o.number));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ELIGIBLE);
    // false means no filter
    expect(await listed("dropshipEligible=false")).toHaveLength(8);
  });

  it("refuses a cursor from the unfiltered list and a value other than true or false", async () => {
    const first = (await (await list("limit=2")).json()) as { nextCursor: string };
    const replayed = await list(
      `dropshipEligible=true&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    expect(replayed.status).toBe(400);
    const bad = await list("dropshipEligible=yes");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      "dropshipEligible is true or false",
    );
  });

  it("never marks another shop's orders, nor a shop without distributors", async () => {
    const orders = await listed("", plainToken);
    expect(orders.map((o) => [o.number, o.dropshipEligible])).toEqual([["#4001", false]]);
    expect(await listed("dropshipEligible=true", plainToken)).toEqual([]);
  });
});

describe("the catalog page", () => {
  it("marks orders with items that can be drop-shipped, and filters by it", async () => {
    const html = await catalogPage(shop);
    expect(html.match(/Can be drop-shipped/g)).toHaveLength(ELIGIBLE.length);
    const filtered = await catalogPage(shop, "&dropshipEligible=true");
    const shown = [...filtered.matchAll(/>(#\d{4})</g)].map((m) => m[1]);
    expect(shown).toEqual(ELIGIBLE);
    expect(filtered).toContain("4 orders match");
  });

  it("shows no mark to a shop without distributors", async () => {
    const html = await catalogPage(plain);
    expect(html).toContain("#4001");
    expect(html).not.toContain("Can be drop-shipped");
    expect(html).not.toContain("Drop-ship");
  });
});
