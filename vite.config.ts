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
  server: {
    // The app's own server (server/main.ts) owns the HTTP port; Vite only runs as middleware.
    hmr: process.env.VITE_HMR_PORT ? { port: Number(process.env.VITE_HMR_PORT) } : false,
  },
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
    ],
    exclude: [
      "@electric-sql/pglite",
      "pg",
      "pg-boss",
      "drizzle-orm",
      "@shopify/shopify-app-remix",
      "@shopify/shopify-api",
    ],
  },
  build: {
    assetsInlineLimit: 0,
  },
});
