// Remix options, kept apart from vite.config.ts so tools that read Remix's settings have one place to look.
/** @type {import('@remix-run/dev').VitePluginConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  // Browser tests build into a folder of their own so they never overwrite a deployable build/.
  buildDirectory: process.env.REMIX_BUILD_DIR ?? "build",
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
