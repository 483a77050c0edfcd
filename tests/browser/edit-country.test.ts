// The Edit modal's country is one picker of countries by name: the owner chooses Germany, the
// order stores DE with its name, and the page writes the address the German way.
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "~/db/schema";
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

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page } = await watchedPage(browser, { consoleErrors: false }));
  page.setDefaultTimeout(10_000);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

async function storedAddress(orderId: string) {
  const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
  return row?.shippingAddress ?? null;
}

describe("Edit's country picker", () => {
  it("chooses a country by name and saves its code and name", async () => {
    const [row] = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)))
      .orderBy(sql`${orders.autoSubmitAt} desc`)
      .limit(1);
    const orderId = row!.id;
    await gotoLivePage(page, `${app.url}/app/orders/${orderId}`);
    await page.getByRole("button", { name: "Actions" }).click();
    await page
      .locator(".Polaris-Popover__Content button.Polaris-ActionList__Item")
      .filter({ has: page.getByText("Edit", { exact: true }) })
      .click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);

    // No free-text country or two-letter code any more: one picker per address.
    expect(await dialog.getByLabel("Country code (2 letters)").count()).toBe(0);
    const country = dialog.getByRole("combobox", { name: "Country" }).first();
    await country.selectOption({ label: "Germany" });
    await dialog.getByLabel("Address", { exact: true }).first().fill("Hauptstr. 5");
    await dialog.getByLabel("Apartment, suite, etc.").first().fill("");
    await dialog.getByLabel("City").first().fill("Berlin");
    await dialog.getByLabel("State / province").first().fill("");
    await dialog.getByLabel("Postal code").first().fill("10115");
    await country.scrollIntoViewIfNeeded();
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/edit-country-picker.png" });
    }
    await dialog.getByRole("button", { name: "Save changes" }).click();

    await expect
      .poll(() => storedAddress(orderId))
      .toMatchObject({ countryCode: "DE", country: "Germany", city: "Berlin", zip: "10115" });
    await expect.poll(() => dialog.count()).toBe(0);
    const shipping = page.locator("address").first();
    await expect.poll(() => shipping.innerText()).toContain("10115 Berlin");
    expect(await shipping.innerText()).toContain("Germany");
    if (updateScreenshots) {
      await shipping.scrollIntoViewIfNeeded();
      await page.screenshot({ path: "docs/screenshots/order-page-address-germany.png" });
    }
  });
});
