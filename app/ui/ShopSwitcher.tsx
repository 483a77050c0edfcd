// The demo's shop switcher: the demo serves several shops without sign-in (its own, a Shopify shop
// and a WooCommerce store); this picks which one the pages show. It is a plain GET form, so it works
// before the page's scripts load, and switches as soon as a shop is chosen once they have. It sits
// above the page's own frame, so it brings its own spacing.
import { Form, useNavigate } from "@remix-run/react";
import { Box, Button, InlineStack, Select, Text } from "@shopify/polaris";
import { useState } from "react";

export interface SwitchableShop {
  domain: string;
  name: string;
  platform: "demo" | "shopify" | "woocommerce";
}

const PLATFORM_LABELS: Record<SwitchableShop["platform"], string> = {
  demo: "Demo",
  shopify: "Shopify",
  woocommerce: "WooCommerce",
};

export function ShopSwitcher({ shops, current }: { shops: SwitchableShop[]; current: string }) {
  const navigate = useNavigate();
  const [chosen, setChosen] = useState(current);
  if (shops.length < 2) return null;
  return (
    <Box paddingBlockStart="300" paddingInline="400">
      <Form method="get" action="/app" aria-label="Demo shop">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" variant="bodyMd">
            Showing demo shop
          </Text>
          <Select
            label="Demo shop"
            labelHidden
            name="shop"
            value={chosen}
            options={shops.map((s) => ({
              label: `${s.name} · ${PLATFORM_LABELS[s.platform]}`,
              value: s.domain,
            }))}
            onChange={(domain) => {
              setChosen(domain);
              navigate(`/app?shop=${encodeURIComponent(domain)}`);
            }}
          />
          <Button submit variant="plain">
            Switch
          </Button>
        </InlineStack>
      </Form>
    </Box>
  );
}
