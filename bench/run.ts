// `npm run bench [name…]`: runs the benchmarks (all, or those named) and prints their figures.
// Each bench is loaded only when it runs: the import bench must redirect fetch before Shopify's
// client is first imported, and a bench's module-level setup must not slow the others.
export {};
const BENCHES: Record<string, () => Promise<void>> = {
  submit: () => import("./submit-orders").then((m) => m.benchSubmitOrders()),
  webhooks: () => import("./webhooks").then((m) => m.benchWebhooks()),
  import: () => import("./import").then((m) => m.benchImport()),
  catalog: () => import("./catalog").then((m) => m.benchCatalog()),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown bench "${name}"; choose from ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
  await bench();
}
process.exit(0);
