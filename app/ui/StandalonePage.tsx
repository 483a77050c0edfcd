// A page outside the /app layout (signing in, connecting a WooCommerce store): one narrow card under
// the page's heading. These pages are never inside the Shopify admin, so they bring their own
// component context (no App Bridge); their route adds uiStylesheets to its links.
import { BlockStack, Card, Page, Text } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import type { ReactNode } from "react";

export function StandalonePage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <AppProvider isEmbeddedApp={false} apiKey="">
      <Page narrowWidth>
        <Card>
          <BlockStack gap="400">
            <Text as="h1" variant="headingLg">
              {title}
            </Text>
            {children}
          </BlockStack>
        </Card>
      </Page>
    </AppProvider>
  );
}
