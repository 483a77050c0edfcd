// A worker that dies while sending a purchase order: its claim is taken back within seconds and
// the order reaches the provider once; a claim whose worker is alive is never taken back.
// Workers run as child processes (`server/main.ts --role=worker`), killed with SIGKILL.
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { openDatabase } from "~/db/client.server";
import { submissions } from "~/db/schema";
import { takeBackDeadClaims } from "~/fulfillment/claims.server";
import { IDEMPOTENCY_KEY_HEADER } from "~/fulfillment/protocol";
import type { SandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { sendSubmission } from "~/fulfillment/send.server";
import { submitOrder } from "~/fulfillment/submit.server";
import { startPresence } from "~/jobs/presence.server";
import { bootContext, closeContext, openAppDatabase } from "../server/boot";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { testDatabaseKind } from "./support/db";
import { personalisedOrder, shopWithSandbox, startSandbox } from "./support/fulfillment";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const owner = { actor: "owner" as const, name: "Test owner" };
let app: TestApp;
let sandbox: SandboxProvider;
const children = new Set<ChildProcess>();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  app = await startTestApp();
  // Long enough that no shipment is posted back while a test runs.
  sandbox = await startSandbox({ shipDelayMs: 3_600_000 });
}, STARTUP_TIMEOUT_MS);
afterEach(async () => {
  for (const child of children) killGroup(child, "SIGKILL");
  children.clear();
  for (const close of closers.splice(0)) await close().catch(() => {});
});
afterAll(async () => {
  await sandbox?.close();
  await app?.close();
  await closeVite();
});

/** A submission of a new order, claimed as `claimedBy` would claim it, `ageMs` ago. */
async function claimedSubmission(claimedBy: number, ageMs = 0) {
  const { shop } = await shopWithSandbox(app.ctx, sandbox);
  const order = await personalisedOrder(app.ctx, shop);
  await submitOrder(app.ctx, shop.id, order.id, owner);
  const [row] = await app.ctx.db
    .update(submissions)
    .set({
      state: "submitting",
      attempts: 1,
      claimedBy,
      claimedAt: new Date(Date.now() - ageMs),
    })
    .where(eq(submissions.orderId, order.id))
    .returning();
  return { shop, submission: row! };
}

async function current(id: string) {
  const [row] = await app.ctx.db.select().from(submissions).where(eq(submissions.id, id));
  return row!;
}

async function queuedSends(submissionId: string) {
  return app.ctx.jobs.find("send-submission", { data: { submissionId }, queued: true });
}

/** Sweeps at 0, 2, 4 and 60 s (the sweep's clock, not ours) take back no claim. */
async function sweepsOverAMinuteTakeNothing() {
  const suspects = new Map<number, number>();
  const start = Date.now();
  for (const at of [0, 2_000, 4_000, 60_000]) {
    expect(await takeBackDeadClaims(app.ctx, suspects, start + at)).toBe(0);
  }
}

describe("claims and the workers holding them", () => {
  it("a claim whose worker is alive is not taken back, however old it is", async () => {
    const { submission } = await claimedSubmission(app.ctx.presence.workerId, 3_600_000);
    const jobsBefore = (await queuedSends(submission.id)).length;
    await sweepsOverAMinuteTakeNothing();
    expect(await current(submission.id)).toMatchObject({
      state: "submitting",
      attempts: 1,
      claimedBy: app.ctx.presence.workerId,
    });
    expect(await queuedSends(submission.id)).toHaveLength(jobsBefore);
  });

  it.skipIf(testDatabaseKind !== "postgres")(
    "nor is the claim of another worker process that is still connected",
    async () => {
      const other = await startPresence(app.ctx.database);
      closers.push(() => other.close());
      const { submission } = await claimedSubmission(other.workerId, 3_600_000);
      await sweepsOverAMinuteTakeNothing();
      expect(await current(submission.id)).toMatchObject({
        state: "submitting",
        claimedBy: other.workerId,
      });
    },
  );

  it("the claim of a worker that is gone is taken back at the second look, then sent once with the same key", async () => {
    // A worker that was there and has gone: on PostgreSQL its lock is released, on PGlite any id
    // but this process's own belongs to an earlier run.
    const gone = await startPresence(app.ctx.database);
    await gone.close();
    const { shop, submission } = await claimedSubmission(gone.workerId);
    const suspects = new Map<number, number>();
    const start = Date.now();
    expect(await takeBackDeadClaims(app.ctx, suspects, start)).toBe(0);
    expect((await current(submission.id)).state).toBe("submitting");
    // (On PostgreSQL the file's earlier tests may have left claims of stopped workers too.)
    expect(await takeBackDeadClaims(app.ctx, suspects, start + 2_000)).toBeGreaterThanOrEqual(1);
    expect(await current(submission.id)).toMatchObject({
      state: "pending",
      claimedBy: null,
      idempotencyKey: submission.idempotencyKey,
    });
    // A send job waits for it now, not after the standby delay.
    const [job] = await queuedSends(submission.id);
    expect(job).toBeTruthy();
    expect(job!.startAfter.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);

    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    expect(await current(submission.id)).toMatchObject({
      state: "submitted",
      attempts: 2,
      claimedBy: app.ctx.presence.workerId,
    });
    // Sent once, under its key; one order at the provider for its PO number.
    expect(sandbox.stats().requestsByKey[submission.idempotencyKey]).toBe(1);
    expect(sandbox.stats().ordersByPoNumber[submission.poNumber]).toBe(1);
  });
});

/**
 * A provider (a sandbox of its own) behind a door that passes every purchase order on, but never
 * answers the first one: the worker sending it is left waiting in the middle of its call, after
 * the provider has made the order.
 */
async function holdingProvider() {
  const behind = await startSandbox({ shipDelayMs: 3_600_000 });
  closers.push(() => behind.close());
  const target = behind.url;
  const seen: { key: string; at: number }[] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ key: String(req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]), at: Date.now() });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["host", "connection", "content-length"].includes(name))
          headers[name] = value;
      }
      void fetch(`${target}${req.url}`, { method: req.method, headers, body }).then(
        async (answer) => {
          const text = await answer.text();
          if (seen.length === 1) {
            held.add(res);
            return;
          }
          res.writeHead(answer.status, { "Content-Type": "application/json" }).end(text);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stats: () => behind.stats(),
  };
}

/** `npm run worker` as a child process; resolves once it serves its queues. */
async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--role=worker"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      SHOPIFY_API_KEY: "test",
      SHOPIFY_API_SECRET: "test",
      SHOPIFY_APP_URL: "http://127.0.0.1:9",
      ENCRYPTION_KEY: app.ctx.config.encryptionKey.toString("hex"),
      // The provider here listens on loopback: the operator's setting for that (decision 24).
      ALLOW_PRIVATE_OUTBOUND: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a kill reaches everything it started.
    detached: true,
  });
  children.add(child);
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("worker started")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function killed(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  killGroup(child, signal);
  await exited;
  children.delete(child);
}

async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(testDatabaseKind !== "postgres")("two worker processes on PostgreSQL", () => {
  it("one killed mid-call: the other takes its claim back within seconds, never while it lives, and the provider makes one order", async () => {
    const provider = await holdingProvider();
    const { shop } = await shopWithSandbox(app.ctx, { url: provider.url });
    const order = await personalisedOrder(app.ctx, shop);
    const env = { DATABASE_URL: app.ctx.database.url! };
    const first = await startWorkerProcess(env);
    await submitOrder(app.ctx, shop.id, order.id, owner);

    // The first worker has claimed it and is waiting on the provider, which has made the order.
    await until(
      () => provider.seen.length,
      (n) => n === 1,
      15_000,
    );
    const [claimed] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, order.id));
    expect(claimed).toMatchObject({ state: "submitting", attempts: 1 });
    expect(claimed!.claimedBy).not.toBeNull();

    // A second worker sweeps every 2 s while the first one lives: the claim stays where it is.
    await startWorkerProcess(env);
    await new Promise((r) => setTimeout(r, 6_000));
    expect(provider.seen).toHaveLength(1);
    expect(
      (await app.ctx.db.select().from(submissions).where(eq(submissions.id, claimed!.id)))[0],
    ).toMatchObject({ state: "submitting", attempts: 1, claimedBy: claimed!.claimedBy });

    await killed(first);
    const diedAt = Date.now();
    await until(
      () => provider.seen.length,
      (n) => n === 2,
      15_000,
    );
    expect(provider.seen[1]!.at - diedAt).toBeLessThan(8_000);
    expect(provider.seen[1]!.key).toBe(claimed!.idempotencyKey);
    expect(provider.seen[0]!.key).toBe(claimed!.idempotencyKey);

    const settled = await until(
      async () =>
        (await app.ctx.db.select().from(submissions).where(eq(submissions.id, claimed!.id)))[0]!,
      (row) => row.state === "submitted",
      10_000,
    );
    expect(settled.attempts).toBe(2);
    expect(settled.claimedBy).not.toBe(claimed!.claimedBy);
    expect(provider.stats()).toMatchObject({
      requests: 2,
      ordersAccepted: 1,
      duplicatePurchaseOrders: 0,
    });
  }, 90_000);
});

describe.skipIf(testDatabaseKind !== "pglite")("one worker process on PGlite", () => {
  it("killed mid-call and started again: the restart sends the claim again at once, and the provider makes one order", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-claims-"));
    closers.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const provider = await holdingProvider();
    // The worker processes and this one seal and open the provider's secret with the same key.
    const encryptionKey = randomBytes(32).toString("hex");
    const config = loadConfig(
      { NODE_ENV: "test", DATA_DIR: dataDir, ENCRYPTION_KEY: encryptionKey },
      { role: "worker" },
    );
    // The order is submitted before any worker runs; the folder serves one process at a time.
    const seedCtx = await bootContext(config, await openAppDatabase(config));
    const { shop } = await shopWithSandbox(seedCtx, { url: provider.url });
    const order = await personalisedOrder(seedCtx, shop);
    await submitOrder(seedCtx, shop.id, order.id, owner);
    await closeContext(seedCtx);

    const env = { DATA_DIR: dataDir, ENCRYPTION_KEY: encryptionKey };
    const first = await startWorkerProcess(env);
    await until(
      () => provider.seen.length,
      (n) => n === 1,
      20_000,
    );
    await killed(first);

    // No other worker exists to notice: the restarted one puts the dead run's claim back itself.
    const second = await startWorkerProcess(env);
    await until(
      () => provider.seen.length,
      (n) => n === 2,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await killed(second, "SIGTERM");
    expect(provider.seen[1]!.key).toBe(provider.seen[0]!.key);
    expect(provider.stats()).toMatchObject({ requests: 2, ordersAccepted: 1 });

    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      const [row] = await database.db
        .select()
        .from(submissions)
        .where(eq(submissions.orderId, order.id));
      expect(row).toMatchObject({ state: "submitted", attempts: 2 });
    } finally {
      await database.close();
    }
  }, 120_000);
});
