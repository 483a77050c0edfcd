import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Banner, Page } from "@shopify/polaris";
import { requireOwner } from "~/shops/owner.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  return {
    embedded: owner.embedded,
    apiKey: context.config.shopify?.apiKey ?? "",
    shopName: owner.shop.name,
    demo: context.config.mode === "demo",
  };
}

export default function AppLayout() {
  const { embedded, apiKey } = useLoaderData<typeof loader>();
  // App Bridge's script comes from Shopify's CDN; it is only wanted inside the Shopify admin.
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey}>
      {embedded ? (
        <NavMenu>
          <Link to="/app" rel="home">
            Orders
          </Link>
          <Link to="/app/settings/providers">Providers</Link>
          <Link to="/app/settings">Settings</Link>
        </NavMenu>
      ) : null}
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  // Shopify's boundary turns its auth redirects into the headers App Bridge needs.
  if (isRouteErrorResponse(error) && error.status >= 300 && error.status < 400) {
    return boundary.error(error);
  }
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${typeof error.data === "string" ? error.data : error.statusText}`
    : "Something went wrong loading Orderlane. Reload the page; if it persists, check the server log.";
  return (
    <AppProvider isEmbeddedApp={false} apiKey="">
      <Page title="Orderlane">
        <Banner tone="critical" title="This page could not be loaded">
          <p>{message}</p>
        </Banner>
      </Page>
    </AppProvider>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
