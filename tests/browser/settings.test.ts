import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { hashToken } from "~/shops/api-tokens.server";
import { closeVite, type TestApp } from "../support/app";
import {
  gotoLivePage,
  launchBrowser,
  startDemoApp,
  updateScreenshots,
  watchedPage,
} from "../support/browser";
import { mswServer } from "../support/msw";
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
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect
      .poll(() => page.getByText("Choose a time zone from the list").count())
      .toBeGreaterThan(0);
    expect((await demoSettings()).settings.autoSubmitDelayMinutes).not.toBe(45);

    await page.getByLabel("Time zone").fill("America/Chicago");
    await page.keyboard.press("Escape");
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

describe("Navigation on standalone pages", () => {
  const current = () =>
    page.locator('nav[aria-label="Orderlane"] a[aria-current="page"]').textContent();

  it("leads from every main page to Orders, Purchase orders, Import, Settings and Providers, marking where the owner is", async () => {
    await page.goto(`${app.url}/app/settings`, { waitUntil: "networkidle" });
    const nav = page.getByRole("navigation", { name: "Orderlane" });
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Orders",
      "Purchase orders",
      "Import",
      "Settings",
      "Providers",
    ]);
    expect(await current()).toBe("Settings");

    await nav.getByRole("link", { name: "Providers" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/settings/providers");
    await expect.poll(current).toBe("Providers");
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/settings-navigation.png" });
    }

    await nav.getByRole("link", { name: "Import" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/import");
    await expect.poll(current).toBe("Import");

    await nav.getByRole("link", { name: "Purchase orders" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/purchase-orders");
    await expect.poll(current).toBe("Purchase orders");

    await nav.getByRole("link", { name: "Settings" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/settings");
    await expect.poll(current).toBe("Settings");
    await expect.poll(() => page.getByRole("button", { name: "Save settings" }).count()).toBe(1);

    // The catalog and an order's page belong to Orders.
    await gotoLivePage(page, `${app.url}/app`);
    expect(await current()).toBe("Orders");
    expect(pageErrors).toEqual([]);
  });
});

describe("Settings filled in by name (a WooCommerce store)", () => {
  const STORE = "https://woo-browser.example";

  it("picks a product from the store's search, adds a type rule row and chooses a time zone", async () => {
    const woo = await ensureShop(app.ctx.db, {
      platform: "woocommerce",
      domain: DEMO_WOO_DOMAIN,
      name: "Demo Woo",
    });
    await app.ctx.db
      .update(shops)
      .set({
        settings: DEFAULT_SHOP_SETTINGS,
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ consumerKey: "ck_b", consumerSecret: "cs_b", url: STORE }),
        ),
      })
      .where(eq(shops.id, woo.id));
    const products = [
      { id: 41, name: "Photo Mug", images: [{ src: `${app.url}/demo/mockup-mug.svg` }] },
      { id: 42, name: "Mug &amp; Coaster Set", images: [] },
      { id: 43, name: "Custom Name Tee", images: [{ src: `${app.url}/demo/mockup-tee.svg` }] },
    ];
    mswServer.use(
      http.get(`${STORE}/wp-json/`, () =>
        HttpResponse.json({ name: "Demo Woo", timezone_string: "Europe/London", gmt_offset: 0 }),
      ),
      http.get(`${STORE}/wp-json/wc/v3/products`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        const search = query.get("search")?.toLowerCase() ?? "";
        const include = query.get("include")?.split(",") ?? null;
        return HttpResponse.json(
          products.filter(
            (p) =>
              p.name.toLowerCase().includes(search) && (!include || include.includes(String(p.id))),
          ),
        );
      }),
    );

    await page.goto(`${app.url}/app/settings?shop=${DEMO_WOO_DOMAIN}`, {
      waitUntil: "networkidle",
    });
    // The store's own time zone, never chosen here before.
    const zone = page.getByLabel("Time zone");
    expect(await zone.inputValue()).toBe("Europe/London");

    await page.getByLabel("Add a product").fill("mug");
    const option = page.getByRole("option", { name: "Mug & Coaster Set" });
    await expect.poll(() => option.count()).toBe(1);
    await expect.poll(() => page.getByRole("option", { name: "Photo Mug" }).count()).toBe(1);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/settings-product-search.png" });
    }
    await page.getByRole("option", { name: "Photo Mug" }).click();
    const remove = page.getByRole("button", { name: "Remove Photo Mug" });
    await expect.poll(() => remove.count()).toBe(1);

    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Source channel of rule 3").fill("Etsy");
    await page.getByLabel("Type of rule 3").selectOption({ label: "Other" });

    await zone.fill("berl");
    const berlin = page.getByRole("option", { name: "Europe/Berlin" });
    await expect.poll(() => berlin.count()).toBe(1);
    await berlin.click();
    expect(await zone.inputValue()).toBe("Europe/Berlin");

    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Settings saved").count()).toBeGreaterThan(0);
    const [saved] = await app.ctx.db.select().from(shops).where(eq(shops.id, woo.id));
    expect(saved!.settings).toMatchObject({
      personalizedProducts: ["41"],
      typeRules: [
        { sourceChannel: "amazon", type: "amazon" },
        { sourceChannel: "shineon", type: "shineon" },
        { sourceChannel: "etsy", type: "other" },
      ],
      timezone: "Europe/Berlin",
      timezoneSource: "owner",
    });
    // After saving, the page lists the chosen product by its name and picture from the store.
    await expect.poll(() => remove.count()).toBe(1);
    expect(await page.locator('img[src$="/demo/mockup-mug.svg"]').count()).toBeGreaterThan(0);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/settings-filled-in.png", fullPage: true });
    }
    expect(pageErrors).toEqual([]);
  });
});
