// Bench: Shopify webhook ingestion on PostgreSQL. The production build of the app (`npm start`,
// its web and worker roles in two processes) receives signed orders/updated deliveries from autocannon, each
// with its own X-Shopify-Webhook-Id, at /webhooks/shopify. Reports deliveries/s, p50 and p99
// latency, and the ratio to a bare node:http server answering 200 measured in the same run under
// the same load; then counts in the database that every acknowledged delivery was stored exactly
// once, and processed exactly once after the worker drains (when orders/updated has a handler).
import { spawn, type ChildProcess } from "node:child_process";
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
import { productionNodeArgs } from "./production";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
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
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: AutocannonRequest[];
  method?: string;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
}

function summarise(r: AutocannonResult): Measured {
  return {
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    ok: r["2xx"],
    failed: r.non2xx + r.errors + r.timeouts,
  };
}

/** Spawns a process in its own group and resolves with the URL it prints. */
function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  label: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = ready.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => {
      output += d.toString();
      process.stderr.write(`[${label}] ${d}`);
    });
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}:\n${output}`)));
  });
}

async function stopProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
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

/** The server processes serving one database (on this machine): pid and the role they serve. */
async function backendPids(database: string): Promise<{ pid: number; web: boolean }[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number; app: string }>(
      `select pid, application_name as app from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid()`,
      [database],
    );
    return rows.map((r) => ({ pid: r.pid, web: r.app.startsWith("orderlane-web") }));
  } finally {
    await admin.end();
  }
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

export async function benchWebhooks(): Promise<void> {
  console.log(
    `\n== webhook ingestion: signed orders/updated to /webhooks/shopify, production build on PostgreSQL, ` +
      `${CONNECTIONS} connections for ${SECONDS} s each`,
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
    const startWorker = async () => {
      const worker = await startProcess(
        productionNodeArgs("worker"),
        appEnv,
        /\[orderlane\] worker (started)/,
        "worker",
      );
      children.push(worker.child);
      return worker;
    };
    // BENCH_WORKER=after: the worker starts once the load is over, to see what the door alone
    // takes when it does not share the machine with the work the deliveries cause.
    const workerAfter = process.env.BENCH_WORKER === "after";
    let worker = workerAfter ? null : await startWorker();
    const appUrl = app.url.replace("localhost", "127.0.0.1");

    // Warm up both (JIT, connection pools), then measure each under the same load.
    const warm = { count: 0 };
    const warmed = await autocannon({
      url: appUrl,
      connections: CONNECTIONS,
      duration: 2,
      requests: [deliveries(warm)],
    });
    await autocannon({ url: bare.url, connections: CONNECTIONS, duration: 2, method: "POST" });

    const bareCpu = cpuMs(bare.child.pid);
    const baselineResult = await autocannon({
      url: bare.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: "POST",
    });
    const bareCpuUsed = (cpuMs(bare.child.pid) ?? NaN) - (bareCpu ?? NaN);
    const baseline = summarise(baselineResult);
    const sent = { count: 0 };
    // CPU time per delivery does not depend on what else the machine runs, unlike deliveries/s.
    const appCpu = cpuMs(app.child.pid);
    const workerCpu = worker ? cpuMs(worker.child.pid) : 0;
    // PostgreSQL's share: its backends serving the bench database, read from /proc, so this holds
    // only with the server on this machine. Pools close idle connections, so the backends are
    // listed again after the run: one that was not there before started during it.
    const before = new Map((await backendPids(name)).map((b) => [b.pid, cpuMs(b.pid) ?? 0]));
    const measured = summarise(
      await autocannon({
        url: appUrl,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [deliveries(sent)],
      }),
    );
    const appCpuUsed = (cpuMs(app.child.pid) ?? NaN) - (appCpu ?? NaN);
    const workerCpuUsed = worker ? (cpuMs(worker.child.pid) ?? NaN) - (workerCpu ?? NaN) : 0;
    const backends = await backendPids(name);
    const pgCpuUsed = (web: boolean) =>
      backends
        .filter((b) => b.web === web)
        .reduce((sum, b) => sum + (cpuMs(b.pid) ?? 0) - (before.get(b.pid) ?? 0), 0);
    const pgWebCpu = pgCpuUsed(true);
    const pgWorkerCpu = pgCpuUsed(false);

    console.log(
      `  bare node:http: ${baseline.perSecond.toFixed(0)} req/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, ` +
        `${(bareCpuUsed / baselineResult.requests.total).toFixed(3)} ms CPU per request`,
    );
    console.log(
      `  app: ${measured.perSecond.toFixed(0)} deliveries/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ` +
        `max ${measured.max} ms; ratio to bare ${(measured.perSecond / baseline.perSecond).toFixed(2)}; ` +
        `${measured.ok} answered 2xx, ${measured.failed} not; ` +
        `CPU per delivery: ${(appCpuUsed / Math.max(1, sent.count)).toFixed(2)} ms at the door (web process), ` +
        (workerAfter
          ? "the worker started after the load, "
          : `${(workerCpuUsed / Math.max(1, sent.count)).toFixed(2)} ms in the worker meanwhile, `) +
        `PostgreSQL ${(pgWebCpu / Math.max(1, sent.count)).toFixed(2)} ms for the door and ${(pgWorkerCpu / Math.max(1, sent.count)).toFixed(2)} ms for the worker (${backends.length} backends); load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );

    if (!worker) worker = await startWorker();
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
      // Acknowledged deliveries are those measured plus the warm-up's.
      const acknowledged = measured.ok + warmed["2xx"];
      let row = await count();
      console.log(
        `  receipts: ${row.stored} stored for ${acknowledged} deliveries acknowledged with 2xx; ` +
          `lost ${Math.max(0, acknowledged - row.stored)}, duplicated ${row.stored - row.distinct}`,
      );
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
      } else {
        console.log(
          "  processed: orders/updated has no handler in this build yet (it arrives with the Shopify order sync); receipts only",
        );
      }
    } finally {
      await check.close();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanUp();
  }
}
