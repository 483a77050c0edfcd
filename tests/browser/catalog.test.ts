import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { orders } from "~/db/schema";
import { closeVite, type TestApp } from "../support/app";
import { launchBrowser, startDemoApp, updateScreenshots, watchedPage } from "../support/browser";
import { createOrder } from "../support/factories";
import { findShop } from "~/shops/shops.server";

let app: TestApp;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await watchedPage(browser));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

const rows = () => page.locator("table tbody tr");

describe("the order catalog in the browser (demo, standalone)", () => {
  it("lists the newest 50 orders with every column, and pages to older ones", async () => {
    await page.goto(`${app.url}/app`, { waitUntil: "networkidle" });
    expect(await rows().count()).toBe(50);
    const headers = await page.locator("table thead th").allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual([
      "Order",
      "Status",
      "Customer",
      "Total",
      "Items",
      "Type",
      "Submit status",
    ]);
    const first = await rows().first().innerText();
    expect(first).toContain("#1072");
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/catalog.png" });

    await page.getByRole("button", { name: /next/i }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(() => rows().count()).toBe(22);
    expect(await rows().first().innerText()).toContain("#1022");
    await page.getByRole("button", { name: /previous/i }).click();
    await expect.poll(async () => (await rows().first().innerText()).includes("#1072")).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("shows why a submission failed when the owner hovers Failed", async () => {
    await page.goto(`${app.url}/app`, { waitUntil: "networkidle" });
    let failed = page.locator("[data-failure-reason]").first();
    if ((await failed.count()) === 0) {
      await page.getByRole("button", { name: /next/i }).click();
      await page.waitForURL(/cursor=/);
      failed = page.locator("[data-failure-reason]").first();
    }
    const reason = await failed.getAttribute("data-failure-reason");
    expect(reason).toBeTruthy();
    await failed.hover();
    await expect.poll(() => page.getByRole("tooltip").innerText()).toContain(reason!);
  });

  it("shows an order that arrives on the next load, at the top", async () => {
    const shop = await findShop(app.ctx.db, "demo", "demo.orderlane.local");
    const order = await createOrder(app.ctx.db, shop!, {
      cartOrderNumber: "#2001",
      customerName: "Freya Nakamura",
      cartCreatedAt: new Date(Date.now() + 60_000),
    });
    await page.goto(`${app.url}/app`, { waitUntil: "networkidle" });
    expect(await rows().first().innerText()).toContain("Freya Nakamura");
    await app.ctx.db.delete(orders).where(eq(orders.id, order.id));
  });
});
