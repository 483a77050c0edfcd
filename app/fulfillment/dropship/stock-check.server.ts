// Check stock now: asks a distributor that answers the protocol's stock query what it has on hand,
// just before a purchase order, since its feed may be hours old. The answer is shown, never stored.
import type { AppContext } from "~/context.server";
import { getProvider, providerAdapter } from "../providers.server";
import type { StockOutcome } from "../provider";

export type StockCheck =
  StockOutcome | { kind: "not_offered"; reason: string } | { kind: "not_found" };

export async function checkStockNow(
  ctx: Pick<AppContext, "db" | "config">,
  shopId: string,
  distributorId: string,
  skus: string[],
): Promise<StockCheck> {
  const row = await getProvider(ctx.db, shopId, distributorId);
  if (!row || row.kind !== "distributor") return { kind: "not_found" };
  const adapter = providerAdapter(ctx, row, { timeoutMs: 8_000 });
  if (!adapter.checkStock) {
    return { kind: "not_offered", reason: `${row.name} offers no live stock check` };
  }
  return adapter.checkStock([...new Set(skus)].slice(0, 100), {
    signal: AbortSignal.timeout(10_000),
  });
}

/** Whether the distributor offers Check stock now (the form shows the button only then). */
export function offersLiveStock(
  ctx: Pick<AppContext, "config">,
  row: Parameters<typeof providerAdapter>[1],
) {
  try {
    return typeof providerAdapter(ctx, row).checkStock === "function";
  } catch {
    return false;
  }
}
