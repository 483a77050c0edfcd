import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { openSecret } from "~/security/encryption.server";
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
  ({ page, errors: pageErrors } = await watchedPage(browser, {
    viewport: { width: 1400, height: 900 },
    consoleErrors: false,
  }));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

describe("Settings > Providers in the browser", () => {
  it("the owner adds CustomCat from the catalog; its key is saved sealed and never shown", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    await page.getByRole("link", { name: "Providers" }).click();
    await page.waitForURL(/\/app\/settings\/providers/);
    await expect.poll(() => page.getByText("Sandbox Printer").count()).toBeGreaterThan(0);

    await page.getByLabel("Type").selectOption("customcat");
    await page.getByLabel("Name").fill("CustomCat US");
    await page.getByRole("button", { name: "Add provider" }).click();
    // Without its API key the form says what is missing, and nothing is stored.
    await expect.poll(() => page.getByText("Enter the API key").count()).toBeGreaterThan(0);
    expect(
      await app.ctx.db.select().from(providers).where(eq(providers.name, "CustomCat US")),
    ).toHaveLength(0);

    await page.getByLabel("API key").fill("cc_live_key_123");
    await page.getByRole("button", { name: "Add provider" }).click();
    await expect.poll(() => page.getByText("CustomCat US saved").count()).toBeGreaterThan(0);
    if (updateScreenshots)
      await page.screenshot({ path: "docs/screenshots/settings-providers.png" });

    const [row] = await app.ctx.db
      .select()
      .from(providers)
      .where(eq(providers.name, "CustomCat US"));
    expect(JSON.parse(openSecret(app.ctx.config.encryptionKey, row!.credentials!))).toEqual({
      apiKey: "cc_live_key_123",
    });
    expect(await page.content()).not.toContain("cc_live_key_123");
    expect(pageErrors).toEqual([]);
  });

  it("the owner makes another provider the default by ticking Default provider", async () => {
    const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
    const defaults = async () =>
      (await app.ctx.db.select().from(providers).where(eq(providers.shopId, shop!.id)))
        .filter((p) => p.isDefault)
        .map((p) => p.name);
    expect(await defaults()).toEqual(["Sandbox Printer"]);

    await page.goto(`${app.url}/app/settings/providers`, { waitUntil: "networkidle" });
    await page.getByLabel("Type").selectOption("customcat");
    await page.getByLabel("Name").fill("CustomCat EU");
    await page.getByLabel("API key").fill("cc_live_key_456");
    const tick = page.getByLabel("Default provider");
    expect(await tick.isChecked()).toBe(false);
    await tick.check();
    await page.getByRole("button", { name: "Add provider" }).click();
    await expect.poll(() => page.getByText("CustomCat EU saved").count()).toBeGreaterThan(0);

    // One default per shop: the one just saved.
    expect(await defaults()).toEqual(["CustomCat EU"]);
    await page.reload({ waitUntil: "networkidle" });
    // The reloaded page badges it, and only it, as the default.
    const heading = page.getByRole("heading", { name: "CustomCat EU", exact: true });
    const badges = heading.locator("xpath=..");
    expect(await badges.getByText("Default", { exact: true }).count()).toBe(1);
    expect(await page.getByText("Default", { exact: true }).count()).toBe(1);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/settings-providers-default.png" });
    }

    // Editing it shows the box ticked; unticking and saving leaves the shop without a default.
    await page.goto(`${app.url}/app/settings/providers?edit=${(await row("CustomCat EU")).id}`, {
      waitUntil: "networkidle",
    });
    expect(await page.getByLabel("Default provider").isChecked()).toBe(true);
    await page.getByLabel("Default provider").uncheck();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("CustomCat EU saved").count()).toBeGreaterThan(0);
    expect(await defaults()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

async function row(name: string) {
  const [found] = await app.ctx.db.select().from(providers).where(eq(providers.name, name));
  return found!;
}
