// Bench: Shopify webhook ingestion on PostgreSQL, against what the same machine can do at best for
// the same durable work, measured in the same run. The production build of the app (`npm start`'s
// web role; the worker in a process of its own) receives signed orders/updated deliveries from
// autocannon, each with its own X-Shopify-Webhook-Id, at /webhooks/shopify. Beside it:
//   - the durable floor (bench/durable-floor.ts): node:http, the HMAC check, the raw body stored
//     as jsonb in batches on the same PostgreSQL, answered after commit; the headline baseline;
//   - a bare node:http server that reads the same bodies and answers 200, storing nothing.
// Short rounds alternate floor, app and bare, so a machine whose speed drifts (shared, busy) sways
// all alike. First with the worker not running (the door alone: the headline `ratio` = door ÷
// floor), then with the worker started beside it (`ratioWithWorker`). Then counts in the database
// that every acknowledged delivery was stored exactly once, and processed exactly once after the
// worker drains.
import type { ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { hasWebhookHandler } from "~/carts/webhook-handlers.server";
import { openDatabase, queryRows } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { DEMO_SHOPIFY_ORDERS, shopifyWebhookOrder } from "~/demo/cart-orders";
import { ensureShop } from "~/shops/shops.server";
import { buildApp } from "../scripts/build";
import { recordBenchResult } from "./bench-json";
import { FLOOR_TABLE } from "./durable-floor";
import { productionNodeArgs, startProcess, stopProcess } from "./production";

/** Seconds each target is loaded in each phase, in rounds of ROUND_SECONDS. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ORDER_POOL = 1000; // deliveries update this many distinct orders, each many times
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROOT = path.resolve(import.meta.dirname, "..");
const SHOP = "bench-store.myshopify.com";
const SECRET = randomBytes(24).toString("hex");
const DRAIN_TIMEOUT_MS = 180_000;

// autocannon ships no types; this is the part of its API the bench uses.
interface AutocannonRequest {
  method: string;
  path: string;
  setupRequest: (request: Record<string, unknown>) => Record<string, unknown>;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
interface AutocannonInstance {
  on(
    event: "response",
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration: number;
    requests?: AutocannonRequest[];
  },
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** What one target did over its rounds: every latency kept, so percentiles span all rounds. */
interface Tally {
  ok: number;
  failed: number;
  seconds: number;
  latencies: number[];
  /** CPU (ms) of the target's own process while it was loaded. */
  cpuMs: number;
  /** CPU (ms) of the PostgreSQL backends serving it (by application name) while it was loaded. */
  pgCpuMs: number;
}

function emptyTally(): Tally {
  return { ok: 0, failed: 0, seconds: 0, latencies: [], cpuMs: 0, pgCpuMs: 0 };
}

/** One round of load on one target, added to its tally. */
function round(url: string, requests: AutocannonRequest, seconds: number, into: Tally) {
  return new Promise<void>((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: seconds, requests: [requests] },
      (err, result) => {
        if (err) return reject(err);
        into.ok += result["2xx"];
        into.failed += result.non2xx + result.errors + result.timeouts;
        into.seconds += (performance.now() - started) / 1000;
        resolve();
      },
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) into.latencies.push(ms);
    });
  });
}

function perSecond(t: Tally): number {
  return t.ok / Math.max(1e-9, t.seconds);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU time (user + system) a process has used so far, in ms; null where /proc is missing. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU (ms) used so far by the PostgreSQL backends of one database whose application name starts so. */
async function backendsCpu(
  database: string,
  applicationPrefix: string,
): Promise<Map<number, number>> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and application_name like $2`,
      [database, `${applicationPrefix}%`],
    );
    return new Map(rows.map((r) => [r.pid, cpuMs(r.pid) ?? 0]));
  } finally {
    await admin.end();
  }
}

/** CPU the backends used between two looks (a backend first seen in the second started meanwhile). */
function backendsUsed(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

const BARE_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200); res.end(); });
});
server.listen(0, "127.0.0.1", () => console.log("bare at http://127.0.0.1:" + server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** orders/updated deliveries, each signed, with a delivery id of its own and a later updated_at. */
function deliveries(sent: { count: number }): AutocannonRequest {
  const template = DEMO_SHOPIFY_ORDERS[0]!;
  const started = Date.now();
  return {
    method: "POST",
    path: "/webhooks/shopify",
    setupRequest: (request) => {
      const n = sent.count++;
      const id = String(7_000_000_000_000 + (n % ORDER_POOL));
      const order = {
        ...template,
        id,
        number: 100_000 + (n % ORDER_POOL),
        lines: template.lines.map((l) => ({
          ...l,
          id: String(8_000_000_000_000 + (n % ORDER_POOL)),
        })),
      };
      const body = JSON.stringify(
        shopifyWebhookOrder(order, {
          baseUrl: "https://cdn.example.com",
          now: new Date(started),
          updatedAt: new Date(started + n),
        }),
      );
      return {
        ...request,
        body,
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": "orders/updated",
          "X-Shopify-Shop-Domain": SHOP,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Webhook-Id": `bench-${n}-${randomUUID()}`,
          "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
        },
      };
    },
  };
}

interface Target {
  label: string;
  url: string;
  pid: number | undefined;
  /** Its PostgreSQL backends' application name prefix; null when it stores nothing. */
  application: string | null;
}

/**
 * Loads each target in turn for ROUND_SECONDS, round after round, until each has had `seconds`;
 * answers each target's tally.
 */
async function interleaved(
  database: string,
  targets: Target[],
  seconds: number,
  sent: { count: number },
): Promise<Map<string, Tally>> {
  const tallies = new Map(targets.map((t) => [t.label, emptyTally()]));
  const rounds = Math.max(1, Math.round(seconds / ROUND_SECONDS));
  for (let r = 0; r < rounds; r++) {
    for (const target of targets) {
      const tally = tallies.get(target.label)!;
      const cpuBefore = cpuMs(target.pid) ?? NaN;
      const pgBefore = target.application
        ? await backendsCpu(database, target.application)
        : new Map<number, number>();
      await round(target.url, deliveries(sent), ROUND_SECONDS, tally);
      tally.cpuMs += (cpuMs(target.pid) ?? NaN) - cpuBefore;
      if (target.application) {
        tally.pgCpuMs += backendsUsed(pgBefore, await backendsCpu(database, target.application));
      }
    }
  }
  return tallies;
}

function describe(label: string, t: Tally, floor?: Tally): string {
  const ratio = floor ? `, ${(perSecond(t) / perSecond(floor)).toFixed(2)} of the floor` : "";
  return (
    `  ${label}: ${perSecond(t).toFixed(0)}/s${ratio}, p50 ${percentile(t.latencies, 50).toFixed(0)} ms, ` +
    `p99 ${percentile(t.latencies, 99).toFixed(0)} ms; ${t.ok} answered 2xx, ${t.failed} not; ` +
    `CPU per delivery ${(t.cpuMs / Math.max(1, t.ok)).toFixed(2)} ms in its process` +
    (t.pgCpuMs > 0 ? `, ${(t.pgCpuMs / Math.max(1, t.ok)).toFixed(2)} ms in PostgreSQL` : "")
  );
}

export async function benchWebhooks(): Promise<void> {
  console.log(
    `\n== webhook ingestion: signed orders/updated to /webhooks/shopify, production build on PostgreSQL, ` +
      `${CONNECTIONS} connections, ${SECONDS} s per target and phase in rounds of ${ROUND_SECONDS} s`,
  );
  const name = `orderlane_bench_webhooks_${Date.now()}`;
  const buildDir = path.join(ROOT, "node_modules/.cache/orderlane-bench-build");
  const children: (ChildProcess | null)[] = [];
  let databaseCreated = false;
  const cleanUp = async () => {
    for (const child of children) await stopProcess(child);
    if (databaseCreated) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      databaseCreated = false;
    }
    fs.rmSync(buildDir, { recursive: true, force: true });
  };
  // Ctrl-C mid-run still stops the children and drops the database.
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    console.log("  building the app (production)…");
    fs.rmSync(buildDir, { recursive: true, force: true });
    await buildApp(buildDir, { quiet: true });

    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    databaseCreated = true;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ kind: "postgres", url: url.toString(), poolSize: 2 });
    try {
      await applyMigrations(database);
      await ensureShop(database.db, { platform: "shopify", domain: SHOP, name: "Bench store" });
    } finally {
      await database.close();
    }

    const bare = await startProcess(
      ["-e", BARE_SERVER],
      { PATH: process.env.PATH, NODE_ENV: "production" },
      /bare at (http:\/\/\S+)/,
      "bare",
    );
    children.push(bare.child);
    const floor = await startProcess(
      ["--import", "tsx", path.join(ROOT, "bench/durable-floor.ts")],
      {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        FLOOR_DATABASE_URL: url.toString(),
        FLOOR_SECRET: SECRET,
      },
      /floor at (http:\/\/\S+)/,
      "floor",
    );
    children.push(floor.child);
    const appEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      // BENCH_PROFILE=dir writes the app's CPU profiles there, to see where the time goes.
      ...(process.env.BENCH_PROFILE
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` }
        : {}),
      PORT: "0",
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: "20",
      REMIX_BUILD_DIR: buildDir,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://orderlane.bench.example",
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      // Benches run the production build on one machine, beside loopback servers, which the
      // outbound-request policy refuses in production unless told (decision 24).
      ALLOW_PRIVATE_OUTBOUND: "1",
    };
    // The door (web) and the worker run as two processes, as `npm start` can be split, so the
    // CPU a delivery costs at the door is told apart from the work it causes later.
    const app = await startProcess(
      productionNodeArgs("web"),
      appEnv,
      /production app at (http:\/\/\S+)/,
      "app",
    );
    children.push(app.child);
    const targets = {
      floor: {
        label: "floor",
        url: floor.url,
        pid: floor.child.pid,
        application: "orderlane-bench-floor",
      },
      app: {
        label: "app",
        url: app.url.replace("localhost", "127.0.0.1"),
        pid: app.child.pid,
        application: "orderlane-web",
      },
      bare: { label: "bare", url: bare.url, pid: bare.child.pid, application: null },
    } satisfies Record<string, Target>;

    // Warm up all three (JIT, connection pools); the app's warm-up deliveries count as acknowledged.
    const sent = { count: 0 };
    const warm = await interleaved(name, Object.values(targets), ROUND_SECONDS, sent);
    const sample = Buffer.byteLength(
      (deliveries({ count: 0 }).setupRequest({}) as { body: string }).body,
    );

    // The door alone: the worker is not running, as if paused, while the load lasts.
    const alone = await interleaved(name, Object.values(targets), SECONDS, sent);
    const worker = await startProcess(
      productionNodeArgs("worker"),
      appEnv,
      /\[orderlane\] worker (started)/,
      "worker",
    );
    children.push(worker.child);
    // Beside the worker, which also works off what the first phase stored.
    const workerCpuBefore = cpuMs(worker.child.pid) ?? NaN;
    const beside = await interleaved(name, [targets.floor, targets.app], SECONDS, sent);
    const workerCpuUsed = (cpuMs(worker.child.pid) ?? NaN) - workerCpuBefore;
    const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

    const floorAlone = alone.get("floor")!;
    const appAlone = alone.get("app")!;
    const bareAlone = alone.get("bare")!;
    const floorBeside = beside.get("floor")!;
    const appBeside = beside.get("app")!;
    console.log(`  bodies of about ${(sample / 1024).toFixed(1)} KB; worker not running:`);
    console.log(describe("durable floor", floorAlone));
    console.log(describe("app (door alone)", appAlone, floorAlone));
    console.log(describe("bare node:http, same bodies, nothing stored", bareAlone));
    console.log("  worker running beside the door:");
    console.log(describe("durable floor", floorBeside));
    console.log(
      describe("app (door + worker)", appBeside, floorBeside) +
        `; the worker ${(workerCpuUsed / Math.max(1, appBeside.ok)).toFixed(2)} ms CPU per delivery meanwhile`,
    );
    console.log(`  load average ${load}`);

    const check = await openDatabase({ kind: "postgres", url: url.toString(), poolSize: 2 });
    try {
      const count = async () => {
        const [row] = await queryRows<{
          stored: number;
          distinct: number;
          processed: number;
          failed: number;
        }>(
          check.db,
          sql`select count(*)::int as stored, count(distinct delivery_id)::int as distinct,
                count(processed_at)::int as processed, count(error)::int as failed
              from webhook_receipt where source = 'shopify' and shop_domain = ${SHOP}
                and delivery_id like 'bench-%'`,
        );
        return row!;
      };
      const acknowledged = warm.get("app")!.ok + appAlone.ok + appBeside.ok;
      let row = await count();
      const lost = Math.max(0, acknowledged - row.stored);
      const duplicated = row.stored - row.distinct;
      const [floorRow] = await queryRows<{ stored: number }>(
        check.db,
        sql`select count(*)::int as stored from ${sql.raw(FLOOR_TABLE)}`,
      );
      const floorAcknowledged = warm.get("floor")!.ok + floorAlone.ok + floorBeside.ok;
      console.log(
        `  receipts: ${row.stored} stored for ${acknowledged} deliveries acknowledged with 2xx; ` +
          `lost ${lost}, duplicated ${duplicated} (the floor stored ${floorRow?.stored ?? 0} for ${floorAcknowledged})`,
      );
      let processedFigures: Record<string, number> = {};
      if (hasWebhookHandler("shopify", "orders/updated")) {
        const started = Date.now();
        while (row.processed + row.failed < row.stored && Date.now() - started < DRAIN_TIMEOUT_MS) {
          await new Promise((r) => setTimeout(r, 1000));
          row = await count();
        }
        const [orders] = await queryRows<{ n: number }>(
          check.db,
          sql`select count(*)::int as n from "order" o join shop s on s.id = o.shop_id where s.domain = ${SHOP}`,
        );
        // One job per stored receipt, each run to completion once: a receipt with two jobs, or a
        // job retried after a failure, would be work done twice.
        const [jobs] = await queryRows<{
          jobs: number;
          receipts: number;
          completed: number;
          retried: number;
        }>(
          check.db,
          sql`select count(*)::int as jobs, count(distinct data->>'receiptId')::int as receipts,
                count(*) filter (where state = 'completed')::int as completed,
                count(*) filter (where retry_count > 0)::int as retried
              from pgboss.job where name = 'process-webhook'`,
        );
        console.log(
          `  processed: ${row.processed}/${row.stored} in ${((Date.now() - started) / 1000).toFixed(1)} s after the load, ` +
            `${row.failed} failed, ${row.stored - row.processed - row.failed} left; ${orders?.n ?? 0} distinct orders stored (${ORDER_POOL} expected)`,
        );
        console.log(
          `  jobs: ${jobs?.jobs ?? 0} for ${jobs?.receipts ?? 0} receipts (${row.stored} stored), ` +
            `${jobs?.completed ?? 0} completed, ${jobs?.retried ?? 0} run more than once`,
        );
        processedFigures = {
          processed: row.processed,
          processingFailed: row.failed,
          jobs: jobs?.jobs ?? 0,
          jobsRetried: jobs?.retried ?? 0,
        };
      }
      const ratio = perSecond(appAlone) / perSecond(floorAlone);
      const ratioWithWorker = perSecond(appBeside) / perSecond(floorBeside);
      const p99Ms = percentile(appAlone.latencies, 99);
      console.log(
        `  ratio ${ratio.toFixed(2)} of the durable floor with the worker not running (goal ≥ 0.9), ` +
          `${ratioWithWorker.toFixed(2)} with it running (goal ≥ 0.5); p99 ${p99Ms.toFixed(0)} ms (goal < 50)`,
      );
      recordBenchResult({
        bench: "webhooks",
        ratio,
        ratioWithWorker,
        p99Ms,
        p99MsWithWorker: percentile(appBeside.latencies, 99),
        p50Ms: percentile(appAlone.latencies, 50),
        lost,
        duplicated,
        perSecond: perSecond(appAlone),
        perSecondWithWorker: perSecond(appBeside),
        floorPerSecond: perSecond(floorAlone),
        floorPerSecondWithWorker: perSecond(floorBeside),
        floorP99Ms: percentile(floorAlone.latencies, 99),
        barePerSecond: perSecond(bareAlone),
        ratioToBare: perSecond(appAlone) / perSecond(bareAlone),
        doorCpuMsPerDelivery: appAlone.cpuMs / Math.max(1, appAlone.ok),
        doorPgCpuMsPerDelivery: appAlone.pgCpuMs / Math.max(1, appAlone.ok),
        floorCpuMsPerDelivery: floorAlone.cpuMs / Math.max(1, floorAlone.ok),
        floorPgCpuMsPerDelivery: floorAlone.pgCpuMs / Math.max(1, floorAlone.ok),
        workerCpuMsPerDelivery: workerCpuUsed / Math.max(1, appBeside.ok),
        acknowledged,
        stored: row.stored,
        bodyBytes: sample,
        seconds: SECONDS,
        roundSeconds: ROUND_SECONDS,
        connections: CONNECTIONS,
        ...processedFigures,
      });
    } finally {
      await check.close();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanUp();
  }
}
