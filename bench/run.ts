// `npm run bench [name…]`: runs the benchmarks (all, or those named) and prints their figures.
import { benchCatalog } from "./catalog";
import { benchSubmitOrders } from "./submit-orders";

const BENCHES: Record<string, () => Promise<void>> = {
  submit: benchSubmitOrders,
  catalog: benchCatalog,
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
