// "Submit through Orderlane" on Shopify's order list: the selected orders go to the bulk-submit
// route in one request, and the owner reads what became of each.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, notOwnerWords } from "../support/browser";
import type { AdminBulkSubmitResponse } from "../../extensions/shared/admin-api";
import { bundleExtensions, button, openExtension, visibleText, type Backend } from "./harness";

let browser: Browser;
let bundles: Map<string, string>;

beforeAll(async () => {
  [browser, bundles] = await Promise.all([launchBrowser(), bundleExtensions()]);
});
afterAll(async () => {
  await browser?.close();
});

const gid = (n: number) => `gid://shopify/Order/${n}`;

const SUMMARY: AdminBulkSubmitResponse = {
  total: 4,
  submitted: 1,
  alreadySubmitted: 1,
  refused: 1,
  notInOrderlane: 1,
  summary: "1 submitted, 1 skipped as already submitted, 1 refused, 1 not in Orderlane",
  results: [
    {
      gid: gid(1),
      number: "#1001",
      outcome: "submitted",
      message: "Order submitted to 2 providers",
    },
    { gid: gid(2), number: "#1002", outcome: "already_submitted", message: "Already submitted" },
    {
      gid: gid(3),
      number: "#1003",
      outcome: "refused",
      message: "No provider makes Photo mug: add a routing rule in Settings",
    },
    { gid: gid(4), number: null, outcome: "not_in_orderlane", message: "Not in Orderlane" },
  ],
};

function open(selected: string[], backend: Backend) {
  return openExtension(browser, bundles, "orderlane-bulk-submit", { selected, backend });
}

describe("Submit through Orderlane (order list)", () => {
  test("asks, posts the selected orders once, and shows what became of each", async () => {
    const ext = await open([gid(1), gid(2), gid(3), gid(4)], (call) =>
      call.method === "POST" && call.path === "/api/admin/bulk-submit"
        ? { status: 200, json: SUMMARY }
        : "drop",
    );
    const { page } = ext;
    await expect.poll(() => visibleText(page)).toContain("Submit 4 orders now?");
    expect(ext.calls).toEqual([]); // nothing before the owner confirms

    await button(page, "Submit 4 orders").click();
    await expect.poll(() => visibleText(page)).toContain(SUMMARY.summary);
    expect(ext.calls).toEqual([
      {
        method: "POST",
        path: "/api/admin/bulk-submit",
        body: { orders: [gid(1), gid(2), gid(3), gid(4)] },
      },
    ]);
    const text = await visibleText(page);
    expect(text).toContain("#1001: Order submitted to 2 providers");
    expect(text).toContain("Skipped, already submitted: #1002");
    expect(text).toContain("Not submitted");
    expect(text).toContain("#1003: No provider makes Photo mug: add a routing rule in Settings");
    expect(text).toContain("1 order is not in Orderlane: open it and use Import this order");
    expect(notOwnerWords(text)).toEqual([]);
    expect(text).not.toContain("gid:");
    await button(page, "Done").click();
    await expect.poll(() => ext.closed()).toBe(1);
    expect(ext.errors).toEqual([]);
  });

  test("the admin's bare ids become order GIDs, each once", async () => {
    const ext = await open(["1001", "1001", gid(1002)], () => ({
      status: 200,
      json: { ...SUMMARY, results: [], summary: "2 submitted" },
    }));
    await button(ext.page, "Submit 2 orders").click();
    await expect.poll(() => ext.calls.length).toBe(1);
    expect(ext.calls[0]?.body).toEqual({ orders: [gid(1001), gid(1002)] });
  });

  test("more than Orderlane takes at once: says so and sends nothing", async () => {
    const selected = Array.from({ length: 251 }, (_, i) => gid(i + 1));
    const ext = await open(selected, () => "drop");
    await expect
      .poll(() => visibleText(ext.page))
      .toContain("Orderlane submits up to 250 at a time");
    expect(await button(ext.page, /^Submit/).count()).toBe(0);
    expect(ext.calls).toEqual([]);
  });

  test("no answer: says so, says trying again is safe, and Try again posts the same orders", async () => {
    let up = false;
    const ext = await open([gid(1)], () =>
      up
        ? {
            status: 200,
            json: {
              ...SUMMARY,
              total: 1,
              summary: "1 submitted",
              results: [SUMMARY.results[0]!],
            },
          }
        : "hang",
    );
    const { page } = ext;
    await button(page, "Submit 1 order").click();
    await ext.nextCall(1);
    await page.clock.runFor(10_000);
    await expect.poll(() => visibleText(page)).toContain("did not answer within 10 seconds");
    expect(await visibleText(page)).toContain("never sent twice");
    up = true;
    await button(page, "Try again").click();
    await expect.poll(() => visibleText(page)).toContain("#1001: Order submitted to 2 providers");
    expect(ext.calls.map((c) => c.body)).toEqual([{ orders: [gid(1)] }, { orders: [gid(1)] }]);
  });

  test("a refusal of the whole request shows its message", async () => {
    const ext = await open([gid(1)], () => ({
      status: 401,
      json: {
        error: {
          code: "unauthorized",
          message: "Your session with Orderlane has ended. Reload the page to sign in again.",
        },
      },
    }));
    await button(ext.page, "Submit 1 order").click();
    await expect
      .poll(() => visibleText(ext.page))
      .toContain("Your session with Orderlane has ended. Reload the page to sign in again.");
    expect(await visibleText(ext.page)).toContain("Not signed in to Orderlane");
  });
});
