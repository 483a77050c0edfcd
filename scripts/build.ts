// `npm run build`: the production build, in two steps.
//   1. Remix's Vite build: the browser assets (<dir>/client) and the routes' server build
//      (<dir>/server/index.js), exactly as `remix vite:build` makes them.
//   2. The process entry, server/main.ts with everything it imports from app/ and server/, compiled
//      by esbuild into one file, <dir>/server/main.js (with its source map). Packages stay external:
//      Node loads them from node_modules as it would under tsx. The SQL migrations are copied next
//      to it, where the compiled migrator looks for them.
// `npm start` then runs plain JavaScript: no TypeScript loader in production (decision 19).
// <dir> is REMIX_BUILD_DIR, `build` by default; tests and benches build into folders of their own.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");

/** The compiled process entry inside a build folder. */
export function serverEntry(dir: string): string {
  return path.join(dir, "server", "main.js");
}

export interface BuildOptions {
  /** Keep Remix's progress output off the terminal (tests, benches). */
  quiet?: boolean;
}

/** Step 1: Remix's own build into `dir` (Vite empties `dir`'s client and server folders first). */
export function buildRemix(dir: string, options: BuildOptions = {}): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"],
    {
      cwd: ROOT,
      env: { ...process.env, REMIX_BUILD_DIR: dir, NODE_ENV: "production" },
      stdio: ["ignore", options.quiet ? "ignore" : "inherit", "inherit"],
    },
  );
}

/**
 * Step 2: the server entry compiled into `<dir>/server/main.js`, plus the migrations. Other entry
 * points (a bench's helper) can be compiled the same way by naming them: `{ "bench/x": "bench/x.ts" }`
 * writes `<dir>/bench/x.js`.
 */
export async function buildServer(
  dir: string,
  entries: Record<string, string> = { "server/main": "server/main.ts" },
): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([out, source]) => [out, path.join(ROOT, source)]),
    ),
    outdir: dir,
    bundle: true,
    // Packages are loaded from node_modules at run time, not copied in: the bundle holds only our
    // own code, and a package keeps its own files (PGlite's WASM, pg-boss's SQL) where it expects.
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: true,
    tsconfig: path.join(ROOT, "tsconfig.json"),
    logLevel: "warning",
  });
  // app/db/migrate.server.ts finds its SQL next to itself (`./migrations`), which in the bundle
  // means next to server/main.js.
  const migrations = path.join(dir, "server", "migrations");
  fs.rmSync(migrations, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "app/db/migrations"), migrations, { recursive: true });
}

/** Both steps: what `npm run build` does, into `dir`. */
export async function buildApp(dir: string, options: BuildOptions = {}): Promise<void> {
  buildRemix(dir, options);
  await buildServer(dir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const dir = path.resolve(process.env.REMIX_BUILD_DIR ?? "build");
  const started = Date.now();
  await buildApp(dir);
  console.log(
    `compiled server ${path.relative(process.cwd(), serverEntry(dir))} (${((Date.now() - started) / 1000).toFixed(1)} s in all)`,
  );
}
