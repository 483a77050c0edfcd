// Where the order page's links into the demo's carts lead. The demo's carts have no admin, no
// storefront and no carrier behind them, so a link to the Shopify admin (shopify://admin/… or the
// shop's own address), to a demo store's storefront, or to a parcel's tracking would open nothing.
// In the demo these lead to the cart simulator's pages instead (cart-pages.server.ts), which show
// the order, the product or the parcel. Production never gets here: the seam is null there.
import { DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "./constants";

let carts: { simulatorUrl: string; shopifyShop: string } | null = null;

/** Called when the simulator starts: its address this run, and the demo's Shopify shop. */
export function setDemoCartLinks(where: { simulatorUrl: string; shopifyShop: string }): void {
  carts = where;
}

/** A link into one of the demo's carts, as a page of the simulator; any other link as it is. */
export function demoCartLink(link: string): string {
  if (!carts) return link;
  const { simulatorUrl, shopifyShop } = carts;
  const admin = /^shopify:\/\/admin\/(orders|products)\/([^/?#]+)$/.exec(link);
  if (admin) return `${simulatorUrl}/shopify/${shopifyShop}/admin/${admin[1]}/${admin[2]}`;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link;
  }
  const rest = `${url.pathname}${url.search}`;
  if (url.hostname === shopifyShop) return `${simulatorUrl}/shopify/${shopifyShop}${rest}`;
  if (url.hostname === DEMO_SHOP_DOMAIN) return `${simulatorUrl}/demo-cart${rest}`;
  if (url.hostname === DEMO_WOO_DOMAIN) return `${simulatorUrl}${rest}`;
  return link;
}

/** A parcel's tracking page: the simulator's, naming the order it belongs to. */
export function demoTrackingLink(parcel: {
  trackingNumber: string;
  carrier: string | null;
  orderNumber: string;
}): string | null {
  if (!carts) return null;
  const query = new URLSearchParams({ order: parcel.orderNumber });
  if (parcel.carrier) query.set("carrier", parcel.carrier);
  return `${carts.simulatorUrl}/track/${encodeURIComponent(parcel.trackingNumber)}?${query.toString()}`;
}
