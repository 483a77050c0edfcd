// What the Settings page asks a cart about the store itself, apart from its orders: its products
// (to pick the personalised ones by name and picture instead of by id) and its time zone. One
// implementation per platform, beside that platform's connector; like the connectors they turn the
// cart's shapes into ours, so nothing outside carts/ reads a product payload.

/** A product as the owner recognises it in a list. */
export interface CartProduct {
  /** The cart's product id, as a string (Shopify's numeric id, not its gid). */
  id: string;
  title: string;
  /** An absolute image URL, or null when the product has none. */
  imageUrl: string | null;
}

export type CatalogOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** How many products one search shows: enough to pick from, few enough to read. */
export const PRODUCT_SEARCH_LIMIT = 20;

export interface CartCatalog {
  /** Products whose title matches the words typed (all products, first ones, for ""). */
  searchProducts(query: string): Promise<CatalogOutcome<CartProduct[]>>;
  /** The products with these ids that the store still has (others are left out). */
  productsByIds(ids: string[]): Promise<CatalogOutcome<CartProduct[]>>;
  /** The store's own time zone (an IANA name), or null when the cart does not say. */
  timeZone(): Promise<CatalogOutcome<string | null>>;
}
