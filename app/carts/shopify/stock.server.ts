// Stock to Shopify: absolute "available" quantities at the location the owner picked, through
// inventorySetQuantities. Since 2026-04 the mutation needs an idempotency key (the @idempotent
// directive) and an explicit changeFromQuantity on every quantity; we pass null, because the feed,
// not Shopify, is the truth for a drop-shipped product (decision 0054).
import { createHash } from "node:crypto";
import {
  CartReadError,
  type CartStockWriter,
  type LocationsOutcome,
  type StockWriteRequest,
  type StockWriteResult,
} from "../connector";
import type { AdminApi } from "./admin-api.server";
import { gid } from "./normalize";

/** Shopify takes at most 250 quantities per inventorySetQuantities call. */
export const SHOPIFY_STOCK_BATCH = 250;

const SET_QUANTITIES = `#graphql
  mutation OrderlaneSetStock($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      userErrors { field message code }
    }
  }`;

const LOCATIONS = `#graphql
  query OrderlaneLocations {
    locations(first: 100, query: "active:true") { nodes { id name isActive } }
  }`;

const VARIANT_INVENTORY_ITEMS = `#graphql
  query OrderlaneVariantInventoryItems($ids: [ID!]!) {
    nodes(ids: $ids) { ... on ProductVariant { id inventoryItem { id } } }
  }`;

interface SetQuantitiesData {
  inventorySetQuantities: {
    userErrors: { field?: string[] | null; message: string; code?: string | null }[];
  } | null;
}

/**
 * The key for one call: the run and exactly which items at which quantities. A retry of the same
 * call in the same run sends the same key; a different batch (one item dropped) gets its own.
 */
export function stockIdempotencyKey(request: StockWriteRequest): string {
  const hash = createHash("sha256").update(request.runId);
  for (const item of request.items) hash.update(`|${item.cartInventoryItemId}=${item.quantity}`);
  return `orderlane-stock-${request.runId}-${hash.digest("hex").slice(0, 24)}`;
}

export function createShopifyStockWriter(openAdmin: () => Promise<AdminApi>): CartStockWriter {
  return {
    batchSize: SHOPIFY_STOCK_BATCH,
    needsLocation: true,
    write: (request) => writeStock(openAdmin, request),
    async locations(): Promise<LocationsOutcome> {
      try {
        const data = await (
          await openAdmin()
        ).request<{ locations: { nodes: { id: string; name: string; isActive: boolean }[] } }>(
          LOCATIONS,
        );
        return {
          ok: true,
          locations: data.locations.nodes
            .filter((l) => l.isActive)
            .map((l) => ({ id: l.id, name: l.name })),
        };
      } catch (err) {
        if (err instanceof CartReadError)
          return { ok: false, retryable: err.retryable, reason: err.message };
        throw err;
      }
    },
  };
}

async function writeStock(
  openAdmin: () => Promise<AdminApi>,
  request: StockWriteRequest,
): Promise<StockWriteResult> {
  const result: StockWriteResult = { written: [], failed: [], resolved: [] };
  // Products known only by their variant (from an order's line): Shopify names the inventory item.
  const lookup = request.items.filter((i) => !i.cartInventoryItemId && i.cartVariantId);
  if (lookup.length > 0) {
    try {
      const data = await (
        await openAdmin()
      ).request<{ nodes: ({ id?: string; inventoryItem?: { id: string } | null } | null)[] }>(
        VARIANT_INVENTORY_ITEMS,
        { ids: lookup.map((i) => gid("ProductVariant", i.cartVariantId!)) },
      );
      const byVariant = new Map(
        data.nodes.flatMap((n) => (n?.id && n.inventoryItem ? [[n.id, n.inventoryItem.id]] : [])),
      );
      request = {
        ...request,
        items: request.items.map((i) => {
          const found = i.cartVariantId
            ? byVariant.get(gid("ProductVariant", i.cartVariantId))
            : undefined;
          if (!found || i.cartInventoryItemId) return i;
          result.resolved!.push({ ref: i.ref, cartInventoryItemId: found });
          return { ...i, cartInventoryItemId: found };
        }),
      };
    } catch (err) {
      if (!(err instanceof CartReadError)) throw err;
      for (const item of request.items)
        result.failed.push({
          ref: item.ref,
          reason: `Shopify: ${err.message}`,
          retryable: err.retryable,
        });
      return result;
    }
  }
  const unknown = request.items.filter((i) => !i.cartInventoryItemId);
  for (const item of unknown) {
    result.failed.push({
      ref: item.ref,
      reason: `${item.sku}: Shopify has no product variant for this SKU any more`,
      retryable: false,
    });
  }
  let items = request.items.filter((i) => i.cartInventoryItemId);
  if (!request.locationId) {
    for (const item of items)
      result.failed.push({ ref: item.ref, reason: "No Shopify location chosen", retryable: false });
    return result;
  }
  // A call Shopify refuses applies nothing; the items it named are dropped and the rest tried once
  // more, so one bad product does not hold back the others.
  for (let attempt = 0; attempt < 2 && items.length > 0; attempt++) {
    const call = { ...request, items };
    let data: SetQuantitiesData;
    try {
      data = await (
        await openAdmin()
      ).request<SetQuantitiesData>(SET_QUANTITIES, {
        key: stockIdempotencyKey(call),
        input: {
          name: "available",
          reason: "correction",
          referenceDocumentUri: request.referenceUri,
          quantities: items.map((i) => ({
            inventoryItemId: i.cartInventoryItemId,
            locationId: request.locationId,
            quantity: i.quantity,
            changeFromQuantity: null,
          })),
        },
      });
    } catch (err) {
      if (!(err instanceof CartReadError)) throw err;
      for (const item of items)
        result.failed.push({
          ref: item.ref,
          reason: `Shopify: ${err.message}`,
          retryable: err.retryable,
        });
      return result;
    }
    const errors = data.inventorySetQuantities?.userErrors ?? [];
    if (errors.length === 0) {
      result.written.push(...items.map((i) => i.ref));
      return result;
    }
    const named = new Map<number, string>();
    for (const e of errors) {
      // Shopify names the quantity by its index: ["input", "quantities", "3", "locationId"].
      const at = e.field?.[1] === "quantities" ? Number(e.field[2]) : NaN;
      if (Number.isInteger(at) && items[at]) named.set(at, e.message);
    }
    if (named.size === 0 || attempt === 1) {
      const words = errors.map((e) => e.message).join("; ");
      for (const item of items)
        result.failed.push({ ref: item.ref, reason: `Shopify: ${words}`, retryable: false });
      return result;
    }
    for (const [at, message] of named) {
      const item = items[at]!;
      result.failed.push({ ref: item.ref, reason: `${item.sku}: ${message}`, retryable: false });
    }
    items = items.filter((_, at) => !named.has(at));
  }
  return result;
}
