// Which demo shop a request acts for. The demo serves its shops without sign-in, so the choice is
// only ever among them: a `shop` query parameter (the shop's domain) picks one and is remembered in
// a cookie; anything else is refused, and with neither the original demo shop is shown. Production
// code reaches this only through the seam the process hands it at boot (createDemoSeam).
import { createCookie, redirect } from "@remix-run/node";
import type { AppContext } from "~/context.server";
import type { DemoSeam, SwitchableShop } from "~/shops/demo-seam";
import { findShop, type Shop } from "~/shops/shops.server";
import { demoCartLink, demoTrackingLink } from "./cart-links.server";
import { renderDemoPreview } from "./previews";
import { DEMO_OWNER_NAME, DEMO_SHOP_DOMAIN, demoShopRefs, type DemoShopRef } from "./constants";

const chosenShop = createCookie("orderlane_demo_shop", {
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: 60 * 60 * 24 * 30,
});

type DemoCtx = Pick<AppContext, "db" | "config">;

/** The demo's side of the seam, for the process to put on its app context when it runs the demo. */
export function createDemoSeam(ctx: DemoCtx): DemoSeam {
  return {
    async owner(request) {
      const shop = await chooseDemoShop(request, ctx);
      return { shop, embedded: false, name: DEMO_OWNER_NAME, isAccountAdmin: true, redirect };
    },
    async apiShop(domain) {
      const ref = demoShopRefs(ctx.config.demo).find(
        (r) => r.domain === (domain ?? DEMO_SHOP_DOMAIN),
      );
      return ref ? findShop(ctx.db, ref.platform, ref.domain) : undefined;
    },
    async shopSwitcher(request, current) {
      return {
        shops: await listDemoShops(ctx),
        setCookie: await rememberDemoShop(request, current),
      };
    },
    cartLink: demoCartLink,
    previewImage: renderDemoPreview,
    trackingLink: demoTrackingLink,
  };
}

async function readChoice(request: Request): Promise<string | null> {
  const value: unknown = await chosenShop.parse(request.headers.get("cookie"));
  return typeof value === "string" ? value : null;
}

async function chooseDemoShop(request: Request, ctx: DemoCtx): Promise<Shop> {
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
async function listDemoShops(ctx: DemoCtx): Promise<SwitchableShop[]> {
  const found = await Promise.all(
    demoShopRefs(ctx.config.demo).map((r) => findShop(ctx.db, r.platform, r.domain)),
  );
  return found
    .filter((s): s is Shop => s !== undefined)
    .map((s) => ({ domain: s.domain, name: s.name, platform: s.platform }));
}

/** Set-Cookie remembering the shop a `shop` parameter chose; null when the request chose none. */
async function rememberDemoShop(request: Request, shop: Shop): Promise<string | null> {
  if (!new URL(request.url).searchParams.has("shop")) return null;
  if ((await readChoice(request)) === shop.domain) return null;
  return chosenShop.serialize(shop.domain);
}
