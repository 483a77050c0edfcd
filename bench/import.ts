// Bench: Import of N orders (100,000 unless BENCH_ORDERS says) from a local fake cart into
// PostgreSQL, once as a WooCommerce store (REST pages of 100, X-WP-TotalPages) and once as a Shopify
// shop (bulk operation, JSONL streamed). Each goes through the app's own path: startImport creates
// the run and queues its job, and the import-orders handler reads and stores page by page.
//
// Nothing is stood in: the run is started by startImport and its job run by the worker's own
// handler, so the real connectors (WooCommerce REST client with its back-off; Shopify Admin client,
// bulk operation polling, JSONL streaming) read the fake cart, and the real ingest stores the pages.
//
// Reports orders/s and peak RSS of this process (the fake cart runs in a child process of its own),
// both absolute and as growth over the RSS the process had before the run: the bench, like
// `npm run worker`, runs under tsx, whose compiled app alone is about 200 MB. Each platform imports
// twice: new orders, then the same orders again (all updates, nothing new).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createBenchDatabase } from "./database";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";
import { sessions, shops } from "~/db/schema";
import type { ImportRunRow } from "~/orders/import.server";
import type { ShopRow } from "~/orders/orders.server";
import { sealSecret } from "~/security/encryption.server";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const ENCRYPTION_KEY = randomBytes(32);
const SHOPIFY_DOMAIN = "bench-import.myshopify.com";
const SHOPIFY_TOKEN = "shpat_bench";
const GOAL_PER_SECOND = 2000;
const GOAL_RSS_MB = 300;

// Shopify's client keeps the fetch it found when it loaded, so the redirect of the bench shop's
// Admin API to the fake cart goes in before the app is loaded (below, by dynamic import).
let fakeCartUrl: string | null = null;
const realFetch = globalThis.fetch;
globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (fakeCartUrl && url.hostname === SHOPIFY_DOMAIN) {
    const target = `${fakeCartUrl}${url.pathname}${url.search}`;
    return realFetch(input instanceof Request ? new Request(target, input) : target, init);
  }
  return realFetch(input, init);
};

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

// --- one run ------------------------------------------------------------------------------------

interface Result {
  seconds: number;
  /** CPU seconds this process spent (user + system): less swayed by a busy machine than wall time. */
  cpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends of this bench's database (null if unreadable). */
  dbCpuSeconds: number | null;
  perSecond: number;
  peakRssMb: number;
  /** Peak RSS over the RSS the process had when the run started: what the import itself added. */
  growthMb: number;
  run: ImportRunRow;
  stored: number;
  lineItems: number;
}

/**
 * CPU seconds PostgreSQL's backends serving this bench's database have used so far, read from
 * /proc (the server runs on this machine): with the process's own CPU time, a figure the other
 * work on a shared machine does not sway the way it sways wall time. Null where /proc is not
 * readable (another machine, another user).
 */
async function databaseCpuSeconds(ctx: AppContext): Promise<number | null> {
  const { readFile } = await import("node:fs/promises");
  const pids = await queryRows<{ pid: number }>(
    ctx.db,
    sql`select pid from pg_stat_activity where datname = current_database()`,
  );
  const ticksPerSecond = 100;
  let total = 0;
  for (const { pid } of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      return null;
    }
  }
  return total;
}

async function importOnce(ctx: AppContext, shop: ShopRow): Promise<Result> {
  const { startImport, listImportRuns } = await import("~/orders/import.server");
  const { jobHandlers } = await import("~/jobs/worker.server");
  const handler = jobHandlers(ctx)["import-orders"]!;

  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  const dbBefore = await databaseCpuSeconds(ctx);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  try {
    const outcome = await startImport(
      ctx,
      shop.id,
      { mode: "all" },
      { actor: "system", name: "bench" },
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const [job] = await ctx.jobs.boss.fetch<{ shopId: string; runId: string }>("import-orders");
    if (!job) throw new Error("the import's job was not queued");
    // The worker's own handler: the real connector reads the fake cart, the real ingest stores.
    await handler(job.data, { id: job.id, retryCount: 0, lastAttempt: true });
    await ctx.jobs.boss.complete("import-orders", job.id);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const dbAfter = await databaseCpuSeconds(ctx);
  peak = Math.max(peak, process.memoryUsage.rss());
  const [run] = await listImportRuns(ctx, shop.id, 1);
  const [counts] = await queryRows<{ orders: number; items: number }>(
    ctx.db,
    sql`select (select count(*)::int from "order" where shop_id = ${shop.id}) as orders,
               (select count(*)::int from line_item where shop_id = ${shop.id}) as items`,
  );
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    dbCpuSeconds: dbBefore !== null && dbAfter !== null ? dbAfter - dbBefore : null,
    perSecond: (run?.done ?? 0) / seconds,
    peakRssMb: peak / 1024 / 1024,
    growthMb: (peak - baseline) / 1024 / 1024,
    run: run!,
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
  const goals = ` [goal ≥${GOAL_PER_SECOND}/s: ${r.perSecond >= GOAL_PER_SECOND ? "met" : "NOT met"}; peak RSS <${GOAL_RSS_MB} MB: ${r.peakRssMb < GOAL_RSS_MB ? "met" : "NOT met"}]`;
  return (
    `  ${label}: ${r.run.done.toLocaleString("en-US")} orders in ${r.seconds.toFixed(1)} s = ` +
    `${r.perSecond.toFixed(0)} orders/s (CPU: this process ${r.cpuSeconds.toFixed(1)} s, PostgreSQL ${r.dbCpuSeconds === null ? "?" : r.dbCpuSeconds.toFixed(1)} s; ` +
    `${perCpuSecond(r)} orders per CPU second), ` +
    `peak RSS ${r.peakRssMb.toFixed(0)} MB (+${r.growthMb.toFixed(0)} MB over the RSS before the run); run ${r.run.status}` +
    `${ok ? "" : ` (${r.run.error ?? "incomplete"})`}, ${r.stored.toLocaleString("en-US")} orders and ` +
    `${r.lineItems.toLocaleString("en-US")} line items in the database ` +
    `(created ${r.run.created}, updated ${r.run.updated}, skipped ${r.run.skipped})` +
    `${goals}`
  );
}

export async function benchImport(): Promise<void> {
  console.log(
    `\n== import ${ORDERS.toLocaleString("en-US")} orders from a local fake cart into PostgreSQL (one worker, this process)`,
  );
  const cart = await startFakeCartProcess();
  fakeCartUrl = cart.url;
  const { url, drop } = await createBenchDatabase("orderlane_bench_import");
  const { loadConfig } = await import("~/config.server");
  const { bootContext, closeContext } = await import("../server/boot");
  const { ensureShop } = await import("~/shops/shops.server");
  let ctx: AppContext | null = null;
  try {
    const config = loadConfig(
      {
        NODE_ENV: "production",
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: "4",
        SHOPIFY_API_KEY: "bench",
        SHOPIFY_API_SECRET: "bench",
        SHOPIFY_APP_URL: "https://orderlane.bench",
        ENCRYPTION_KEY: ENCRYPTION_KEY.toString("hex"),
      },
      { role: "worker" },
    );
    ctx = await bootContext(config);
    if (process.env.BENCH_NOTIFY_TRIGGER === "off") {
      // Diagnostic only: how much the live-update trigger costs an import.
      await ctx.db.execute(sql`alter table "order" disable trigger order_notify_shop_change`);
      console.log("  (live-update trigger on order rows disabled for this run)");
    }
    console.log(
      `  RSS once the app is loaded and connected, before any import: ${(process.memoryUsage.rss() / 1024 / 1024).toFixed(0)} MB`,
    );

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

    const platforms = [
      { label: "WooCommerce, REST pages of 100", shop: wooShop! },
      { label: "Shopify, bulk operation + JSONL", shop: shopifyShop! },
    ];
    for (const p of platforms) {
      console.log(line(`${p.label}, import`, await importOnce(ctx, p.shop)));
      console.log(line(`${p.label}, import again`, await importOnce(ctx, p.shop)));
    }
    console.log(
      `  process peak RSS over the whole bench (getrusage maxRSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    if (ctx) await closeContext(ctx);
    await cart.stop();
    await drop();
  }
}
