// Bench: the owner's pages as Shopify's "Built for Shopify" criteria measure them (LCP, CLS and INP
// at the 75th percentile), with the CPU slowed 4× as Lighthouse does for a mid-range laptop. The
// production build (`npm run web`: the pages without the worker, so nothing but the browser moves
// the data) on PostgreSQL, a WooCommerce owner's standalone pages, Debian's Chromium driven by
// playwright-core, and Google's `web-vitals` library injected from node_modules (nothing is fetched
// from a CDN). Each page is loaded N times (BENCH_VITALS_LOADS, default 20), each time in a fresh
// browser context (a first visit: no HTTP cache), with an interaction a store owner makes there:
//
//   catalog      /app, 50 rows           open search and filters, then the Type filter
//   order page   a personalised order    open the Actions menu
//   import       /app/import             Start import
//
// Reports p75 of each metric per page, with LCP's and INP's parts at the median, and the ratio of
// the worst metric's p75 to half its Shopify threshold (the goal is 1.0 or less).
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { chromium, type Browser, type CDPSession, type Locator, type Page } from "playwright-core";
import { loadConfig } from "~/config.server";
import { openDatabase, queryRows, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { seedDemoShop } from "~/demo/seed.server";
import { finishInBrowser } from "~/shops/woo-session.server";
import { buildApp } from "../scripts/build";
import { recordBenchResult } from "./bench-json";
import { productionNodeArgs, startProcess, stopProcess } from "./production";

const LOADS = Number(process.env.BENCH_VITALS_LOADS ?? 20);
const CPU_SLOWDOWN = Number(process.env.BENCH_VITALS_CPU_SLOWDOWN ?? 4);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(import.meta.dirname, "..");
const WEB_VITALS = path.join(ROOT, "node_modules/web-vitals/dist/web-vitals.attribution.iife.js");
const WOO_DOMAIN = "bench-vitals.example.com";
/**
 * How the bench clicks. "hand" (the default): the mouse moves onto the control, the page settles,
 * then the button is pressed and released with plain input events, as an owner's hand does, and
 * the catalog's second click waits for the first one's work to end. "playwright": Playwright's
 * own click, one right after the other, as the bench did first; its check that the click lands on
 * the control runs as a pointerdown listener inside the page, so it is counted in the measured
 * interaction (40-170 ms of it on the slowed CPU), and the Type filter was clicked while the
 * opening's work still ran. Kept to compare with figures measured that way.
 */
const CLICKS = process.env.BENCH_VITALS_CLICKS === "playwright" ? "playwright" : "hand";
/** Pages to measure, by name (comma-separated, e.g. "catalog,order page"); all when unset. */
const ONLY_PAGES = process.env.BENCH_VITALS_PAGES?.split(",").map((p) => p.trim());
/**
 * A folder to keep a DevTools performance trace of each measured interaction in (one JSON file a
 * visit, for chrome://tracing or DevTools' Performance panel, and bench/trace-summary.ts).
 */
const TRACE_DIR = process.env.BENCH_VITALS_TRACE
  ? path.resolve(process.env.BENCH_VITALS_TRACE)
  : null;

/** Shopify's thresholds for "good" at p75; the goal is half of each. */
const THRESHOLDS = { lcp: 2500, cls: 0.1, inp: 200 } as const;
type MetricName = keyof typeof THRESHOLDS;

/** What the page's collector holds (set up by COLLECTOR below). */
interface Collected {
  LCP?: { value: number; ttfb: number; loadDelay: number; loadTime: number; renderDelay: number };
  CLS?: { value: number };
  INP?: {
    value: number;
    inputDelay: number;
    processing: number;
    presentation: number;
    target: string;
  };
}

interface Load {
  lcp: number;
  cls: number;
  inp: number;
  collected: Collected;
}

// Runs in the page before its own scripts: every change of each metric is kept, the last one wins.
// INP counts interactions from 16 ms (the library's floor) rather than its default 40 ms, so a
// quick interaction is measured rather than left out.
const COLLECTOR = `
window.__vitals = {};
const keep = (name, shape) => (metric) => { window.__vitals[name] = shape(metric); };
webVitals.onLCP(keep("LCP", (m) => ({
  value: m.value,
  ttfb: m.attribution.timeToFirstByte,
  loadDelay: m.attribution.resourceLoadDelay,
  loadTime: m.attribution.resourceLoadDuration,
  renderDelay: m.attribution.elementRenderDelay,
})), { reportAllChanges: true });
webVitals.onCLS(keep("CLS", (m) => ({ value: m.value })), { reportAllChanges: true });
webVitals.onINP(keep("INP", (m) => ({
  value: m.value,
  inputDelay: m.attribution.inputDelay,
  processing: m.attribution.processingDuration,
  presentation: m.attribution.presentationDelay,
  target: m.attribution.interactionTarget || "",
})), { reportAllChanges: true, durationThreshold: 16 });
`;

interface PageUnderTest {
  name: string;
  path: string;
  /** Before each load (the import page starts each visit with no import under way). */
  before?: () => Promise<void>;
  /**
   * Resolves when what the owner came for is on the screen and the page answers clicks; `live` is
   * the answer to the page's live-updates stream (opened once its scripts run).
   */
  ready: (page: Page, live: Promise<unknown>) => Promise<void>;
  /** The owner's interaction; resolves once its result is on the screen. */
  interact: (page: Page) => Promise<void>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  // Nearest rank, as CrUX and web-vitals' own reports do.
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Clicks the control as CLICKS says. */
async function press(page: Page, control: Locator): Promise<void> {
  if (CLICKS === "playwright") return control.click();
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  if (!box) throw new Error("the control has no box on the screen");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await settled(page);
  await page.mouse.down();
  await page.mouse.up();
}

/** After the page's own work settles: two frames and an idle moment (on the slowed CPU). */
function settled(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 2000 })),
        ),
      ),
  );
}

/** The page is hidden, as when the owner leaves it: web-vitals reports what it still holds. */
async function collect(page: Page): Promise<Collected> {
  await settled(page);
  return page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    return (window as unknown as { __vitals: Collected }).__vitals;
  });
}

async function measureLoad(
  browser: Browser,
  baseUrl: string,
  cookie: { name: string; value: string },
  target: PageUnderTest,
  traceFile?: string,
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    await context.addCookies([{ ...cookie, url: baseUrl }]);
    // One script: Playwright runs each init script in a scope of its own, so the library's global
    // would not reach a second one.
    await context.addInitScript({
      content: `${fs.readFileSync(WEB_VITALS, "utf8")}\n${COLLECTOR}`,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    await target.before?.();
    const live = page.waitForResponse((r) => new URL(r.url()).pathname === "/app/live");
    live.catch(() => {}); // pages without live updates never answer it
    await page.goto(`${baseUrl}${target.path}`, { waitUntil: "load" });
    await target.ready(page, live);
    await settled(page);
    if (traceFile) await startTrace(cdp);
    try {
      await target.interact(page);
      if (traceFile) {
        await settled(page);
        await stopTrace(cdp, traceFile);
        // What the interaction left on the screen, to look at beside its trace.
        await page.screenshot({ path: traceFile.replace(/\.json$/, ".png") });
      }
    } catch (err) {
      // What the page showed instead, for whoever runs the bench to look at.
      const shot = path.join(
        os.tmpdir(),
        `orderlane-vitals-${target.name.replace(/\W+/g, "-")}.png`,
      );
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      throw new Error(`${target.name}: the interaction did not complete (page at ${shot})`, {
        cause: err,
      });
    }
    const collected = await collect(page);
    if (!collected.LCP) throw new Error(`${target.name}: no LCP was reported`);
    return {
      lcp: collected.LCP.value,
      cls: collected.CLS?.value ?? 0,
      // No report means every interaction took under 16 ms: counted as 16, an upper bound.
      inp: collected.INP?.value ?? 16,
      collected,
    };
  } finally {
    await context.close();
  }
}

const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.stack",
  "v8.execute",
  "disabled-by-default-v8.cpu_profiler",
  "blink.user_timing",
  "disabled-by-default-devtools.timeline.invalidationTracking",
  "latencyInfo",
];

async function startTrace(cdp: CDPSession): Promise<void> {
  await cdp.send("Tracing.start", {
    transferMode: "ReturnAsStream",
    traceConfig: { includedCategories: TRACE_CATEGORIES },
  });
}

/** Ends the trace and writes it as DevTools reads it ({ traceEvents: [...] }). */
async function stopTrace(cdp: CDPSession, file: string): Promise<void> {
  const done = new Promise<string>((resolve) =>
    cdp.once("Tracing.tracingComplete", (e: { stream?: string }) => resolve(e.stream!)),
  );
  await cdp.send("Tracing.end");
  const handle = await done;
  const chunks: string[] = [];
  for (;;) {
    const read = await cdp.send("IO.read", { handle });
    chunks.push(read.base64Encoded ? Buffer.from(read.data, "base64").toString() : read.data);
    if (read.eof) break;
  }
  await cdp.send("IO.close", { handle });
  const parsed = JSON.parse(chunks.join("")) as unknown;
  const traceEvents = Array.isArray(parsed)
    ? parsed
    : (parsed as { traceEvents: unknown[] }).traceEvents;
  fs.writeFileSync(file, JSON.stringify({ traceEvents }));
}

export async function benchVitals(): Promise<void> {
  console.log(
    `\n== page vitals: production build on PostgreSQL, Chromium with the CPU slowed ${CPU_SLOWDOWN}×, ` +
      `${LOADS} first visits per page, web-vitals ${webVitalsVersion()}`,
  );
  const name = `orderlane_bench_vitals_${Date.now()}`;
  // BENCH_VITALS_BUILD=<dir> measures a build made beforehand (`REMIX_BUILD_DIR=<dir> npm run
  // build`), e.g. one of an earlier commit to compare with; it is left in place.
  const given = process.env.BENCH_VITALS_BUILD
    ? path.resolve(process.env.BENCH_VITALS_BUILD)
    : null;
  const buildDir = given ?? path.join(ROOT, "node_modules/.cache/orderlane-bench-vitals-build");
  let app: ChildProcess | null = null;
  let browser: Browser | null = null;
  let database: Database | null = null;
  let databaseCreated = false;
  const cleanUp = async () => {
    await browser?.close().catch(() => {});
    browser = null;
    await stopProcess(app);
    app = null;
    await database?.close();
    database = null;
    if (databaseCreated) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      databaseCreated = false;
    }
    if (!given) fs.rmSync(buildDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    if (given) {
      console.log(`  measuring the build in ${given}`);
    } else {
      console.log("  building the app (production)…");
      fs.rmSync(buildDir, { recursive: true, force: true });
      await buildApp(buildDir, { quiet: true });
    }

    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    databaseCreated = true;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const appEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: "0",
      DATABASE_URL: url.toString(),
      REMIX_BUILD_DIR: buildDir,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: randomBytes(24).toString("hex"),
      SHOPIFY_APP_URL: "https://orderlane.bench.example",
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    };
    const config = loadConfig(appEnv, { role: "web" });
    database = await openDatabase({ kind: "postgres", url: url.toString(), poolSize: 2 });
    const db = database.db;
    await applyMigrations(database);

    // The demo shop's 72 orders of every type and state, owned by a WooCommerce store: the pages a
    // WooCommerce owner signs in to, with a catalog's first page of 50 rows.
    const { shopId } = await seedDemoShop(db, {
      sandboxUrl: "http://127.0.0.1:9",
      sandboxSecret: "bench",
      encryptionKey: config.encryptionKey,
    });
    await db.execute(
      sql`update shop set platform = 'woocommerce', domain = ${WOO_DOMAIN}, name = 'Juniper & Pine'
          where id = ${shopId}`,
    );
    const [personalised] = await queryRows<{ id: string }>(
      db,
      sql`select o.id from "order" o join line_item l on l.order_id = o.id
          where o.shop_id = ${shopId} and l.personalization is not null
          order by o.cart_created_at desc limit 1`,
    );
    if (!personalised) throw new Error("the demo seed has no personalised order");

    const setCookie = await finishInBrowser(config, new Request("http://localhost/"), {
      owner: { shopId, name: "Bench Owner" },
      problem: null,
    });
    const [cookieName, ...cookieValue] = setCookie.split(";")[0]!.split("=");
    const cookie = { name: cookieName!, value: cookieValue.join("=") };

    const started = await startProcess(
      productionNodeArgs("web"),
      appEnv,
      /production app at (http:\/\/\S+)/,
      "app",
    );
    app = started.child;
    const baseUrl = started.url;

    const pages: PageUnderTest[] = [
      {
        name: "catalog",
        path: "/app",
        ready: async (page, live) => {
          await page.locator("table tbody tr").nth(49).waitFor();
          await live;
        },
        interact: async (page) => {
          await press(page, page.getByRole("button", { name: "Search and filter orders" }));
          await page.getByPlaceholder("Search by order number or cart order ID").waitFor();
          await press(page, page.getByRole("button", { name: "Type", exact: true }).first());
          await page.locator(".Polaris-Popover").getByText("In-app", { exact: true }).waitFor();
        },
      },
      {
        name: "order page",
        path: `/app/orders/${personalised.id}`,
        ready: async (_page, live) => {
          await live;
        },
        interact: async (page) => {
          await press(page, page.getByRole("button", { name: "Actions" }));
          await page
            .locator(".Polaris-Popover__Content .Polaris-ActionList__Item")
            .first()
            .waitFor();
        },
      },
      {
        name: "import",
        path: "/app/import",
        before: async () => {
          // Each visit finds no import under way, so Start import can be pressed.
          await db.execute(
            sql`update import_run set status = 'failed', error = 'ended by the bench', finished_at = now()
                where shop_id = ${shopId} and status in ('queued', 'running')`,
          );
        },
        ready: async (page) => {
          await page.getByRole("button", { name: "Start import" }).waitFor();
          await settled(page);
        },
        interact: async (page) => {
          await press(page, page.getByRole("button", { name: "Start import" }));
          // The new run's card: the import is queued (no worker runs in this bench).
          await page.getByText("Waiting to start", { exact: true }).waitFor();
        },
      },
    ];

    browser = await chromium.launch({
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
    // One unmeasured visit each: the server's first render of a route compiles and warms caches.
    for (const target of pages) {
      if (!ONLY_PAGES || ONLY_PAGES.includes(target.name))
        await measureLoad(browser, baseUrl, cookie, target);
    }

    const results: Record<string, unknown>[] = [];
    let worst = { ratio: 0, page: "", metric: "" as MetricName | "" };
    if (TRACE_DIR) fs.mkdirSync(TRACE_DIR, { recursive: true });
    for (const target of pages) {
      if (ONLY_PAGES && !ONLY_PAGES.includes(target.name)) continue;
      const loads: Load[] = [];
      for (let i = 0; i < LOADS; i++) {
        const traceFile = TRACE_DIR
          ? path.join(TRACE_DIR, `${target.name.replace(/\W+/g, "-")}-${i + 1}.json`)
          : undefined;
        loads.push(await measureLoad(browser, baseUrl, cookie, target, traceFile));
      }
      const p75 = {
        lcp: percentile(
          loads.map((l) => l.lcp),
          75,
        ),
        cls: percentile(
          loads.map((l) => l.cls),
          75,
        ),
        inp: percentile(
          loads.map((l) => l.inp),
          75,
        ),
      };
      const median = (pick: (c: Collected) => number | undefined) =>
        percentile(
          loads.map((l) => pick(l.collected)).filter((v): v is number => v !== undefined),
          50,
        );
      const lcpParts = {
        ttfbMs: median((c) => c.LCP?.ttfb),
        resourceLoadDelayMs: median((c) => c.LCP?.loadDelay),
        resourceLoadMs: median((c) => c.LCP?.loadTime),
        renderDelayMs: median((c) => c.LCP?.renderDelay),
      };
      const inpParts = {
        inputDelayMs: median((c) => c.INP?.inputDelay),
        processingMs: median((c) => c.INP?.processing),
        presentationMs: median((c) => c.INP?.presentation),
      };
      const measuredInp = loads.filter((l) => l.collected.INP).length;
      const targets = [...new Set(loads.map((l) => l.collected.INP?.target).filter(Boolean))];
      const ratios = (Object.keys(THRESHOLDS) as MetricName[]).map((m) => ({
        metric: m,
        ratio: p75[m] / (THRESHOLDS[m] / 2),
      }));
      const pageWorst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      if (pageWorst.ratio > worst.ratio) worst = { ...pageWorst, page: target.name };
      console.log(
        `  ${target.name}: LCP p75 ${p75.lcp.toFixed(0)} ms (median TTFB ${lcpParts.ttfbMs.toFixed(0)}, ` +
          `load delay ${lcpParts.resourceLoadDelayMs.toFixed(0)}, load ${lcpParts.resourceLoadMs.toFixed(0)}, ` +
          `render delay ${lcpParts.renderDelayMs.toFixed(0)}), CLS p75 ${p75.cls.toFixed(3)}, ` +
          `INP p75 ${p75.inp.toFixed(0)} ms (median input delay ${inpParts.inputDelayMs.toFixed(0)}, ` +
          `processing ${inpParts.processingMs.toFixed(0)}, presentation ${inpParts.presentationMs.toFixed(0)}; ` +
          `${measuredInp} of ${loads.length} with an interaction over 16 ms${targets.length ? `, on ${targets.join(", ")}` : ""}); worst ${pageWorst.metric.toUpperCase()} at ` +
          `${pageWorst.ratio.toFixed(2)} of half the threshold`,
      );
      results.push({
        page: target.name,
        path: target.path.replace(personalised.id, ":orderId"),
        lcpP75Ms: p75.lcp,
        clsP75: p75.cls,
        inpP75Ms: p75.inp,
        lcpParts,
        inpParts,
        loads: loads.map((l) => ({ lcpMs: l.lcp, cls: l.cls, inpMs: l.inp })),
      });
    }
    console.log(
      `  ratio ${worst.ratio.toFixed(2)}: the worst p75 (${worst.metric.toUpperCase()} on the ${worst.page}) ` +
        `over half its Shopify threshold (LCP 1,250 ms, CLS 0.05, INP 100 ms); 1.0 or less meets the goal; ` +
        `load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );
    recordBenchResult({
      bench: "vitals",
      ratio: worst.ratio,
      worstPage: worst.page,
      worstMetric: worst.metric,
      loadsPerPage: LOADS,
      cpuSlowdown: CPU_SLOWDOWN,
      thresholds: THRESHOLDS,
      pages: results,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanUp();
  }
}

function webVitalsVersion(): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(ROOT, "node_modules/web-vitals/package.json"), "utf8"),
  ) as { version: string };
  return pkg.version;
}
