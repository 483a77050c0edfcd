// The owner downloads what a customer's data request gathered, from their own shop only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { recordDataRequest } from "~/shops/customer-data.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";
import { customerDataRequests } from "~/db/schema";
import { eq } from "drizzle-orm";

let app: TestApp;
let demoShop: Shop;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  demoShop = await createShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

describe("customer data requests", () => {
  it("lists the request and downloads its export as a JSON file, noting the first download", async () => {
    const order = await createOrder(app.ctx.db, demoShop, { customerEmail: "mia@example.com" });
    await recordDataRequest(app.ctx.db, demoShop.id, {
      cartRequestId: "4242",
      customerId: "77",
      customerEmail: "mia@example.com",
      cartOrderIds: [],
    });
    const [row] = await app.ctx.db
      .select()
      .from(customerDataRequests)
      .where(eq(customerDataRequests.cartRequestId, "4242"));

    const page = await app.fetch("/app/settings/data-requests");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("mia@example.com");
    expect(html).toContain(`/app/settings/data-requests/${row!.id}`);

    const file = await app.fetch(`/app/settings/data-requests/${row!.id}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe(
      'attachment; filename="customer-data-4242.json"',
    );
    const data = (await file.json()) as { orders: { orderNumber: string }[] };
    expect(data.orders.map((o) => o.orderNumber)).toEqual([order.cartOrderNumber]);
    const [after] = await app.ctx.db
      .select()
      .from(customerDataRequests)
      .where(eq(customerDataRequests.id, row!.id));
    expect(after!.downloadedAt).not.toBeNull();
  });

  it("answers 404 for another shop's request and for an id that is not one", async () => {
    const other = await createShop(app.ctx.db);
    await recordDataRequest(app.ctx.db, other.id, {
      cartRequestId: "5151",
      customerId: null,
      customerEmail: "x@example.com",
      cartOrderIds: [],
    });
    const [theirs] = await app.ctx.db
      .select()
      .from(customerDataRequests)
      .where(eq(customerDataRequests.shopId, other.id));
    expect((await app.fetch(`/app/settings/data-requests/${theirs!.id}`)).status).toBe(404);
    expect((await app.fetch("/app/settings/data-requests/not-an-id")).status).toBe(404);
  });
});
