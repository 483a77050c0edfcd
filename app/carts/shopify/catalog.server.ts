// A Shopify shop's products and time zone, through the Admin GraphQL API (products need the
// read_products scope the app asks for). Inside the Shopify admin the Settings page uses App
// Bridge's own product picker instead; this serves the app's pages outside the admin.
import { z } from "zod";
import { CartReadError, type ConnectorContext, type ConnectorShop } from "../connector";
import {
  PRODUCT_SEARCH_LIMIT,
  type CartCatalog,
  type CartProduct,
  type CatalogOutcome,
} from "../catalog";
import { openAdminApi } from "./admin-api.server";
import { numericId } from "./normalize";

export const PRODUCTS_QUERY = `#graphql
  query OrderlaneProducts($first: Int!, $query: String) {
    products(first: $first, query: $query, sortKey: TITLE) {
      nodes { id title featuredMedia { preview { image { url } } } }
    }
  }`;

export const SHOP_TIME_ZONE_QUERY = `#graphql
  query OrderlaneShopTimeZone {
    shop { ianaTimezone }
  }`;

const productsAnswer = z.object({
  products: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        featuredMedia: z
          .object({
            preview: z.object({ image: z.object({ url: z.string() }).nullish() }).nullish(),
          })
          .nullish(),
      }),
    ),
  }),
});

const shopAnswer = z.object({ shop: z.object({ ianaTimezone: z.string().nullish() }) });

/**
 * The words typed, as Shopify's search syntax: each word a prefix of a word in the title, all of
 * them required. Characters the syntax gives a meaning to are dropped rather than escaped.
 */
export function productTitleQuery(typed: string): string | null {
  const words = typed
    .replace(/[^\p{L}\p{N}\s'-]/gu, " ")
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ""))
    .filter(Boolean)
    .slice(0, 8);
  return words.length > 0 ? words.map((w) => `title:${w}*`).join(" AND ") : null;
}

const IDS_PER_QUERY = 50;

export function createShopifyCatalog(ctx: ConnectorContext, shop: ConnectorShop): CartCatalog {
  async function products(query: string | null, first: number): Promise<CartProduct[]> {
    const api = await openAdminApi(ctx, shop.domain);
    const data = productsAnswer.parse(await api.request<unknown>(PRODUCTS_QUERY, { first, query }));
    return data.products.nodes.map((node) => ({
      id: numericId(node.id),
      title: node.title,
      imageUrl: node.featuredMedia?.preview?.image?.url ?? null,
    }));
  }

  return {
    searchProducts: (typed) =>
      attempt(() => products(productTitleQuery(typed), PRODUCT_SEARCH_LIMIT)),
    productsByIds: (ids) =>
      attempt(async () => {
        const found: CartProduct[] = [];
        const numeric = ids.filter((id) => /^\d+$/.test(id));
        for (let i = 0; i < numeric.length; i += IDS_PER_QUERY) {
          const chunk = numeric.slice(i, i + IDS_PER_QUERY);
          found.push(...(await products(chunk.map((id) => `id:${id}`).join(" OR "), chunk.length)));
        }
        return found;
      }),
    timeZone: () =>
      attempt(async () => {
        const api = await openAdminApi(ctx, shop.domain);
        const data = shopAnswer.parse(await api.request<unknown>(SHOP_TIME_ZONE_QUERY));
        return data.shop.ianaTimezone ?? null;
      }),
  };
}

async function attempt<T>(read: () => Promise<T>): Promise<CatalogOutcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    if (err instanceof CartReadError) return { ok: false, reason: err.message };
    if (err instanceof z.ZodError) {
      return { ok: false, reason: "Shopify answered in a shape Orderlane does not know" };
    }
    throw err;
  }
}
