// The catalog (products, time zone) of each cart platform; see catalog.ts.
import type { DbOrTx } from "~/db/client.server";
import type { CartCatalog } from "./catalog";
import type { ConnectorContext, ConnectorShop } from "./connector";
import { createDemoCatalog } from "./demo/catalog.server";
import { createShopifyCatalog } from "./shopify/catalog.server";
import { createWooCommerceCatalog } from "./woocommerce/catalog.server";

export function catalogFor(
  ctx: ConnectorContext & { db: DbOrTx },
  shop: ConnectorShop,
): CartCatalog {
  switch (shop.platform) {
    case "demo":
      return createDemoCatalog(ctx.db, shop.id);
    case "shopify":
      return createShopifyCatalog(ctx, shop);
    case "woocommerce":
      return createWooCommerceCatalog(ctx, shop);
  }
}
