// Abandoned orders (decision 0032): an Open order with nothing shipped, its purchase order sent
// longer ago than the shop's limit, is moved to Abandoned by the scheduled job; providers are no
// longer asked about it, the owner sees an alert on the order page and in the API, and Reprocess
// makes it Open again, asked about again.
import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { providers, shipments, shops, submissions } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { pollProviders } from "~/fulfillment/poll.server";
import { jobHandlers } from "~/jobs/worker.server";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import { orderState } from "./support/fulfillment";
import { mswServer } from "./support/msw";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const DAY = 24 * 60 * 60 * 1000;

let app: TestApp;
let shop: Shop;
let printfulId: string;
let token: string;
/** Printful order ids looked up by polling, in order. */
let lookups: string[];

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  // The demo owner acts for the demo shop on its pages; the API token for the same shop.
  shop = await createShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN });
  const [printful] = await app.ctx.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "printful",
      name: "Printful",
      credentials: sealSecret(app.ctx.config.encryptionKey, JSON.stringify({ token: "pf_token" })),
      signingSecret: sealSecret(app.ctx.config.encryptionKey, "hook-token"),
      settings: { variantIds: { "TEE-BLK-M": 4017 } },
      isDefault: true,
    })
    .returning();
  printfulId = printful!.id;
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: null });
  if (!created.ok) throw new Error("token not created");
  token = created.token;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});
beforeEach(async () => {
  await app.ctx.db
    .update(shops)
    .set({ settings: DEFAULT_SHOP_SETTINGS })
    .where(eq(shops.id, shop.id));
  lookups = [];
  // Printful, asked about an order it is still making: nothing has shipped.
  mswServer.use(
    http.get("https://api.printful.com/orders/:id", ({ params }) => {
      lookups.push(String(params.id));
      return HttpResponse.json({
        code: 200,
        result: {
          id: Number(params.id),
          external_id: `PO-${String(params.id)}`,
          status: "inprocess",
          created: 1763800000,
          updated: 1763900000,
          recipient: { name: "Ava Lindqvist", country_code: "US" },
          items: [],
          shipments: [],
        },
      });
    }),
  );
});

let nextPrintfulId = 7000;

/** An Open order whose purchase order went to Printful `daysAgo` days ago; shipped if asked. */
async function sentOrder(daysAgo: number, options: { shipped?: boolean } = {}) {
  const order = await createOrder(app.ctx.db, shop, { state: "open" }, [
    { sku: "TEE-BLK-M", quantity: 1, personalization: null, providerId: printfulId },
  ]);
  const printfulOrderId = String(nextPrintfulId++);
  const [submission] = await app.ctx.db
    .insert(submissions)
    .values({
      shopId: shop.id,
      orderId: order.id,
      providerId: printfulId,
      poNumber: `PO-${printfulOrderId}`,
      idempotencyKey: `ol_${order.id}`,
      state: "submitted",
      providerOrderId: printfulOrderId,
      attempts: 1,
      submittedAt: new Date(Date.now() - daysAgo * DAY - 60_000),
      // Asked about an hour ago, so the next poll is due.
      polledAt: new Date(Date.now() - 60 * 60_000),
    })
    .returning();
  if (options.shipped) {
    await app.ctx.db.insert(shipments).values({
      shopId: shop.id,
      orderId: order.id,
      submissionId: submission!.id,
      carrier: "USPS",
      trackingNumber: `9400${printfulOrderId}`,
      shippedAt: new Date(Date.now() - 2 * DAY),
      items: [],
    });
  }
  return { order, printfulOrderId };
}

/** The scheduled job, run as the worker runs it. */
async function runAbandonJob() {
  const handler = jobHandlers(app.ctx)["abandon-orders"]!;
  await handler({}, { id: "abandon-test", retryCount: 0, lastAttempt: false });
}

function api(path: string, init: RequestInit = {}) {
  return app.fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
}

describe("Abandoned", () => {
  it("an Open order sent 46 days ago with nothing shipped is abandoned, no longer polled, alerted, and Reprocess makes it Open again", async () => {
    const { order, printfulOrderId } = await sentOrder(46);
    await runAbandonJob();

    const { order: after, timeline } = await orderState(app.ctx, order.id);
    expect(after.state).toBe("abandoned");
    expect(after.alert).toMatchObject({ code: "abandoned" });
    expect(after.alert!.message).toContain("within 45 days");
    expect(after.alert!.message).toContain("Printful");
    expect(after.alert!.fix).toContain("Reprocess to send tracking checks again");
    expect(timeline.at(-1)).toMatchObject({
      action: "abandon",
      actor: "system",
      fromState: "open",
      toState: "abandoned",
    });

    // Providers are no longer asked about it.
    await pollProviders(app.ctx);
    expect(lookups).not.toContain(printfulOrderId);

    // The owner reads it on the order page and through the API.
    const html = await (await app.fetch(`/app/orders/${order.id}`)).text();
    expect(html).toContain("Abandoned");
    expect(html).toContain(after.alert!.message);
    expect(html).toContain("Reprocess to send tracking checks again");
    const fromApi = (await (await api(`/api/v1/orders/${order.id}`)).json()) as {
      order: { state: string; alert: { code: string; fix: string } | null };
    };
    expect(fromApi.order).toMatchObject({ state: "abandoned", alert: { code: "abandoned" } });
    const listed = (await (await api(`/api/v1/orders?state=abandoned`)).json()) as {
      orders: { id: string }[];
    };
    expect(listed.orders.map((o) => o.id)).toContain(order.id);

    // Reprocess: Open again, the alert gone, and the provider asked again on the next poll.
    const res = await api(`/api/v1/orders/${order.id}/actions/reprocess`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toContain("Open again");
    const reopened = (await orderState(app.ctx, order.id)).order;
    expect(reopened).toMatchObject({ state: "open", alert: null });
    await pollProviders(app.ctx);
    expect(lookups).toContain(printfulOrderId);
  });

  it("an Open order with something shipped is not abandoned, however old", async () => {
    const { order, printfulOrderId } = await sentOrder(200, { shipped: true });
    await runAbandonJob();
    expect((await orderState(app.ctx, order.id)).order.state).toBe("open");
    await pollProviders(app.ctx);
    expect(lookups).toContain(printfulOrderId);
  });

  it("an order sent less than 45 days ago is left Open", async () => {
    const { order } = await sentOrder(44);
    await runAbandonJob();
    expect((await orderState(app.ctx, order.id)).order.state).toBe("open");
  });

  it("a shop that sets 10 days in Settings has its orders abandoned after 10 days", async () => {
    const { order: eleven } = await sentOrder(11);
    const { order: nine } = await sentOrder(9);
    await runAbandonJob();
    expect((await orderState(app.ctx, eleven.id)).order.state).toBe("open");

    const saved = await app.fetch("/app/settings.data?index", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        autoSubmitDelayMinutes: "60",
        abandonAfterDays: "10",
        processingMode: "automatic",
        typeRules: "",
        personalizedProducts: "",
        previewKeys: "_preview",
        designKeys: "_design",
        clientImageKeys: "_upload",
        timezone: "UTC",
      }),
    });
    expect(saved.status).toBe(200);
    const [row] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(row!.settings.abandonAfterDays).toBe(10);

    await runAbandonJob();
    const abandoned = (await orderState(app.ctx, eleven.id)).order;
    expect(abandoned.state).toBe("abandoned");
    expect(abandoned.alert!.message).toContain("within 10 days");
    expect((await orderState(app.ctx, nine.id)).order.state).toBe("open");
  });

  it("Settings refuses a limit that is not a whole number of days from 1 to 365, and keeps the old one", async () => {
    const base = {
      intent: "save",
      autoSubmitDelayMinutes: "60",
      processingMode: "automatic",
      typeRules: "",
      personalizedProducts: "",
      previewKeys: "_preview",
      designKeys: "_design",
      clientImageKeys: "_upload",
      timezone: "UTC",
    };
    for (const [value, message] of [
      ["0", "Enter at least 1 day"],
      ["soon", "Enter a whole number of days"],
      ["400", "At most 365 days (a year)"],
    ]) {
      const res = await app.fetch("/app/settings.data?index", {
        method: "POST",
        body: new URLSearchParams({ ...base, abandonAfterDays: value! }),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
    }
    const [row] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(row!.settings.abandonAfterDays).toBe(45);
  });
});
