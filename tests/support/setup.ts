// msw must be listening before anything imports @shopify/shopify-api, which keeps a reference to
// globalThis.fetch when it loads. Requests to this machine (the app under test, the sandbox) pass
// through; anything else that no test mocked fails loudly.
import { afterAll, afterEach } from "vitest";
import { mswServer } from "./msw";

mswServer.listen({
  onUnhandledRequest(request, print) {
    const host = new URL(request.url).hostname;
    if (host === "127.0.0.1" || host === "localhost") return;
    print.error();
  },
});
afterEach(() => mswServer.resetHandlers());
afterAll(() => mswServer.close());
