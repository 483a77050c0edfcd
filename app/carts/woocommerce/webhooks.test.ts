// What the worker does with each stored WooCommerce topic, with the order store replaced by a
// recorder (the real one is exercised by the order-sync tests).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IngestCtx } from "~/orders/ingest.server";
import { wooOrder } from "./test-fixtures";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

const calls: { fn: string; shopId: string; arg: unknown; via?: unknown }[] = [];
vi.mock("~/orders/ingest.server", () => ({
  ingestCartOrders: vi.fn(async (_ctx, shop: { id: string }, orders: unknown[], via: unknown) => {
    calls.push({ fn: "ingest", shopId: shop.id, arg: orders, via });
    return [];
  }),
}));
vi.mock("~/orders/cart-changes.server", () => ({
  removeCartOrder: vi.fn(async (_ctx, shop: { id: string }, cartOrderId: string) => {
    calls.push({ fn: "remove", shopId: shop.id, arg: cartOrderId });
    return { removed: true };
  }),
}));
const shops: Record<string, { id: string; uninstalledAt: Date | null; settings: unknown }> = {
  "store.example": { id: "shop-1", uninstalledAt: null, settings: DEFAULT_SHOP_SETTINGS },
  "gone.example": { id: "shop-2", uninstalledAt: new Date(), settings: DEFAULT_SHOP_SETTINGS },
};
vi.mock("~/shops/shops.server", () => ({
  findShop: vi.fn(async (_db, platform: string, domain: string) =>
    platform === "woocommerce" ? shops[domain] : undefined,
  ),
}));

// The worker's own lookup, so a topic is handled here exactly as the worker would handle it.
const { webhookBatchHandler, webhookHandler } = await import("../webhook-handlers.server");
const ctx = {} as IngestCtx;
const run = (topic: string, shopDomain: string, payload: unknown) =>
  webhookHandler("woocommerce", topic)!(ctx, { shopDomain, topic, payload });

beforeEach(() => {
  calls.length = 0;
});

describe("WooCommerce webhook handlers", () => {
  it("created, updated and restored store the order as the cart has it", async () => {
    for (const topic of ["order.created", "order.updated", "order.restored"]) {
      await run(topic, "store.example", wooOrder({ id: 71, status: "on-hold" }));
    }
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call).toMatchObject({ fn: "ingest", shopId: "shop-1", via: { source: "webhook" } });
      expect(call.arg).toEqual([
        expect.objectContaining({
          cartOrderId: "71",
          cartStatus: "on_hold",
          cartStatusRaw: "on-hold",
        }),
      ]);
    }
  });

  it("deleted, and an update that moves the order to the trash, remove it", async () => {
    await run("order.deleted", "store.example", { id: 72 });
    await run("order.updated", "store.example", wooOrder({ id: 73, status: "trash" }));
    expect(calls).toEqual([
      { fn: "remove", shopId: "shop-1", arg: "72" },
      { fn: "remove", shopId: "shop-1", arg: "73" },
    ]);
  });

  it("writes nothing for a checkout draft, an unknown store or a disconnected one", async () => {
    await run("order.created", "store.example", wooOrder({ id: 74, status: "checkout-draft" }));
    await run("order.created", "unknown.example", wooOrder({ id: 75 }));
    await run("order.deleted", "gone.example", { id: 76 });
    expect(calls).toEqual([]);
  });

  it("fails loudly on a stored payload that is not an order (the receipt keeps the reason)", async () => {
    await expect(run("order.updated", "store.example", { id: 77 })).rejects.toThrow(
      /Not a WooCommerce order/,
    );
    await expect(run("order.deleted", "store.example", {})).rejects.toThrow(
      /without the order's id/,
    );
  });

  it("a batch of one store's deliveries is stored in one go; a bad one fails alone", async () => {
    const batch = webhookBatchHandler("woocommerce", "order.updated")!;
    const answers = await batch(ctx, "store.example", [
      { shopDomain: "store.example", topic: "order.updated", payload: wooOrder({ id: 81 }) },
      { shopDomain: "store.example", topic: "order.updated", payload: { id: 82 } },
      { shopDomain: "store.example", topic: "order.created", payload: wooOrder({ id: 83 }) },
    ]);
    expect(answers.map((a) => a?.message ?? null)).toEqual([
      null,
      expect.stringMatching(/Not a WooCommerce order/),
      null,
    ]);
    expect(calls).toHaveLength(1);
    expect((calls[0]!.arg as { cartOrderId: string }[]).map((o) => o.cartOrderId)).toEqual([
      "81",
      "83",
    ]);
  });
});
