// Runs an admin UI extension as the admin would: its esbuild bundle (the one `npm run
// build:extensions` checks) loaded in headless Chromium, with a stand-in for the `shopify` global
// (the selected orders, close, navigation) and the app's backend answered by a route on the page,
// the way the admin's fetch reaches the app's URL. Polaris web components are custom elements
// (`s-button`, `s-text`, …) that only the admin defines; here they stay plain elements, so a test
// reads the text and attributes the extension rendered and clicks what it made clickable.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page, Route } from "playwright-core";
import { bundleExtension, uiExtensions } from "../../scripts/build-extensions";
import type { AdminErrorBody } from "../../extensions/shared/admin-api";

/** The page stands where the admin would be; relative fetches reach "the app" through it. */
export const ADMIN_ORIGIN = "https://admin.shopify.test";

/** A clock far from the server's, so a countdown shown right comes from the server's time. */
export const BROWSER_CLOCK = new Date("2031-05-04T03:02:01Z");

export type ExtensionName =
  "orderlane-order-block" | "orderlane-order-action" | "orderlane-bulk-submit";

/** Bundles every UI extension once into a folder of the test's own. */
export async function bundleExtensions(): Promise<Map<string, string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-ext-"));
  const bundles = new Map<string, string>();
  for (const ext of uiExtensions()) {
    const { file } = await bundleExtension(ext, dir, { minify: false });
    bundles.set(ext.name, fs.readFileSync(file, "utf8"));
  }
  return bundles;
}

export interface BackendCall {
  method: string;
  /** The path as the extension asked for it (still URL-encoded). */
  path: string;
  body: unknown;
}

/** What the stand-in backend answers: a JSON response, no answer at all, or a dropped connection. */
export type BackendAnswer = { status: number; json: unknown } | "hang" | "drop";

export type Backend = (call: BackendCall) => BackendAnswer | Promise<BackendAnswer>;

export function notFound(message: string, code = "not_in_orderlane"): BackendAnswer {
  return { status: 404, json: { error: { code, message } } satisfies AdminErrorBody };
}

export function refused(message: string, code = "refused"): BackendAnswer {
  return { status: 409, json: { error: { code, message } } satisfies AdminErrorBody };
}

export interface OpenedExtension {
  page: Page;
  calls: BackendCall[];
  /** Script errors on the page: a test expects none. */
  errors: string[];
  /** Resolves with the next call the backend receives (already received ones included). */
  nextCall(n?: number): Promise<BackendCall>;
  /** How many times the extension called `shopify.close()`. */
  closed(): Promise<number>;
  setBackend(backend: Backend): void;
}

// The admin draws Polaris; the stand-in gives the elements just enough shape for a screenshot to
// be read (headings from attributes, buttons as buttons).
const STAND_IN_CSS = `
  body { font: 14px system-ui, sans-serif; margin: 16px; max-width: 560px; color: #303030; }
  s-admin-block, s-admin-action { display: block; border: 1px solid #ddd; border-radius: 12px; padding: 16px; }
  s-admin-block[heading]::before, s-admin-action[heading]::before, s-section[heading]::before,
  s-banner[heading]::before { content: attr(heading); display: block; font-weight: 650; margin-bottom: 8px; }
  s-stack { display: flex; flex-direction: column; gap: 8px; }
  s-stack[direction="inline"] { flex-direction: row; flex-wrap: wrap; align-items: center; }
  s-section, s-banner { display: block; margin: 8px 0; }
  s-banner { border-radius: 8px; padding: 10px 12px; background: #f1f1f1; }
  s-banner[tone="critical"] { background: #fee9e8; } s-banner[tone="success"] { background: #e3f5e9; }
  s-banner[tone="warning"] { background: #fff4d6; } s-banner[tone="info"] { background: #e8f2ff; }
  s-heading { display: block; font-weight: 650; font-size: 18px; }
  s-badge { display: inline-block; border-radius: 8px; padding: 1px 8px; background: #e3e3e3; font-size: 12px; }
  s-badge[tone="success"] { background: #b4fed2; } s-badge[tone="critical"] { background: #fedad9; }
  s-badge[tone="warning"] { background: #ffd6a4; } s-badge[tone="info"] { background: #e0f0ff; }
  s-button { display: inline-block; border: 1px solid #c9c9c9; border-radius: 8px; padding: 4px 12px; cursor: pointer; margin: 4px 4px 0 0; }
  s-button[variant="primary"] { background: #303030; color: white; }
  s-button[disabled] { opacity: 0.45; cursor: default; }
  s-link { color: #005bd3; text-decoration: underline; }
  s-text[color="subdued"] { color: #616161; } s-text[tone="critical"] { color: #8e0b21; }
  s-thumbnail { display: inline-block; width: 40px; height: 40px; border-radius: 6px; background: #eee center/cover; }
  s-list-item { display: list-item; margin-left: 20px; }
`;

/**
 * Opens `name` on a fresh page with `selected` as the admin's selection. The page's clock starts at
 * BROWSER_CLOCK and runs; a test jumps it ahead with `page.clock.runFor` to reach the countdown's
 * next minute, the fetch timeout or a re-check without waiting for them. (A paused clock would
 * stop Preact too: its effects run after an animation frame.)
 */
export async function openExtension(
  browser: Browser,
  bundles: Map<string, string>,
  name: ExtensionName,
  options: { selected: string[]; backend: Backend },
): Promise<OpenedExtension> {
  const bundle = bundles.get(name);
  if (!bundle) throw new Error(`No bundle for ${name}`);
  const page = await browser.newPage({ viewport: { width: 640, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  const calls: BackendCall[] = [];
  const waiters: { n: number; resolve: (c: BackendCall) => void }[] = [];
  let backend = options.backend;
  const held: Route[] = [];

  await page.clock.install({ time: BROWSER_CLOCK });

  const stub = {
    selected: options.selected.map((id) => ({ id })),
    target: name,
  };
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${STAND_IN_CSS}</style>
<script>
  window.__closed = 0;
  window.__navigated = [];
  window.shopify = {
    extension: { target: ${JSON.stringify(stub.target)} },
    data: { selected: ${JSON.stringify(stub.selected)} },
    close() { window.__closed += 1; },
    navigation: { navigate(url) { window.__navigated.push(String(url)); } },
  };
</script></head><body>
<script type="module">import run from "/extension.js"; run();</script>
</body></html>`;

  await page.route(/.*/, async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ADMIN_ORIGIN) return route.abort();
    if (url.pathname === "/") {
      return route.fulfill({ status: 200, contentType: "text/html", body: html });
    }
    if (url.pathname === "/extension.js") {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: bundle });
    }
    const request = route.request();
    const raw = request.postData();
    const call: BackendCall = {
      method: request.method(),
      path: url.pathname + url.search,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    };
    calls.push(call);
    for (const w of waiters.splice(0)) {
      if (calls.length >= w.n) w.resolve(calls[w.n - 1]!);
      else waiters.push(w);
    }
    const answer = await backend(call);
    if (answer === "hang") {
      held.push(route);
      return;
    }
    if (answer === "drop") return route.abort("connectionreset");
    return route.fulfill({
      status: answer.status,
      contentType: "application/json",
      body: JSON.stringify(answer.json),
    });
  });
  page.on("close", () => held.splice(0));

  await page.goto(`${ADMIN_ORIGIN}/`);

  return {
    page,
    calls,
    errors,
    setBackend(next) {
      backend = next;
    },
    nextCall(n = calls.length + 1) {
      if (calls.length >= n) return Promise.resolve(calls[n - 1]!);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    closed: () => page.evaluate(() => (window as unknown as { __closed: number }).__closed),
  };
}

/**
 * The text an owner reads: the page's text, then the headings the admin draws from attributes
 * (a block's, a banner's, a section's).
 */
export function visibleText(page: Page): Promise<string> {
  return page.evaluate(() =>
    [
      document.body.innerText,
      ...[...document.querySelectorAll("[heading]")].map((e) => e.getAttribute("heading")),
    ].join("\n"),
  );
}

/** A Polaris button by its label. */
export function button(page: Page, label: string | RegExp) {
  return page.locator("s-button", { hasText: label });
}
