// The shop's own order statuses as the owner meets them: the order page's dropdown (a status that
// pauses the countdown pauses it; one that cannot be chosen now says why) and Settings → Order
// statuses. Screenshots of both land in docs/screenshots/ with UPDATE_SCREENSHOTS=1.
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { closeVite, type TestApp } from "../support/app";
import {
  expectOwnerWords,
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
let shopId: string;

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await watchedPage(browser));
  page.setDefaultTimeout(10_000);
  const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
  shopId = shop!.id;
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

describe("the order page's status dropdown", () => {
  it("Awaiting artwork pauses the countdown; Suspended says why it is not offered yet", async () => {
    const [counting] = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(eq(orders.shopId, shopId), eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)),
      )
      .orderBy(desc(orders.autoSubmitAt))
      .limit(1);
    await gotoLivePage(page, `${app.url}/app/orders/${counting!.id}`);
    const dropdown = page.getByLabel("Order status");
    expect(await dropdown.inputValue()).toBe("new");
    // Suspended is greyed out, and the page says why.
    expect(await dropdown.locator('option[value="suspended"]').isDisabled()).toBe(true);
    await expect
      .poll(() =>
        page.getByText("can be chosen only for an order that is Processing or Fraud").count(),
      )
      .toBe(1);

    await dropdown.selectOption("awaiting_artwork");
    await expect.poll(() => page.getByRole("button", { name: "Resume countdown" }).count()).toBe(1);
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, counting!.id));
    await expect.poll(() => dropdown.inputValue()).toBe("awaiting_artwork");
    expect(after).toMatchObject({ orderStatusKey: "awaiting_artwork", state: "on_hold" });
    expect(after!.autoSubmitAt).toBeNull();
    await expectOwnerWords(page);
    if (updateScreenshots) {
      await page.getByTestId("order-status").scrollIntoViewIfNeeded();
      await page.screenshot({ path: "docs/screenshots/order-status-dropdown.png" });
    }
    expect(pageErrors).toEqual([]);
  });
});

describe("Settings → Order statuses", () => {
  it("lists each status with what it writes and whether it pauses, and adds one", async () => {
    await page.goto(`${app.url}/app/settings`, { waitUntil: "load" });
    const card = page.getByTestId("order-statuses");
    await expect.poll(() => card.getByText("Awaiting artwork", { exact: true }).count()).toBe(1);
    await card.getByPlaceholder("Awaiting artwork").fill("Gift wrap");
    await card.getByRole("button", { name: "Add status" }).click();
    await expect.poll(() => card.getByText("Gift wrap added").count()).toBe(1);
    await expectOwnerWords(page);
    if (updateScreenshots) {
      await card.screenshot({ path: "docs/screenshots/settings-order-statuses.png" });
    }
    expect(pageErrors).toEqual([]);
  });
});
