// `npm run build:extensions`: a check that every admin UI extension under extensions/ builds.
// Shopify CLI builds and deploys them for real (`shopify app deploy`); this catches what would stop
// it, without the CLI or a Shopify account:
//   1. each extension's TypeScript, with its own tsconfig (Preact JSX and the `shopify` global of
//      its target; the app's tsconfig is React's and leaves extensions/ out);
//   2. an esbuild bundle of each extension's module, as the CLI makes one, into a folder under
//      node_modules/.cache (never committed), checked against Shopify's size limit.
// The extensions are found from their shopify.extension.toml, so a new one is checked as it lands.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");
const EXTENSIONS = path.join(ROOT, "extensions");
export const EXTENSIONS_OUT = path.join(ROOT, "node_modules/.cache/orderlane-extensions");

/** Shopify refuses a UI extension whose compiled script is larger than this. */
export const SHOPIFY_SCRIPT_LIMIT = 64 * 1024;

/**
 * The API version the installed `@shopify/ui-extensions` types describe ("2026.7.4" → "2026-07"):
 * a toml on another version would be checked against the wrong types.
 */
export function packageApiVersion(): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(ROOT, "node_modules/@shopify/ui-extensions/package.json"), "utf8"),
  ) as { version: string };
  const match = /^(\d{4})\.(\d{1,2})\./.exec(pkg.version);
  if (!match) throw new Error(`Unexpected @shopify/ui-extensions version ${pkg.version}`);
  return `${match[1]}-${match[2]!.padStart(2, "0")}`;
}

export interface UiExtension {
  /** The folder under extensions/, which is also its handle. */
  name: string;
  dir: string;
  target: string;
  /** The module the target renders, resolved from the toml's `module`. */
  entry: string;
}

/** The UI extensions (type "ui_extension") under extensions/, read from their toml. */
export function uiExtensions(): UiExtension[] {
  const found: UiExtension[] = [];
  for (const name of fs.readdirSync(EXTENSIONS).sort()) {
    const dir = path.join(EXTENSIONS, name);
    const toml = path.join(dir, "shopify.extension.toml");
    if (!fs.existsSync(toml)) continue;
    const text = fs.readFileSync(toml, "utf8");
    if (!/^\s*type\s*=\s*"ui_extension"\s*$/m.test(text)) continue;
    const apiVersion = /^\s*api_version\s*=\s*"([^"]+)"\s*$/m.exec(text)?.[1];
    if (apiVersion !== packageApiVersion()) {
      throw new Error(
        `${path.relative(ROOT, toml)}: api_version ${apiVersion ?? "(none)"} is not ${packageApiVersion()}, the version of the installed @shopify/ui-extensions`,
      );
    }
    const target = /^\s*target\s*=\s*"([^"]+)"\s*$/m.exec(text)?.[1];
    const module = /^\s*module\s*=\s*"([^"]+)"\s*$/m.exec(text)?.[1];
    if (!target || !module) {
      throw new Error(`${path.relative(ROOT, toml)} names no target or module`);
    }
    const entry = path.resolve(dir, module);
    if (!fs.existsSync(entry)) {
      throw new Error(`${path.relative(ROOT, toml)}: its module ${module} does not exist`);
    }
    if (!fs.existsSync(path.join(dir, "tsconfig.json"))) {
      throw new Error(`extensions/${name} has no tsconfig.json to type-check it with`);
    }
    found.push({ name, dir, target, entry });
  }
  return found;
}

export function typecheckExtension(ext: UiExtension): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(ext.dir, "tsconfig.json")],
    { cwd: ROOT, stdio: "inherit" },
  );
}

/**
 * Bundles the extension's module as one ES module into `outDir/<name>.js` and returns its path and
 * size. Tests load the same bundle in Chromium with a stand-in `shopify` global.
 */
export async function bundleExtension(
  ext: UiExtension,
  outDir: string = EXTENSIONS_OUT,
  options: { minify?: boolean } = {},
): Promise<{ file: string; bytes: number }> {
  const file = path.join(outDir, `${ext.name}.js`);
  await build({
    entryPoints: [ext.entry],
    outfile: file,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: "silent",
    // The admin runs the extension in its own sandbox: nothing from Node may reach the bundle.
    define: { "process.env.NODE_ENV": '"production"' },
  });
  return { file, bytes: fs.statSync(file).size };
}

async function main(): Promise<void> {
  const extensions = uiExtensions();
  if (extensions.length === 0) throw new Error("No UI extensions found under extensions/");
  fs.rmSync(EXTENSIONS_OUT, { recursive: true, force: true });
  let failed = false;
  for (const ext of extensions) {
    try {
      typecheckExtension(ext);
      const { bytes } = await bundleExtension(ext);
      const kb = (bytes / 1024).toFixed(1);
      if (bytes > SHOPIFY_SCRIPT_LIMIT) {
        failed = true;
        console.error(`✗ ${ext.name}: ${kb} KB, over Shopify's ${SHOPIFY_SCRIPT_LIMIT / 1024} KB`);
      } else {
        console.log(`✓ ${ext.name} (${ext.target}): type-checked, bundled ${kb} KB`);
      }
    } catch (error) {
      failed = true;
      const detail = error instanceof Error && !("status" in error) ? `: ${error.message}` : "";
      console.error(`✗ ${ext.name} does not build${detail}`);
    }
  }
  if (failed) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  try {
    await main();
  } catch (error) {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
