// The owner's side of stock to the cart: which of the shop's products a distributor carries, and
// for each whether its stock is pushed and with what safety buffer. Products are known by the SKUs
// the shop's orders carry (with the cart's product and variant ids) and by rows already opted in.
import { and, desc, eq, isNotNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { connectorFor } from "~/carts/connectors.server";
import type { AppContext } from "~/context.server";
import type { DbOrTx } from "~/db/client.server";
import { dropshipProducts, lineItems, shops } from "~/db/schema";
import { shopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";
import { carriedItemsFor } from "./sku-map.server";
import { stockToShow } from "./stock-push.server";

/** The most SKUs the distributor page considers (the shop's most recently ordered ones). */
const SKUS_CONSIDERED = 2_000;

export interface StockProduct {
  sku: string;
  title: string | null;
  pushStock: boolean;
  safetyBuffer: number;
  /** Every distributor's stock for the product, summed. */
  distributorStock: number;
  /** What the next push would write. */
  toShow: number;
  /** What was last written to the cart, or null when never. */
  pushedStock: number | null;
}

/** The shop's products this distributor carries, by SKU. */
export async function stockProductsFor(
  db: DbOrTx,
  shopId: string,
  providerId: string,
): Promise<StockProduct[]> {
  const [products, ordered] = await Promise.all([
    db.select().from(dropshipProducts).where(eq(dropshipProducts.shopId, shopId)),
    db
      .select({ sku: lineItems.sku, title: sql<string>`max(${lineItems.title})` })
      .from(lineItems)
      .where(and(eq(lineItems.shopId, shopId), isNotNull(lineItems.sku), ne(lineItems.sku, "")))
      .groupBy(lineItems.sku)
      .orderBy(desc(sql`max(${lineItems.createdAt})`))
      .limit(SKUS_CONSIDERED),
  ]);
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const titles = new Map(ordered.map((o) => [o.sku!, o.title]));
  const skus = [...new Set([...products.map((p) => p.sku), ...titles.keys()])];
  const carried = await carriedItemsFor(db, shopId, skus);
  const list: StockProduct[] = [];
  for (const sku of skus) {
    const items = carried.get(sku) ?? [];
    if (!items.some((i) => i.providerId === providerId)) continue;
    const product = bySku.get(sku);
    const distributorStock = items.reduce((sum, i) => sum + i.stock, 0);
    const safetyBuffer = product?.safetyBuffer ?? 0;
    list.push({
      sku,
      title: product?.title ?? titles.get(sku) ?? null,
      pushStock: product?.pushStock ?? false,
      safetyBuffer,
      distributorStock,
      toShow: stockToShow(distributorStock, safetyBuffer),
      pushedStock: product?.pushedStock ?? null,
    });
  }
  return list.sort((a, b) => a.sku.localeCompare(b.sku));
}

export const stockChoiceSchema = z.object({
  sku: z.string().trim().min(1, "Choose a product").max(255),
  pushStock: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
  safetyBuffer: z.coerce
    .number({ message: "Enter a whole number of items" })
    .int("Enter a whole number of items")
    .min(0, "The buffer cannot be negative")
    .max(1_000_000, "Enter a smaller buffer"),
});

export type StockChoice = z.infer<typeof stockChoiceSchema>;

/**
 * Saves the owner's choice for one product the distributor carries. The cart's ids come from the
 * latest order line with the SKU; a SKU the shop has never sold nor listed is refused.
 */
export async function saveStockChoice(
  db: DbOrTx,
  shopId: string,
  providerId: string,
  choice: StockChoice,
): Promise<"saved" | "not_found"> {
  const carried = (await stockProductsFor(db, shopId, providerId)).some(
    (p) => p.sku === choice.sku,
  );
  if (!carried) return "not_found";
  const [line] = await db
    .select()
    .from(lineItems)
    .where(and(eq(lineItems.shopId, shopId), eq(lineItems.sku, choice.sku)))
    .orderBy(desc(lineItems.createdAt))
    .limit(1);
  await db
    .insert(dropshipProducts)
    .values({
      shopId,
      sku: choice.sku,
      title: line?.title ?? null,
      cartProductId: line?.cartProductId ?? null,
      cartVariantId: line?.cartVariantId ?? null,
      pushStock: choice.pushStock,
      safetyBuffer: choice.safetyBuffer,
    })
    .onConflictDoUpdate({
      target: [dropshipProducts.shopId, dropshipProducts.sku],
      set: {
        pushStock: choice.pushStock,
        safetyBuffer: choice.safetyBuffer,
        updatedAt: new Date(),
        // Filled from the order line only where the row had none.
        cartProductId: sql`coalesce(${dropshipProducts.cartProductId}, excluded.cart_product_id)`,
        cartVariantId: sql`coalesce(${dropshipProducts.cartVariantId}, excluded.cart_variant_id)`,
      },
    });
  return "saved";
}

export type LocationChoice =
  | { needed: false }
  | {
      needed: true;
      chosen: string | null;
      /** The cart's active locations, or why they could not be read. */
      locations: { id: string; name: string }[];
      error: string | null;
    };

/** Whether the shop's cart wants a location for stock, and which ones it offers. */
export async function stockLocations(
  ctx: Pick<AppContext, "db" | "config" | "shopify">,
  shop: Shop,
): Promise<LocationChoice> {
  const writer = connectorFor(ctx, shop).stock;
  if (!writer?.needsLocation) return { needed: false };
  const chosen = shopSettings(shop).dropshipStockLocationId;
  const answer = await writer.locations();
  return answer.ok
    ? { needed: true, chosen, locations: answer.locations, error: null }
    : { needed: true, chosen, locations: [], error: answer.reason };
}

/** Saves the location stock is written to; only one the cart lists is taken. */
export async function saveStockLocation(
  ctx: Pick<AppContext, "db" | "config" | "shopify">,
  shop: Shop,
  locationId: string,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const choice = await stockLocations(ctx, shop);
  if (!choice.needed) return { ok: false, error: "This cart keeps one stock figure per product" };
  if (choice.error)
    return { ok: false, error: `The cart's locations could not be read: ${choice.error}` };
  if (!choice.locations.some((l) => l.id === locationId)) {
    return { ok: false, error: "Choose one of the cart's locations" };
  }
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(shops).where(eq(shops.id, shop.id)).for("update");
    if (!row) return;
    await tx
      .update(shops)
      .set({ settings: { ...shopSettings(row), dropshipStockLocationId: locationId } })
      .where(eq(shops.id, shop.id));
  });
  return { ok: true };
}
