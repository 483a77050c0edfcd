import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// The Remix plugin is for building the app, not for tests: tests load routes through a Vite dev
// server of their own (tests/support/app.ts) exactly as the running app does.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.ts", "tests/**/*.test.ts", "server/**/*.test.ts"],
    setupFiles: ["tests/support/setup.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A poll waits for what a user would wait for (a navigation, a reload of the page's data), which
    // can take seconds while other suites share the 2 cores. Checks that a thing happens *within* a
    // time (live updates within 2 s) set their own timeout.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
