// Bench: Import of N orders (100,000 unless BENCH_ORDERS says) from a local fake cart into
// PostgreSQL, once as a WooCommerce store (REST pages of 100, X-WP-TotalPages) and once as a Shopify
// shop (bulk operation, JSONL streamed). Each goes through the app's own path: startImport creates
// the run and queues its job, and the import-orders handler reads and stores page by page.
//
// Reports orders/s and peak RSS of this process (the fake cart runs in a child process of its own).
// Each platform runs twice: reading only (nothing stored), to tell reading from storing, then the
// real import. Where the real connector or ingest is not in this branch yet, the bench uses the
// stand-ins in bench/stand-ins.ts and says so in its output.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import type { CartConnector, ImportPage } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";
import { sessions, shops } from "~/db/schema";
import type { ImportDeps, ImportRunRow } from "~/orders/import.server";
import type { ShopRow } from "~/orders/orders.server";
import { sealSecret } from "~/security/encryption.server";
import { batchIngest, standInShopifyConnector, standInWooConnector } from "./stand-ins";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
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

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `orderlane_bench_import_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

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

// --- the seams ----------------------------------------------------------------------------------

type Used = {
  connector: "real" | "stand-in" | "?";
  ingest: "real" | "stand-in" | "none" | "?";
  /** Milliseconds spent storing pages, and reading them (the two overlap by one page). */
  ingestMs?: number;
  waitMs?: number;
};

/** Times the handler's two collaborators, to tell storing from reading in the figures. */
function timed(deps: ImportDeps, used: Used): ImportDeps {
  used.ingestMs = 0;
  used.waitMs = 0;
  return {
    connector: (shop) => {
      const c = deps.connector(shop);
      return {
        ...c,
        async *importOrders(request, cursor) {
          const it = c.importOrders(request, cursor)[Symbol.asyncIterator]();
          for (;;) {
            const t = performance.now();
            const r = await it.next();
            used.waitMs! += performance.now() - t;
            if (r.done) return;
            yield r.value;
          }
        },
      };
    },
    ingest: async (...args) => {
      const t = performance.now();
      try {
        return await deps.ingest(...args);
      } finally {
        used.ingestMs! += performance.now() - t;
      }
    },
  };
}

/** The real connector, or the stand-in when the real one says it cannot import yet. */
function connectorWithFallback(real: CartConnector, standIn: CartConnector, used: Used) {
  return {
    ...real,
    async *importOrders(request, cursor): AsyncIterable<ImportPage> {
      let yielded = false;
      try {
        for await (const page of real.importOrders(request, cursor)) {
          used.connector = "real";
          yielded = true;
          yield page;
        }
      } catch (err) {
        if (yielded || !/not available yet/i.test(String(err))) throw err;
        used.connector = "stand-in";
        yield* standIn.importOrders(request, cursor);
      }
    },
  } satisfies CartConnector;
}

/** The real ingest, or the batch stand-in when the real one is still the committed stub. */
function ingestWithFallback(real: ImportDeps["ingest"], used: Used): ImportDeps["ingest"] {
  return async (ctx, shop, incoming, via) => {
    if (used.ingest === "stand-in") return batchIngest(ctx.db, shop, incoming);
    const outcomes = await real(ctx, shop, incoming, via);
    if (outcomes.length > 0 && outcomes.every((o) => o.reason === "not implemented")) {
      used.ingest = "stand-in";
      return batchIngest(ctx.db, shop, incoming);
    }
    used.ingest = "real";
    return outcomes;
  };
}

// --- one run ------------------------------------------------------------------------------------

interface Result {
  seconds: number;
  /** CPU seconds this process spent (user + system): less swayed by a busy machine than wall time. */
  cpuSeconds: number;
  perSecond: number;
  peakRssMb: number;
  run: ImportRunRow;
  stored: number;
  lineItems: number;
}

async function importOnce(
  ctx: AppContext,
  shop: ShopRow,
  standIn: CartConnector,
  store: boolean,
  used: Used,
): Promise<Result> {
  const { startImport, runImportJob, defaultImportDeps } = await import("~/orders/import.server");
  const { ingestCartOrders } = await import("~/orders/ingest.server");
  const real = defaultImportDeps(ctx);
  const deps: ImportDeps = {
    connector: (s) => connectorWithFallback(real.connector(s), standIn, used),
    ingest: store
      ? ingestWithFallback(ingestCartOrders, used)
      : async (_ctx, _shop, incoming) =>
          incoming.map((o) => ({ cartOrderId: o.cartOrderId, outcome: "skipped", orderId: null })),
  };
  if (!store) used.ingest = "none";

  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
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
    await runImportJob(ctx, job.data, { lastAttempt: true }, timed(deps, used));
    await ctx.jobs.boss.complete("import-orders", job.id);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  peak = Math.max(peak, process.memoryUsage.rss());
  const { listImportRuns } = await import("~/orders/import.server");
  const [run] = await listImportRuns(ctx, shop.id, 1);
  const [counts] = await queryRows<{ orders: number; items: number }>(
    ctx.db,
    sql`select (select count(*)::int from "order" where shop_id = ${shop.id}) as orders,
               (select count(*)::int from line_item where shop_id = ${shop.id}) as items`,
  );
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    perSecond: (run?.done ?? 0) / seconds,
    peakRssMb: peak / 1024 / 1024,
    run: run!,
    stored: counts?.orders ?? 0,
    lineItems: counts?.items ?? 0,
  };
}

function line(label: string, r: Result, used: Used): string {
  const ok = r.run.status === "completed" && r.run.done === ORDERS;
  const goals =
    used.ingest === "none"
      ? ""
      : ` [goal ≥${GOAL_PER_SECOND}/s: ${r.perSecond >= GOAL_PER_SECOND ? "met" : "NOT met"}; RSS <${GOAL_RSS_MB} MB: ${r.peakRssMb < GOAL_RSS_MB ? "met" : "NOT met"}]`;
  return (
    `  ${label}: ${r.run.done.toLocaleString("en-US")} orders in ${r.seconds.toFixed(1)} s = ` +
    `${r.perSecond.toFixed(0)} orders/s (this process: ${r.cpuSeconds.toFixed(1)} CPU s), peak RSS ${r.peakRssMb.toFixed(0)} MB; run ${r.run.status}` +
    `${ok ? "" : ` (${r.run.error ?? "incomplete"})`}, ${r.stored.toLocaleString("en-US")} orders and ` +
    `${r.lineItems.toLocaleString("en-US")} line items in the database ` +
    `(created ${r.run.created}, updated ${r.run.updated}, skipped ${r.run.skipped}); ` +
    `connector: ${used.connector}, ingest: ${used.ingest}; storing pages ${((used.ingestMs ?? 0) / 1000).toFixed(1)} s, ` +
    `reading pages ${((used.waitMs ?? 0) / 1000).toFixed(1)} s (partly overlapped)` +
    `${goals}`
  );
}

export async function benchImport(): Promise<void> {
  console.log(
    `\n== import ${ORDERS.toLocaleString("en-US")} orders from a local fake cart into PostgreSQL (one worker, this process)`,
  );
  const cart = await startFakeCartProcess();
  fakeCartUrl = cart.url;
  const { url, drop } = await createDatabase();
  const { loadConfig } = await import("~/config.server");
  const { bootContext, closeContext } = await import("../server/boot");
  const { ensureShop } = await import("~/shops/shops.server");
  const { SHOPIFY_API_VERSION } = await import("~/shopify.server");
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
      {
        label: "WooCommerce, REST pages of 100",
        shop: wooShop!,
        standIn: standInWooConnector(cart.url),
      },
      {
        label: "Shopify, bulk operation + JSONL",
        shop: shopifyShop!,
        standIn: standInShopifyConnector(SHOPIFY_DOMAIN, SHOPIFY_TOKEN, SHOPIFY_API_VERSION),
      },
    ];
    for (const p of platforms) {
      const reading: Used = { connector: "?", ingest: "?" };
      console.log(
        line(
          `${p.label}, reading only`,
          await importOnce(ctx, p.shop, p.standIn, false, reading),
          reading,
        ),
      );
      const storing: Used = { connector: "?", ingest: "?" };
      console.log(
        line(
          `${p.label}, import`,
          await importOnce(ctx, p.shop, p.standIn, true, storing),
          storing,
        ),
      );
      const again: Used = { connector: "?", ingest: "?" };
      console.log(
        line(
          `${p.label}, import again`,
          await importOnce(ctx, p.shop, p.standIn, true, again),
          again,
        ),
      );
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
