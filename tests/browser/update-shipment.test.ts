// Update Shipment in the browser: the owner picks one item, a method and a tracking number; the
// item shows it, the parcel is stored, and an order the cart holds has the button disabled with why.
import { and, eq, gt, isNotNull, sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orders, shipments } from "~/db/schema";
import { closeVite, type TestApp } from "../support/app";
import {
  gotoLivePage,
  launchBrowser,
  startDemoApp,
  updateScreenshots,
  watchedPage,
} from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await watchedPage(browser, { consoleErrors: false }));
  page.setDefaultTimeout(10_000);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

/** A demo order still counting down, paid, with at least two items and none shipped. */
async function orderWithTwoItems(): Promise<string> {
  const [row] = await app.ctx.db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.state, "new"),
        eq(orders.cartStatus, "processing"),
        isNotNull(orders.autoSubmitAt),
        gt(orders.itemCount, 1),
        sql`not exists (select 1 from shipment s where s.order_id = ${orders.id})`,
      ),
    )
    .orderBy(sql`${orders.autoSubmitAt} desc`)
    .limit(1);
  if (!row) throw new Error("the demo has no counting-down order with two items");
  return row.id;
}

describe("Update Shipment (demo, standalone)", () => {
  it("ships one item by a method with its tracking, and the item says so", async () => {
    const orderId = await orderWithTwoItems();
    const items = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, orderId))
      .orderBy(lineItems.position);
    await gotoLivePage(page, `${app.url}/app/orders/${orderId}`);
    await page.getByRole("button", { name: "Update Shipment" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByLabel("All items").uncheck({ force: true });
    await dialog.getByLabel(new RegExp(`× ${items[0]!.title}`)).check({ force: true });
    await dialog.getByLabel("Shipment method").selectOption("Express");
    await dialog.getByLabel("Tracking number (optional)").fill("1ZDEMOEXPRESS");
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/update-shipment-modal.png" });
    }
    await dialog.getByRole("button", { name: "Update" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect
      .poll(() => page.getByText(/Ships by Express · Tracking 1ZDEMOEXPRESS/).count())
      .toBe(1);

    const [parcel] = await app.ctx.db
      .select()
      .from(shipments)
      .where(and(eq(shipments.orderId, orderId), eq(shipments.trackingNumber, "1ZDEMOEXPRESS")));
    expect(parcel).toMatchObject({
      shipmentMethod: "Express",
      items: [{ lineItemId: items[0]!.id, quantity: items[0]!.quantity }],
    });
    const [first] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, items[0]!.id));
    expect(first).toMatchObject({ shipmentMethod: "Express", deliveryState: "shipped" });
    const [second] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.id, items[1]!.id));
    expect(second!.deliveryState).toBe("pending");
    expect(pageErrors).toEqual([]);
  });

  it("is disabled with the reason on an order already sent to its provider", async () => {
    const [sent] = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(eq(orders.state, "open"))
      .limit(1);
    await gotoLivePage(page, `${app.url}/app/orders/${sent!.id}`);
    const button = page.getByRole("button", { name: "Update Shipment" });
    await expect.poll(() => button.isDisabled()).toBe(true);
    expect(await page.getByTestId("shipment-reason").innerText()).toContain(
      "already sent to providers",
    );
  });
});
