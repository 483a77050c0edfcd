// The `shopify` global the admin gives this extension's target (what Shopify CLI would generate).
import type { Api } from "@shopify/ui-extensions/admin.order-index.selection-action.render";

declare global {
  const shopify: Api;
}
