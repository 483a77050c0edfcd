// The sign-in form when its rate limit refuses a submission: the owner reads why under the field,
// as with any other sign-in error, rather than an error page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeVite, startTestApp, type TestApp } from "../support/app";
import { launchBrowser, watchedPage } from "../support/browser";
import { STARTUP_TIMEOUT_MS } from "../support/startup";

let app: TestApp;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  app = await startTestApp({ built: true });
  browser = await launchBrowser();
  // The refused submission is a 429, which the browser logs as a failed request.
  ({ page, errors: pageErrors } = await watchedPage(browser, { consoleErrors: false }));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeVite();
});

describe("the sign-in form over its rate limit", () => {
  it("shows the limit and when to try again under the field", async () => {
    await page.goto(`${app.url}/auth/login`, { waitUntil: "networkidle" });
    const field = page.getByLabel("Shopify shop domain");
    const submit = page.getByRole("button", { name: "Sign in" });
    // An address that is not a shop: the form answers with its own error and stays on the page.
    for (let i = 0; i < 10; i++) {
      const answered = page.waitForResponse((r) => r.request().method() === "POST");
      await field.fill(`not a shop ${i}`);
      await submit.click();
      expect((await answered).status()).toBe(200);
    }
    await expect
      .poll(() => page.getByText("Enter a domain like my-shop.myshopify.com").count())
      .toBeGreaterThan(0);

    const refused = page.waitForResponse((r) => r.request().method() === "POST");
    await field.fill("not a shop again");
    await submit.click();
    expect((await refused).status()).toBe(429);
    await expect
      .poll(() => page.getByText(/Too many sign-in attempts from your address/).count())
      .toBeGreaterThan(0);
    expect(await page.getByText("Something went wrong").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
