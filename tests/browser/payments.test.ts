// The Payments card in the browser: an order the demo's own cart authorised and partly captured;
// the owner captures part of the rest with Capture Transaction, and the card shows the new amounts.
import { and, eq, sql } from "drizzle-orm";
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

describe("Payments (demo, standalone)", () => {
  it("captures part of what an authorisation has left, and the card says so", async () => {
    // An order of the demo's own shop with a successful authorisation.
    const [row] = await app.ctx.db
      .select({ id: orders.id, currency: orders.currency })
      .from(orders)
      .innerJoin(shops, eq(shops.id, orders.shopId))
      .innerJoin(paymentTransactions, eq(paymentTransactions.orderId, orders.id))
      .where(
        and(
          eq(shops.platform, "demo"),
          eq(paymentTransactions.kind, "authorization"),
          eq(paymentTransactions.status, "success"),
          sql`${orders.cartStatus} = 'processing'`,
        ),
      )
      .limit(1);
    expect(row, "the demo has an authorised order on its own shop").toBeDefined();
    await gotoLivePage(page, `${app.url}/app/orders/${row!.id}`);
    const field = page.getByLabel("Capture Value");
    await expect.poll(() => field.isVisible()).toBe(true);
    const before = Number(await field.inputValue());
    expect(before).toBeGreaterThan(1);
    const part = (Math.floor(before * 50) / 100).toFixed(2);
    await field.fill(part);
    if (updateScreenshots) {
      await page
        .getByRole("button", { name: "Sync Payments" })
        .evaluate((el) => el.scrollIntoView({ block: "start" }));
      await page.screenshot({ path: "docs/screenshots/payments-card.png" });
    }
    await page.getByRole("button", { name: "Capture Transaction" }).click();
    await expect
      .poll(() => field.inputValue(), { timeout: 10_000 })
      .toBe((Math.round((before - Number(part)) * 100) / 100).toFixed(2));
    const captures = await app.ctx.db
      .select()
      .from(paymentTransactions)
      .where(
        and(
          eq(paymentTransactions.orderId, row!.id),
          eq(paymentTransactions.kind, "capture"),
          eq(paymentTransactions.amount, part),
        ),
      );
    expect(captures.length).toBeGreaterThanOrEqual(1);
    expect(await page.getByText("Partly captured").count()).toBeGreaterThan(0);

    // Too much is refused at the field, with the reason, and nothing is captured.
    await field.fill("999999");
    await page.getByRole("button", { name: "Capture Transaction" }).click();
    await expect
      .poll(() => page.getByText(/can be captured; 999999 is more than that/).count())
      .toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
