// The default Shopify shop belongs to configuration, which reads DEMO_SHOPIFY_SHOP; it is passed on
// here so the demo and its tests find every demo domain in one place.
import { DEFAULT_DEMO_SHOPIFY_SHOP } from "~/config.server";

export { DEFAULT_DEMO_SHOPIFY_SHOP };

/** The demo shop's domain: the one shop `npm run demo` serves without sign-in. */
export const DEMO_SHOP_DOMAIN = "demo.orderlane.local";

/** Who the demo's pages act as, in seeded history and new clicks alike. */
export const DEMO_OWNER_NAME = "Demo owner";

/** The demo's WooCommerce store; its API calls go to the local cart simulator. */
export const DEMO_WOO_DOMAIN = "demo-woo.localhost";

export interface DemoShopRef {
  platform: "demo" | "shopify" | "woocommerce";
  domain: string;
}

/** Every shop the demo serves without sign-in, the original demo shop first (the default). */
export function demoShopRefs(demo: { shopifyShop: string } | null): DemoShopRef[] {
  return [
    { platform: "demo", domain: DEMO_SHOP_DOMAIN },
    { platform: "shopify", domain: demo?.shopifyShop ?? DEFAULT_DEMO_SHOPIFY_SHOP },
    { platform: "woocommerce", domain: DEMO_WOO_DOMAIN },
  ];
}

/** The demo shop's orders the demo places drop-ship purchase orders on: one ships, one is overdue. */
export const DEMO_OVERDUE_ORDER = "#2007";
export const DEMO_SHIPPING_ORDER = "#2006";
