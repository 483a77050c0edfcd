// The shop's own time zone as its default: read from the cart when the shop connects, and when
// Settings is opened while the zone is still our UTC default (shops connected before this existed,
// or whose cart did not answer then). An owner's own choice is never replaced.
import { eq } from "drizzle-orm";
import { catalogFor } from "~/carts/catalogs.server";
import type { AppContext } from "~/context.server";
import type { DbOrTx } from "~/db/client.server";
import { shops } from "~/db/schema";
import {
  DEFAULT_SHOP_SETTINGS,
  shopSettings,
  type ShopSettings,
} from "~/orders/core/shop-settings";
import type { Shop } from "./shops.server";
import { knownTimeZone } from "./time-zones";

type Ctx = Pick<AppContext, "db" | "config" | "shopify">;

/** The stored zone may follow the cart's: it is our default, or came from the cart before. */
export function followsCartTimeZone(settings: ShopSettings): boolean {
  if (settings.timezoneSource === "cart") return true;
  // Shops stored before the zone's source was recorded have no source; only the untouched
  // default is taken for one not chosen.
  return (
    settings.timezoneSource === "default" && settings.timezone === DEFAULT_SHOP_SETTINGS.timezone
  );
}

/**
 * Stores the zone the cart reported as the shop's, unless the owner has chosen one meanwhile.
 * Answers the zone stored, or null when nothing changed.
 */
export async function adoptShopTimeZone(
  db: DbOrTx,
  shopId: string,
  reported: string | null,
): Promise<string | null> {
  const zone = reported ? knownTimeZone(reported) : null;
  if (!zone) return null;
  return db.transaction(async (tx) => {
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).for("update");
    if (!shop) return null;
    const settings = shopSettings(shop);
    if (!followsCartTimeZone(settings)) return null;
    if (settings.timezone === zone && settings.timezoneSource === "cart") return null;
    await tx
      .update(shops)
      .set({
        settings: { ...settings, timezone: zone, timezoneSource: "cart" },
        updatedAt: new Date(),
      })
      .where(eq(shops.id, shopId));
    return zone;
  });
}

/** How long Settings waits for the cart's zone before showing the page with the one it has. */
const ASK_TIMEOUT_MS = 4_000;

/** Asks the cart for its zone and adopts it; a cart that fails or is slow changes nothing. */
export async function adoptCartTimeZone(ctx: Ctx, shop: Shop): Promise<string | null> {
  const timeout = new Promise<null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ASK_TIMEOUT_MS);
    timer.unref();
  });
  const answer = await Promise.race([catalogFor(ctx, shop).timeZone(), timeout]);
  if (!answer?.ok) return null;
  return adoptShopTimeZone(ctx.db, shop.id, answer.value);
}
