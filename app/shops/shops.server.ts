// Shops: the tenant every other row belongs to.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { shops } from "~/db/schema";
import { type Platform } from "~/orders/core/model";
import { DEFAULT_SHOP_SETTINGS, type ShopSettings } from "~/orders/core/shop-settings";

import type { Shop } from "~/db/schema";

export type { Shop };

export async function findShop(
  db: DbOrTx,
  platform: Platform,
  domain: string,
): Promise<Shop | undefined> {
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.platform, platform), eq(shops.domain, domain)))
    .limit(1);
  return shop;
}

export async function getShop(db: DbOrTx, shopId: string): Promise<Shop | undefined> {
  const [shop] = await db.select().from(shops).where(eq(shops.id, shopId)).limit(1);
  return shop;
}

/** Creates the shop on first sight, or marks it installed again after an uninstall. */
export async function ensureShop(
  db: DbOrTx,
  input: { platform: Platform; domain: string; name: string; settings?: Partial<ShopSettings> },
): Promise<Shop> {
  const [shop] = await db
    .insert(shops)
    .values({
      platform: input.platform,
      domain: input.domain,
      name: input.name,
      settings: { ...DEFAULT_SHOP_SETTINGS, ...input.settings },
    })
    .onConflictDoUpdate({
      target: [shops.platform, shops.domain],
      set: { uninstalledAt: null, updatedAt: new Date() },
    })
    .returning();
  if (!shop) throw new Error(`could not create shop ${input.domain}`);
  return shop;
}
