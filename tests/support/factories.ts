// Rows for tests, with realistic defaults; each test states only what it cares about.
import { randomInt } from "node:crypto";
import type { DbOrTx } from "~/db/client.server";
import { lineItems, orders, sessions } from "~/db/schema";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import type { Platform } from "~/orders/core/model";

export async function createShop(
  db: DbOrTx,
  overrides: { platform?: Platform; domain?: string; name?: string } = {},
): Promise<Shop> {
  return ensureShop(db, {
    platform: overrides.platform ?? "shopify",
    domain: overrides.domain ?? `shop-${randomInt(1e9)}.myshopify.com`,
    name: overrides.name ?? "Test Shop",
  });
}

export async function createSession(db: DbOrTx, shopDomain: string): Promise<void> {
  await db.insert(sessions).values({
    id: `offline_${shopDomain}`,
    shop: shopDomain,
    state: "",
    isOnline: false,
    accessToken: "shpat_test",
    scope: "read_orders,write_orders",
  });
}

export type OrderRow = typeof orders.$inferSelect;

// Order numbers are unique within a test file (one process): shops of one file share a sandbox
// provider, which tells purchase orders apart by PO number, and PO numbers are made from them.
let nextOrderNumber = randomInt(10_000, 50_000);

export async function createOrder(
  db: DbOrTx,
  shop: Pick<Shop, "id">,
  overrides: Partial<typeof orders.$inferInsert> = {},
  items: Partial<typeof lineItems.$inferInsert>[] = [{}],
): Promise<OrderRow> {
  const cartOrderId = overrides.cartOrderId ?? `${9_007_199_254_740_993n + BigInt(randomInt(1e9))}`;
  const at = overrides.cartCreatedAt ?? new Date();
  const [order] = await db
    .insert(orders)
    .values({
      shopId: shop.id,
      cartOrderId,
      cartOrderNumber: `#${nextOrderNumber++}`,
      cartStatusRaw: "paid",
      cartStatus: "processing",
      state: "new",
      type: "in_app",
      customerName: "Ava Lindqvist",
      customerEmail: "ava@example.com",
      customerCity: "Portland",
      customerProvince: "OR",
      customerCountry: "US",
      shippingAddress: {
        name: "Ava Lindqvist",
        address1: "12 Alder St",
        city: "Portland",
        province: "OR",
        zip: "97201",
        country: "United States",
        countryCode: "US",
      },
      currency: "USD",
      total: "42.00",
      cartCreatedAt: at,
      cartUpdatedAt: at,
      ...overrides,
    })
    .returning();
  if (!order) throw new Error("order not created");
  let position = 0;
  for (const item of items) {
    await db.insert(lineItems).values({
      shopId: shop.id,
      orderId: order.id,
      position: position++,
      cartLineId: `${position}`,
      sku: "TEE-BLK-M",
      title: "Name Tee",
      quantity: 1,
      price: "42.00",
      personalization: {
        options: [{ name: "Name", value: "Ava" }],
        clientImages: ["/demo/photo.svg"],
      },
      ...item,
    });
  }
  await refreshOrderSummary(db, shop.id, order.id);
  return order;
}
