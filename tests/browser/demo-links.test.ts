// In the demo, every link on the order page into a cart or to a parcel opens a page of the cart
// simulator that shows the order, the product or the parcel, in a real browser.
import { and, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { orders } from "~/db/schema";
import { startDemoCarts, type DemoCarts } from "~/demo/cart-shops.server";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { findShop } from "~/shops/shops.server";
import { closeVite, type TestApp } from "../support/app";
import {
  DEMO_SANDBOX_SECRET,
  gotoLivePage,
  launchBrowser,
  startDemoApp,
  updateScreenshots,
  watchedPage,
} from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let carts: DemoCarts;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startDemoApp();
  app.ctx.config.publicUrl = app.url;
  carts = await startDemoCarts(app.ctx, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: DEMO_SANDBOX_SECRET,
  });
  browser = await launchBrowser();
  ({ page } = await watchedPage(browser, { consoleErrors: false }));
  page.setDefaultTimeout(10_000);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await carts?.simulator.close();
  await app?.close();
  await closeVite();
});

it("opens the order, its product, its design's product page and its parcel on the simulator", async () => {
  const shop = await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN);
  const [shipped] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop!.id), eq(orders.state, "closed")))
    .limit(1);
  await gotoLivePage(page, `${app.url}/app/orders/${shipped!.id}`);
  const hrefOf = (name: string) => page.getByRole("link", { name }).first().getAttribute("href");
  const editor = await hrefOf("Edit Order");
  const product = await hrefOf("View product on the store");
  const design = await hrefOf("Define Design");
  const tracking = await page.locator('a[href*="/track/"]').first().getAttribute("href");
  for (const link of [editor, product, design, tracking]) {
    expect(link).toMatch(new RegExp(`^${carts.simulator.url}/`));
  }
  if (updateScreenshots) {
    await page.screenshot({ path: "docs/screenshots/demo-order-links.png", fullPage: true });
  }

  await page.goto(editor!);
  await expect.poll(() => page.locator("h1").innerText()).toContain(shipped!.cartOrderNumber);
  if (updateScreenshots) {
    await page.screenshot({ path: "docs/screenshots/demo-cart-order.png", fullPage: true });
  }
  await page.goto(product!);
  await expect.poll(() => page.locator("img.product").count()).toBe(1);
  await page.goto(tracking!);
  await expect.poll(() => page.locator("body").innerText()).toContain(shipped!.cartOrderNumber);
});
