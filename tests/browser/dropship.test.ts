// The Dropship form and the Purchase Orders page in a browser, as the owner uses them: fill the
// form, tick the confirmation, place the PO, find it in the list, open it.
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distributorItems, providers, shops, submissions } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, type TestApp } from "../support/app";
import { createOrder } from "../support/factories";
import {
  expectOwnerWords,
  launchBrowser,
  startDemoApp,
  updateScreenshots,
  watchedPage,
} from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let browser: Browser;
let page: Page;
let orderId: string;
let shopId: string;

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page } = await watchedPage(browser, { consoleErrors: false }));
  page.setDefaultTimeout(15_000);
  const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
  shopId = shop!.id;
  const [east] = await app.ctx.db
    .insert(providers)
    .values({
      shopId,
      kind: "distributor",
      name: "Browser East Supply",
      endpoint: "http://127.0.0.1:9",
      signingSecret: sealSecret(app.ctx.config.encryptionKey, "s"),
      settings: { orders: { delivery: "http", liveStock: true } },
    })
    .returning();
  await app.ctx.db.insert(distributorItems).values([
    { shopId, providerId: east!.id, sku: "BRW-MUG-11", stock: 30, cost: "3.10", leadTimeDays: 1 },
    { shopId, providerId: east!.id, sku: "BRW-LAMP", stock: 9, cost: "8.00", leadTimeDays: 3 },
  ]);
  const order = await createOrder(
    app.ctx.db,
    shop!,
    {
      shippingAddress: {
        name: "Ava Lindqvist",
        address1: "12 Alder St",
        city: "Portland",
        provinceCode: "OR",
        zip: "97201",
        country: "United States",
        countryCode: "US",
      },
    },
    [
      { sku: "BRW-MUG-11", title: "Camp Mug", quantity: 2, price: "12.00", personalization: null },
      { sku: "BRW-LAMP", title: "Desk Lamp", quantity: 1, price: "30.00", personalization: null },
    ],
  );
  orderId = order.id;
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

describe("Dropship form", () => {
  it("offers the eligible item, says why the other cannot go, and needs the confirmation", async () => {
    await page.goto(`${app.url}/app/orders/${orderId}`);
    await page.getByRole("link", { name: "Dropship" }).first().click();
    await page.waitForURL(`**/app/orders/${orderId}/dropship`);
    await expect.poll(() => page.getByLabel("PO number").inputValue()).toMatch(/^DS-/);
    await expect.poll(() => page.getByLabel("Recipient name").inputValue()).toBe("Ava Lindqvist");
    await page.getByText("Lead time 3 days (your limit is 1 day)").waitFor();
    await page.getByText(/Stock is from the distributor's feed/).waitFor();
    const place = page.getByRole("button", { name: "Place purchase order" });
    expect(await place.isDisabled()).toBe(true);
    await page.getByLabel("PO number").fill("PO-BROWSER-1");
    await page.getByRole("button", { name: "Check PO number" }).click();
    await page.getByText("PO-BROWSER-1 is free").waitFor();
    await page.getByRole("button", { name: "Check stock now" }).waitFor();
    await page.getByText(/this places a real order with the distributor/).click();
    await expectOwnerWords(page);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/dropship-form.png", fullPage: true });
    }
    await place.click();
    await page.waitForURL("**/app/purchase-orders/*");
    await page.getByRole("heading", { name: "Purchase order PO-BROWSER-1" }).waitFor();
    const [po] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.poNumber, "PO-BROWSER-1"));
    expect(po).toMatchObject({ dropship: true, shopId });
    await page.getByText("Camp Mug").waitFor();
    await expectOwnerWords(page);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/purchase-order.png", fullPage: true });
    }
  });
});

describe("Purchase Orders page", () => {
  it("is in the navigation, lists the PO, filters by shipped status and searches", async () => {
    await page.goto(`${app.url}/app`);
    await page.getByRole("link", { name: "Purchase orders" }).first().click();
    await page.waitForURL("**/app/purchase-orders");
    await page.getByRole("cell", { name: "PO-BROWSER-1" }).waitFor();
    await expectOwnerWords(page);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/purchase-orders.png", fullPage: true });
    }
    await page.getByLabel("Shipped").selectOption("shipped");
    await page.waitForURL("**/app/purchase-orders?shipped=shipped");
    // Not shipped yet, so not among the shipped ones.
    await page.getByRole("cell", { name: "PO-BROWSER-1" }).waitFor({ state: "detached" });
    await page.getByLabel("Shipped").selectOption("");
    await page.waitForURL(/\/app\/purchase-orders$/);
    await page.getByLabel("Search").fill("BROWSER");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL("**/app/purchase-orders?search=BROWSER");
    await page.getByRole("link", { name: "View PO-BROWSER-1" }).click();
    await page.waitForURL("**/app/purchase-orders/*");
    await page.getByText("No tracking yet.", { exact: false }).waitFor();
  });
});
