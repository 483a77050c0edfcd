// A demo order's live preview shows the name its personalisation options give, in a real browser.
import { and, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { lineItems, orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import type { Personalization } from "~/orders/core/model";
import { findShop } from "~/shops/shops.server";
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

it("shows the preview of the name the order's options give", async () => {
  const shop = await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN);
  // A single-line T-shirt order: its card is the only one, so the preview is unambiguous.
  const tees = await app.ctx.db
    .select({ orderId: lineItems.orderId, personalization: lineItems.personalization })
    .from(lineItems)
    .innerJoin(orders, eq(orders.id, lineItems.orderId))
    .where(and(eq(lineItems.shopId, shop!.id), eq(lineItems.title, "Custom Name T-Shirt")));
  const tee = tees.find((t) =>
    (t.personalization as Personalization | null)?.options?.some((o) => o.name === "Name"),
  )!;
  const name = (tee.personalization as Personalization).options!.find(
    (o) => o.name === "Name",
  )!.value;

  await gotoLivePage(page, `${app.url}/app/orders/${tee.orderId}`);
  const preview = page
    .getByRole("button", { name: "Enlarge: Live preview of Custom Name T-Shirt" })
    .locator("img");
  await expect.poll(() => preview.count()).toBe(1);
  // Loaded as an image (not refused as a foreign address), drawn with the order's name.
  await expect
    .poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  const src = await preview.getAttribute("src");
  expect(new URL(src!, app.url).searchParams.get("name")).toBe(name);
  const drawn = await (await app.fetch(src!)).text();
  expect(drawn).toContain(`>${name}</text>`);
  expect(await page.locator("body").innerText()).toContain(name);

  if (updateScreenshots) {
    await preview.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "docs/screenshots/demo-order-preview.png", fullPage: true });
  }
  expect(pageErrors).toEqual([]);
});
