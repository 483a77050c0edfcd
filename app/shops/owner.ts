// The owner behind a request, as every page and service sees it. Its own file, because each way of
// signing in (the Shopify admin, the WooCommerce cookie) builds one and requireOwner chooses among
// them: they share this type without importing one another.
import type { Shop } from "./shops.server";

export interface Owner {
  shop: Shop;
  /** Inside the Shopify admin iframe (App Bridge loads) rather than on our own pages. */
  embedded: boolean;
  /** Display name for the timeline. */
  name: string;
  isAccountAdmin: boolean;
  /**
   * A redirect to one of our pages that keeps the owner where they are: inside the admin it carries
   * the admin's shop and host parameters along (Shopify's own helper), so the page still loads there.
   */
  redirect: (to: string) => Response;
}
