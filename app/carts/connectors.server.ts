// The connector for each cart platform.
import type { Platform } from "~/orders/model";
import type { CartConnector, ConnectorContext } from "./connector";
import { createDemoConnector } from "./demo/connector";

export function connectorFor(ctx: ConnectorContext, platform: Platform): CartConnector | null {
  switch (platform) {
    case "demo":
      return createDemoConnector();
    case "shopify":
    case "woocommerce":
      // Pushing tracking to Shopify and WooCommerce comes with their connectors (order sync).
      return null;
  }
}
