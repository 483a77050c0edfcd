import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { orders, providers, submissions } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { closeVite, drainQueue, type TestApp } from "../support/app";
import { signBody } from "~/fulfillment/protocol";
import {
  DEMO_SANDBOX_SECRET,
  gotoLivePage,
  launchBrowser,
  seriousA11yViolations,
  startDemoApp,
  updateScreenshots,
  watchedPage,
} from "../support/browser";
import { createOrder } from "../support/factories";
import { STARTUP_TIMEOUT_MS } from "../support/startup";
import { findShop } from "~/shops/shops.server";

let app: TestApp;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let shopId: string;

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await watchedPage(browser));
  shopId = (await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN))!.id;
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

const rows = () => page.locator("table tbody tr");
const rowTexts = () => rows().allInnerTexts();
const numbersShown = async () =>
  (await rowTexts()).map((t) => /#\d+/.exec(t)?.[0]).filter((n): n is string => Boolean(n));

async function openFiltering() {
  const search = page.getByPlaceholder("Search by order number or cart order ID");
  if (!(await search.isVisible())) {
    await page.getByRole("button", { name: "Search and filter orders" }).click();
  }
  await search.waitFor();
  return search;
}

async function chooseFilter(label: string, choice: string) {
  await openFiltering();
  await page.getByRole("button", { name: label, exact: true }).first().click();
  // The radio's own circle lies over the input; the owner clicks the choice's label.
  await page.locator(".Polaris-Popover").getByText(choice, { exact: true }).click();
  await page.keyboard.press("Escape");
}

describe("the order catalog in the browser (demo, standalone)", () => {
  it("lists the newest 50 orders with every column, and pages to older ones", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    expect(await rows().count()).toBe(50);
    const headers = await page.locator("table thead th").allInnerTexts();
    // The first heading is the select-all checkbox.
    expect(headers.map((h) => h.trim()).filter((h) => h && !h.startsWith("Select"))).toEqual([
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
    // The order number leads to the order's own page.
    const link = rows().first().getByRole("link", { name: "#1072" });
    expect(await link.getAttribute("href")).toMatch(/^\/app\/orders\/[0-9a-f-]{36}$/);
    if (updateScreenshots) await page.screenshot({ path: "docs/screenshots/catalog.png" });

    await page.getByRole("button", { name: /next/i }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(() => rows().count()).toBe(22);
    expect(await rows().first().innerText()).toContain("#1022");
    await page.getByRole("button", { name: /previous/i }).click();
    await expect.poll(async () => (await rows().first().innerText()).includes("#1072")).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("says how many orders there are, and selecting all of them names that number", async () => {
    const [{ n }] = (await app.ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(orders)
      .where(eq(orders.shopId, shopId))) as [{ n: number }];
    expect(n).toBeGreaterThan(50);
    await gotoLivePage(page, `${app.url}/app`);
    expect(await page.locator(".Polaris-Page").first().innerText()).toContain(`${n} orders`);
    // Tick the page: the offer to select the rest names how many there are, not "50+".
    await page.locator("table thead").getByRole("checkbox").first().check();
    const selectAll = page.getByRole("button", { name: `Select all ${n} orders` });
    await expect.poll(() => selectAll.count()).toBe(1);
    expect(await page.getByText(/50\+/).count()).toBe(0);
    if (updateScreenshots)
      await page.screenshot({ path: "docs/screenshots/catalog-select-all.png" });
    await selectAll.click();
    await expect.poll(() => page.getByText(`All ${n} orders are selected`).count()).toBe(1);
    // The next test opens the catalog afresh, with nothing selected.
    expect(pageErrors).toEqual([]);
  });

  it("finds an order by its number as the owner types it", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    const search = await openFiltering();
    await search.fill("#1042");
    await page.waitForURL(/search=%231042/);
    await expect.poll(numbersShown).toEqual(["#1042"]);
    await search.fill("99999");
    await expect.poll(() => page.getByText("No orders match").count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it("combines filters in the URL, and the back button returns to the previous view", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    await chooseFilter("Type", "In-app");
    await page.waitForURL(/type=in_app/);
    // The demo's worker keeps submitting orders while the test runs, so the page is compared with
    // the database as it is at each look, not as it was when the test began.
    const newestInApp = async () =>
      (
        await app.ctx.db
          .select({ n: orders.cartOrderNumber })
          .from(orders)
          .where(and(eq(orders.shopId, shopId), eq(orders.type, "in_app")))
          .orderBy(desc(orders.cartCreatedAt), desc(orders.id))
          .limit(50)
      ).map((r) => r.n);
    const inAppInError = async () =>
      (
        await app.ctx.db
          .select({ n: orders.cartOrderNumber })
          .from(orders)
          .where(
            and(eq(orders.shopId, shopId), eq(orders.type, "in_app"), eq(orders.state, "error")),
          )
      )
        .map((r) => r.n)
        .sort();
    const pageShows = async (expected: () => Promise<string[]>, sorted = false) => {
      const [shown, wanted] = await Promise.all([numbersShown(), expected()]);
      return { shown: sorted ? shown.sort() : shown, wanted };
    };
    const same = ({ shown, wanted }: { shown: string[]; wanted: string[] }) =>
      JSON.stringify(shown) === JSON.stringify(wanted);

    await expect.poll(() => pageShows(newestInApp)).toSatisfy(same);
    await chooseFilter("State", "Error");
    await page.waitForURL(
      (url) => url.search.includes("type=in_app") && url.search.includes("state=error"),
    );
    await expect.poll(() => pageShows(inAppInError, true)).toSatisfy(same);
    expect((await inAppInError()).length).toBeGreaterThan(0);
    // The URL alone reproduces the view: a bookmark opens the same orders.
    const bookmarked = page.url();

    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("state="));
    await expect.poll(() => pageShows(newestInApp)).toSatisfy(same);
    await page.goto(bookmarked, { waitUntil: "load" });
    await expect.poll(() => pageShows(inAppInError, true)).toSatisfy(same);
    expect(pageErrors).toEqual([]);
  });

  it("shows why a submission failed when the owner hovers Failed", async () => {
    await gotoLivePage(page, `${app.url}/app?state=error`);
    const failed = page.locator("[data-failure-reason]").first();
    const reason = await failed.getAttribute("data-failure-reason");
    expect(reason).toBeTruthy();
    await failed.hover();
    await expect.poll(() => page.getByRole("tooltip").innerText()).toContain(reason!);
  });

  it("submits the selected orders and says what happened to each", async () => {
    const future = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    const [provider] = await app.ctx.db
      .select()
      .from(providers)
      .where(and(eq(providers.shopId, shopId), eq(providers.kind, "sandbox")));
    const ready = await createOrder(
      app.ctx.db,
      { id: shopId },
      { cartOrderNumber: "#9101", type: "other", cartCreatedAt: future(3) },
      [
        {
          personalization: {
            designUrl: "/demo/design-name.svg",
            options: [{ name: "Name", value: "Ava" }],
          },
        },
      ],
    );
    const unpaid = await createOrder(
      app.ctx.db,
      { id: shopId },
      {
        cartOrderNumber: "#9102",
        cartStatus: "pending_payment",
        cartStatusRaw: "pending",
        cartCreatedAt: future(2),
      },
    );
    const sent = await createOrder(
      app.ctx.db,
      { id: shopId },
      { cartOrderNumber: "#9103", state: "open", cartCreatedAt: future(1) },
    );
    await app.ctx.db.insert(submissions).values({
      shopId,
      orderId: sent.id,
      providerId: provider!.id,
      poNumber: "PO-9103",
      idempotencyKey: `ol_${randomUUID()}`,
      state: "submitted",
      attempts: 1,
    });

    await gotoLivePage(page, `${app.url}/app?search=910`);
    await expect.poll(numbersShown).toEqual(["#9101", "#9102", "#9103"]);
    for (const row of await rows().all()) await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Submit", exact: true }).click();
    const summary = page.getByTestId("bulk-summary");
    await summary.waitFor();
    const text = await summary.innerText();
    expect(text).toContain("1 order submitted");
    expect(text).toContain("1 skipped: already submitted");
    expect(text).toContain("1 not submitted");
    expect(text).toContain("#9102");
    expect(text).toContain("awaiting payment");

    const subs = await app.ctx.db
      .select()
      .from(submissions)
      .where(inArray(submissions.orderId, [ready.id, unpaid.id, sent.id]));
    expect(subs.filter((s) => s.orderId === ready.id)).toHaveLength(1);
    expect(subs.filter((s) => s.orderId === sent.id)).toHaveLength(1);
    expect(subs.filter((s) => s.orderId === unpaid.id)).toHaveLength(0);
    await app.ctx.db.delete(orders).where(inArray(orders.id, [ready.id, unpaid.id, sent.id]));
    expect(pageErrors).toEqual([]);
  });

  it("asks before deleting the selected orders, and keeps them when the owner declines", async () => {
    const order = await createOrder(
      app.ctx.db,
      { id: shopId },
      { cartOrderNumber: "#9201", cartCreatedAt: new Date(Date.now() + 120_000) },
    );
    await gotoLivePage(page, `${app.url}/app?search=9201`);
    await expect.poll(numbersShown).toEqual(["#9201"]);
    await rows().first().getByRole("checkbox").check();
    await page.getByRole("button", { name: /more actions/i }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.innerText()).toContain("Delete 1 selected order?");
    await dialog.getByRole("button", { name: "Keep them" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByTestId("bulk-summary").count()).toBe(0);
    const [still] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(still?.state).toBe("new");
    await app.ctx.db.delete(orders).where(eq(orders.id, order.id));
    expect(pageErrors).toEqual([]);
  });

  it("shows an order that arrives while the page is open, without a reload", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    const arrivedAt = Date.now();
    const order = await createOrder(
      app.ctx.db,
      { id: shopId },
      {
        cartOrderNumber: "#2001",
        customerName: "Freya Nakamura",
        cartCreatedAt: new Date(Date.now() + 60_000),
      },
    );
    await expect
      .poll(async () => (await rows().first().innerText()).includes("Freya Nakamura"), {
        timeout: 2_000,
        interval: 50,
      })
      .toBe(true);
    expect(Date.now() - arrivedAt).toBeLessThan(2_500);
    // Same document: the data was reloaded, not the page.
    expect(
      await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere),
    ).toBe(true);
    await app.ctx.db.delete(orders).where(eq(orders.id, order.id));
    expect(pageErrors).toEqual([]);
  });

  it("shows a provider's rejection, sent to the events webhook, on the open page without a reload", async () => {
    // An Open order of the demo whose purchase order the sandbox accepted.
    const [sent] = await app.ctx.db
      .select({ order: orders, submission: submissions })
      .from(submissions)
      .innerJoin(orders, eq(orders.id, submissions.orderId))
      .where(
        and(
          eq(submissions.shopId, shopId),
          eq(submissions.state, "submitted"),
          eq(orders.state, "open"),
        ),
      )
      .orderBy(desc(orders.cartCreatedAt))
      .limit(1);
    if (!sent?.submission.providerOrderId) throw new Error("the demo has no submitted order");
    await gotoLivePage(
      page,
      `${app.url}/app?search=${encodeURIComponent(sent.order.cartOrderNumber)}`,
    );
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    const row = rows().filter({ hasText: sent.order.cartOrderNumber });
    await expect.poll(() => row.innerText()).toContain("Open");

    const body = JSON.stringify({
      id: `evt-${randomUUID()}`,
      type: "order.rejected",
      occurredAt: new Date().toISOString(),
      providerOrderId: sent.submission.providerOrderId,
      poNumber: sent.submission.poNumber,
      reason: "Artwork resolution too low for print",
    });
    const res = await app.fetch(`/api/providers/${sent.submission.providerId}/events`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", ...signBody(DEMO_SANDBOX_SECRET, body) },
    });
    expect(res.status).toBe(200);
    const received = Date.now();
    await drainQueue(app.ctx, "process-webhook");

    await expect.poll(() => row.innerText(), { timeout: 2_000, interval: 50 }).toContain("Error");
    expect(Date.now() - received).toBeLessThan(2_500);
    expect(
      await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere),
    ).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("has no serious or critical accessibility problems", async () => {
    await gotoLivePage(page, `${app.url}/app`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await gotoLivePage(page, `${app.url}/app?type=amazon&state=pending`);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
