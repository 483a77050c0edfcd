// Demo mode only: Shopify Admin API calls for the demo's Shopify shop go to the local cart
// simulator instead of https://<shop>/admin/api/…. shopify-api sends every request through one
// replaceable fetch (its runtime's abstract fetch); wrapping it here leaves the connectors, the
// Admin API client and its retries exactly as in production. Calls for any other shop pass through
// untouched. See docs/decisions/0011-demo-carts-simulator.md.
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

type Fetch = typeof fetch;

let installed: { domains: Set<string>; simulatorUrl: string } | null = null;

export function routeShopifyShopsToSimulator(domains: string[], simulatorUrl: string): void {
  if (installed) {
    // Started again in the same process (tests): point at the new simulator, wrap only once.
    installed.domains = new Set(domains);
    installed.simulatorUrl = simulatorUrl;
    return;
  }
  const original = abstractFetch as unknown as Fetch;
  const state = { domains: new Set(domains), simulatorUrl };
  installed = state;
  const rerouting: Fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "https:" || !state.domains.has(url.hostname)) {
      return original(input, init);
    }
    const target = `${state.simulatorUrl}/shopify/${url.hostname}${url.pathname}${url.search}`;
    return original(input instanceof Request ? new Request(target, input) : target, init);
  };
  setAbstractFetchFunc(rerouting as unknown as Parameters<typeof setAbstractFetchFunc>[0]);
}
