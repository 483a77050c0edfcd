// The Orderlane card on Shopify's order page, run from its bundle in Chromium against a stand-in
// admin and backend: what the owner reads, and which routes its buttons call.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, notOwnerWords } from "../support/browser";
import type {
  AdminActionResponse,
  AdminImportResponse,
  AdminOrderResponse,
} from "../../extensions/shared/admin-api";
import {
  bundleExtensions,
  button,
  notFound,
  openExtension,
  refused,
  visibleText,
  type Backend,
} from "./harness";
import {
  failedOrder,
  heldOrder,
  ORDER_GID,
  ORDER_PATH,
  runningOrder,
  submittedOrder,
} from "./orders";

let browser: Browser;
let bundles: Map<string, string>;

beforeAll(async () => {
  [browser, bundles] = await Promise.all([launchBrowser(), bundleExtensions()]);
});
afterAll(async () => {
  await browser?.close();
});

const answersWith =
  (order: ReturnType<typeof runningOrder>): Backend =>
  (call) =>
    call.method === "GET" && call.path === ORDER_PATH
      ? { status: 200, json: { order } satisfies AdminOrderResponse }
      : { status: 500, json: { error: { code: "unexpected", message: "unexpected call" } } };

/** The countdown as shown ("1:29:55"), in seconds. */
async function secondsLeft(page: Page): Promise<number> {
  const text = await page.getByTestId("countdown").innerText();
  const parts = text.split(":").map(Number);
  if (parts.some((n) => Number.isNaN(n))) throw new Error(`Not a countdown: ${text}`);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

function open(backend: Backend, selected = [ORDER_GID]) {
  return openExtension(browser, bundles, "orderlane-order-block", { selected, backend });
}

describe("Orderlane card on Shopify's order page", () => {
  test("shows the order's state, the shop's status, the countdown from the server's clock, and each item's preview and options", async () => {
    const ext = await open(answersWith(runningOrder()));
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Order #1001");

    const text = await visibleText(page);
    expect(text).toContain("New");
    expect(text).toContain("Awaiting artwork check");
    // 11:30 deadline, server at 10:00; the browser's clock is years off and changes nothing. (The
    // clock runs while the test reads: a few seconds may have gone.)
    const shown = await secondsLeft(page);
    expect(shown).toBeLessThanOrEqual(90 * 60);
    expect(shown).toBeGreaterThan(90 * 60 - 15);
    expect(text).toContain("2 × Photo mug");
    expect(text).toContain("Name: Ada");
    expect(text).toContain("Colour: Navy");
    expect(text).toContain("Made by Printful");
    expect(text).toContain("1 × Gift card");
    const thumb = page.locator("s-thumbnail");
    await expect.poll(() => thumb.count()).toBe(1);
    expect(await thumb.getAttribute("src")).toBe("https://cdn.example.com/previews/mug-1001.png");
    expect(await thumb.getAttribute("alt")).toBe("Preview of Photo mug");
    expect(await button(page, "Open in Orderlane").getAttribute("href")).toBe(
      "app:app/orders/7b0c3a52-2d2b-4c1e-9a55-3e1f8f0b6a11",
    );
    expect(notOwnerWords(text)).toEqual([]);

    // It keeps counting: a minute later, a minute less.
    await page.clock.runFor(60_000);
    await expect.poll(() => secondsLeft(page)).toBeLessThanOrEqual(shown - 60);
    expect(await secondsLeft(page)).toBeGreaterThan(shown - 75);
    expect(ext.calls).toEqual([{ method: "GET", path: ORDER_PATH, body: undefined }]);
    expect(ext.errors).toEqual([]);
  });

  test("a held order shows the time left on its paused countdown, and Release", async () => {
    const { page, errors } = await open(answersWith(heldOrder()));
    await expect.poll(() => visibleText(page)).toContain("Paused — 45:30 left");
    expect(await button(page, "Release").getAttribute("disabled")).toBeNull();
    expect(await button(page, "Submit now").getAttribute("disabled")).not.toBeNull();
    expect(await visibleText(page)).toContain("Submit now: Release the order before submitting it");
    expect(errors).toEqual([]);
  });

  test("a submitted order lists its purchase orders with providers and tracking links", async () => {
    const { page, errors } = await open(answersWith(submittedOrder()));
    await expect.poll(() => visibleText(page)).toContain("Submitted to 2 providers");
    const text = await visibleText(page);
    expect(text).toContain("Printful · OL-1001-1");
    expect(text).toContain("Gelato · OL-1001-2");
    expect(text).toContain("Sent 7 Dec 2026, 10:02");
    expect(text).toContain("shipped 8 Dec 2026, 14:15");
    const link = page.locator("s-link", { hasText: "UPS 1Z999AA10123456784" });
    expect(await link.getAttribute("href")).toBe(
      "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    );
    expect(text).toContain("Sent to its providers on 7 Dec 2026, 10:02; waiting for them to ship.");
    expect(notOwnerWords(text)).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("a failed submission shows the reason and the alert with its fix, never its code", async () => {
    const { page } = await open(answersWith(failedOrder()));
    await expect.poll(() => visibleText(page)).toContain("Submission failed");
    const text = await visibleText(page);
    expect(text).toContain("the print file is smaller than 1000 pixels wide");
    expect(text).toContain("To fix: Upload a larger design in Orderlane, then Reprocess.");
    expect(await page.locator("s-banner[tone=critical]").getAttribute("heading")).toBe(
      "Printful refused the print file",
    );
    expect(await page.content()).not.toContain("provider_rejected");
  });

  test("Submit now asks first, then posts the submit action and shows what happened", async () => {
    const submitted = submittedOrder();
    const ext = await open((call) => {
      if (call.method === "POST" && call.path === `${ORDER_PATH}/actions/submit`) {
        return {
          status: 200,
          json: {
            ok: true,
            action: "submit",
            message: "Order submitted to 2 providers",
            order: submitted,
          } satisfies AdminActionResponse,
        };
      }
      return answersWith(runningOrder())(call);
    });
    const { page } = ext;
    await button(page, "Submit now").click();
    await expect.poll(() => visibleText(page)).toContain("cannot be taken back");
    expect(ext.calls).toHaveLength(1); // asking is not doing

    await button(page, "Yes, submit now").click();
    await expect.poll(() => visibleText(page)).toContain("Printful · OL-1001-1");
    expect(ext.calls[1]).toEqual({
      method: "POST",
      path: "/api/admin/orders/gid%3A%2F%2Fshopify%2FOrder%2F5551001/actions/submit",
      body: undefined,
    });
    expect(await page.locator("s-banner[tone=success]").getAttribute("heading")).toBe(
      "Order submitted to 2 providers",
    );
    expect(ext.errors).toEqual([]);
  });

  test("while purchase orders are being sent, the card looks again and shows how it went", async () => {
    const sending = submittedOrder();
    sending.submit = {
      kind: "sending",
      label: "Sending to providers",
      tone: "info",
      reason: null,
      alert: null,
    };
    let reads = 0;
    const ext = await open((call) => {
      reads += 1;
      return answersWith(reads === 1 ? sending : submittedOrder())(call);
    });
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Sending to providers");
    await page.clock.runFor(5000);
    await expect.poll(() => visibleText(page)).toContain("Submitted to 2 providers");
    expect(ext.calls.map((c) => c.path)).toEqual([ORDER_PATH, ORDER_PATH]);
    // Done sending: it stops looking.
    await page.clock.runFor(30_000);
    expect(ext.calls).toHaveLength(2);
  });

  test("Hold posts the hold action; the refusal's reason is shown when the lifecycle says no", async () => {
    const ext = await open((call) =>
      call.method === "POST"
        ? refused("An order that is being sent cannot be held")
        : answersWith(runningOrder())(call),
    );
    const { page } = ext;
    await button(page, /^Hold$/).click();
    await expect
      .poll(() => visibleText(page))
      .toContain("An order that is being sent cannot be held");
    expect(ext.calls[1]).toMatchObject({ method: "POST", path: `${ORDER_PATH}/actions/hold` });
    // It reads the order again, so the card shows where the order stands now.
    await expect.poll(() => ext.calls.length).toBe(3);
    expect(ext.calls[2]).toMatchObject({ method: "GET", path: ORDER_PATH });
  });

  test("Release posts the release action and redraws the running countdown", async () => {
    const ext = await open((call) =>
      call.method === "POST" && call.path === `${ORDER_PATH}/actions/release`
        ? {
            status: 200,
            json: {
              ok: true,
              action: "release",
              message: "Order released; its countdown continues",
              order: runningOrder(),
            } satisfies AdminActionResponse,
          }
        : answersWith(heldOrder())(call),
    );
    const { page } = ext;
    await button(page, "Release").click();
    await expect.poll(() => secondsLeft(page)).toBeGreaterThan(90 * 60 - 15);
    expect(ext.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET ${ORDER_PATH}`,
      `POST ${ORDER_PATH}/actions/release`,
    ]);
    expect(await visibleText(page)).toContain("Order released; its countdown continues");
  });

  test("an order Orderlane does not know says so and offers Import this order, then shows it once imported", async () => {
    let imported = false;
    let looksAfterImport = 0;
    const ext = await open((call) => {
      if (call.method === "POST" && call.path === `${ORDER_PATH}/import`) {
        imported = true;
        return {
          status: 202,
          json: {
            ok: true,
            runId: "run-1",
            message: "Importing order 5551001 from Shopify; this takes a few seconds",
          } satisfies AdminImportResponse,
        };
      }
      if (imported) looksAfterImport += 1;
      return looksAfterImport >= 2
        ? answersWith(runningOrder())(call)
        : notFound("Orderlane has no order 5551001 from this shop yet.");
    });
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("This order is not in Orderlane");
    expect(await visibleText(page)).toContain("Orderlane has no order 5551001 from this shop yet.");

    await button(page, "Import this order").click();
    await expect.poll(() => visibleText(page)).toContain("this takes a few seconds");
    expect(ext.calls[1]).toEqual({ method: "POST", path: `${ORDER_PATH}/import`, body: undefined });

    // It looks again every few seconds: not there on the first look, there on the second.
    await page.clock.runFor(3000);
    await expect.poll(() => ext.calls.length).toBe(3);
    expect(await visibleText(page)).toContain("This order is not in Orderlane");
    await page.clock.runFor(3000);
    await expect.poll(() => visibleText(page)).toContain("Order #1001");
    expect(await page.locator("s-banner[tone=success]").getAttribute("heading")).toBe(
      "Imported into Orderlane",
    );
    expect(ext.errors).toEqual([]);
  });

  test("the backend down: the card says Orderlane is not answering and Try again reads it again", async () => {
    let up = false;
    const ext = await open((call) => (up ? answersWith(runningOrder())(call) : "drop"));
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Orderlane is not answering right now");
    expect(await page.locator("s-banner").getAttribute("heading")).toBe(
      "Orderlane is not answering",
    );
    up = true;
    await button(page, "Try again").click();
    await expect.poll(() => visibleText(page)).toContain("Order #1001");
  });

  test("the backend slow: after 10 seconds the card stops waiting and offers Try again", async () => {
    const ext = await open(() => "hang");
    const { page } = ext;
    await ext.nextCall(1);
    expect(await visibleText(page)).toContain("Loading the order from Orderlane");
    await page.clock.runFor(9_000);
    expect(await visibleText(page)).toContain("Loading the order from Orderlane");
    await page.clock.runFor(1_000);
    await expect
      .poll(() => visibleText(page))
      .toContain("Orderlane did not answer within 10 seconds. Try again.");
    ext.setBackend(answersWith(runningOrder()));
    await button(page, "Try again").click();
    await expect.poll(() => visibleText(page)).toContain("Order #1001");
  });

  test("a 500 with the app's error body shows its message, not a status code", async () => {
    const { page } = await open(() => ({
      status: 503,
      json: {
        error: { code: "unavailable", message: "Orderlane is restarting; try in a minute." },
      },
    }));
    await expect
      .poll(() => visibleText(page))
      .toContain("Orderlane is restarting; try in a minute.");
    expect(await visibleText(page)).not.toContain("503");
  });
});
