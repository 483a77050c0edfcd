// Stock to WooCommerce: `products/batch` with `update: [{id, stock_quantity, manage_stock: true}]`,
// and variations through their parent's `products/<id>/variations/batch`. WooCommerce takes at most
// 100 objects per batch and answers each one on its own: an item it refused carries an `error`.
import type {
  CartStockWriter,
  StockWriteItem,
  StockWriteRequest,
  StockWriteResult,
} from "../connector";
import { failure, type WooClient } from "./connector.server";

export const WOO_STOCK_BATCH = 100;

interface BatchAnswer {
  update?: { id?: number | string; error?: { code?: string; message?: string } }[];
}

/** Where an item is written: a simple product, or a variation under its parent. */
function target(item: StockWriteItem): { path: string; id: string } | null {
  const product = item.cartProductId;
  const variant = item.cartVariantId;
  if (product && variant && variant !== product && variant !== "0")
    return { path: `products/${encodeURIComponent(product)}/variations/batch`, id: variant };
  const id = product ?? variant;
  return id ? { path: "products/batch", id } : null;
}

export function createWooStockWriter(
  openStore: () => WooClient | null,
  missing: string,
): CartStockWriter {
  return {
    batchSize: WOO_STOCK_BATCH,
    needsLocation: false,
    write: (request) => writeStock(openStore(), missing, request),
    locations: async () => ({ ok: true, locations: [] }),
  };
}

async function writeStock(
  wc: WooClient | null,
  missing: string,
  request: StockWriteRequest,
): Promise<StockWriteResult> {
  const result: StockWriteResult = { written: [], failed: [] };
  if (!wc) {
    for (const item of request.items)
      result.failed.push({ ref: item.ref, reason: missing, retryable: false });
    return result;
  }
  const byPath = new Map<string, { id: string; item: StockWriteItem }[]>();
  for (const item of request.items) {
    const where = target(item);
    if (!where) {
      result.failed.push({
        ref: item.ref,
        reason: `${item.sku}: the store's product for this SKU is not known`,
        retryable: false,
      });
      continue;
    }
    byPath.set(where.path, [...(byPath.get(where.path) ?? []), { id: where.id, item }]);
  }
  for (const [path, entries] of byPath) {
    let answer: BatchAnswer;
    try {
      answer = (
        await wc.post(path, {
          update: entries.map((e) => ({
            id: Number(e.id),
            stock_quantity: e.item.quantity,
            manage_stock: true,
          })),
        })
      ).data as BatchAnswer;
    } catch (err) {
      const why = failure(err);
      for (const e of entries)
        result.failed.push({ ref: e.item.ref, reason: why.reason, retryable: why.retryable });
      continue;
    }
    const answered = new Map<
      string,
      BatchAnswer["update"] extends (infer U)[] | undefined ? U : never
    >();
    for (const a of answer.update ?? []) if (a.id !== undefined) answered.set(String(a.id), a);
    for (const e of entries) {
      const a = answered.get(String(Number(e.id)));
      if (a && !a.error) result.written.push(e.item.ref);
      else
        result.failed.push({
          ref: e.item.ref,
          reason: `${e.item.sku}: ${a?.error?.message ?? "WooCommerce did not answer for this product"}`,
          retryable: !a,
        });
    }
  }
  return result;
}
