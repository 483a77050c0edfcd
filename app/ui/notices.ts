// What a page may be sent to the catalog to say, as `/app?notice=<code>` (and, for a notice about
// one order, `&order=<its number>`). Only these codes are shown, each in our own words, and an
// order number only when it looks like one: anything else in the URL is ignored, so no link can put
// its own text on the page.
export const CATALOG_NOTICE_CODES = ["order_deleted"] as const;

export type CatalogNoticeCode = (typeof CATALOG_NOTICE_CODES)[number];
export interface CatalogNotice {
  title: string;
  body: string;
}

/** Order numbers as carts write them ("#1065", "1065", "SO-1065/A"), and nothing longer. */
const ORDER_NUMBER = /^#?[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/;

const NOTICE_WORDS: Record<CatalogNoticeCode, (order: string | null) => CatalogNotice> = {
  order_deleted: (order) => ({
    title: order ? `Order ${order} deleted` : "Order deleted",
    body: "A later import brings it back if your store still has it.",
  }),
};

/** The notice the URL's parameters ask for; null for none or one we do not know. */
export function catalogNotice(params: URLSearchParams): CatalogNotice | null {
  const code = params.get("notice");
  if (code === null || !(CATALOG_NOTICE_CODES as readonly string[]).includes(code)) return null;
  const order = params.get("order");
  return NOTICE_WORDS[code as CatalogNoticeCode](
    order !== null && ORDER_NUMBER.test(order) ? order : null,
  );
}

/** The catalog's address carrying a notice, about one order when its number is given. */
export function catalogUrlWith(code: CatalogNoticeCode, orderNumber?: string): string {
  return `/app?${new URLSearchParams({ notice: code, ...(orderNumber ? { order: orderNumber } : {}) })}`;
}

/** The address without its notice (what the catalog leaves in the address bar once it is shown). */
export function withoutNotice(params: URLSearchParams): URLSearchParams {
  const rest = new URLSearchParams(params);
  rest.delete("notice");
  rest.delete("order");
  return rest;
}

/**
 * True when a navigation only takes the notice off the address (the catalog does, once it is
 * shown): the page already has everything, so nothing is loaded again.
 */
export function onlyDropsNotice(current: URL, next: URL): boolean {
  if (current.pathname !== next.pathname || !current.searchParams.has("notice")) return false;
  return withoutNotice(current.searchParams).toString() === next.searchParams.toString();
}
