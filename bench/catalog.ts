// Bench: the catalog's queries on PostgreSQL with 1,000,000 orders in one shop and 1,000,000 in
// another. For each query (first page, page 200 by cursor, search by number, status + type, and a
// few more), p95 of `listCatalog` against p95 of the very same SQL and parameters sent straight
// through pg in the same process, prepared as ours are (the ratio is what our layer adds). Then the gzip size of the JS
// and CSS the catalog page loads from a production build.
//
//   npm run bench catalog                     fresh data set, dropped afterwards
//   BENCH_CATALOG_KEEP=1 npm run bench catalog  keeps the data set and reuses it on the next run
//   BENCH_CATALOG_ORDERS=100000 …               orders per shop (default 1,000,000)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { ServerBuild } from "@remix-run/node";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { loadConfig } from "~/config.server";
import type { Db } from "~/db/client.server";
import { openDatabase, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import * as schema from "~/db/schema";
import { seedDemoShop } from "~/demo/seed.server";
import { encodeCursor, listCatalog, type CatalogOptions } from "~/orders/catalog.server";
import { ensureShop } from "~/shops/shops.server";
import { bootContext, closeContext } from "../server/boot";
import { createWebApp } from "../server/web";

const ORDERS = Number(process.env.BENCH_CATALOG_ORDERS ?? 1_000_000);
const KEEP = process.env.BENCH_CATALOG_KEEP === "1";
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = KEEP
  ? `orderlane_bench_catalog_${ORDERS}`
  : `orderlane_bench_catalog_${Date.now()}`;
const ITERATIONS = Number(process.env.BENCH_CATALOG_ITERATIONS ?? 1000);
const GOAL_P95_MS = 50;
const GOAL_RATIO = 1.5;
const GOAL_BUNDLE_KB = 400;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function urlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Both shops' orders, set-based: realistic mixes of lifecycle state, type and cart status, dates
 * spread over three years in order-number order, a few alerts and failed submissions.
 */
async function generate(database: Database): Promise<void> {
  const pool = database.pool!;
  const shops: string[] = [];
  for (const name of ["Bench shop A", "Bench shop B"]) {
    const shop = await ensureShop(database.db, {
      platform: "demo",
      domain: `${name.toLowerCase().replace(/ /g, "-")}.local`,
      name,
    });
    shops.push(shop.id);
  }
  // Indexes built once after loading cost a fraction of maintaining them row by row; the change
  // notifications are for live pages, of which there are none here.
  const { rows: indexes } = await pool.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
     where tablename = 'order' and indexname <> 'order_pkey'`,
  );
  for (const index of indexes) await pool.query(`drop index "${index.name}"`);
  await pool.query(`alter table "order" disable trigger user`);
  const started = performance.now();
  for (const [n, shopId] of shops.entries()) {
    // In chunks so one statement's memory stays modest.
    for (let from = 1; from <= ORDERS; from += 250_000) {
      const to = Math.min(ORDERS, from + 249_999);
      await pool.query(
        `
        insert into "order" (shop_id, cart_order_id, cart_order_number, cart_status_raw, cart_status,
          state, type, customer_name, customer_city, customer_province, customer_country, currency,
          total, payment_method, item_count, submit_status, submit_failure_reason, alert,
          cart_created_at, cart_updated_at)
        select $1::uuid, (5400000000000 + $2::bigint * 10000000 + g)::text, '#' || (1000 + g),
          c.raw, c.status::cart_status, s.state::lifecycle_state, t.type::order_type,
          'Customer ' || g, (array['Portland','Austin','Leeds','Lyon','Osaka','Perth'])[1 + g % 6],
          (array['OR','TX',null,null,null,'WA'])[1 + g % 6],
          (array['US','US','GB','FR','JP','AU'])[1 + g % 6], 'USD', (10 + (g % 190))::numeric,
          (array['Credit card','PayPal','Shop Pay','Bank transfer'])[1 + g % 4], 1 + g % 4,
          case when s.state in ('open','closed') then 'submitted'::submit_status
               when s.state = 'error' and h % 2 = 0 then 'failed'::submit_status end,
          case when s.state = 'error' and h % 2 = 0 then 'Out of stock: MUG-11OZ-WHT' end,
          case when s.state = 'error' then jsonb_build_object(
            'code', (array['provider_rejected','no_provider','design_file_missing','address_missing_field'])[1 + h % 4],
            'message', 'Something to fix', 'fix', 'Fix it, then Reprocess') end,
          now() - make_interval(secs => (($3::int - g) * 94.6 + (h % 60))::float8),
          now() - make_interval(secs => (($3::int - g) * 94.6)::float8)
        from generate_series($4::int, $5::int) g
        cross join lateral (select ((g::bigint * 2654435761) % 1000)::int as h) r
        cross join lateral (select case
            when g > $3 - 2000 then (array['new','new','on_hold','pending','error'])[1 + h % 5]
            when h < 600 then 'closed' when h < 750 then 'open' when h < 800 then 'new'
            when h < 830 then 'error' when h < 860 then 'on_hold' when h < 900 then 'pending'
            else 'archived' end as state) s
        cross join lateral (select case when (h * 7) % 100 < 55 then 'in_app'
            when (h * 7) % 100 < 80 then 'other' when (h * 7) % 100 < 92 then 'amazon'
            else 'shineon' end as type) t
        cross join lateral (select case
            when s.state = 'closed' then 'completed'
            when s.state = 'on_hold' then 'on_hold'
            when s.state = 'archived' then (array['cancelled','refunded','completed'])[1 + h % 3]
            when s.state = 'pending' and h % 3 = 0 then 'pending_payment'
            else 'processing' end as status) c0
        cross join lateral (select c0.status,
            case c0.status when 'processing' then 'paid' when 'completed' then 'fulfilled'
              when 'pending_payment' then 'pending' else c0.status end as raw) c
        `,
        [shopId, n, ORDERS, from, to],
      );
      process.stdout.write(`  generated shop ${n + 1}: ${to.toLocaleString("en-US")} orders\r`);
    }
  }
  process.stdout.write("\n");
  const loaded = performance.now();
  for (const index of indexes) await pool.query(index.def);
  await pool.query(`alter table "order" enable trigger user`);
  await pool.query(`vacuum analyze "order"`);
  const done = performance.now();
  console.log(
    `  data set: ${(2 * ORDERS).toLocaleString("en-US")} orders loaded in ${((loaded - started) / 1000).toFixed(1)} s, ` +
      `indexes rebuilt and analysed in ${((done - loaded) / 1000).toFixed(1)} s`,
  );
}

async function prepareDatabase(): Promise<{ database: Database; reused: boolean }> {
  const exists = await admin(async (c) => {
    const r = await c.query(`select 1 from pg_database where datname = $1`, [DB_NAME]);
    return (r.rowCount ?? 0) > 0;
  });
  if (exists && KEEP) {
    const database = await openDatabase({ kind: "postgres", url: urlFor(DB_NAME), poolSize: 4 });
    const { rows } = await database.pool!.query<{ n: string }>(`select count(*) as n from "order"`);
    if (Number(rows[0]?.n) === 2 * ORDERS) return { database, reused: true };
    await database.close();
    await admin((c) => c.query(`drop database ${DB_NAME} with (force)`));
  }
  await admin((c) => c.query(`create database ${DB_NAME}`));
  const database = await openDatabase({ kind: "postgres", url: urlFor(DB_NAME), poolSize: 4 });
  await applyMigrations(database);
  await generate(database);
  return { database, reused: false };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Case {
  label: string;
  /** Options for iteration i (the search varies its number, for one). */
  options: (i: number) => CatalogOptions;
}

async function measure(database: Database, shopId: string, cases: Case[]) {
  // listCatalog through its own Drizzle handle; a second one on the same pool only records the SQL
  // Drizzle sends, so the direct run replays exactly that text and those parameters.
  const pool = database.pool!;
  let captured: { sql: string; params: unknown[] } | null = null;
  const recording = drizzle(pool, {
    schema,
    logger: { logQuery: (query, params) => (captured = { sql: query, params }) },
  }) as unknown as Db;
  const results: { label: string; ours: number; direct: number; rows: number }[] = [];
  for (const c of cases) {
    const ours: number[] = [];
    const direct: number[] = [];
    let rows = 0;
    for (let i = -20; i < ITERATIONS; i++) {
      const options = c.options(i);
      captured = null;
      await listCatalog(recording, shopId, options);
      const query = captured as { sql: string; params: unknown[] } | null;
      if (!query) throw new Error("no SQL captured");
      // Alternate which goes first, so neither always meets a warmer cache.
      const runOurs = async () => {
        const t = performance.now();
        const page = await listCatalog(database.db, shopId, options);
        rows = page.orders.length;
        return performance.now() - t;
      };
      // listCatalog runs named prepared statements, so the direct run prepares the same text too:
      // the ratio is then what our layer adds in JavaScript, not a parse it saves.
      const directName = `bench_direct_${createHash("sha1").update(query.sql).digest("hex").slice(0, 16)}`;
      const runDirect = async () => {
        const t = performance.now();
        await pool.query({ name: directName, text: query.sql, values: query.params });
        return performance.now() - t;
      };
      let a: number;
      let b: number;
      if (i % 2 === 0) {
        a = await runOurs();
        b = await runDirect();
      } else {
        b = await runDirect();
        a = await runOurs();
      }
      if (i >= 0) {
        ours.push(a);
        direct.push(b);
      }
    }
    ours.sort((x, y) => x - y);
    direct.sort((x, y) => x - y);
    results.push({
      label: c.label,
      ours: percentile(ours, 95),
      direct: percentile(direct, 95),
      rows,
    });
  }
  return results;
}

/** The JS and CSS the catalog page loads, gzip-compressed, from a production build. */
async function bundleSize(): Promise<{ js: number; css: number; files: number }> {
  const buildDir =
    // Inside the project, so the built server resolves its packages from our node_modules.
    process.env.BENCH_BUILD_DIR ?? path.resolve("node_modules/.cache/orderlane-bench-build");
  if (!process.env.BENCH_BUILD_DIR) {
    execFileSync(
      process.execPath,
      [path.resolve("node_modules/@remix-run/dev/dist/cli.js"), "vite:build"],
      {
        env: { ...process.env, REMIX_BUILD_DIR: buildDir, NODE_ENV: "production" },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  }
  const config = loadConfig({ NODE_ENV: "test" }, { demo: true });
  const ctx = await bootContext(
    config,
    await (async () => {
      const db = await openDatabase({ kind: "pglite", dataDir: null });
      await applyMigrations(db);
      return db;
    })(),
  );
  const server = http.createServer();
  try {
    await seedDemoShop(ctx.db, {
      sandboxUrl: "http://127.0.0.1:9",
      sandboxSecret: "s",
      encryptionKey: config.encryptionKey,
    });
    const build = (await import(
      pathToFileURL(path.join(buildDir, "server/index.js")).href
    )) as ServerBuild;
    server.on("request", createWebApp({ ctx, build, clientDir: path.join(buildDir, "client") }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const html = await (await fetch(`${base}/app`)).text();
    // Everything the browser fetches up front: stylesheets, module scripts and their preloads,
    // and the modules the inline boot script imports (entry, routes).
    const urls = new Set<string>();
    for (const m of html.matchAll(/<link[^>]+href="([^"]+\.(?:css|js))"/g)) urls.add(m[1]!);
    for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) urls.add(m[1]!);
    for (const m of html.matchAll(/import\s*(?:\*\s*as\s*\w+\s*from\s*)?\(?\s*"([^"]+\.js)"/g)) {
      urls.add(m[1]!);
    }
    let js = 0;
    let css = 0;
    for (const url of urls) {
      if (/^https?:/.test(url) && !url.startsWith(base)) continue;
      const body = Buffer.from(await (await fetch(new URL(url, base))).arrayBuffer());
      const size = gzipSync(body, { level: 9 }).length;
      if (url.endsWith(".css")) css += size;
      else js += size;
    }
    return { js, css, files: urls.size };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeContext(ctx);
    if (!process.env.BENCH_BUILD_DIR) fs.rmSync(buildDir, { recursive: true, force: true });
  }
}

export async function benchCatalog(): Promise<void> {
  console.log(
    `\n== catalog: ${ORDERS.toLocaleString("en-US")} orders in each of two shops, PostgreSQL, ` +
      `p95 of ${ITERATIONS} runs each`,
  );
  const { database, reused } = await prepareDatabase();
  try {
    if (reused) console.log(`  data set: reused ${DB_NAME} (BENCH_CATALOG_KEEP=1)`);
    const { rows: shops } = await database.pool!.query<{ id: string }>(
      `select id from shop order by name limit 1`,
    );
    const shopId = shops[0]!.id;
    const { rows: at } = await database.pool!.query<{ at: Date; id: string }>(
      `select cart_created_at as at, id from "order" where shop_id = $1
       order by cart_created_at desc, id desc offset 9949 limit 1`,
      [shopId],
    );
    const page200 = encodeCursor("after", { at: at[0]!.at, id: at[0]!.id });
    const randomNumber = (i: number) => 1000 + 1 + ((i * 7919 + 104_729) % ORDERS);
    const results = await measure(database, shopId, [
      { label: "first page", options: () => ({}) },
      { label: "page 200 by cursor", options: () => ({ cursor: page200 }) },
      { label: "search by number (#n)", options: (i) => ({ search: `#${randomNumber(i)}` }) },
      {
        label: "search by number prefix (5 digits)",
        options: (i) => ({ search: `${randomNumber(i)}`.slice(0, 5) }),
      },
      {
        label: "search by cart order id",
        options: (i) => ({ search: `${5400000000000 + randomNumber(i) - 1000}` }),
      },
      {
        label: "status + type (processing, in-app)",
        options: () => ({ status: "processing", type: "in_app" }),
      },
      {
        label: "status + type (on hold, ShineOn)",
        options: () => ({ status: "on_hold", type: "shineon" }),
      },
      { label: "state (error)", options: () => ({ state: "error" }) },
      { label: "alert (any)", options: () => ({ alert: "any" }) },
    ]);
    const failing: string[] = [];
    for (const r of results) {
      const ratio = r.ours / r.direct;
      const ok = r.ours < GOAL_P95_MS && ratio < GOAL_RATIO;
      if (!ok) failing.push(r.label);
      console.log(
        `  ${r.label.padEnd(38)} listCatalog p95 ${r.ours.toFixed(2).padStart(7)} ms   ` +
          `direct SQL p95 ${r.direct.toFixed(2).padStart(7)} ms   ratio ${ratio.toFixed(2)}   ` +
          `(${r.rows} rows) ${ok ? "" : "  ← misses the goal"}`,
      );
    }
    console.log(
      `  goal: p95 < ${GOAL_P95_MS} ms and ratio < ${GOAL_RATIO}: ` +
        (failing.length ? `missed by ${failing.join(", ")}` : "met by every query"),
    );
  } finally {
    await database.close();
    if (!KEEP) await admin((c) => c.query(`drop database if exists ${DB_NAME} with (force)`));
  }
  const size = await bundleSize();
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log(
    `  catalog page assets (gzip): JS ${kb(size.js)} KB + CSS ${kb(size.css)} KB = ${kb(size.js + size.css)} KB ` +
      `from ${size.files} files (goal < ${GOAL_BUNDLE_KB} KB)`,
  );
}
