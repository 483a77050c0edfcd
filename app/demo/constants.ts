/** The demo shop's domain: the one shop `npm run demo` serves without sign-in. */
export const DEMO_SHOP_DOMAIN = "demo.orderlane.local";
