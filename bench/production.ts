// The benches that claim to measure production start the app the way package.json's scripts do
// (`npm start`, `npm run worker`, `npm run web`): this reads the node flags and arguments from the
// script itself, so a flag changed there is a flag the benches measure. BENCH_NODE_FLAGS adds flags
// after them (the later one wins), to compare, e.g. `BENCH_NODE_FLAGS=--max-semi-space-size=64`.
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** `node`'s arguments in `npm run <script>`, e.g. ["--enable-source-maps", "server/start.js", "--role=worker"]. */
export function productionNodeArgs(script: "start" | "worker" | "web"): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts[script] ?? "").trim().split(/\s+/);
  const node = words.indexOf("node");
  const entry = words.indexOf("server/start.js");
  if (node < 0 || entry < node) {
    throw new Error(`package.json's "${script}" script no longer reads "node … server/start.js"`);
  }
  const extra = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  return [...words.slice(node + 1, entry), ...extra, ...words.slice(entry)];
}
