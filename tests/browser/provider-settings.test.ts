import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { shopSettings } from "~/orders/core/shop-settings";
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
    await page
      .getByRole("navigation", { name: "Orderlane" })
      .getByRole("link", { name: "Providers" })
      .click();
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
    // The demo routes by rules (the Pixel 8 case has none), so it starts with no default.
    expect(await defaults()).toEqual([]);

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

describe("Routing rules and the sandbox in the browser", () => {
  it("the Sandbox provider opens for editing and saves under a new name", async () => {
    const sandbox = await row("Sandbox Printer");
    await page.goto(`${app.url}/app/settings/providers`, { waitUntil: "networkidle" });
    const card = page
      .getByRole("heading", { name: "Sandbox Printer", exact: true })
      .locator("xpath=ancestor::div[.//a or .//button][1]/..");
    await card.getByRole("link", { name: "Edit" }).first().click();
    await page.waitForURL(new RegExp(`edit=${sandbox.id}`));
    await expect
      .poll(() => page.getByRole("heading", { name: "Edit Sandbox Printer" }).count())
      .toBe(1);
    // Its type is shown, not offered for change; its address is not a field.
    expect(await page.getByLabel("Type").isDisabled()).toBe(true);
    expect(await page.getByLabel("Base URL").count()).toBe(0);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/settings-providers-edit-sandbox.png" });
    }
    await page.getByLabel("Name").fill("Sandbox Printer (test)");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect
      .poll(() => page.getByText("Sandbox Printer (test) saved").count())
      .toBeGreaterThan(0);
    expect(await row("Sandbox Printer (test)")).toMatchObject({
      kind: "sandbox",
      endpoint: sandbox.endpoint,
    });
    // Put back for the other tests and the demo's own name.
    await app.ctx.db
      .update(providers)
      .set({ name: "Sandbox Printer" })
      .where(eq(providers.id, sandbox.id));
    expect(pageErrors).toEqual([]);
  });

  it("the owner adds, orders and removes rules; a wrong row says what is wrong", async () => {
    const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
    const sandbox = await row("Sandbox Printer");
    // From an empty form: the demo's own rules (what the sandbox makes) are set aside here.
    await app.ctx.db
      .update(shops)
      .set({ settings: { ...shopSettings(shop!), routingRules: [] } })
      .where(eq(shops.id, shop!.id));
    await page.goto(`${app.url}/app/settings/providers`, { waitUntil: "networkidle" });
    const rules = () => page.getByLabel("SKU, or its start followed by *");

    await page.getByRole("button", { name: "Add rule" }).click();
    await rules().nth(0).fill("CASE-*");
    await page.getByRole("button", { name: "Add rule" }).click();
    await rules().nth(1).fill("CASE PIX8");
    await page.getByRole("button", { name: "Save rules" }).click();
    // The wrong row says what is wrong with it; nothing is stored.
    await expect.poll(() => page.getByText("A SKU has no spaces").count()).toBe(1);
    expect(await storedRules(shop!.id)).toEqual([]);

    await rules().nth(1).fill("CASE-PIX8");
    await page.getByRole("button", { name: "Save rules" }).click();
    // Rule 1 takes every CASE- SKU first, so rule 2 would never apply: said on rule 2.
    await expect
      .poll(() => page.getByText("Rule 1 (CASE-*) already takes these SKUs").count())
      .toBe(1);
    await page.getByRole("button", { name: "Move rule 2 up" }).click();
    // The error moves with its row, and goes once the owner changes that row.
    expect(await rules().nth(0).inputValue()).toBe("CASE-PIX8");
    expect(await rules().nth(0).getAttribute("aria-invalid")).toBe("true");
    expect(await rules().nth(1).getAttribute("aria-invalid")).not.toBe("true");
    await page.getByLabel("Sandbox SKU").nth(0).fill("CASE-PIXEL8-GLOSS");
    await expect
      .poll(() => page.getByText("Rule 1 (CASE-*) already takes these SKUs").count())
      .toBe(0);
    await page.getByRole("button", { name: "Add rule" }).click();
    await rules().nth(2).fill("MUG-*");
    await page.getByRole("button", { name: "Remove rule 3" }).click();
    await page.getByRole("button", { name: "Save rules" }).click();
    await expect.poll(() => page.getByText("Routing rules saved").count()).toBe(1);
    expect(await storedRules(shop!.id)).toEqual([
      { match: "CASE-PIX8", providerId: sandbox.id, product: "CASE-PIXEL8-GLOSS" },
      { match: "CASE-*", providerId: sandbox.id },
    ]);
    // The reloaded page shows them as saved.
    await page.reload({ waitUntil: "networkidle" });
    expect(await rules().nth(0).inputValue()).toBe("CASE-PIX8");
    expect(await rules().nth(1).inputValue()).toBe("CASE-*");
    await page.getByRole("heading", { name: "Routing rules" }).scrollIntoViewIfNeeded();
    if (updateScreenshots) {
      await page.screenshot({
        path: "docs/screenshots/settings-routing-rules.png",
        fullPage: true,
      });
    }
    expect(pageErrors).toEqual([]);
  });
});

async function storedRules(shopId: string) {
  const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.id, shopId));
  return shopSettings(shop!).routingRules;
}

async function row(name: string) {
  const [found] = await app.ctx.db.select().from(providers).where(eq(providers.name, name));
  return found!;
}
