// A WooCommerce store's products (REST API v3 `products`) and its time zone. WordPress publishes
// the site's time zone in its REST index (`GET /wp-json/`: `timezone_string`, or only `gmt_offset`
// when the site is set to a fixed offset); WooCommerce's own endpoints do not carry it.
import { z } from "zod";
import { outboundFetch, outboundPolicy, outboundRefusal } from "~/security/outbound.server";
import type { ConnectorContext, ConnectorShop } from "../connector";
import {
  PRODUCT_SEARCH_LIMIT,
  type CartCatalog,
  type CartProduct,
  type CatalogOutcome,
} from "../catalog";
import {
  httpStatusOf,
  storeBaseUrl,
  wooClient,
  wooCredentials,
  wooMessage,
} from "./connector.server";
import { decodeEntities } from "./html-text";

const wooProducts = z.array(
  z.object({
    id: z.number(),
    name: z.string(),
    images: z.array(z.object({ src: z.string() })).nullish(),
  }),
);

const wpIndex = z.object({
  timezone_string: z.string().nullish(),
  gmt_offset: z.union([z.number(), z.string()]).nullish(),
});

/** WooCommerce's largest page; `include` lists are read a page at a time. */
const PAGE = 100;

/**
 * The zone a WordPress site runs in: its named zone, or for a whole-hour fixed offset the matching
 * Etc zone (whose sign is the reverse of the offset's: UTC+2 is Etc/GMT-2). A half-hour offset has
 * no such zone, so the store does not say.
 */
export function wordpressTimeZone(index: z.infer<typeof wpIndex>): string | null {
  if (index.timezone_string) return index.timezone_string;
  const offset = Number(index.gmt_offset ?? Number.NaN);
  if (!Number.isInteger(offset) || offset < -12 || offset > 14) return null;
  if (offset === 0) return "UTC";
  return `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

export function createWooCommerceCatalog(ctx: ConnectorContext, shop: ConnectorShop): CartCatalog {
  const policy = outboundPolicy(ctx.config);
  const creds = wooCredentials(ctx, shop);
  const base = storeBaseUrl(shop, creds);

  async function list(params: Record<string, string | number>): Promise<CartProduct[]> {
    if (!creds) throw new Error("The store's API keys are missing or unreadable: connect it again");
    const wc = wooClient(creds, base, policy);
    const res = await wc.get("products", { ...params, _fields: "id,name,images" });
    return wooProducts.parse(res.data).map((p) => ({
      id: String(p.id),
      title: decodeEntities(p.name),
      imageUrl: p.images?.[0]?.src ?? null,
    }));
  }

  return {
    searchProducts: (typed) =>
      attempt(() =>
        list({
          per_page: PRODUCT_SEARCH_LIMIT,
          orderby: "title",
          order: "asc",
          ...(typed.trim() ? { search: typed.trim().slice(0, 100) } : {}),
        }),
      ),
    productsByIds: (ids) =>
      attempt(async () => {
        const numeric = ids.filter((id) => /^\d+$/.test(id));
        const found: CartProduct[] = [];
        for (let i = 0; i < numeric.length; i += PAGE) {
          const chunk = numeric.slice(i, i + PAGE);
          found.push(...(await list({ include: chunk.join(","), per_page: chunk.length })));
        }
        return found;
      }),
    timeZone: () =>
      attempt(async () => {
        const res = await outboundFetch(
          `${base}/wp-json/`,
          { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(10_000) },
          policy,
        );
        if (!res.ok) throw new Error(`The store answered HTTP ${res.status}`);
        return wordpressTimeZone(wpIndex.parse(await res.json()));
      }),
  };
}

async function attempt<T>(read: () => Promise<T>): Promise<CatalogOutcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    const refused = outboundRefusal(err);
    if (refused) return { ok: false, reason: `WooCommerce was not called: ${refused.message}` };
    if (err instanceof z.ZodError) {
      return { ok: false, reason: "The store answered in a shape Orderlane does not know" };
    }
    const status = httpStatusOf(err);
    return {
      ok: false,
      reason: `WooCommerce${status ? ` (HTTP ${status})` : ""}: ${wooMessage(err)}`,
    };
  }
}
