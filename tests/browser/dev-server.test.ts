// The app as `npm run demo` serves it: through Vite's dev server, which pre-bundles the browser's
// dependencies. A dependency Vite finds only when a page asks for it makes Vite reload the browser
// mid-visit ("optimized dependencies changed"), and React's development build reports every
// difference between the server's HTML and the first render in the browser. Neither may happen.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { orders, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { seedDemoShop } from "~/demo/seed.server";
import { closeVite, startTestApp, type TestApp } from "../support/app";
import { DEMO_SANDBOX_SECRET, launchBrowser } from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let browser: Browser;
let page: Page;
let cacheDir: string;
const consoleLines: string[] = [];
const documentLoads: string[] = [];

beforeAll(async () => {
  // A fresh dependency cache: what a first `npm run demo` after a checkout does.
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-vite-"));
  app = await startTestApp({ demo: true, viteCacheDir: cacheDir });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: DEMO_SANDBOX_SECRET,
    encryptionKey: app.ctx.config.encryptionKey,
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(60_000);
  page.on("console", (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => consoleLines.push(`pageerror: ${String(err)}`));
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      documentLoads.push(new URL(request.url()).pathname);
    }
  });
}, STARTUP_TIMEOUT_MS * 3);

afterAll(async () => {
  console.info(`[dev-server] documents: ${documentLoads.join(", ")}\n${consoleLines.join("\n")}`);
  await browser?.close();
  await app?.close();
  await closeVite();
  if (process.env.KEEP_VITE_CACHE) console.info(`[dev-server] cache: ${cacheDir}`);
  else if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** Waits until the page's scripts run: the live-updates stream is their first request. */
async function visit(url: string) {
  const listening = page.waitForResponse((r) => new URL(r.url()).pathname === "/app/live", {
    timeout: 120_000,
  });
  await page.goto(url, { waitUntil: "load", timeout: 120_000 });
  await listening;
}

describe("the first visits in development", () => {
  it("open the catalog and an order page once each, with no reload and no hydration warning", async () => {
    await visit(`${app.url}/app`);
    // An order of the shop the catalog shows (the demo's other shops have orders numbered alike).
    const [order] = await app.ctx.db
      .select({ id: orders.id, number: orders.cartOrderNumber })
      .from(orders)
      .innerJoin(shops, eq(shops.id, orders.shopId))
      .where(
        and(
          eq(orders.state, "open"),
          eq(shops.platform, "demo"),
          eq(shops.domain, DEMO_SHOP_DOMAIN),
        ),
      )
      .limit(1);
    // As the owner goes there: a click on the order in the catalog.
    await page.getByRole("link", { name: order!.number, exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === `/app/orders/${order!.id}`);
    await page.getByRole("heading", { name: `Order ${order!.number}` }).waitFor();
    // Give Vite the time it takes to notice a new dependency and tell the page to reload.
    await page.getByRole("button", { name: "Actions" }).click();
    await page.keyboard.press("Escape");
    await visit(`${app.url}/app/orders/${order!.id}`);

    // And on a phone, where Polaris draws the catalog's checkboxes in its condensed list.
    await page.setViewportSize({ width: 390, height: 844 });
    await visit(`${app.url}/app`);
    await page.getByRole("checkbox").first().waitFor({ state: "attached" });

    expect(consoleLines.filter((l) => /optimized dependencies|reloading/i.test(l))).toEqual([]);
    expect(documentLoads).toEqual(["/app", `/app/orders/${order!.id}`, "/app"]);
    expect(
      consoleLines.filter((l) => /did not match|hydrat|server HTML|Warning:/i.test(l)),
    ).toEqual([]);
  }, 300_000);
});
