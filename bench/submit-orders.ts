// Bench: N orders due at the same moment, submitted by two worker processes on PostgreSQL to the
// sandbox provider, which runs in a process of its own on loopback (bench/sandbox-process.ts).
// Run twice: undisturbed, then with one worker SIGKILLed halfway. Reports time to submit all,
// submissions/s, lateness against the deadline (p50, p99), lost and duplicated orders, and the
// workers' CPU per submission.
//
// The baseline is the provider floor: the same sandbox process accepting signed purchase orders
// from a lean client (this process, no database), measured before, between and after the app's
// runs, so each run is compared with the floor on either side of it. Its rate bounds what any
// sender could do; its lateness for N orders due at once is N ÷ that rate (p99: 0.99·N ÷ rate).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createBenchDatabase } from "./database";
import { openDatabase, queryRows, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { providers } from "~/db/schema";
import { signBody } from "~/fulfillment/protocol";
import type { SandboxStats } from "~/fulfillment/sandbox/sandbox-provider.server";
import { startJobs } from "~/jobs/jobs.server";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { buildServer } from "../scripts/build";
import { recordBenchResult } from "./bench-json";
import { productionNodeArgs } from "./production";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);
/** Purchase orders per floor measurement, and how many the floor's client keeps in flight. */
const FLOOR_ORDERS = Number(process.env.BENCH_FLOOR_ORDERS ?? Math.min(ORDERS, 5_000));
const FLOOR_CONCURRENCY = 50;
const ENCRYPTION_KEY = randomBytes(32);
const SANDBOX_SECRET = "bench-sandbox-secret";
// Between the end of seeding and the deadline: the orders are in place and the workers idle, as in
// production, where workers run continuously and deadlines arrive while they wait.
const LEAD_MS = 3_000;
const SEED_MS_PER_ORDER = 1.5;
const WORKER_START_TIMEOUT_MS = 120_000;
const TIMEOUT_MS = 240_000;
// The workers run the compiled server, as `npm run worker` does; compiled afresh for the bench.
const BUILD_DIR = path.resolve(
  import.meta.dirname,
  "../node_modules/.cache/orderlane-bench-submit-build",
);

/** Undone on Ctrl-C or SIGTERM too: no worker outlives the bench, no database is left behind. */
const cleanups = new Set<() => Promise<void>>();
async function cleanUpAndExit(signal: NodeJS.Signals) {
  console.error(`\n  ${signal}: stopping workers and dropping the bench database`);
  for (const cleanup of cleanups) await cleanup().catch((e: unknown) => console.error(e));
  process.exit(130);
}
process.once("SIGINT", (signal) => void cleanUpAndExit(signal));
process.once("SIGTERM", (signal) => void cleanUpAndExit(signal));

interface RunResult {
  label: string;
  submitted: number;
  lost: number;
  duplicates: number;
  /** Accepted before their deadline: must be zero (the owner may edit or hold until then). */
  early: number;
  providerRequests: number;
  seconds: number;
  perSecond: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  /** Sent again after their worker was killed (attempts > 1), and the latest of them. */
  resent: number;
  resentLateMax: number;
  /** Seconds after the deadline the worker was killed (NaN when none was). */
  killedAt: number;
  /** CPU the workers spent from their start to the end of the run, per submission (ms). */
  workerCpuMsPerSubmission: number;
}

interface SandboxProcess {
  url: string;
  stats(): Promise<SandboxStats>;
  close(): Promise<void>;
}

/** The sandbox provider in a process of its own (bench/sandbox-process.ts). */
async function startSandboxProcess(): Promise<SandboxProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.resolve(import.meta.dirname, "sandbox-process.ts")],
    {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { PATH: process.env.PATH, NODE_ENV: "production", SANDBOX_SECRET },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { url?: string }) =>
      m.url ? resolve(m.url) : reject(new Error("the sandbox said nothing")),
    );
    child.once("exit", (code) => reject(new Error(`the sandbox exited (${code})`)));
  });
  return {
    url,
    stats: () =>
      new Promise<SandboxStats>((resolve) => {
        const onMessage = (m: { stats?: SandboxStats }) => {
          if (!m.stats) return;
          child.off("message", onMessage);
          resolve(m.stats);
        };
        child.on("message", onMessage);
        child.send("stats");
      }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc; NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** `runTag` keeps each run's order (and so PO) numbers apart: the runs share one sandbox. */
async function seed(database: Database, sandbox: SandboxProcess, dueAt: Date, runTag: string) {
  const shop = await ensureShop(database.db, {
    platform: "demo",
    domain: `bench-${randomUUID().slice(0, 8)}.local`,
    name: "Bench shop",
  });
  await database.db.insert(providers).values({
    shopId: shop.id,
    kind: "sandbox",
    name: "Sandbox",
    endpoint: sandbox.url,
    signingSecret: sealSecret(ENCRYPTION_KEY, SANDBOX_SECRET),
    isDefault: true,
  });
  const orderIds: string[] = [];
  // Multi-row inserts: seeding must not dominate the bench's own run time.
  for (let start = 0; start < ORDERS; start += 1000) {
    const count = Math.min(1000, ORDERS - start);
    const rows = Array.from({ length: count }, (_, i) => {
      const n = start + i + 1;
      return sql`(${shop.id}, ${String(9_000_000_000_000_000n + BigInt(n))}, ${`#${runTag}${n}`}, 'paid', 'processing', 'new', 'in_app',
        'Bench Customer', ${JSON.stringify({ name: "Bench Customer", address1: "1 Loop Rd", city: "Portland", province: "Oregon", provinceCode: "OR", zip: "97201", country: "United States", countryCode: "US" })}::jsonb,
        'USD', '25.00', 1, ${dueAt.toISOString()}::timestamptz, now(), now())`;
    });
    const inserted = await queryRows<{ id: string }>(
      database.db,
      sql`insert into "order" (shop_id, cart_order_id, cart_order_number, cart_status_raw, cart_status, state, type,
          customer_name, shipping_address, currency, total, item_count, auto_submit_at, cart_created_at, cart_updated_at)
        values ${sql.join(rows, sql`, `)} returning id`,
    );
    const ids = inserted.map((r) => r.id);
    orderIds.push(...ids);
    await database.db.execute(sql`
      insert into line_item (shop_id, order_id, cart_line_id, sku, title, quantity, price, personalization)
      select ${shop.id}, id, '1', 'TEE-BLK-M', 'Name Tee', 1, '25.00',
        '{"designUrl": "/demo/design-name.svg", "options": {"Name": "Ava"}}'::jsonb
      from unnest(${sql.raw(`ARRAY[${ids.map((id) => `'${id}'`).join(",")}]`)}::uuid[]) as id`);
  }
  // The countdown's jobs, as the app schedules them, all due at once.
  const jobs = await startJobs(database);
  for (let start = 0; start < orderIds.length; start += 1000) {
    await jobs.sendMany(
      "auto-submit",
      orderIds.slice(start, start + 1000).map((orderId) => ({
        data: { shopId: shop.id, orderId, dueAt: dueAt.toISOString() },
        startAfter: dueAt,
        // The key scheduleAutoSubmit uses, so a worker's start-up rescheduling adds no second job.
        singletonKey: `${orderId}@${dueAt.toISOString()}`,
      })),
    );
  }
  await jobs.stop();
  return shop;
}

/** Resolves once the worker says it is serving its queues, so the bench measures work, not boot. */
function startWorker(url: string, label: string): { child: ChildProcess; ready: Promise<void> } {
  // BENCH_PROFILE=dir writes each worker's CPU profile there, to see where the time goes.
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...productionNodeArgs("worker")], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      REMIX_BUILD_DIR: BUILD_DIR,
      DATABASE_URL: url,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: "bench",
      SHOPIFY_APP_URL: "http://127.0.0.1:9",
      ENCRYPTION_KEY: ENCRYPTION_KEY.toString("hex"),
      DATABASE_POOL_SIZE: "20",
      // The bench's providers listen on loopback, which production refuses to call unless told.
      ALLOW_PRIVATE_OUTBOUND: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stderr!.on("data", (d: Buffer) => process.stderr.write(`[${label}] ${d}`));
  // What the worker says about claims it took back from a stopped worker.
  child.stdout!.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (line.includes("[claims]")) console.log(`  [${label}] ${line}`);
    }
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} did not start within ${WORKER_START_TIMEOUT_MS} ms`)),
      WORKER_START_TIMEOUT_MS,
    );
    let seen = "";
    child.stdout!.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes("worker started")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited before it started (${signal ?? code})`));
    });
  });
  // Only its start-up line matters; the rest is drained so the pipe never fills.
  ready.catch(() => {});
  return { child, ready };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(
  label: string,
  killHalfway: boolean,
  sandbox: SandboxProcess,
): Promise<RunResult> {
  const { url, drop } = await createBenchDatabase("orderlane_bench");
  const database = await openDatabase({ kind: "postgres", url, poolSize: 4 });
  // The sandbox serves every run and the floor: this run's figures are what changed meanwhile.
  const statsBefore = await sandbox.stats();
  const workers: ChildProcess[] = [];
  // Run once, whichever comes first (the run ending or a signal), each step whatever the one
  // before it did, so the database is dropped even if stopping something else failed.
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      const steps = [
        ...workers.map((worker) => () => stopWorker(worker)),
        () => database.close(),
        drop,
      ];
      for (const step of steps) await step().catch((e: unknown) => console.error(e));
    })());
  cleanups.add(cleanup);
  // Whatever happens, no worker outlives the bench and its database is dropped.
  try {
    await applyMigrations(database);
    const starting = [startWorker(url, "worker-1"), startWorker(url, "worker-2")];
    workers.push(...starting.map((w) => w.child));
    await Promise.all(starting.map((w) => w.ready));
    // Start-up (compiling, connecting) is not the work measured.
    const cpuAtStart = workers.map((w) => cpuMs(w.pid));
    let killedCpu = 0;
    const seedStarted = Date.now();
    // The deadline is written into every order, so it is set before seeding, with room for it:
    // seeding 10,000 orders on a busy machine takes several seconds.
    const dueAt = new Date(Date.now() + LEAD_MS + ORDERS * SEED_MS_PER_ORDER);
    await seed(database, sandbox, dueAt, killHalfway ? "K" : "U");
    const seedMs = Date.now() - seedStarted;
    if (Date.now() > dueAt.getTime()) {
      throw new Error(`seeding took ${seedMs} ms, past the deadline; rerun on a quieter machine`);
    }
    let killed = false;
    let killedAt = NaN;
    const started = Date.now();
    let submitted = 0;
    while (Date.now() - started < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 250));
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from submission where state = 'submitted'`,
      );
      submitted = row?.n ?? 0;
      if (killHalfway && !killed && submitted >= ORDERS / 2) {
        killedCpu = cpuMs(workers[0]!.pid) - cpuAtStart[0]!;
        process.kill(-workers[0]!.pid!, "SIGKILL");
        killed = true;
        killedAt = (Date.now() - dueAt.getTime()) / 1000;
        console.log(
          `  ${label}: SIGKILL worker-1 at ${submitted} submitted, ${((Date.now() - dueAt.getTime()) / 1000).toFixed(1)} s after the deadline`,
        );
      }
      if (submitted >= ORDERS) break;
    }
    const lateness = (
      await queryRows<{ ms: number }>(
        database.db,
        sql`select extract(epoch from (submitted_at - ${dueAt.toISOString()}::timestamptz)) * 1000 as ms
            from submission where state = 'submitted' order by 1`,
      )
    ).map((r) => Number(r.ms));
    const lastMs = lateness[lateness.length - 1] ?? NaN;
    const [resent] = await queryRows<{ n: number; ms: number | null }>(
      database.db,
      sql`select count(*)::int as n,
            max(extract(epoch from (submitted_at - ${dueAt.toISOString()}::timestamptz)) * 1000) as ms
          from submission where state = 'submitted' and attempts > 1`,
    );
    const after = await sandbox.stats();
    const stats = {
      requests: after.requests - statsBefore.requests,
      ordersAccepted: after.ordersAccepted - statsBefore.ordersAccepted,
      duplicatePurchaseOrders: after.duplicatePurchaseOrders - statsBefore.duplicatePurchaseOrders,
    };
    const workerCpu = workers.reduce(
      (sum, w, i) => sum + (killed && i === 0 ? killedCpu : cpuMs(w.pid) - cpuAtStart[i]!),
      0,
    );
    return {
      label,
      submitted,
      lost: ORDERS - submitted,
      duplicates: stats.duplicatePurchaseOrders + Math.max(0, stats.ordersAccepted - submitted),
      early: lateness.filter((ms) => ms < 0).length,
      providerRequests: stats.requests,
      seconds: lastMs / 1000,
      perSecond: submitted / (lastMs / 1000),
      workerCpuMsPerSubmission: workerCpu / Math.max(1, submitted),
      lateP50: percentile(lateness, 50) / 1000,
      lateP99: percentile(lateness, 99) / 1000,
      lateMax: lastMs / 1000,
      resent: resent?.n ?? 0,
      resentLateMax: Number(resent?.ms ?? NaN) / 1000,
      killedAt,
    };
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  try {
    process.kill(-worker.pid!, "SIGTERM");
  } catch {
    return; // already gone (the one SIGKILLed halfway)
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-worker.pid!, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The provider floor: how fast the sandbox accepts signed purchase orders from a lean client that
 * does nothing else (no database, keys and bodies made up front), FLOOR_CONCURRENCY in flight.
 */
async function providerFloor(sandbox: SandboxProcess, round: number): Promise<number> {
  const bodies = Array.from({ length: FLOOR_ORDERS }, (_, n) => {
    const key = `floor-${round}-${n}-${randomUUID()}`;
    const body = JSON.stringify({
      poNumber: `OL-F${round}-${n}-1`,
      idempotencyKey: key,
      orderNumber: `#F${round}-${n}`,
      callbackUrl: "http://127.0.0.1:9/events",
      recipient: {
        name: "A",
        address1: "1 Loop Rd",
        city: "Portland",
        country: "United States",
        countryCode: "US",
      },
      items: [{ lineId: "1", sku: "TEE", title: "Tee", quantity: 1, files: [], options: {} }],
    });
    return { key, body };
  });
  let next = 0;
  let refused = 0;
  const started = performance.now();
  const client = async () => {
    while (next < bodies.length) {
      const { key, body } = bodies[next++]!;
      const answer = await fetch(`${sandbox.url}/orders`, {
        method: "POST",
        body,
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": key,
          ...signBody(SANDBOX_SECRET, body),
        },
      });
      await answer.arrayBuffer();
      if (!answer.ok) refused++;
    }
  };
  await Promise.all(Array.from({ length: FLOOR_CONCURRENCY }, client));
  if (refused > 0) throw new Error(`the sandbox refused ${refused} of the floor's purchase orders`);
  return FLOOR_ORDERS / ((performance.now() - started) / 1000);
}

export async function benchSubmitOrders(): Promise<void> {
  console.log(
    `\n== submit ${ORDERS} orders due at once: 2 workers, PostgreSQL, the sandbox provider in its own process on loopback`,
  );
  await buildServer(BUILD_DIR);
  const sandbox = await startSandboxProcess();
  cleanups.add(() => sandbox.close());
  try {
    const floors = [await providerFloor(sandbox, 0)];
    console.log(
      `  provider floor: the sandbox accepts ${floors[0]!.toFixed(0)} signed POs/s (${FLOOR_CONCURRENCY} in flight, ${FLOOR_ORDERS} POs)`,
    );
    const results: { r: RunResult; floor: number }[] = [];
    for (const [label, kill] of [
      ["undisturbed", false],
      ["one worker SIGKILLed halfway", true],
    ] as const) {
      const r = await run(label, kill, sandbox);
      floors.push(await providerFloor(sandbox, floors.length));
      // The floor on either side of the run.
      const floor = (floors[floors.length - 2]! + floors[floors.length - 1]!) / 2;
      console.log(`  provider floor: ${floors[floors.length - 1]!.toFixed(0)} signed POs/s`);
      results.push({ r, floor });
      const floorP50 = (0.5 * ORDERS) / floor;
      const floorP99 = (0.99 * ORDERS) / floor;
      console.log(
        `  ${r.label}: ${r.submitted}/${ORDERS} submitted in ${r.seconds.toFixed(1)} s after the deadline = ` +
          `${r.perSecond.toFixed(0)} submissions/s (${(r.perSecond / floor).toFixed(2)} of the provider floor, ${floor.toFixed(0)}/s); ` +
          `lateness p50 ${r.lateP50.toFixed(2)} s (floor ${floorP50.toFixed(2)} s), p99 ${r.lateP99.toFixed(2)} s ` +
          `(floor ${floorP99.toFixed(2)} s: ${(r.lateP99 / floorP99).toFixed(2)}×), max ${r.lateMax.toFixed(2)} s; ` +
          `lost ${r.lost}, duplicated ${r.duplicates}, sent early ${r.early}, provider requests ${r.providerRequests}` +
          `; workers' CPU ${r.workerCpuMsPerSubmission.toFixed(2)} ms per submission` +
          (r.resent > 0
            ? `; ${r.resent} sent again after a worker died, the last ${r.resentLateMax.toFixed(2)} s after the deadline (${(r.resentLateMax - r.killedAt).toFixed(2)} s after the kill; goal ≤ 5)`
            : ""),
      );
    }
    const [calm, killed] = results;
    const floorP99 = (0.99 * ORDERS) / calm!.floor;
    const ratio = calm!.r.perSecond / calm!.floor;
    console.log(
      `  ratio ${ratio.toFixed(2)} of the provider floor (goal ≥ 0.8); p99 lateness ${(calm!.r.lateP99 / floorP99).toFixed(2)}× the floor's (goal ≤ 1.25); ` +
        `${calm!.r.workerCpuMsPerSubmission.toFixed(2)} ms worker CPU per submission (goal ≤ 1.0); load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );
    recordBenchResult({
      bench: "submit",
      ratio,
      lost: calm!.r.lost + killed!.r.lost,
      duplicated: calm!.r.duplicates + killed!.r.duplicates,
      cpuMsPerSubmission: calm!.r.workerCpuMsPerSubmission,
      orders: ORDERS,
      perSecond: calm!.r.perSecond,
      providerFloorPerSecond: calm!.floor,
      providerFloors: floors,
      lateP50Seconds: calm!.r.lateP50,
      lateP99Seconds: calm!.r.lateP99,
      floorLateP50Seconds: (0.5 * ORDERS) / calm!.floor,
      floorLateP99Seconds: floorP99,
      lateP99Ratio: calm!.r.lateP99 / floorP99,
      sentEarly: calm!.r.early + killed!.r.early,
      killed: {
        ratio: killed!.r.perSecond / killed!.floor,
        perSecond: killed!.r.perSecond,
        lost: killed!.r.lost,
        duplicated: killed!.r.duplicates,
        resent: killed!.r.resent,
        resentLateMaxSeconds: killed!.r.resentLateMax,
        killedAtSeconds: killed!.r.killedAt,
        resentWithinSecondsOfKill: killed!.r.resentLateMax - killed!.r.killedAt,
        lateP99Seconds: killed!.r.lateP99,
        cpuMsPerSubmission: killed!.r.workerCpuMsPerSubmission,
      },
    });
  } finally {
    await sandbox.close();
  }
}
