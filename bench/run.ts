// `npm run bench [name…]`: runs the benchmarks (all, or those named) and prints their figures.
// Each bench runs in a process of its own, so one bench's memory, loaded modules and patched fetch
// (the import bench sends Shopify's calls to its fake cart) never colour another's figures.
import { spawnSync } from "node:child_process";

const BENCHES: Record<string, () => Promise<void>> = {
  submit: () => import("./submit-orders").then((m) => m.benchSubmitOrders()),
  webhooks: () => import("./webhooks").then((m) => m.benchWebhooks()),
  import: () => import("./import").then((m) => m.benchImport()),
  catalog: () => import("./catalog").then((m) => m.benchCatalog()),
  feed: () => import("./feed").then((m) => m.benchFeed()),
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const unknown = names.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown bench "${unknown[0]}"; choose from ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}

if (names.length === 1) {
  await BENCHES[names[0]!]!();
  process.exit(0);
}
let failed = 0;
for (const name of names) {
  const run = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, name], {
    stdio: "inherit",
  });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
