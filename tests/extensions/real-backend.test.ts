// The order card and the bulk action against the app's real /api/admin routes: the page's requests
// reach the test app with the session token the admin would add, so what the owner reads is what
// the server says, and the contract holds end to end.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { providers } from "~/db/schema";
import type { Shop } from "~/shops/shops.server";
import { launchBrowser, notOwnerWords } from "../support/browser";
import { closeVite, shopifySessionToken, startTestApp, type TestApp } from "../support/app";
import { createOrder, createSession, createShop } from "../support/factories";
import { STARTUP_TIMEOUT_MS } from "../support/startup";
import {
  bundleExtensions,
  button,
  openExtension,
  visibleText,
  type Backend,
  type BackendAnswer,
} from "./harness";

let app: TestApp;
let shop: Shop;
let browser: Browser;
let bundles: Map<string, string>;

beforeAll(async () => {
  [app, browser, bundles] = await Promise.all([
    startTestApp(),
    launchBrowser(),
    bundleExtensions(),
  ]);
  shop = await createShop(app.ctx.db, { platform: "shopify", domain: "ext-ui.myshopify.com" });
  await createSession(app.ctx.db, shop.domain);
  await app.ctx.db.insert(providers).values({
    shopId: shop.id,
    kind: "sandbox",
    name: "Sandbox Printer",
    // No worker runs here: submitting queues the purchase orders, nothing is sent.
    endpoint: "http://127.0.0.1:9",
    isDefault: true,
  });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

/** The admin's fetch: to the app's URL, with a fresh session token for the shop. */
const theApp: Backend = async (call): Promise<BackendAnswer> => {
  const res = await app.fetch(call.path, {
    method: call.method,
    headers: {
      Authorization: `Bearer ${shopifySessionToken(shop.domain)}`,
      Origin: "https://extensions.shopifycdn.com",
      // The admin runs extensions in a browser; Shopify's library treats bots differently.
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
      Accept: "application/json",
      ...(call.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
};

async function countingDown() {
  return createOrder(
    app.ctx.db,
    shop,
    { state: "new", autoSubmitAt: new Date(Date.now() + 3_600_000) },
    [
      {
        sku: "TEE-BLK-M",
        title: "Name Tee",
        quantity: 2,
        price: "21.00",
        mockupUrl: "https://cdn.example.com/mockup-tee.png",
        personalization: {
          previewUrl: "https://cdn.example.com/preview-ava.png",
          designUrl: "https://cdn.example.com/design-ava.png",
          clientImages: [],
          options: [
            { name: "Name", value: "Ava" },
            { name: "Font", value: "Script" },
          ],
        },
      },
    ],
  );
}

describe("the extensions against the app's backend", () => {
  test("the card shows a counting-down order as the server has it, and Submit now submits it", async () => {
    const order = await countingDown();
    const gid = `gid://shopify/Order/${order.cartOrderId}`;
    const ext = await openExtension(browser, bundles, "orderlane-order-block", {
      selected: [gid],
      backend: theApp,
    });
    const { page } = ext;
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain("2 × Name Tee");
    const text = await visibleText(page);
    expect(text).toContain(`Order ${order.cartOrderNumber}`);
    expect(text).toContain("Name: Ava");
    expect(text).toContain("Font: Script");
    expect(await page.getByTestId("countdown").innerText()).toMatch(/^(1:00:00|59:\d\d)$/);
    expect(await page.locator("s-thumbnail").getAttribute("src")).toBe(
      "https://cdn.example.com/preview-ava.png",
    );
    expect(notOwnerWords(text)).toEqual([]);

    await button(page, "Submit now").click();
    await button(page, "Yes, submit now").click();
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain("Sandbox Printer");
    expect(ext.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /api/admin/orders/${encodeURIComponent(gid)}`,
      `POST /api/admin/orders/${encodeURIComponent(gid)}/actions/submit`,
    ]);
    const after = await visibleText(page);
    expect(notOwnerWords(after)).toEqual([]);
    // Submitted: the button is no longer offered, and the card says why.
    expect(await button(page, "Submit now").getAttribute("disabled")).not.toBeNull();
    expect(ext.errors).toEqual([]);
  });

  test("the More actions modal holds the order and then releases it, in the server's words", async () => {
    const order = await countingDown();
    const open = () =>
      openExtension(browser, bundles, "orderlane-order-action", {
        selected: [`gid://shopify/Order/${order.cartOrderId}`],
        backend: theApp,
      });
    const held = await open();
    await button(held.page, /^Hold$/).click();
    await button(held.page, "Yes, hold").click();
    await expect
      .poll(() => visibleText(held.page), { timeout: 30_000 })
      .toMatch(/Paused with (1:00:00|59:\d\d) left/);
    expect(notOwnerWords(await visibleText(held.page))).toEqual([]);
    await button(held.page, "Done").click();
    await expect.poll(() => held.closed()).toBe(1);

    const released = await open();
    await expect
      .poll(() => visibleText(released.page), { timeout: 30_000 })
      .toContain("Paused with");
    await button(released.page, "Release").click();
    await button(released.page, "Yes, release").click();
    await expect
      .poll(() => visibleText(released.page), { timeout: 30_000 })
      .toMatch(/Submits automatically in (1:00:00|59:\d\d)/);
    expect(released.calls.map((c) => `${c.method} ${c.path.split("/").pop()}`)).toEqual([
      `GET ${encodeURIComponent(`gid://shopify/Order/${order.cartOrderId}`)}`,
      "POST release",
    ]);
  });

  test("an order the shop has not sent to Orderlane: the card offers Import this order", async () => {
    const { page } = await openExtension(browser, bundles, "orderlane-order-block", {
      selected: ["gid://shopify/Order/424242424242"],
      backend: theApp,
    });
    await expect
      .poll(() => visibleText(page), { timeout: 30_000 })
      .toContain("This order is not in Orderlane");
    expect(await button(page, "Import this order").count()).toBe(1);
    expect(notOwnerWords(await visibleText(page))).toEqual([]);
  });

  test("the bulk action submits one order and skips the one submitted already", async () => {
    const [a, b] = [await countingDown(), await countingDown()];
    const gids = [a, b].map((o) => `gid://shopify/Order/${o.cartOrderId}`);
    // b was submitted already, from the card.
    const first = await theApp({
      method: "POST",
      path: `/api/admin/orders/${encodeURIComponent(gids[1]!)}/actions/submit`,
      body: undefined,
    });
    expect(first).toMatchObject({ status: 200 });

    const ext = await openExtension(browser, bundles, "orderlane-bulk-submit", {
      selected: gids,
      backend: theApp,
    });
    await button(ext.page, "Submit 2 orders").click();
    await expect
      .poll(() => visibleText(ext.page), { timeout: 30_000 })
      .toContain(`Skipped, already submitted: ${b.cartOrderNumber}`);
    const text = await visibleText(ext.page);
    expect(text).toContain(`${a.cartOrderNumber}: `);
    expect(notOwnerWords(text)).toEqual([]);
  });
});
