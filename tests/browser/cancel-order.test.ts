// Cancel Order in the browser: a paid order of the demo's own shop; the confirmation says what is
// refunded, the owner confirms, and the banner states the refunded amount.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, paymentTransactions, shops } from "~/db/schema";
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

describe("Cancel Order (demo, standalone)", () => {
  it("says what will be refunded, cancels through the cart, and the banner states the refund", async () => {
    const [row] = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .innerJoin(shops, eq(shops.id, orders.shopId))
      .innerJoin(paymentTransactions, eq(paymentTransactions.orderId, orders.id))
      .where(
        and(
          eq(shops.platform, "demo"),
          eq(paymentTransactions.kind, "capture"),
          eq(paymentTransactions.status, "success"),
          sql`${orders.cartStatus} = 'processing'`,
          inArray(orders.state, ["new", "pending", "on_hold", "open", "error"]),
        ),
      )
      .limit(1);
    expect(row, "the demo has a paid order on its own shop to cancel").toBeDefined();
    await gotoLivePage(page, `${app.url}/app/orders/${row!.id}`);
    await page.getByRole("button", { name: "Cancel Order" }).first().click();
    const dialog = page.getByRole("dialog");
    await expect
      .poll(() => dialog.getByText(/is refunded to the customer's original payment method/).count())
      .toBeGreaterThan(0);
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/cancel-order.png" });
    await dialog.getByRole("button", { name: "Cancel order" }).click();
    await expect
      .poll(() => page.getByText(/Order cancelled: /).count(), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    const banner = await page
      .getByText(/Order cancelled: /)
      .first()
      .textContent();
    expect(banner).toMatch(/refunded to the original payment method|Sync Payments/);
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, row!.id));
    expect(stored).toMatchObject({ cartStatus: "cancelled", orderStatusKey: "cancelled" });
    expect(pageErrors).toEqual([]);
  });
});
