import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [remix(remixConfig), tsconfigPaths()],
  optimizeDeps: {
    // Pre-bundled up front so the first browser visit does not trigger Vite's "optimized
    // dependencies changed" reload.
    include: [
      "react",
      "react-dom",
      "react-dom/client",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "@remix-run/react",
      "@shopify/polaris",
      "@shopify/app-bridge-react",
      "@shopify/shopify-app-remix/react",
      // Route modules import its `boundary` helper, so the browser loads it too.
      "@shopify/shopify-app-remix/server",
      // Found in route modules by Vite's import scan even where only loaders use them.
      "@remix-run/node",
      "zod",
      // Reached through route modules' server imports and found by Vite only when a page asks for
      // them (seen with a fresh cache: the first visit to the catalog or an order page reloaded the
      // browser, and chunks from before and after the reload met as two copies of React).
      "axios",
      "ipaddr.js",
      "undici",
      // Read by the place names that pages import; found late otherwise, on the first order page.
      "@fragaria/address-formatter",
      "i18n-iso-countries",
      "@woocommerce/woocommerce-rest-api",
      "@shopify/shopify-api",
    ],
    // Server-only packages reached through `.server` modules. The drop-ship file clients carry
    // native `.node` files that esbuild cannot pre-bundle for a browser (it tried, and failed, on
    // the first page that reached them).
    exclude: [
      "@electric-sql/pglite",
      "pg",
      "pg-boss",
      "drizzle-orm",
      "basic-ftp",
      "ssh2",
      "ssh2-sftp-client",
      "cpu-features",
      "ftp-srv",
      "csv-parse",
      "compression",
    ],
  },
  build: {
    assetsInlineLimit: 0,
  },
  server: {
    // The app serves Vite from its own origin, so Vite's CORS is never needed; left on, it answers
    // every preflight itself (without Shopify's origins), and the admin extensions' calls to
    // /api/admin fail in development and the demo. Remix answers them as production does.
    cors: false,
  },
});
