// The shop's products as the Settings page shows them: found by a search, or the personalised ones
// looked up by the ids stored. Pictures come from the cart, so they pass the same check as the
// order page's (app/ui/image-source.ts) before a browser is asked to load them.
import type { CartProduct } from "~/carts/catalog";
import { catalogFor } from "~/carts/catalogs.server";
import type { AppContext } from "~/context.server";
import { imageSource } from "~/ui/image-source";
import type { Shop } from "./shops.server";

type Ctx = Pick<AppContext, "db" | "config" | "shopify">;

/** A product on the page; `missing` when the store no longer has the id stored. */
export interface ShownProduct {
  id: string;
  title: string;
  imageUrl: string | null;
  missing?: boolean;
}

function shown(ctx: Ctx, product: CartProduct): ShownProduct {
  const mode = ctx.config.mode;
  const image = product.imageUrl
    ? imageSource(product.imageUrl, { allowHttp: mode === "development" || mode === "demo" })
    : null;
  return {
    id: product.id,
    title: product.title,
    imageUrl: image?.kind === "image" ? image.src : null,
  };
}

export type ProductSearch = { ok: true; products: ShownProduct[] } | { ok: false; problem: string };

export async function searchShopProducts(
  ctx: Ctx,
  shop: Shop,
  typed: string,
): Promise<ProductSearch> {
  const found = await catalogFor(ctx, shop).searchProducts(typed.slice(0, 200));
  return found.ok
    ? { ok: true, products: found.value.map((p) => shown(ctx, p)) }
    : { ok: false, problem: `The store's products could not be searched. ${found.reason}` };
}

/**
 * The stored personalised products, in the order stored, with their names and pictures. When the
 * store cannot be asked, each is shown by its id and `problem` says why.
 */
export async function personalisedProducts(
  ctx: Ctx,
  shop: Shop,
  ids: string[],
): Promise<{ products: ShownProduct[]; problem: string | null }> {
  if (ids.length === 0) return { products: [], problem: null };
  const found = await catalogFor(ctx, shop).productsByIds(ids);
  const byId = new Map(found.ok ? found.value.map((p) => [p.id, shown(ctx, p)]) : []);
  return {
    products: ids.map(
      (id) =>
        byId.get(id) ?? {
          id,
          title: found.ok ? `Product ${id}, no longer in the store` : `Product ${id}`,
          imageUrl: null,
          missing: found.ok,
        },
    ),
    problem: found.ok ? null : `Product names could not be read from the store. ${found.reason}`,
  };
}
