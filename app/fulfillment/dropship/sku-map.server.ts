// Which distributor items are "this product" for a shop SKU: the owner's manual map first, then the
// same SKU in the distributor's feed, then the product's barcode in the feed's barcode column.
// One shop SKU may resolve to items at several distributors (what SKU swapping chooses between).
import { and, eq, inArray, isNotNull, or } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import {
  distributorFeeds,
  distributorItems,
  distributorSkuMaps,
  dropshipProducts,
  providers,
} from "~/db/schema";

export type MatchedBy = "manual" | "sku" | "barcode";

export interface CarriedItem {
  providerId: string;
  distributorName: string;
  /** The distributor's SKU (what a purchase order names). */
  sku: string;
  warehouse: string;
  stock: number;
  cost: string;
  leadTimeDays: number;
  productName: string | null;
  barcode: string | null;
  matchedBy: MatchedBy;
  /** When the distributor's feed last ran successfully (or the item was last written). */
  feedUpdatedAt: Date;
}

/**
 * Distributor items per shop SKU, from enabled distributors of this shop only. At a distributor the
 * owner mapped by hand, only the mapped SKU counts; elsewhere a match by SKU beats one by barcode.
 */
export async function carriedItemsFor(
  db: DbOrTx,
  shopId: string,
  shopSkus: readonly string[],
): Promise<Map<string, CarriedItem[]>> {
  const skus = [...new Set(shopSkus.filter((s) => s.trim() !== ""))];
  const result = new Map<string, CarriedItem[]>(skus.map((s) => [s, []]));
  if (skus.length === 0) return result;

  const [manual, products] = await Promise.all([
    db
      .select()
      .from(distributorSkuMaps)
      .where(and(eq(distributorSkuMaps.shopId, shopId), inArray(distributorSkuMaps.shopSku, skus))),
    db
      .select({ sku: dropshipProducts.sku, barcode: dropshipProducts.barcode })
      .from(dropshipProducts)
      .where(
        and(
          eq(dropshipProducts.shopId, shopId),
          inArray(dropshipProducts.sku, skus),
          isNotNull(dropshipProducts.barcode),
        ),
      ),
  ]);
  const barcodeOf = new Map(products.map((p) => [p.sku, p.barcode!]));
  const barcodes = [...new Set(barcodeOf.values())];
  const mappedSkus = [...new Set(manual.map((m) => m.distributorSku))];

  const wanted = [inArray(distributorItems.sku, [...new Set([...skus, ...mappedSkus])])];
  if (barcodes.length > 0) wanted.push(inArray(distributorItems.barcode, barcodes));
  const rows = await db
    .select({
      item: distributorItems,
      distributorName: providers.name,
      lastSuccessAt: distributorFeeds.lastSuccessAt,
    })
    .from(distributorItems)
    .innerJoin(
      providers,
      and(eq(providers.id, distributorItems.providerId), eq(providers.shopId, shopId)),
    )
    .leftJoin(distributorFeeds, eq(distributorFeeds.providerId, distributorItems.providerId))
    .where(
      and(
        eq(distributorItems.shopId, shopId),
        eq(providers.kind, "distributor"),
        eq(providers.enabled, true),
        or(...wanted),
      ),
    );

  const manualFor = new Map<string, Map<string, string>>();
  for (const m of manual) {
    const byProvider = manualFor.get(m.shopSku) ?? new Map<string, string>();
    byProvider.set(m.providerId, m.distributorSku);
    manualFor.set(m.shopSku, byProvider);
  }

  for (const shopSku of skus) {
    const manualHere = manualFor.get(shopSku) ?? new Map<string, string>();
    const barcode = barcodeOf.get(shopSku);
    const bySku = new Map<string, CarriedItem[]>();
    const byBarcode = new Map<string, CarriedItem[]>();
    const byManual = new Map<string, CarriedItem[]>();
    for (const { item, distributorName, lastSuccessAt } of rows) {
      const mapped = manualHere.get(item.providerId);
      let matchedBy: MatchedBy | null = null;
      if (mapped !== undefined) {
        if (item.sku === mapped) matchedBy = "manual";
      } else if (item.sku === shopSku) matchedBy = "sku";
      else if (barcode && item.barcode === barcode) matchedBy = "barcode";
      if (!matchedBy) continue;
      const carried: CarriedItem = {
        providerId: item.providerId,
        distributorName,
        sku: item.sku,
        warehouse: item.warehouse,
        stock: item.stock,
        cost: item.cost,
        leadTimeDays: item.leadTimeDays,
        productName: item.productName,
        barcode: item.barcode,
        matchedBy,
        feedUpdatedAt: lastSuccessAt ?? item.updatedAt,
      };
      const bucket = matchedBy === "manual" ? byManual : matchedBy === "sku" ? bySku : byBarcode;
      bucket.set(item.providerId, [...(bucket.get(item.providerId) ?? []), carried]);
    }
    const found: CarriedItem[] = [];
    const providerIds = new Set([...byManual.keys(), ...bySku.keys(), ...byBarcode.keys()]);
    for (const providerId of providerIds) {
      found.push(
        ...(byManual.get(providerId) ?? bySku.get(providerId) ?? byBarcode.get(providerId) ?? []),
      );
    }
    result.set(shopSku, found);
  }
  return result;
}

/** The owner's manual map for a shop SKU at a distributor (replaces an earlier one). */
export async function mapSku(
  db: DbOrTx,
  shopId: string,
  input: { shopSku: string; providerId: string; distributorSku: string },
): Promise<"saved" | "not_found"> {
  const [provider] = await db
    .select({ id: providers.id })
    .from(providers)
    .where(
      and(
        eq(providers.id, input.providerId),
        eq(providers.shopId, shopId),
        eq(providers.kind, "distributor"),
      ),
    )
    .limit(1);
  if (!provider) return "not_found";
  await db
    .insert(distributorSkuMaps)
    .values({ shopId, ...input })
    .onConflictDoUpdate({
      target: [
        distributorSkuMaps.shopId,
        distributorSkuMaps.shopSku,
        distributorSkuMaps.providerId,
      ],
      set: { distributorSku: input.distributorSku },
    });
  return "saved";
}

/** Removes the manual map for a shop SKU at a distributor (matching by SKU or barcode resumes). */
export async function unmapSku(
  db: DbOrTx,
  shopId: string,
  input: { shopSku: string; providerId: string },
): Promise<boolean> {
  const deleted = await db
    .delete(distributorSkuMaps)
    .where(
      and(
        eq(distributorSkuMaps.shopId, shopId),
        eq(distributorSkuMaps.shopSku, input.shopSku),
        eq(distributorSkuMaps.providerId, input.providerId),
      ),
    )
    .returning({ id: distributorSkuMaps.id });
  return deleted.length > 0;
}
