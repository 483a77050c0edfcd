// The connector for each cart platform.
import type { CartConnector, ConnectorContext, ConnectorShop } from "./connector";
import { createDemoConnector } from "./demo/connector";
import { createShopifyConnector } from "./shopify/connector.server";
import { createWooCommerceConnector } from "./woocommerce/connector.server";

export function connectorFor(ctx: ConnectorContext, shop: ConnectorShop): CartConnector {
  switch (shop.platform) {
    case "demo":
      return createDemoConnector(shop);
    case "shopify":
      return createShopifyConnector(ctx, shop);
    case "woocommerce":
      return createWooCommerceConnector(ctx, shop);
  }
}
