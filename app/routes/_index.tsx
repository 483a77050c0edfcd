import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// The app lives under /app; Shopify opens the app URL with its own query (shop, host, id_token),
// which /app needs to authenticate, so it is carried over.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return redirect(`/app${url.search}`);
}
