import {
  data,
  type HeadersFunction,
  type LinksFunction,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import {
  Link,
  Outlet,
  isRouteErrorResponse,
  useLoaderData,
  useLocation,
  useRouteError,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireOwner } from "~/shops/owner.server";
import { APP_PAGES, AppNav } from "~/ui/AppNav";
import { onlyDropsNotice } from "~/ui/notices";
import { ErrorPage } from "~/ui/PageFrame";
import { ShopSwitcher } from "~/ui/ShopSwitcher";
import { uiStylesheets } from "~/ui/styles";

export const links: LinksFunction = uiStylesheets;

// The catalog taking a shown notice off its address changes nothing this layout loads.
export const shouldRevalidate: ShouldRevalidateFunction = (args) =>
  !args.formMethod && onlyDropsNotice(args.currentUrl, args.nextUrl)
    ? false
    : args.defaultShouldRevalidate;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const switcher = context.demo ? await context.demo.shopSwitcher(request, owner.shop) : null;
  return data(
    {
      embedded: owner.embedded,
      apiKey: context.config.shopify?.apiKey ?? "",
      shopName: owner.shop.name,
      shopDomain: owner.shop.domain,
      // Who may frame the app's pages: a Shopify shop's admin (entry.server sets the header).
      framedIn: owner.shop.platform === "shopify" ? owner.shop.domain : null,
      demo: switcher !== null,
      demoShops: switcher?.shops ?? [],
    },
    switcher?.setCookie ? { headers: { "Set-Cookie": switcher.setCookie } } : undefined,
  );
}

export default function AppLayout() {
  const { embedded, apiKey, demoShops, shopDomain } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  // App Bridge's script comes from Shopify's CDN; it is only wanted inside the Shopify admin, where
  // the admin draws the menu. Everywhere else the pages bring their own navigation bar.
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey}>
      {embedded ? (
        <NavMenu>
          {APP_PAGES.map((page, index) => (
            <Link key={page.url} to={page.url} rel={index === 0 ? "home" : undefined}>
              {page.label}
            </Link>
          ))}
        </NavMenu>
      ) : (
        <AppNav pathname={pathname} />
      )}
      <ShopSwitcher shops={demoShops} current={shopDomain} />
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
      <ErrorPage title="Orderlane" heading="This page could not be loaded">
        <p>{message}</p>
      </ErrorPage>
    </AppProvider>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
