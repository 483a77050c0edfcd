// The order page's "Changed in the cart after it was sent" banner in the browser: old and new side
// by side, the three choices, and Keep as sent taking the banner away. How the alert is raised
// (the carts' webhooks) is tested in tests/changed-after-sent.test.ts; here it is set up directly.
import { and, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders, submissions } from "~/db/schema";
import { changedAlert } from "~/orders/changed-after-sent";
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

beforeAll(async () => {
  app = await startDemoApp();
  browser = await launchBrowser();
  ({ page } = await watchedPage(browser, { consoleErrors: false }));
  page.setDefaultTimeout(10_000);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

describe("changed in the cart after it was sent, on the order page", () => {
  it("shows what changed, old → new, with the three choices; Keep as sent clears it", async () => {
    const [sent] = await app.ctx.db
      .select({ order: orders, submission: submissions })
      .from(orders)
      .innerJoin(submissions, eq(submissions.orderId, orders.id))
      .where(and(eq(orders.state, "open"), eq(submissions.state, "submitted")))
      .limit(1);
    const { order, submission } = sent!;
    const alert = changedAlert({
      sent: {
        shippingAddress: { ...order.shippingAddress!, address1: "12 Oak St", city: "Leeds" },
        lines: [{ cartLineId: "1", title: "Mug", quantity: 1 }],
      },
      changes: [
        { what: "Shipping address", sent: "12 Oak St, Leeds", now: "4 Elm Rd, York" },
        { what: "Quantity of Mug", sent: "1", now: "2" },
      ],
      removedCartLineIds: [],
      purchaseOrders: [
        {
          submissionId: submission.id,
          providerName: "Sandbox Printer",
          poNumber: submission.poNumber,
          canUpdate: true,
          canCancel: true,
        },
      ],
      previous: null,
    });
    await app.ctx.db.update(orders).set({ alert }).where(eq(orders.id, order.id));

    await gotoLivePage(page, `${app.url}/app/orders/${order.id}`);
    const changes = page.getByTestId("cart-changes");
    await expect
      .poll(() => changes.innerText())
      .toContain("Shipping address: 12 Oak St, Leeds → 4 Elm Rd, York");
    expect(await changes.innerText()).toContain("Quantity of Mug: 1 → 2");
    for (const name of ["Ask the provider to update", "Cancel and send again", "Keep as sent"]) {
      expect(await page.getByRole("button", { name }).isEnabled()).toBe(true);
    }
    if (updateScreenshots) {
      await page.screenshot({ path: "docs/screenshots/changed-after-sent.png", fullPage: false });
    }

    await page.getByRole("button", { name: "Keep as sent" }).click();
    await expect.poll(() => changes.count()).toBe(0);
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.alert).toBeNull();
  });
});
