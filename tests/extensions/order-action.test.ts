// "Submit or hold in Orderlane" in the More actions menu of Shopify's order page: the modal asks
// before it acts, calls the action's route, says what happened in the owner's words, and closes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, notOwnerWords } from "../support/browser";
import type { AdminActionResponse, AdminOrder } from "../../extensions/shared/admin-api";
import {
  bundleExtensions,
  button,
  notFound,
  openExtension,
  refused,
  visibleText,
  type Backend,
} from "./harness";
import { heldOrder, ORDER_GID, ORDER_PATH, runningOrder, submittedOrder } from "./orders";

let browser: Browser;
let bundles: Map<string, string>;

beforeAll(async () => {
  [browser, bundles] = await Promise.all([launchBrowser(), bundleExtensions()]);
});
afterAll(async () => {
  await browser?.close();
});

function backend(order: AdminOrder, post: Backend = () => "drop"): Backend {
  return (call) =>
    call.method === "GET" && call.path === ORDER_PATH
      ? { status: 200, json: { order } }
      : post(call);
}

function open(b: Backend) {
  return openExtension(browser, bundles, "orderlane-order-action", {
    selected: [ORDER_GID],
    backend: b,
  });
}

function done(action: AdminActionResponse["action"], message: string, order: AdminOrder) {
  return {
    status: 200,
    json: { ok: true, action, message, order } satisfies AdminActionResponse,
  };
}

describe("Submit or hold in Orderlane (More actions)", () => {
  test("Submit now: confirm, the submit route, the result in words, Done closes the modal", async () => {
    const ext = await open(
      backend(runningOrder(), (call) =>
        call.method === "POST" && call.path === `${ORDER_PATH}/actions/submit`
          ? done("submit", "Order submitted to 2 providers", submittedOrder())
          : "drop",
      ),
    );
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Order #1001 in Orderlane");
    expect(await visibleText(page)).toMatch(/Submits automatically in 1:(30:00|29:\d\d)/);

    await button(page, "Submit now").click();
    await expect.poll(() => visibleText(page)).toContain("Submit order #1001 now?");
    expect(await visibleText(page)).toContain("It cannot be taken back.");
    expect(ext.calls).toHaveLength(1);

    await button(page, "Yes, submit now").click();
    await expect.poll(() => visibleText(page)).toContain("Order submitted to 2 providers");
    expect(ext.calls[1]).toEqual({
      method: "POST",
      path: `${ORDER_PATH}/actions/submit`,
      body: undefined,
    });
    const text = await visibleText(page);
    expect(text).toContain("Submitted to 2 providers");
    expect(notOwnerWords(text)).toEqual([]);

    expect(await ext.closed()).toBe(0);
    await button(page, "Done").click();
    await expect.poll(() => ext.closed()).toBe(1);
    expect(ext.errors).toEqual([]);
  });

  test("Back from the confirmation sends nothing", async () => {
    const ext = await open(backend(runningOrder()));
    const { page } = ext;
    await button(page, "Submit now").click();
    await button(page, "Back").click();
    await expect.poll(() => visibleText(page)).toContain("Order #1001 in Orderlane");
    expect(ext.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  test("Release on a held order posts release; a refusal shows the lifecycle's reason", async () => {
    const ext = await open(
      backend(heldOrder(), () =>
        refused("The order was cancelled in Shopify; a cancelled order is not released"),
      ),
    );
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Paused with 45:30 left");
    expect(await button(page, "Submit now").getAttribute("disabled")).not.toBeNull();
    expect(await visibleText(page)).toContain("Submit now: Release the order before submitting it");

    await button(page, "Release").click();
    await expect.poll(() => visibleText(page)).toContain("countdown resumes where it paused");
    await button(page, "Yes, release").click();
    await expect
      .poll(() => visibleText(page))
      .toContain("The order was cancelled in Shopify; a cancelled order is not released");
    expect(await visibleText(page)).toContain("Release refused");
    expect(ext.calls[1]).toMatchObject({ method: "POST", path: `${ORDER_PATH}/actions/release` });
    await button(page, "Close").click();
    await expect.poll(() => ext.closed()).toBe(1);
  });

  test("Hold posts hold and says the order is on hold", async () => {
    const ext = await open(
      backend(runningOrder(), (call) =>
        call.path === `${ORDER_PATH}/actions/hold`
          ? done("hold", "Order on hold; its countdown is paused", heldOrder())
          : "drop",
      ),
    );
    const { page } = ext;
    await button(page, /^Hold$/).click();
    await button(page, "Yes, hold").click();
    await expect.poll(() => visibleText(page)).toContain("Order on hold; its countdown is paused");
    expect(await visibleText(page)).toContain("Paused with 45:30 left");
  });

  test("no answer to Submit: says so, says trying again is safe, and Try again posts again", async () => {
    let answer: "drop" | "ok" = "drop";
    const ext = await open(
      backend(runningOrder(), () =>
        answer === "drop"
          ? "drop"
          : done("submit", "Order submitted to 2 providers", submittedOrder()),
      ),
    );
    const { page } = ext;
    await button(page, "Submit now").click();
    await button(page, "Yes, submit now").click();
    await expect.poll(() => visibleText(page)).toContain("Orderlane is not answering");
    expect(await visibleText(page)).toContain("never sent twice");
    answer = "ok";
    await button(page, "Try again").click();
    await expect.poll(() => visibleText(page)).toContain("Order submitted to 2 providers");
    expect(ext.calls.filter((c) => c.method === "POST")).toHaveLength(2);
  });

  test("an order Orderlane does not know: says so, sends nothing", async () => {
    const ext = await open(() => notFound("Orderlane has no order 5551001 from this shop yet."));
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("This order is not in Orderlane");
    expect(await visibleText(page)).toContain("Import it from the Orderlane card on this page");
    await button(page, "Close").click();
    await expect.poll(() => ext.closed()).toBe(1);
    expect(ext.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  test("backend slow on open: gives up after 10 seconds and offers Try again", async () => {
    const ext = await open(() => "hang");
    const { page } = ext;
    await ext.nextCall(1);
    await page.clock.runFor(10_000);
    await expect.poll(() => visibleText(page)).toContain("did not answer within 10 seconds");
    ext.setBackend(backend(runningOrder()));
    await button(page, "Try again").click();
    await expect.poll(() => visibleText(page)).toContain("Order #1001 in Orderlane");
  });
});
