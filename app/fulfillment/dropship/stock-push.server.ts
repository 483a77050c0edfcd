// Stock to the cart (issue 14 item 7). After a feed run succeeds, each product the owner opted in
// gets the summed stock of every distributor that carries it, less the owner's safety buffer (never
// below 0), written to the cart's inventory, and only where that differs from what was last
// written. The cart's answer is kept per product: what it refused keeps its old pushed_stock, so
// the next run tries it again. A summary goes on the feed run, shown on the distributor's page.
import { and, asc, eq } from "drizzle-orm";
import { connectorFor } from "~/carts/connectors.server";
import type { CartConnector, StockWriteItem, StockWriteResult } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { dropshipProducts, feedRuns } from "~/db/schema";
import { shopSettings } from "~/orders/core/shop-settings";
import { getShop } from "~/shops/shops.server";
import type { FeedRunRow } from "./feed-runs.server";
import type { StockPushSummary } from "./feed-settings";
import { carriedItemsFor } from "./sku-map.server";

type Ctx = Pick<AppContext, "db" | "config" | "shopify">;

/** Reasons kept on the run for the owner to read; the count covers all of them. */
const ERRORS_KEPT = 20;

export interface StockPushOptions {
  /** The cart to write to (tests and the demo); the shop's own connector otherwise. */
  connector?: CartConnector;
}

/** The quantity the cart should show: the distributors' stock less the buffer, never below 0. */
export function stockToShow(distributorStock: number, safetyBuffer: number): number {
  return Math.max(0, distributorStock - Math.max(0, safetyBuffer));
}

/** Pushes stock after `run`; stores and answers the summary (null when no product is opted in). */
export async function pushStockAfterRun(
  ctx: Ctx,
  run: FeedRunRow,
  options: StockPushOptions = {},
): Promise<StockPushSummary | null> {
  const summary = await computeAndWrite(ctx, run, options);
  if (summary) {
    await ctx.db.update(feedRuns).set({ stockPush: summary }).where(eq(feedRuns.id, run.id));
  }
  return summary;
}

async function computeAndWrite(
  ctx: Ctx,
  run: FeedRunRow,
  options: StockPushOptions,
): Promise<StockPushSummary | null> {
  const products = await ctx.db
    .select()
    .from(dropshipProducts)
    .where(and(eq(dropshipProducts.shopId, run.shopId), eq(dropshipProducts.pushStock, true)))
    // In SKU order, so a retried run sends the same batches (and Shopify the same keys).
    .orderBy(asc(dropshipProducts.sku));
  if (products.length === 0) return null;
  const skipped = (why: string): StockPushSummary => ({
    written: 0,
    unchanged: 0,
    failed: 0,
    errors: [],
    skipped: why,
  });

  const shop = await getShop(ctx.db, run.shopId);
  if (!shop || shop.uninstalledAt) return skipped("The shop is not connected to its cart");
  const writer = (options.connector ?? connectorFor(ctx, shop)).stock;
  if (!writer) return skipped("This cart does not take stock from Orderlane");
  const locationId = shopSettings(shop).dropshipStockLocationId;
  if (writer.needsLocation && !locationId) {
    return skipped("Choose the Shopify location that gets the distributors' stock");
  }

  const carried = await carriedItemsFor(
    ctx.db,
    run.shopId,
    products.map((p) => p.sku),
  );
  const toWrite: (StockWriteItem & { quantity: number })[] = [];
  let unchanged = 0;
  for (const product of products) {
    // A product no distributor carries any more shows 0: nobody can ship it.
    const total = (carried.get(product.sku) ?? []).reduce((sum, item) => sum + item.stock, 0);
    const quantity = stockToShow(total, product.safetyBuffer);
    if (product.pushedStock === quantity) {
      unchanged += 1;
      continue;
    }
    toWrite.push({
      ref: product.id,
      sku: product.sku,
      cartProductId: product.cartProductId,
      cartVariantId: product.cartVariantId,
      cartInventoryItemId: product.cartInventoryItemId,
      quantity,
    });
  }

  const result: StockWriteResult = { written: [], failed: [] };
  const size = Math.max(1, writer.batchSize);
  for (let at = 0; at < toWrite.length; at += size) {
    const items = toWrite.slice(at, at + size);
    try {
      const answer = await writer.write({
        runId: run.id,
        locationId,
        referenceUri: `orderlane://feed-run/${run.id}`,
        items,
      });
      result.written.push(...answer.written);
      for (const r of answer.resolved ?? []) {
        await ctx.db
          .update(dropshipProducts)
          .set({ cartInventoryItemId: r.cartInventoryItemId })
          .where(and(eq(dropshipProducts.id, r.ref), eq(dropshipProducts.shopId, run.shopId)));
      }
      result.failed.push(...answer.failed);
    } catch (err) {
      // A connector that throws is a cart we could not reach: those items wait for the next run.
      const reason = `The cart could not be reached: ${err instanceof Error ? err.message : String(err)}`;
      result.failed.push(...items.map((i) => ({ ref: i.ref, reason, retryable: true })));
    }
  }

  const quantityOf = new Map(toWrite.map((i) => [i.ref, i.quantity]));
  const now = new Date();
  for (const ref of result.written) {
    await ctx.db
      .update(dropshipProducts)
      .set({ pushedStock: quantityOf.get(ref)!, pushedAt: now, updatedAt: now })
      .where(and(eq(dropshipProducts.id, ref), eq(dropshipProducts.shopId, run.shopId)));
  }
  const reasons = [...new Set(result.failed.map((f) => f.reason))];
  return {
    written: result.written.length,
    unchanged,
    failed: result.failed.length,
    errors: reasons.slice(0, ERRORS_KEPT),
  };
}
