// Preloaded (`node --import`) into the import bench's worker, compiled like the server: the bench
// Shopify shop's Admin API calls (https://<BENCH_SHOPIFY_DOMAIN>/…) go to the fake cart
// (BENCH_FAKE_CART_URL) instead. Shopify's client keeps the fetch it finds when it loads, so this
// must run before the app does. Everything else is fetched as usual.
const domain = process.env.BENCH_SHOPIFY_DOMAIN;
const fakeCart = process.env.BENCH_FAKE_CART_URL;

if (domain && fakeCart) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== domain) return realFetch(input, init);
    const target = `${fakeCart}${url.pathname}${url.search}`;
    return realFetch(input instanceof Request ? new Request(target, input) : target, init);
  };
}
