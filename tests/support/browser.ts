// Debian's Chromium driven by playwright-core: no browser is downloaded, none from outside is used.
import { chromium, type Browser, type Page } from "playwright-core";
import { seedDemoShop } from "~/demo/seed.server";
import { startTestApp, type TestApp } from "./app";

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

/**
 * A page that records what a user would notice going wrong: script errors, any request leaving
 * this machine (the standalone pages must load nothing from outside) and, unless the test expects
 * refused requests (a form answered 400 logs one), console errors.
 */
export async function watchedPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; consoleErrors?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const errors: string[] = [];
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1400, height: 1000 },
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  if (options.consoleErrors ?? true) {
    page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  }
  await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
    errors.push(`external request: ${route.request().url()}`);
    return route.abort();
  });
  return { page, errors };
}

/** A demo-mode app on the production build with the demo shop seeded. */
/** What the demo's sandbox providers sign their events with in browser tests. */
export const DEMO_SANDBOX_SECRET = "sandbox-secret-for-browser-tests";

export async function startDemoApp(): Promise<TestApp> {
  const app = await startTestApp({ demo: true, built: true });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: DEMO_SANDBOX_SECRET,
    encryptionKey: app.ctx.config.encryptionKey,
  });
  return app;
}

/**
 * Opens a page that follows live updates (the catalog, the order page) and waits until it is
 * hydrated and listening. Such a page keeps its event stream open, so Playwright's "networkidle"
 * never comes; the stream's response is the sign that the page's scripts are running.
 */
export async function gotoLivePage(page: Page, url: string): Promise<void> {
  const listening = page.waitForResponse((r) => new URL(r.url()).pathname === "/app/live", {
    timeout: 20_000,
  });
  await page.goto(url, { waitUntil: "load" });
  await listening;
  // Every catalog and order page a browser test opens speaks the owner's language.
  await expectOwnerWords(page);
}

/**
 * What on a page is not in the owner's words: ISO timestamps, camelCase field names, snake_case
 * codes and file paths, in the text a user sees (open dialogs included; input values and
 * attributes are not text). A few real words look like code: they are allowed by name.
 */
const NOT_OWNER_WORDS: { what: string; pattern: RegExp }[] = [
  { what: "ISO timestamp", pattern: /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g },
  { what: "camelCase name", pattern: /\b[a-z]+[A-Z][a-zA-Z]*\b/g },
  { what: "snake_case code", pattern: /\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g },
  {
    what: "file path",
    pattern: /\b(?:docs|app|tests|src)\/[\w./-]*\w|\b[\w-]+\.(?:md|ts|tsx|yaml|json)\b/g,
  },
];
const REAL_WORDS = new Set(["iPhone", "iPad", "iOS", "macOS", "eBay", "WooCommerce", "PayPal"]);

export function notOwnerWords(text: string): string[] {
  const found: string[] = [];
  for (const { what, pattern } of NOT_OWNER_WORDS) {
    for (const match of text.matchAll(pattern)) {
      if (!REAL_WORDS.has(match[0])) found.push(`${what}: "${match[0]}"`);
    }
  }
  return [...new Set(found)];
}

/** The page's visible text (and any open dialog's) holds nothing `notOwnerWords` objects to. */
export async function ownerWordProblems(page: Page): Promise<string[]> {
  const text = await page.locator("body").innerText();
  return notOwnerWords(text);
}

export async function expectOwnerWords(page: Page): Promise<void> {
  const problems = await ownerWordProblems(page);
  if (problems.length > 0) {
    throw new Error(
      `${new URL(page.url()).pathname} is not in the owner's words: ${problems.join("; ")}`,
    );
  }
}

/** Runs axe-core (from node_modules, never a CDN) on the page; serious and critical findings. */
export async function seriousA11yViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  const axe = (await import("axe-core")) as unknown as {
    source: string;
    default?: { source: string };
  };
  await page.addScriptTag({ content: axe.source ?? axe.default?.source });
  return page.evaluate(async () => {
    const runner = (
      window as unknown as {
        axe: {
          run(): Promise<{
            violations: {
              id: string;
              impact: string | null;
              help: string;
              nodes: { target: unknown[] }[];
            }[];
          }>;
        };
      }
    ).axe;
    const result = await runner.run();
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? "",
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
      }));
  });
}
