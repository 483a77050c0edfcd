// Browser tests run against a production build of the app, as store owners get it: no Vite
// compilation or dependency pre-bundling while the browser waits. One build per test run, in a
// folder of its own so a deployable build/ is never overwritten.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  const dir = path.resolve("node_modules/.cache/orderlane-test-build");
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.resolve("node_modules/@remix-run/dev/dist/cli.js"), "vite:build"],
    {
      env: { ...process.env, REMIX_BUILD_DIR: dir, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  project.provide("testBuildDir", dir);
}

declare module "vitest" {
  export interface ProvidedContext {
    testBuildDir: string;
  }
}
