import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { finishWooConnect } from "~/carts/woocommerce/connect.server";
import { adoptCartTimeZone } from "~/shops/shop-time-zone.server";
import { getShop } from "~/shops/shops.server";
import { connectNonceOf, finishInBrowser } from "~/shops/woo-session.server";

// WooCommerce sends the owner's browser back here (return_url, with success and user_id) after
// they approve or decline; a completed connection signs the browser in and opens the catalog.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const outcome = await finishWooConnect(
    context,
    url.searchParams,
    await connectNonceOf(context.config, request),
  );
  if (outcome.ok) {
    // The store's own time zone becomes the shop's default (unless the owner chose one before).
    const shop = await getShop(context.db, outcome.shopId);
    if (shop) await adoptCartTimeZone(context, shop);
  }
  const cookie = await finishInBrowser(context.config, request, {
    owner: outcome.ok ? { shopId: outcome.shopId, name: "Store administrator" } : null,
    problem: outcome.ok ? outcome.setupProblem : outcome.reason,
  });
  const to = outcome.ok && !outcome.setupProblem ? "/app" : "/connect/woocommerce";
  throw redirect(to, { headers: { "Set-Cookie": cookie } });
}
