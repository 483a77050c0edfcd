// The app's main pages, and the bar that leads to them on pages outside the Shopify admin (a
// WooCommerce owner's browser, the demo). Inside the admin the same list becomes App Bridge's
// navigation menu in the admin's sidebar, so both ways in offer the same pages.
import { Link } from "@remix-run/react";
import { Box, InlineStack, Text } from "@shopify/polaris";

/** A main page of the app: its name in the navigation, and its address. */
export interface AppPage {
  label: string;
  url: string;
}

/** In the order they are shown; a new main page (purchase orders) is one more line here. */
export const APP_PAGES: readonly AppPage[] = [
  { label: "Orders", url: "/app" },
  { label: "Purchase orders", url: "/app/purchase-orders" },
  { label: "Import", url: "/app/import" },
  { label: "Settings", url: "/app/settings" },
  { label: "Providers", url: "/app/settings/providers" },
];

/**
 * The main page a path belongs to: the one whose address is the longest leading part of it, so an
 * order's page belongs to Orders and the provider list to Providers rather than Settings.
 */
export function currentAppPage(pathname: string): AppPage | null {
  const path = pathname.replace(/\/+$/, "") || "/";
  let best: AppPage | null = null;
  for (const page of APP_PAGES) {
    if (path === page.url || path.startsWith(`${page.url}/`)) {
      if (!best || page.url.length > best.url.length) best = page;
    }
  }
  return best;
}

export function AppNav({ pathname }: { pathname: string }) {
  const current = currentAppPage(pathname);
  return (
    <nav aria-label="Orderlane">
      <Box
        background="bg-surface"
        borderBlockEndWidth="025"
        borderColor="border"
        paddingInline="400"
      >
        <InlineStack gap="100" blockAlign="center">
          <Box paddingInlineEnd="400">
            <Text as="span" variant="headingMd">
              Orderlane
            </Text>
          </Box>
          {APP_PAGES.map((page) => {
            const active = page === current;
            return (
              <Link
                key={page.url}
                to={page.url}
                aria-current={active ? "page" : undefined}
                style={{
                  display: "block",
                  padding: "var(--p-space-300) var(--p-space-300)",
                  color: active ? "var(--p-color-text)" : "var(--p-color-text-secondary)",
                  fontWeight: active ? 650 : 450,
                  textDecoration: "none",
                  // The current page is underlined like a selected tab.
                  boxShadow: active ? "inset 0 -3px 0 var(--p-color-border-emphasis)" : "none",
                }}
              >
                {page.label}
              </Link>
            );
          })}
        </InlineStack>
      </Box>
    </nav>
  );
}
