import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { hashToken } from "~/shops/api-tokens.server";
import { closeVite, type TestApp } from "../support/app";
import { launchBrowser, startDemoApp, updateScreenshots, watchedPage } from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await watchedPage(browser, {
    viewport: { width: 1400, height: 1000 },
    consoleErrors: false,
  }));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

async function demoSettings() {
  const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
  return shop!;
}

describe("Settings in the browser", () => {
  it("the owner fixes a bad time zone inline, saves, then creates, copies and revokes a token", async () => {
    await page.goto(`${app.url}/app/settings`, { waitUntil: "networkidle" });
    const notify = page.getByLabel("Notify the customer when an order ships");
    expect(await notify.isChecked()).toBe(true);
    await page.getByLabel("Auto-submit delay (minutes)").fill("45");
    await page.getByLabel("Time zone").fill("Mars/Olympus");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect
      .poll(() => page.getByText("Enter a time zone such as Europe/Berlin").count())
      .toBeGreaterThan(0);
    expect((await demoSettings()).settings.autoSubmitDelayMinutes).not.toBe(45);

    await page.getByLabel("Time zone").fill("America/Chicago");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Settings saved").count()).toBeGreaterThan(0);
    expect((await demoSettings()).settings).toMatchObject({
      autoSubmitDelayMinutes: 45,
      timezone: "America/Chicago",
      notifyCustomerOnShipment: true,
    });
    expect(await notify.isChecked()).toBe(true);

    await page.getByLabel("Token name").fill("Warehouse sync");
    await page.getByRole("button", { name: "Create token" }).click();
    const field = page.getByLabel("Your new token (shown only this once)");
    await expect.poll(() => field.count()).toBe(1);
    const token = await field.inputValue();
    expect(token).toMatch(/^ol_/);
    const [row] = await app.ctx.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.name, "Warehouse sync"));
    expect(row!.tokenHash).toBe(hashToken(token));
    if (updateScreenshots)
      await page.screenshot({ path: "docs/screenshots/settings.png", fullPage: true });

    // After a reload the token is gone from the page for good; only its last characters remain.
    await page.reload({ waitUntil: "networkidle" });
    expect(await page.content()).not.toContain(token);
    await expect.poll(() => page.getByText(`…${token.slice(-4)}`).count()).toBe(1);
    await page.getByRole("button", { name: "Revoke Warehouse sync" }).click();
    await expect.poll(() => page.getByText("Token revoked").count()).toBeGreaterThan(0);
    const [revoked] = await app.ctx.db.select().from(apiTokens).where(eq(apiTokens.id, row!.id));
    expect(revoked!.revokedAt).not.toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
