// Browser tests and the production start-up test run against a production build of the app, as
// store owners get it: no Vite compilation or dependency pre-bundling while the browser waits, and
// the compiled server (`npm run build`'s both steps). One build per test run, in a folder of its own
// so a deployable build/ is never overwritten.
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildApp } from "../../scripts/build";

export default async function setup(project: TestProject) {
  const dir = path.resolve("node_modules/.cache/orderlane-test-build");
  fs.rmSync(dir, { recursive: true, force: true });
  await buildApp(dir, { quiet: true });
  project.provide("testBuildDir", dir);
}

declare module "vitest" {
  export interface ProvidedContext {
    testBuildDir: string;
  }
}
