// A shop wired to a real sandbox provider on loopback, for fulfillment tests.
import { eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orderEvents, orders, providers, shipments, submissions } from "~/db/schema";
import {
  startSandboxProvider,
  type SandboxProvider,
  type SandboxProviderOptions,
} from "~/fulfillment/sandbox/sandbox-provider.server";
import { sealSecret } from "~/security/encryption.server";
import type { Shop } from "~/shops/shops.server";
import { createOrder, createShop } from "./factories";

export const SANDBOX_SECRET = "sandbox-test-secret";

export async function startSandbox(
  options: Partial<SandboxProviderOptions> = {},
): Promise<SandboxProvider> {
  return startSandboxProvider({
    secret: SANDBOX_SECRET,
    port: 0,
    shipDelayMs: 100,
    eventRetryBaseDelayMs: 50,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    ...options,
  });
}

export async function shopWithSandbox(
  ctx: AppContext,
  sandbox: { url: string },
  overrides: { platform?: "demo" | "shopify" } = {},
): Promise<{ shop: Shop; providerId: string }> {
  const shop = await createShop(ctx.db, { platform: overrides.platform ?? "demo" });
  const [provider] = await ctx.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "sandbox",
      name: "Sandbox Printer",
      endpoint: sandbox.url,
      signingSecret: sealSecret(ctx.config.encryptionKey, SANDBOX_SECRET),
      isDefault: true,
    })
    .returning();
  return { shop, providerId: provider!.id };
}

/** A paid, personalised in-app order ready to submit. */
export function personalisedOrder(ctx: AppContext, shop: Shop, sku = "TEE-BLK-M") {
  return createOrder(ctx.db, shop, {}, [
    {
      sku,
      title: "Name Tee",
      style: "Black / M",
      quantity: 2,
      price: "21.00",
      mockupUrl: "/demo/mockup-tee.svg",
      personalization: {
        previewUrl: "/demo/preview/tee.svg?name=Ava",
        designUrl: "/demo/design-name.svg",
        clientImages: [],
        options: [{ name: "Name", value: "Ava" }],
      },
    },
  ]);
}

export async function orderState(ctx: AppContext, orderId: string) {
  const [order] = await ctx.db.select().from(orders).where(eq(orders.id, orderId));
  const subs = await ctx.db.select().from(submissions).where(eq(submissions.orderId, orderId));
  const parcels = await ctx.db.select().from(shipments).where(eq(shipments.orderId, orderId));
  const timeline = await ctx.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(orderEvents.createdAt);
  return { order: order!, submissions: subs, shipments: parcels, timeline };
}
