import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShopify } from "~/context.server";
import { errorResponse } from "~/http.server";

// Shopify's OAuth callback and session-token bounce pages; the library answers them.
export async function loader({ request, context }: LoaderFunctionArgs) {
  try {
    await requireShopify(context).authenticate.admin(request);
  } catch (err) {
    return errorResponse(err);
  }
  return null;
}
