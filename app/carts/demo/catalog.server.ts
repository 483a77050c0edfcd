// The demo's own shop has no cart to ask, so its products are the ones its orders hold: each
// product id with the title and picture of its latest line. Enough to pick personalised products
// by name in the demo; the demo's Shopify and WooCommerce shops ask the cart simulator instead.
import { and, desc, eq, ilike, inArray, isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { lineItems } from "~/db/schema";
import { PRODUCT_SEARCH_LIMIT, type CartCatalog, type CartProduct } from "../catalog";

export function createDemoCatalog(db: DbOrTx, shopId: string): CartCatalog {
  async function products(where: ReturnType<typeof and>, limit: number): Promise<CartProduct[]> {
    const rows = await db
      .selectDistinctOn([lineItems.cartProductId], {
        id: lineItems.cartProductId,
        title: lineItems.title,
        imageUrl: lineItems.mockupUrl,
      })
      .from(lineItems)
      .where(and(eq(lineItems.shopId, shopId), isNotNull(lineItems.cartProductId), where))
      .orderBy(lineItems.cartProductId, desc(lineItems.createdAt))
      .limit(limit);
    return rows
      .map((r) => ({ id: r.id ?? "", title: r.title, imageUrl: r.imageUrl }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }
  return {
    async searchProducts(typed) {
      const words = typed.trim().split(/\s+/).filter(Boolean).slice(0, 8);
      const match = words.map((w) => ilike(lineItems.title, `%${w.replace(/[\\%_]/g, "\\$&")}%`));
      return { ok: true, value: await products(and(sql`true`, ...match), PRODUCT_SEARCH_LIMIT) };
    },
    async productsByIds(ids) {
      if (ids.length === 0) return { ok: true, value: [] };
      return {
        ok: true,
        value: await products(and(inArray(lineItems.cartProductId, ids)), ids.length),
      };
    },
    async timeZone() {
      return { ok: true, value: null };
    },
  };
}
