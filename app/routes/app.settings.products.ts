// The product search behind Settings' personalised-products picker: the owner's shop's products
// whose titles match what they typed, as JSON for the page's script.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireOwner } from "~/shops/owner.server";
import { searchShopProducts } from "~/shops/shop-products.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const typed = new URL(request.url).searchParams.get("q") ?? "";
  const result = await searchShopProducts(context, owner.shop, typed);
  // A store that cannot be searched is an answer for the picker to show, not a failed request.
  return Response.json(result);
}
