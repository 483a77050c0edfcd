// Eligibility as the owner sees it on an order: which distributors can ship each item, and the one
// reason when none can, from what the feeds stored and the shop's SKU map and lead-time setting.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/client.server";
import { distributorItems, dropshipProducts, providers, shops } from "~/db/schema";
import {
  ineligibleWords,
  orderDropshipEligibility,
} from "~/fulfillment/dropship/eligibility.server";
import { mapSku } from "~/fulfillment/dropship/sku-map.server";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";
import { openTestDatabase } from "./support/db";
import { createOrder, createShop } from "./support/factories";

let database: Database;
let shop: Shop;
let east: string;
let west: string;

async function distributor(shopId: string, name: string): Promise<string> {
  const [row] = await database.db
    .insert(providers)
    .values({ shopId, kind: "distributor", name })
    .returning();
  return row!.id;
}

async function item(
  providerId: string,
  sku: string,
  values: {
    stock: number;
    leadTimeDays?: number;
    cost?: string;
    warehouse?: string;
    barcode?: string;
  },
) {
  await database.db.insert(distributorItems).values({
    shopId: shop.id,
    providerId,
    sku,
    stock: values.stock,
    cost: values.cost ?? "10.00",
    leadTimeDays: values.leadTimeDays ?? 1,
    warehouse: values.warehouse ?? "",
    barcode: values.barcode ?? null,
  });
}

beforeAll(async () => {
  database = await openTestDatabase();
  shop = await createShop(database.db);
  east = await distributor(shop.id, "East Supply");
  west = await distributor(shop.id, "West Wholesale");
  await item(east, "MUG-11", { stock: 40, cost: "3.10", warehouse: "NJ" });
  await item(west, "MUG-11", { stock: 12, cost: "2.95" });
  await item(east, "LAMP-2", { stock: 50, leadTimeDays: 3 });
  await item(west, "LAMP-2", { stock: 1, leadTimeDays: 1 });
  await item(east, "RUG-9", { stock: 0 });
  await item(west, "RUG-9", { stock: 2, warehouse: "CA" });
  await item(west, "W-STOOL-BLK", { stock: 9 });
  await item(east, "0885909950805-EAST", { stock: 4, barcode: "0885909950805" });
});
afterAll(async () => {
  await database?.close();
});

describe("drop-ship eligibility of an order's items", () => {
  it("lists every distributor that can ship an item, cheapest first, and why the others cannot", async () => {
    const order = await createOrder(database.db, shop, {}, [
      { sku: "MUG-11", quantity: 2 },
      { sku: "LAMP-2", quantity: 2 },
      { sku: "RUG-9", quantity: 3 },
      { sku: "NOPE-1", quantity: 1 },
      { sku: null, quantity: 1 },
    ]);
    const lines = (await orderDropshipEligibility(database.db, shop.id, order.id))!;
    const [mug, lamp, rug, nope, noSku] = lines;

    expect(mug!.eligible).toBe(true);
    expect(mug!.options.map((o) => [o.distributorName, o.stock, o.cost])).toEqual([
      ["West Wholesale", 12, "2.9500"],
      ["East Supply", 40, "3.1000"],
    ]);
    expect(mug!.options[1]!.warehouse).toBe("NJ");

    // East has the stock but a 3-day lead time; West is fast but has only one.
    expect(lamp!.eligible).toBe(false);
    expect(lamp!.reason).toEqual({ code: "lead_time", days: 3, maxDays: 1 });
    expect(ineligibleWords(lamp!.reason!)).toBe("Lead time 3 days (your limit is 1 day)");
    expect(lamp!.others.map((o) => [o.distributorName, o.reason.code])).toEqual([
      ["East Supply", "lead_time"],
      ["West Wholesale", "out_of_stock"],
    ]);

    expect(rug!.reason).toEqual({ code: "out_of_stock", bestStock: 2, needed: 3 });
    expect(ineligibleWords(rug!.reason!)).toBe(
      "Out of stock: at most 2 in one warehouse, 3 needed",
    );
    expect(nope!.reason).toEqual({ code: "not_carried" });
    expect(noSku!.reason).toEqual({ code: "no_sku" });
  });

  it("takes the shop's lead-time limit from its settings", async () => {
    await database.db
      .update(shops)
      .set({ settings: { ...DEFAULT_SHOP_SETTINGS, dropshipMaxLeadTimeDays: 3 } })
      .where(eq(shops.id, shop.id));
    const order = await createOrder(database.db, shop, {}, [{ sku: "LAMP-2", quantity: 2 }]);
    const [lamp] = (await orderDropshipEligibility(database.db, shop.id, order.id))!;
    expect(lamp!.eligible).toBe(true);
    expect(lamp!.options.map((o) => o.distributorName)).toEqual(["East Supply"]);
    await database.db
      .update(shops)
      .set({ settings: DEFAULT_SHOP_SETTINGS })
      .where(eq(shops.id, shop.id));
  });

  it("maps a product to distributor SKUs by the owner's manual map and by barcode", async () => {
    await mapSku(database.db, shop.id, {
      shopSku: "STOOL-BLACK",
      providerId: west,
      distributorSku: "W-STOOL-BLK",
    });
    await database.db
      .insert(dropshipProducts)
      .values({ shopId: shop.id, sku: "CHAIR-OAK", barcode: "0885909950805" });
    const order = await createOrder(database.db, shop, {}, [
      { sku: "STOOL-BLACK", quantity: 1 },
      { sku: "CHAIR-OAK", quantity: 1 },
    ]);
    const [stool, chair] = (await orderDropshipEligibility(database.db, shop.id, order.id))!;
    expect(stool!.options.map((o) => [o.distributorName, o.sku, o.matchedBy])).toEqual([
      ["West Wholesale", "W-STOOL-BLK", "manual"],
    ]);
    expect(chair!.options.map((o) => [o.distributorName, o.sku, o.matchedBy])).toEqual([
      ["East Supply", "0885909950805-EAST", "barcode"],
    ]);
  });

  it("sees neither another shop's orders nor its distributors, nor disabled distributors", async () => {
    const other = await createShop(database.db);
    const theirs = await createOrder(database.db, other, {}, [{ sku: "MUG-11", quantity: 1 }]);
    expect(await orderDropshipEligibility(database.db, shop.id, theirs.id)).toBeNull();
    const [line] = (await orderDropshipEligibility(database.db, other.id, theirs.id))!;
    expect(line!.reason).toEqual({ code: "not_carried" });

    await database.db.update(providers).set({ enabled: false }).where(eq(providers.id, west));
    const mine = await createOrder(database.db, shop, {}, [{ sku: "MUG-11", quantity: 1 }]);
    const [mug] = (await orderDropshipEligibility(database.db, shop.id, mine.id))!;
    expect(mug!.options.map((o) => o.distributorName)).toEqual(["East Supply"]);
    await database.db.update(providers).set({ enabled: true }).where(eq(providers.id, west));
  });
});
