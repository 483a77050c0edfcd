// Bench: Import of N orders (100,000 unless BENCH_ORDERS says) from a local fake cart into
// PostgreSQL, once as a WooCommerce store (REST pages of 100, X-WP-TotalPages) and once as a Shopify
// shop (bulk operation, JSONL streamed). Each goes through the app's own path: startImport creates
// the run and queues its job, and a worker picks the job up and reads and stores page by page.
//
// The worker is the production one: the compiled server (scripts/build.ts, compiled afresh for the
// bench) started as `npm run worker` starts it, `node --enable-source-maps server/start.js
// --role=worker`, in a process of its own. The one thing added is a preloaded module
// (bench/redirect-fetch.ts) sending the bench Shopify shop's Admin API calls to the fake cart. So
// the real connectors (WooCommerce REST client with its back-off; Shopify Admin client, bulk
// operation polling, JSONL streaming) read the fake cart, and the real ingest stores the pages.
//
// Baseline, in the same run: after each platform's first import, the orders, lines and payments it
// stored are written again with COPY into a scratch shop (bench/copy-baseline.ts), the fastest
// PostgreSQL takes the same rows; the ratio is the import's orders/s over COPY's, each import
// against the COPY rounds beside it.
//
// Reports orders/s (from the run's own start and finish), the worker's CPU seconds and peak RSS:
// the kernel's high-water mark (VmHWM in /proc/<pid>/status), reset before each run, so it is the
// run's own peak, both absolute and as growth over the RSS the worker had before the run. This
// process (under tsx) only sets up, queues and watches. Each platform imports twice: new orders,
// then the same orders again (all updates, nothing new).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { loadConfig } from "~/config.server";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";
import { importRuns, sessions, shops } from "~/db/schema";
import { startImport, type ImportRunRow } from "~/orders/import.server";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { buildServer } from "../scripts/build";
import { bootContext, closeContext } from "../server/boot";
import { recordBenchResult } from "./bench-json";
import { copyBaselineRound, type CopyRound } from "./copy-baseline";
import { createBenchDatabase } from "./database";
import { productionNodeArgs } from "./production";
import type { Shop } from "~/shops/shops.server";

const ROOT = path.resolve(import.meta.dirname, "..");
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const ENCRYPTION_KEY = randomBytes(32);
const SHOPIFY_DOMAIN = "bench-import.myshopify.com";
const SHOPIFY_TOKEN = "shpat_bench";
const GOAL_RSS_MB = 300;
const BUILD_DIR = path.join(ROOT, "node_modules/.cache/orderlane-bench-import-build");
const WORKER_START_TIMEOUT_MS = 60_000;
/** Ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

async function startFakeCartProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "bench/fake-cart.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, FAKE_CART_ORDERS: String(ORDERS) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the fake cart exited (${code})`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// --- the worker ---------------------------------------------------------------------------------

interface Worker {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** `npm run worker` on the bench's build and database; resolves once it serves its queues. */
async function startWorker(env: NodeJS.ProcessEnv, fakeCartUrl: string): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ["--import", path.join(BUILD_DIR, "bench/redirect-fetch.js"), ...productionNodeArgs("worker")],
    {
      cwd: ROOT,
      env: {
        ...env,
        REMIX_BUILD_DIR: BUILD_DIR,
        BENCH_SHOPIFY_DOMAIN: SHOPIFY_DOMAIN,
        BENCH_FAKE_CART_URL: fakeCartUrl,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stderr!.on("data", (d: Buffer) => process.stderr.write(`[worker] ${d}`));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the worker did not start within ${WORKER_START_TIMEOUT_MS} ms`)),
      WORKER_START_TIMEOUT_MS,
    );
    let seen = "";
    // Only its start-up line matters; the rest is drained so the pipe never fills.
    child.stdout!.on("data", (d: Buffer) => {
      if (seen.length > 100_000) return;
      seen += d.toString();
      if (seen.includes("[orderlane] worker started")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${signal ?? code})`));
    });
  });
  return {
    child,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** VmRSS and VmHWM (the peak since start or the last reset) of a process, in MB. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

/** Starts a new high-water mark for the process's RSS (`5` into clear_refs; Linux 4.0+). */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

// --- one run ------------------------------------------------------------------------------------

interface Result {
  /** From the run's start (the worker claiming it) to its finish, as the run records them. */
  seconds: number;
  /** From queueing the run to seeing it finished: adds the worker's pick-up and our polling. */
  wallSeconds: number;
  /** CPU seconds the worker spent (user + system): less swayed by a busy machine than wall time. */
  cpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends of this bench's database (null if unreadable). */
  dbCpuSeconds: number | null;
  perSecond: number;
  /** The worker's peak RSS during the run (over its whole life if the peak could not be reset). */
  peakRssMb: number;
  peakReset: boolean;
  /** Peak RSS over the RSS the worker had when the run started: what the import itself added. */
  growthMb: number;
  run: ImportRunRow;
  stored: number;
  lineItems: number;
}

/**
 * CPU seconds PostgreSQL's backends serving this bench's database have used so far, read from
 * /proc (the server runs on this machine): with the worker's own CPU time, a figure the other
 * work on a shared machine does not sway the way it sways wall time. Null where /proc is not
 * readable (another machine, another user).
 */
async function databaseCpuSeconds(ctx: AppContext): Promise<number | null> {
  const pids = await queryRows<{ pid: number }>(
    ctx.db,
    sql`select pid from pg_stat_activity where datname = current_database()`,
  );
  let total = 0;
  for (const { pid } of pids) {
    try {
      total += cpuSecondsOf(pid);
    } catch {
      return null;
    }
  }
  return total;
}

async function importOnce(ctx: AppContext, shop: Shop, worker: Worker): Promise<Result> {
  const peakReset = resetPeak(worker.pid);
  const baseline = memoryOf(worker.pid).rssMb;
  const dbBefore = await databaseCpuSeconds(ctx);
  const cpuBefore = cpuSecondsOf(worker.pid);
  const started = performance.now();
  const outcome = await startImport(
    ctx,
    shop.id,
    { mode: "all" },
    { actor: "system", name: "bench" },
  );
  if (!outcome.ok) throw new Error(outcome.message);
  // The worker polls its queue, claims the run and imports; we watch the run's row.
  let run: ImportRunRow | undefined;
  for (;;) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error("the worker exited during the import");
    }
    [run] = await ctx.db.select().from(importRuns).where(eq(importRuns.id, outcome.run.id));
    if (run && (run.status === "completed" || run.status === "failed")) break;
    await sleep(100);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsOf(worker.pid) - cpuBefore;
  const dbAfter = await databaseCpuSeconds(ctx);
  const { peakMb } = memoryOf(worker.pid);
  const seconds =
    run.startedAt && run.finishedAt
      ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000
      : wallSeconds;
  const [counts] = await queryRows<{ orders: number; items: number }>(
    ctx.db,
    sql`select (select count(*)::int from "order" where shop_id = ${shop.id}) as orders,
               (select count(*)::int from line_item where shop_id = ${shop.id}) as items`,
  );
  return {
    seconds,
    wallSeconds,
    cpuSeconds,
    dbCpuSeconds: dbBefore !== null && dbAfter !== null ? dbAfter - dbBefore : null,
    perSecond: run.done / seconds,
    peakRssMb: peakMb,
    peakReset,
    growthMb: peakMb - baseline,
    run,
    stored: counts?.orders ?? 0,
    lineItems: counts?.items ?? 0,
  };
}

function perCpuSecond(r: Result): string {
  if (r.dbCpuSeconds === null) return "?";
  return (r.run.done / (r.cpuSeconds + r.dbCpuSeconds)).toFixed(0);
}

function line(label: string, r: Result): string {
  const ok = r.run.status === "completed" && r.run.done === ORDERS;
  const goals = ` [peak RSS <${GOAL_RSS_MB} MB: ${r.peakRssMb < GOAL_RSS_MB ? "met" : "NOT met"}]`;
  return (
    `  ${label}: ${r.run.done.toLocaleString("en-US")} orders in ${r.seconds.toFixed(1)} s = ` +
    `${r.perSecond.toFixed(0)} orders/s (${r.wallSeconds.toFixed(1)} s from queueing to done; ` +
    `CPU: worker ${r.cpuSeconds.toFixed(1)} s, PostgreSQL ${r.dbCpuSeconds === null ? "?" : r.dbCpuSeconds.toFixed(1)} s; ` +
    `${perCpuSecond(r)} orders per CPU second), ` +
    `worker peak RSS ${r.peakRssMb.toFixed(0)} MB (+${r.growthMb.toFixed(0)} MB over its RSS before the run` +
    `${r.peakReset ? "" : "; peak since the worker started, it could not be reset"}); run ${r.run.status}` +
    `${ok ? "" : ` (${r.run.error ?? "incomplete"})`}, ${r.stored.toLocaleString("en-US")} orders and ` +
    `${r.lineItems.toLocaleString("en-US")} line items in the database ` +
    `(created ${r.run.created}, updated ${r.run.updated}, skipped ${r.run.skipped})` +
    `${goals}`
  );
}

export async function benchImport(): Promise<void> {
  console.log(
    `\n== import ${ORDERS.toLocaleString("en-US")} orders from a local fake cart into PostgreSQL ` +
      `(one worker: the compiled server, as npm run worker runs it: node ${productionNodeArgs("worker").join(" ")})`,
  );
  // The server is compiled afresh (about a second; the worker needs no Remix build), so the bench
  // always measures the code as it stands.
  await buildServer(BUILD_DIR, {
    "server/main": "server/main.ts",
    "bench/redirect-fetch": "bench/redirect-fetch.ts",
  });
  const cart = await startFakeCartProcess();
  const { url, drop } = await createBenchDatabase("orderlane_bench_import");
  let ctx: AppContext | null = null;
  let worker: Worker | null = null;
  // Run once, whichever comes first (the bench ending or Ctrl-C), each step whatever the one
  // before it did, so the database is dropped and no process outlives the bench.
  let cleaning: Promise<void> | null = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      const steps = [
        () => worker?.stop() ?? Promise.resolve(),
        () => (ctx ? closeContext(ctx) : Promise.resolve()),
        () => cart.stop(),
        drop,
      ];
      for (const step of steps) await step().catch((e: unknown) => console.error(e));
    })());
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const env: NodeJS.ProcessEnv & Record<string, string> = {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      DATABASE_URL: url,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: "bench",
      SHOPIFY_APP_URL: "https://orderlane.bench",
      ENCRYPTION_KEY: ENCRYPTION_KEY.toString("hex"),
      // The fake cart listens on loopback, which production refuses to call unless told.
      ALLOW_PRIVATE_OUTBOUND: "1",
    };
    // This process migrates the database and sets the shops up; it queues the runs and watches
    // them, and never works a queue itself.
    ctx = await bootContext(loadConfig({ ...env, DATABASE_POOL_SIZE: "2" }, { role: "web" }));
    if (process.env.BENCH_NOTIFY_TRIGGER === "off") {
      // Diagnostic only: how much the live-update trigger costs an import.
      await ctx.db.execute(
        sql`alter table "order" disable trigger order_insert_notify_shop_change`,
      );
      await ctx.db.execute(
        sql`alter table "order" disable trigger order_update_notify_shop_change`,
      );
      console.log("  (live-update trigger on order rows disabled for this run)");
    }

    const woo = await ensureShop(ctx.db, {
      platform: "woocommerce",
      domain: "bench-woo.example",
      name: "Bench WooCommerce",
    });
    const credentials = sealSecret(
      ENCRYPTION_KEY,
      JSON.stringify({ consumerKey: "ck_bench", consumerSecret: "cs_bench", url: cart.url }),
    );
    const [wooShop] = await ctx.db
      .update(shops)
      .set({ credentials, connection: { storeUrl: cart.url, wooOrderEditor: "hpos" } })
      .where(sql`${shops.id} = ${woo.id}`)
      .returning();
    const shopify = await ensureShop(ctx.db, {
      platform: "shopify",
      domain: SHOPIFY_DOMAIN,
      name: "Bench Shopify",
    });
    const [shopifyShop] = await ctx.db
      .update(shops)
      .set({ connection: { readAllOrders: true } })
      .where(sql`${shops.id} = ${shopify.id}`)
      .returning();
    await ctx.db.insert(sessions).values({
      id: `offline_${SHOPIFY_DOMAIN}`,
      shop: SHOPIFY_DOMAIN,
      state: "",
      isOnline: false,
      accessToken: SHOPIFY_TOKEN,
      scope: "read_orders,write_orders,read_all_orders",
    });

    worker = await startWorker(env, cart.url);
    // Settled: what the worker holds once started and idle, before any import.
    await sleep(2_000);
    const idle = memoryOf(worker.pid);
    console.log(
      `  worker RSS once started and connected, before any import: ${idle.rssMb.toFixed(0)} MB ` +
        `(peak so far ${idle.peakMb.toFixed(0)} MB)`,
    );

    const platforms = [
      { label: "WooCommerce, REST pages of 100", shop: wooShop! },
      { label: "Shopify, bulk operation + JSONL", shop: shopifyShop! },
    ];
    const copies: CopyRound[] = [];
    const copyRate = (c: CopyRound) => c.orders / c.seconds;
    const rounds: { label: string; fresh: Result; again: Result; copies: CopyRound[] }[] = [];
    for (const p of platforms) {
      const fresh = await importOnce(ctx, p.shop, worker);
      console.log(line(`${p.label}, import`, fresh));
      const copy = await copyBaselineRound(url, p.shop.id, copies.length);
      copies.push(copy);
      console.log(
        `  COPY baseline: the same ${copy.orders.toLocaleString("en-US")} orders (${copy.rows.toLocaleString("en-US")} rows with their lines and payments) ` +
          `in ${copy.seconds.toFixed(1)} s = ${copyRate(copy).toFixed(0)} orders/s`,
      );
      const again = await importOnce(ctx, p.shop, worker);
      console.log(line(`${p.label}, import again`, again));
      // The COPY rounds on either side of this import (the first has none before it).
      rounds.push({ label: p.label, fresh, again, copies: copies.slice(-2) });
    }
    const ratios = rounds.map((r) => {
      const baseline = r.copies.reduce((sum, c) => sum + copyRate(c), 0) / r.copies.length;
      return { ...r, baseline, ratio: r.fresh.perSecond / baseline };
    });
    for (const r of ratios) {
      console.log(
        `  ${r.label}: ${r.ratio.toFixed(2)} of COPY (${r.baseline.toFixed(0)} orders/s; goal ≥ 0.5), ` +
          `PostgreSQL ${r.fresh.dbCpuSeconds === null ? "?" : ((r.fresh.dbCpuSeconds * 1000) / Math.max(1, r.fresh.run.done)).toFixed(3)} ms CPU per new order, ` +
          `${r.again.dbCpuSeconds === null ? "?" : ((r.again.dbCpuSeconds * 1000) / Math.max(1, r.again.run.done)).toFixed(3)} ms per unchanged order imported again`,
      );
    }
    const figures = (r: Result) => ({
      perSecond: r.perSecond,
      seconds: r.seconds,
      done: r.run.done,
      created: r.run.created,
      updated: r.run.updated,
      skipped: r.run.skipped,
      status: r.run.status,
      workerCpuMsPerOrder: (r.cpuSeconds * 1000) / Math.max(1, r.run.done),
      pgCpuMsPerOrder:
        r.dbCpuSeconds === null ? null : (r.dbCpuSeconds * 1000) / Math.max(1, r.run.done),
      peakRssMb: r.peakRssMb,
    });
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    const all = ratios.flatMap((r) => [r.fresh, r.again]);
    recordBenchResult({
      bench: "import",
      ratio: worst.ratio,
      lost: ratios.reduce((sum, r) => sum + Math.max(0, ORDERS - r.fresh.stored), 0),
      peakRssMb: Math.max(...all.map((r) => r.peakRssMb)),
      pgCpuMsPerOrder:
        worst.fresh.dbCpuSeconds === null
          ? null
          : (worst.fresh.dbCpuSeconds * 1000) / Math.max(1, worst.fresh.run.done),
      orders: ORDERS,
      copyPerSecond: copies.map(copyRate),
      platforms: Object.fromEntries(
        ratios.map((r) => [
          r.label,
          {
            ratio: r.ratio,
            copyBaselinePerSecond: r.baseline,
            import: figures(r.fresh),
            importAgain: figures(r.again),
          },
        ]),
      ),
    });
  } finally {
    await cleanUp();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
