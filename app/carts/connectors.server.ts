// The connector for each cart platform.
import type { Platform } from "~/orders/model";
import type { CartConnector, ConnectorContext } from "./connector";
import { createDemoConnector } from "./demo/connector";
import { createShopifyConnector } from "./shopify/connector.server";
import { createWooCommerceConnector } from "./woocommerce/connector.server";

export function connectorFor(
  ctx: ConnectorContext,
  platform: Platform,
  shop: { domain: string; credentials: string | null },
): CartConnector | null {
  switch (platform) {
    case "demo":
      return createDemoConnector();
    case "shopify":
      return createShopifyConnector(ctx);
    case "woocommerce":
      return createWooCommerceConnector(ctx, shop);
  }
}
