// Which demo shop a request acts for. The demo serves its shops without sign-in, so the choice is
// only ever among them: a `shop` query parameter (the shop's domain) picks one and is remembered in
// a cookie; anything else is refused, and with neither the original demo shop is shown.
import { createCookie } from "@remix-run/node";
import type { AppContext } from "~/context.server";
import { findShop, type Shop } from "~/shops/shops.server";
import { demoShopRefs, type DemoShopRef } from "./constants";

const chosenShop = createCookie("orderlane_demo_shop", {
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: 60 * 60 * 24 * 30,
});

export interface DemoShopChoice {
  shop: Shop;
  /** Every demo shop that exists, for the switcher. */
  shops: { domain: string; name: string; platform: Shop["platform"] }[];
}

async function readChoice(request: Request): Promise<string | null> {
  const value: unknown = await chosenShop.parse(request.headers.get("cookie"));
  return typeof value === "string" ? value : null;
}

export async function chooseDemoShop(
  request: Request,
  ctx: Pick<AppContext, "db" | "config">,
): Promise<Shop> {
  const refs = demoShopRefs(ctx.config.demo);
  const asked = new URL(request.url).searchParams.get("shop")?.trim().toLowerCase();
  let ref: DemoShopRef | undefined;
  if (asked) {
    ref = refs.find((r) => r.domain === asked);
    if (!ref) {
      throw new Response(
        `${asked} is not a demo shop. The demo serves ${refs.map((r) => r.domain).join(", ")}.`,
        { status: 403 },
      );
    }
  } else {
    // A cookie naming a shop that is no longer a demo shop (another DEMO_SHOPIFY_SHOP) is ignored.
    const remembered = await readChoice(request);
    ref = refs.find((r) => r.domain === remembered) ?? refs[0];
  }
  const shop = ref ? await findShop(ctx.db, ref.platform, ref.domain) : undefined;
  if (!shop)
    throw new Response(`The demo shop ${ref?.domain} has not been seeded`, { status: 503 });
  return shop;
}

/** The demo shops that exist, original demo shop first. */
export async function listDemoShops(
  ctx: Pick<AppContext, "db" | "config">,
): Promise<DemoShopChoice["shops"]> {
  const found = await Promise.all(
    demoShopRefs(ctx.config.demo).map((r) => findShop(ctx.db, r.platform, r.domain)),
  );
  return found
    .filter((s): s is Shop => s !== undefined)
    .map((s) => ({ domain: s.domain, name: s.name, platform: s.platform }));
}

/** Set-Cookie remembering the shop a `shop` parameter chose; null when the request chose none. */
export async function rememberDemoShop(request: Request, shop: Shop): Promise<string | null> {
  if (!new URL(request.url).searchParams.has("shop")) return null;
  if ((await readChoice(request)) === shop.domain) return null;
  return chosenShop.serialize(shop.domain);
}
