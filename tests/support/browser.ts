// Debian's Chromium driven by playwright-core: no browser is downloaded, none from outside is used.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Screenshots are refreshed under docs/screenshots/ when UPDATE_SCREENSHOTS=1. */
export const updateScreenshots = process.env.UPDATE_SCREENSHOTS === "1";
