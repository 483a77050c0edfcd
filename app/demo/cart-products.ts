// The products of the demo's carts, and how the cart simulator answers a search for them in each
// cart's shape: Shopify's `products(first:, query:)` connection (the search syntax the app sends:
// `title:word*` prefixes, `id:<n>`, AND / OR) and WooCommerce's `GET /wc/v3/products` (`search`,
// `include`, paging headers). The ones the demo orders hold come first, with the same ids.

export interface DemoProduct {
  id: string;
  /** As the cart stores it: WooCommerce keeps HTML entities in names, so one has an ampersand. */
  title: string;
  /** Under public/, made absolute with the app's URL. */
  image: string | null;
  price: string;
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { id: "8104221000101", title: "Custom Name Tee", image: "/demo/mockup-tee.svg", price: "29.00" },
  { id: "8104221000202", title: "Photo Mug", image: "/demo/mockup-mug.svg", price: "18.50" },
  {
    id: "8104221000303",
    title: "Mountain Poster",
    image: "/demo/mockup-poster.svg",
    price: "24.00",
  },
  {
    id: "8104221000404",
    title: "Initial Necklace",
    image: "/demo/mockup-necklace.svg",
    price: "39.00",
  },
  {
    id: "8104221000505",
    title: "Custom Phone Case",
    image: "/demo/mockup-case.svg",
    price: "22.00",
  },
  {
    id: "8104221000606",
    title: "Embroidered Name Hoodie",
    image: "/demo/mockup-hoodie.svg",
    price: "49.00",
  },
  { id: "8104221000707", title: "Mug & Coaster Set", image: null, price: "26.00" },
];

const absolute = (appUrl: string, path: string) =>
  path.startsWith("/") ? `${appUrl}${path}` : path;

/** One term of Shopify's product search: `title:word*`, `title:word`, `id:<n>`, or a bare word. */
function termMatches(product: DemoProduct, term: string): boolean {
  const field = /^(\w+):(.*)$/.exec(term);
  const [name, raw] = field ? [field[1]!, field[2]!] : ["title", term];
  const prefix = raw.endsWith("*");
  const value = raw.replace(/\*$/, "").replace(/^"|"$/g, "").toLowerCase();
  if (name === "id") return product.id === value;
  if (name !== "title") return false;
  const words = product.title.toLowerCase().split(/[^\p{L}\p{N}]+/u);
  return prefix ? words.some((w) => w.startsWith(value)) : words.includes(value);
}

export function shopifyProductSearch(query: string | null): DemoProduct[] {
  const sorted = [...DEMO_PRODUCTS].sort((a, b) => a.title.localeCompare(b.title));
  if (!query?.trim()) return sorted;
  const alternatives = query.split(/\s+OR\s+/);
  return sorted.filter((product) =>
    alternatives.some((alt) =>
      alt
        .split(/\s+AND\s+|\s+/)
        .filter(Boolean)
        .every((term) => termMatches(product, term)),
    ),
  );
}

/** A Shopify `Product` node with the fields the app asks for (and a few more, as Shopify has). */
export function shopifyProductNode(product: DemoProduct, appUrl: string) {
  return {
    id: `gid://shopify/Product/${product.id}`,
    legacyResourceId: product.id,
    title: product.title,
    handle: product.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    status: "ACTIVE",
    featuredMedia: product.image
      ? {
          mediaContentType: "IMAGE",
          preview: { image: { url: absolute(appUrl, product.image), altText: product.title } },
        }
      : null,
  };
}

const encodeEntities = (text: string) => text.replace(/&/g, "&amp;");

/**
 * `GET /wc/v3/products`: `search` (in the name), `include` (ids), `per_page` (at most 100) and
 * `page`, ordered by title when asked; an answer with WooCommerce's paging headers, or an error.
 */
export function wooProductList(
  query: URLSearchParams,
  appUrl: string,
): { ok: true; body: unknown[]; total: number; totalPages: number } | { ok: false; param: string } {
  const perPage = Number(query.get("per_page") ?? "10");
  const page = Number(query.get("page") ?? "1");
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    return { ok: false, param: "per_page" };
  }
  if (!Number.isInteger(page) || page < 1) return { ok: false, param: "page" };
  const search = query.get("search")?.toLowerCase().trim() ?? "";
  const include = query.get("include")?.split(",").filter(Boolean) ?? null;
  let list = DEMO_PRODUCTS.filter(
    (p) =>
      (!search || p.title.toLowerCase().includes(search)) && (!include || include.includes(p.id)),
  );
  if (query.get("orderby") === "title") {
    list = [...list].sort((a, b) => a.title.localeCompare(b.title));
    if (query.get("order") === "desc") list.reverse();
  }
  const body = list.slice((page - 1) * perPage, page * perPage).map((p) => ({
    id: Number(p.id),
    name: encodeEntities(p.title),
    slug: p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    type: "simple",
    status: "publish",
    price: p.price,
    images: p.image
      ? [{ id: Number(p.id) + 1, src: absolute(appUrl, p.image), name: p.title, alt: "" }]
      : [],
  }));
  return {
    ok: true,
    body,
    total: list.length,
    totalPages: Math.max(1, Math.ceil(list.length / perPage)),
  };
}
