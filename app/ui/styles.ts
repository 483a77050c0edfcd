// The stylesheet every page's components need, for the routes that render a whole document's pages
// (the /app layout and the pages outside it). A move to the Polaris web components drops it for
// their script tag.
import type { LinksFunction } from "@remix-run/node";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";

export const uiStylesheets: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];
