import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import axe from "axe-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orders, shipments, shops, submissions } from "~/db/schema";
import { abandonStaleOrders } from "~/orders/abandon.server";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { finishInBrowser } from "~/shops/woo-session.server";
import { closeVite, startTestApp, type TestApp } from "../support/app";
import { createOrder, createShop } from "../support/factories";
import {
  gotoLivePage,
  launchBrowser,
  seriousA11yViolations,
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
  // A missing element fails its test with a message instead of hanging until the test times out.
  page.setDefaultTimeout(10_000);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

/** Demo orders still counting down, soonest deadline last so tests take the later ones first. */
async function countdownOrders(): Promise<string[]> {
  const rows = await app.ctx.db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)))
    .orderBy(sql`${orders.autoSubmitAt} desc`);
  return rows.map((r) => r.id);
}

async function orderIn(state: "open"): Promise<string> {
  const [row] = await app.ctx.db
    .select({ id: orders.id })
    .from(orders)
    .where(eq(orders.state, state))
    .limit(1);
  return row!.id;
}

/** An item of the open Actions menu, by its label (its reason, when refused, is under it). */
const menuItem = (label: string) =>
  page
    .locator(".Polaris-Popover__Content button.Polaris-ActionList__Item")
    .filter({ has: page.getByText(label, { exact: true }) });

const countdownText = () => page.getByTestId("countdown").innerText();

/** mm:ss (or h:mm:ss) in the text, as seconds. */
function seconds(text: string): number {
  const match = /(?:(\d+):)?(\d\d):(\d\d)/.exec(text);
  if (!match) throw new Error(`no time in "${text}"`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

async function open(orderId: string) {
  // The page keeps its live-updates stream open, so the network never goes idle.
  await gotoLivePage(page, `${app.url}/app/orders/${orderId}`);
}

describe("the order page in the browser (demo, standalone)", () => {
  it("counts down live, the same after a reload, pauses on hold and resumes", async () => {
    const [orderId] = await countdownOrders();
    await open(orderId!);
    const first = seconds(await countdownText());
    expect(first).toBeGreaterThan(60);
    await expect
      .poll(async () => seconds(await countdownText()), { timeout: 5000 })
      .toBeLessThan(first);

    // Server-authoritative: a reload shows the same time, give or take the reload itself.
    const before = seconds(await countdownText());
    await gotoLivePage(page, page.url());
    expect(Math.abs(seconds(await countdownText()) - before)).toBeLessThanOrEqual(3);

    await page.getByRole("button", { name: "Pause countdown" }).click();
    await expect.poll(countdownText).toMatch(/Paused — \d\d:\d\d left/);
    const paused = await countdownText();
    await page.waitForTimeout(2000);
    expect(await countdownText()).toBe(paused);
    const [held] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId!));
    expect(held?.state).toBe("on_hold");

    await page.getByRole("button", { name: "Resume countdown" }).click();
    await expect.poll(countdownText).not.toContain("Paused");
    const resumed = seconds(await countdownText());
    expect(resumed).toBeLessThanOrEqual(seconds(paused));
    await expect
      .poll(async () => seconds(await countdownText()), { timeout: 5000 })
      .toBeLessThan(resumed);
    expect(pageErrors).toEqual([]);
  });

  it("submits with Submit Order, then disables it with the reason", async () => {
    const orderId = (await countdownOrders())[1]!;
    await open(orderId);
    const submit = page.getByRole("button", { name: "Submit Order" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await submit.click();
    await expect.poll(() => submit.isDisabled()).toBe(true);
    await expect
      .poll(() => page.getByTestId("submit-reason").innerText())
      .toContain("an order is never submitted twice");
    await expect.poll(() => page.getByText(/Order submitted to 1 provider/).count()).toBe(1);
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
    expect(row?.state).toBe("open");
    expect(pageErrors).toEqual([]);
  });

  it("lists the lifecycle table's actions in the Actions menu, refused ones with their reason", async () => {
    await open(await orderIn("open"));
    await page.getByRole("button", { name: "Actions" }).click();
    const menu = page.locator(".Polaris-Popover__Content");
    await expect.poll(() => menu.isVisible()).toBe(true);
    const text = await menu.innerText();
    for (const label of ["Reprocess", "Edit", "Reset", "Archive", "Delete", "Force Delete"]) {
      expect(text).toContain(label);
    }
    expect(text).not.toContain("Provider Rejection");
    // The demo shop processes orders automatically: seed 001 keeps these two for manual shops.
    expect(text).not.toContain("Schedule Process");
    expect(text).not.toContain("Revalidate");
    expect(text).toContain("reprocessing it would submit it twice");
    expect(text).toContain("an edit would not reach them");
    const reprocess = menu
      .getByRole("menuitem", { name: /Reprocess/ })
      .or(menu.locator("button", { hasText: "Reprocess" }));
    expect(await reprocess.first().isDisabled()).toBe(true);
    const archive = menu.locator("button", { hasText: "Archive" }).first();
    expect(await archive.isDisabled()).toBe(false);
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/actions-menu.png" });
    await page.keyboard.press("Escape");
  });

  it("opens the Edit modal with the order's values", async () => {
    const orderId = (await countdownOrders())[2]!;
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
    await open(orderId);
    await page.getByRole("button", { name: "Actions" }).click();
    await menuItem("Edit").click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByLabel("Customer name").inputValue()).toBe(row!.customerName);
    expect(await dialog.getByLabel("Customer email").inputValue()).toBe(row!.customerEmail ?? "");
    expect(await dialog.getByLabel("Address").first().inputValue()).toBe(
      row!.shippingAddress?.address1,
    );
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/edit-modal.png" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it("enlarges the customer's images and has no serious accessibility problems", async () => {
    const [withImages] = await app.ctx.db
      .select({ orderId: lineItems.orderId })
      .from(lineItems)
      .innerJoin(orders, eq(orders.id, lineItems.orderId))
      .where(
        and(
          eq(orders.state, "new"),
          isNotNull(orders.autoSubmitAt),
          sql`jsonb_array_length(coalesce(${lineItems.personalization}->'clientImages', '[]')) > 0`,
        ),
      )
      .limit(1);
    await open(withImages!.orderId);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/order-page.png", fullPage: true });
    }
    const enlarge = page.getByRole("button", { name: /^Enlarge: Customer's image 1/ }).first();
    await enlarge.click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const image = dialog.locator("img");
    await expect.poll(async () => (await image.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);

    await page.addScriptTag({ content: axe.source });
    const violations = await page.evaluate(async () => {
      const w = window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; help: string }[] }> };
      };
      const result = await w.axe.run();
      return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help}`);
    });
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("shows an Error order's alert with its fix, and the status help", async () => {
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.state, "error")).limit(1);
    await open(row!.id);
    expect(await page.getByText(row!.alert!.fix, { exact: false }).count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "What do statuses mean?" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const help = await dialog.innerText();
    // The carts' statuses in the words their admins use, never their codes.
    expect(help).toContain("Draft");
    expect(help).not.toContain("checkout-draft");
    expect(help).not.toContain("financial_status");
    expect(help).toContain("Archived");
    await page.keyboard.press("Escape");
  });

  it("shows an Abandoned order's alert, and Reprocess makes it Open again", async () => {
    // An Open order sent 50 days ago with nothing shipped, as the hourly job finds it.
    const [row] = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(
          eq(orders.state, "open"),
          sql`not exists (select 1 from ${shipments} where ${shipments.orderId} = ${orders.id})`,
        ),
      )
      .limit(1);
    const orderId = row!.id;
    await app.ctx.db
      .update(submissions)
      .set({ submittedAt: new Date(Date.now() - 50 * 24 * 60 * 60 * 1000) })
      .where(eq(submissions.orderId, orderId));
    await abandonStaleOrders(app.ctx);
    await open(orderId);
    const banner = page.locator(".Polaris-Banner", { hasText: "Nothing has shipped within" });
    await expect.poll(() => banner.count()).toBe(1);
    expect(await banner.innerText()).toContain("Reprocess to send tracking checks again");
    expect(await page.getByText("Abandoned", { exact: true }).count()).toBeGreaterThan(0);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/order-abandoned.png", fullPage: true });
    }

    await page.getByRole("button", { name: "Actions" }).click();
    const reprocess = menuItem("Reprocess");
    await expect.poll(() => reprocess.isEnabled()).toBe(true);
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/actions-menu-abandoned.png" });
    }
    await reprocess.click();
    await expect
      .poll(async () => {
        const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
        return after?.state;
      })
      .toBe("open");
    await expect.poll(() => banner.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("offers Schedule Process and Revalidate once the shop processes orders manually", async () => {
    const [demo] = await app.ctx.db.select().from(shops).limit(1);
    const manual = { ...demo!.settings, processingMode: "manual" as const };
    await app.ctx.db.update(shops).set({ settings: manual }).where(eq(shops.id, demo!.id));
    try {
      await open(await orderIn("open"));
      await page.getByRole("button", { name: "Actions" }).click();
      const menu = page.locator(".Polaris-Popover__Content");
      await expect.poll(() => menu.isVisible()).toBe(true);
      const text = await menu.innerText();
      expect(text).toContain("Schedule Process");
      expect(text).toContain("Revalidate");
      await page.keyboard.press("Escape");
    } finally {
      await app.ctx.db
        .update(shops)
        .set({ settings: demo!.settings })
        .where(eq(shops.id, demo!.id));
    }
  });

  it("deletes an order from the Actions menu and lands on the catalog, which says so once", async () => {
    const orderId = (await countdownOrders())[3]!;
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
    await open(orderId);
    await page.getByRole("button", { name: "Actions" }).click();
    await menuItem("Delete").click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const catalogLoads: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/app.data") catalogLoads.push(r.url());
    });
    await dialog.getByRole("button", { name: "Delete order" }).click();

    await page.waitForURL((url) => url.pathname === "/app");
    // The banner names the order it deleted.
    const banner = page.locator(".Polaris-Banner", {
      hasText: `Order ${row!.cartOrderNumber} deleted`,
    });
    await expect.poll(() => banner.count()).toBe(1);
    expect(await banner.innerText()).toContain(
      "A later import brings it back if your store still has it.",
    );
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/catalog-notice.png" });
    // Shown once: the address loses the notice, so a reload or a filter does not repeat it.
    await expect.poll(() => new URL(page.url()).searchParams.has("notice")).toBe(false);
    // Taking it off loads nothing again: every load of the catalog was for the address with its
    // notice. Usually there is one; when that load takes longer than live updates' 200 ms debounce
    // (a busy machine), the order page's live update for the deletion restarts it, and the second
    // load is for the same address.
    const notices = catalogLoads.map((url) => new URL(url).searchParams.get("notice"));
    expect(notices.length).toBeGreaterThan(0);
    expect(notices).toEqual(notices.map(() => "order_deleted"));
    expect(await page.getByText(row!.cartOrderNumber, { exact: true }).count()).toBe(0);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.id, orderId))).toHaveLength(0);
    await banner.getByRole("button", { name: "Dismiss notification" }).click();
    await expect.poll(() => banner.count()).toBe(0);
    await gotoLivePage(page, page.url());
    expect(await page.getByText(`Order ${row!.cartOrderNumber} deleted`).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

/**
 * A server on this machine standing in for something on the owner's network: it counts what
 * reaches it, so a test can tell that opening a page sent nothing there.
 */
async function startLocalTrap(): Promise<{
  origin: string;
  hits: string[];
  close(): Promise<void>;
}> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An item's card on the order page, by the item's title. */
const itemCard = (on: Page, title: string) =>
  on.locator(".Polaris-ShadowBevel").filter({ has: on.getByRole("heading", { name: title }) });

describe("images the cart sent, outside the demo", () => {
  let signedIn: TestApp;
  let trap: Awaited<ReturnType<typeof startLocalTrap>>;
  let owner: Page;
  let ownerErrors: string[];

  beforeAll(async () => {
    trap = await startLocalTrap();
    // NODE_ENV=test on the production build: images load as where owners use the app.
    signedIn = await startTestApp({ built: true });
    ({ page: owner, errors: ownerErrors } = await watchedPage(browser));
    owner.setDefaultTimeout(10_000);
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await owner?.close();
    await signedIn?.close();
    await trap?.close();
  });

  /** Signs this browser in as the owner of a WooCommerce shop, as the store's handshake does. */
  async function signInWooOwner(): Promise<Awaited<ReturnType<typeof createShop>>> {
    const shop = await createShop(signedIn.ctx.db, {
      platform: "woocommerce",
      domain: "images.example.com",
      name: "Images Store",
    });
    const setCookie = await finishInBrowser(signedIn.ctx.config, new Request(signedIn.url), {
      owner: { shopId: shop.id, name: "Ava Owner" },
      problem: null,
    });
    const [name, ...value] = setCookie.split(";")[0]!.split("=");
    await owner.context().addCookies([{ name: name!, value: value.join("="), url: signedIn.url }]);
    return shop;
  }

  it("loads nothing from the owner's network and says why each image is not shown", async () => {
    const shop = await signInWooOwner();
    const order = await createOrder(signedIn.ctx.db, shop, {}, [
      {
        title: "Photo Mug",
        mockupUrl: `${trap.origin}/mockup.png`,
        personalization: {
          previewUrl: `${trap.origin}/preview.png`,
          designUrl: `${trap.origin}/design.png`,
          clientImages: ["/demo/photo-dog.svg", "http://uploads.example.com/photo.png"],
          options: [{ name: "Name", value: "Ana" }],
        },
      },
    ]);
    const requested: string[] = [];
    owner.on("request", (request) => requested.push(request.url()));

    await gotoLivePage(owner, `${signedIn.url}/app/orders/${order.id}`);
    const card = itemCard(owner, "Photo Mug");
    await expect.poll(() => card.count()).toBe(1);
    // The app's own file is still shown as an image, so the page did render its images.
    await expect
      .poll(() => requested.some((url) => url.endsWith("/demo/photo-dog.svg")))
      .toBe(true);

    expect(requested.filter((url) => url.startsWith(trap.origin))).toEqual([]);
    expect(requested.filter((url) => url.includes("uploads.example.com"))).toEqual([]);
    expect(trap.hits).toEqual([]);
    expect(await card.locator(`img[src^="${trap.origin}"]`).count()).toBe(0);

    const text = await card.innerText();
    expect(text).toContain("Not shown: this address points into a private or local network");
    expect(text).toContain(`${trap.origin}/preview.png`);
    expect(text).toContain(`${trap.origin}/mockup.png`);
    expect(text).toContain("Not linked: this address points into a private or local network");
    expect(text).toContain("Not shown: this image is not on a secure (https) address");
    // The http image on the internet is a link the owner may open deliberately, never loaded.
    expect(
      await card.getByRole("link", { name: "http://uploads.example.com/photo.png" }).count(),
    ).toBe(1);
    // Nothing the page shows as text about the local addresses is a link into that network.
    expect(await card.locator(`a[href^="${trap.origin}"]`).count()).toBe(0);

    if (updateScreenshots) {
      await card.screenshot({ path: "docs/screenshots/order-page-images-not-shown.png" });
    }
    expect(requested.filter((url) => url.startsWith(trap.origin))).toEqual([]);
    expect(trap.hits).toEqual([]);
    expect(await seriousA11yViolations(owner)).toEqual([]);
    expect(ownerErrors).toEqual([]);
  });

  it("in the demo, loads http images from this machine, for local tools", async () => {
    const [demoShop] = await app.ctx.db
      .select()
      .from(shops)
      .where(eq(shops.domain, DEMO_SHOP_DOMAIN));
    const order = await createOrder(app.ctx.db, demoShop!, {}, [
      { title: "Local Preview Tee", personalization: { previewUrl: `${trap.origin}/local.png` } },
    ]);
    await open(order.id);
    await expect.poll(() => trap.hits).toContain("/local.png");
    const card = itemCard(page, "Local Preview Tee");
    expect(await card.innerText()).not.toContain("Not shown");
  });
});
