// Who is asking: the store owner behind a request, and the shop they act for. Services take the
// shop id from here, never from the request body.
import { redirect } from "@remix-run/node";
import type { AppContext } from "~/context.server";
import { ensureShop, findShop } from "./shops.server";
import type { Owner } from "./owner";
import { wooOwner } from "./woo-session.server";

// Pages and services that only need the type keep importing it from here.
export type { Owner };

export async function requireOwner(request: Request, ctx: AppContext): Promise<Owner> {
  // Present only when this process runs the demo, which chooses among its own shops.
  if (ctx.demo) return ctx.demo.owner(request);
  if (ctx.shopify && comesFromShopifyAdmin(request)) {
    // Verifies the session token (or sends the browser through Shopify's sign-in) and throws the
    // redirect or 401 itself when the request is not from a signed-in admin user.
    const { session, redirect: adminRedirect } = await ctx.shopify.authenticate.admin(request);
    const shop =
      (await findShop(ctx.db, "shopify", session.shop)) ??
      (await ensureShop(ctx.db, { platform: "shopify", domain: session.shop, name: session.shop }));
    const user = session.onlineAccessInfo?.associated_user;
    return {
      shop,
      embedded: true,
      name: user ? `${user.first_name} ${user.last_name}`.trim() : "Store owner",
      isAccountAdmin: user?.account_owner ?? false,
      redirect: (to) => adminRedirect(to),
    };
  }
  // WooCommerce owners: the signed cookie set when their store's key handshake completed.
  const woo = await wooOwner(request, ctx);
  if (woo) return woo;
  throw redirect("/auth/login");
}

/** The admin opens the app with ?shop=…&host=…, and App Bridge's fetches carry a session token. */
function comesFromShopifyAdmin(request: Request): boolean {
  const url = new URL(request.url);
  return url.searchParams.has("shop") || request.headers.has("authorization");
}
