// What a page may be sent to the catalog to say, as `/app?notice=<code>`. Only these codes are
// shown, each in our own words: anything else in the URL is ignored, so no link can put its own
// text on the page.
export const CATALOG_NOTICES = {
  order_deleted: {
    title: "Order deleted",
    body: "A later import brings it back if your store still has it.",
  },
} as const;

export type CatalogNoticeCode = keyof typeof CATALOG_NOTICES;
export type CatalogNotice = (typeof CATALOG_NOTICES)[CatalogNoticeCode];

/** The notice for a code from the URL; null for none or one we do not know. */
export function catalogNotice(code: string | null): CatalogNotice | null {
  return code !== null && Object.hasOwn(CATALOG_NOTICES, code)
    ? CATALOG_NOTICES[code as CatalogNoticeCode]
    : null;
}

/** The catalog's address carrying a notice. */
export function catalogUrlWith(code: CatalogNoticeCode): string {
  return `/app?${new URLSearchParams({ notice: code })}`;
}

/**
 * True when a navigation only takes the notice off the address (the catalog does, once it is
 * shown): the page already has everything, so nothing is loaded again.
 */
export function onlyDropsNotice(current: URL, next: URL): boolean {
  if (current.pathname !== next.pathname || !current.searchParams.has("notice")) return false;
  const rest = new URLSearchParams(current.searchParams);
  rest.delete("notice");
  return rest.toString() === next.searchParams.toString();
}
