// pg-boss on the app's own database: PostgreSQL through its own pool, or the embedded PGlite through
// pg-boss's PGlite adapter. Jobs are rows in the same database as orders, so a job can be enqueued
// in the same transaction as the change that calls for it: both commit, or neither does. The rest
// of the app sees only `Jobs`; pg-boss stays behind it, in this folder.
import { createHash, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import {
  PgBoss,
  fromDrizzle,
  fromPglite,
  type Db as BossDb,
  type DrizzleTransactionLike,
  type JobResult,
  type JobWithMetadata,
} from "pg-boss";
import { RetryLater } from "./queues";
import type { Database, Tx } from "~/db/client.server";
import { guardJobInsert, type JobGuard } from "./guarded-insert.server";
import { QUEUES, SCHEDULES, type JobData, type QueueName } from "./queues";

export type { JobGuard } from "./guarded-insert.server";

export interface SendOptions {
  /** Run no earlier than this (scheduled jobs, e.g. the countdown's deadline). */
  startAfter?: Date;
  /**
   * A key naming the job (e.g. an order and its deadline). On the queues' standard policy a second
   * job with the same key is not refused: callers that must not double a job look for it first.
   */
  singletonKey?: string;
  /** Enqueue inside this transaction, so the job exists only if the transaction commits. */
  tx?: Tx;
}

/** A job as its queue holds it (what `find` answers). */
export interface QueuedJob<Q extends QueueName> {
  id: string;
  data: JobData[Q];
  state: "created" | "retry" | "active" | "completed" | "cancelled" | "failed";
  retryCount: number;
  startAfter: Date;
  singletonKey: string | null;
}

/** Which jobs of a queue `find` answers; with nothing set, every job the queue still keeps. */
export interface JobFilter<Q extends QueueName> {
  id?: string;
  /** Jobs whose data holds these fields with these values. */
  data?: Partial<JobData[Q]>;
  /** Only jobs still waiting to run (created, or failed and waiting for their retry). */
  queued?: boolean;
}

/** A job taken from its queue by `fetch`, to be settled with `complete` or `fail`. */
export interface FetchedJob<Q extends QueueName> {
  id: string;
  data: JobData[Q];
  retryCount: number;
}

export type JobHandler<Q extends QueueName> = ((
  data: JobData[Q],
  job: {
    id: string;
    retryCount: number;
    /** No retry follows if this attempt fails: the handler must leave a final state behind. */
    lastAttempt: boolean;
  },
) => Promise<void>) & {
  /**
   * When present, the worker hands it each fetched batch whole instead of calling the handler job
   * by job (set-based work, e.g. the countdown). The handler itself still serves single jobs.
   */
  batch?: JobBatchHandler<Q>;
};

export interface JobOfBatch<Q extends QueueName> {
  data: JobData[Q];
  id: string;
  retryCount: number;
  lastAttempt: boolean;
}

/**
 * Handles a whole fetched batch at once (set-based work); answers, per job and in the same order,
 * null when it succeeded or the error that makes that job fail (and be retried).
 */
export type JobBatchHandler<Q extends QueueName> = (
  jobs: JobOfBatch<Q>[],
) => Promise<(Error | null)[]>;

export type JobHandlers = { [Q in QueueName]?: JobHandler<Q> };

export interface Jobs {
  /** Enqueues one job; answers its id, or null when pg-boss turned it away under the queue's policy. */
  send<Q extends QueueName>(
    queue: Q,
    data: JobData[Q],
    options?: SendOptions,
  ): Promise<string | null>;
  /** Many jobs of one queue in one statement (e.g. every standby job of a batch of orders). */
  sendMany<Q extends QueueName>(
    queue: Q,
    jobs: { data: JobData[Q]; startAfter?: Date; singletonKey?: string }[],
    options?: Pick<SendOptions, "tx">,
  ): Promise<void>;
  /**
   * Many jobs in one statement with the guard's insert, each kept only if its guarding row went in;
   * answers the ids of the jobs that were kept.
   */
  sendManyGuarded<Q extends QueueName>(
    queue: Q,
    jobs: { id: string; data: JobData[Q] }[],
    guard: JobGuard,
  ): Promise<Set<string>>;
  /** Jobs of a queue, as the filter narrows them. */
  find<Q extends QueueName>(queue: Q, filter?: JobFilter<Q>): Promise<QueuedJob<Q>[]>;
  /** Cancels these jobs of a queue, so none of them runs (again). */
  cancel(queue: QueueName, ids: string[]): Promise<void>;
  /** Takes up to `batchSize` (default 1) due jobs, as a worker would, for running them by hand. */
  fetch<Q extends QueueName>(queue: Q, options?: { batchSize?: number }): Promise<FetchedJob<Q>[]>;
  /** Settles a fetched job as done. */
  complete(queue: QueueName, id: string): Promise<void>;
  /** Settles a fetched job as failed with this message; the queue retries it while it may. */
  fail(queue: QueueName, id: string, message: string): Promise<void>;
  /** Starts polling the given queues in this process (the worker role). */
  work(handlers: JobHandlers): Promise<void>;
  /** Stops polling one queue in this process, once the jobs in hand have finished. */
  stopWorking(queue: QueueName): Promise<void>;
  /** Stops everything, letting jobs in hand finish (up to 10 s). */
  stop(): Promise<void>;
}

export async function startJobs(database: Database): Promise<Jobs> {
  const boss = newBoss(database);
  boss.on("error", (err: Error) => console.error(`[jobs] ${err.message}`));
  await boss.start();
  await prepareQueues(boss);
  return jobsOn(boss, appConnection(database));
}

function newBoss(database: Database): PgBoss {
  return database.pglite
    ? new PgBoss({ db: fromPglite(database.pglite), backend: "pglite" })
    : new PgBoss({
        connectionString: database.url ?? undefined,
        max: 4,
        schema: "pgboss",
        application_name: `${database.applicationName}-jobs`,
        // Expired jobs (a worker that died holding them) are found on this beat; pg-boss's default
        // minute would leave a dead worker's countdowns waiting that long. Its expiry pass runs at
        // the longer of these two intervals, so both are set: with the monitor at its default
        // minute, a dead worker's countdown jobs waited about a minute, not the 20 s intended.
        superviseIntervalSeconds: 10,
        monitorIntervalSeconds: 10,
      });
}

/** Creates each queue, or brings its policy up to date. */
async function prepareQueues(boss: PgBoss): Promise<void> {
  for (const [name, settings] of Object.entries(QUEUES)) {
    const {
      batchSize: _batch,
      pollingIntervalSeconds: _poll,
      localConcurrency: _local,
      ...options
    } = settings;
    // pg-boss fixes a queue's policy when it creates it; an update may change everything else.
    const { policy: _policy, ...changeable } = options;
    if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
    else await boss.updateQueue(name, changeable);
    // pg-boss looks a queue up (outside any transaction) the first time it is used after being
    // created or updated. On PGlite, one connection, that lookup would wait behind the very
    // transaction that is enqueueing, forever. Completing a job id that cannot exist makes the
    // lookup happen now, and changes nothing.
    await boss.complete(name, randomUUID());
  }
}

/**
 * Guarded inserts run on the app's own connections, where the guard's table lives; on
 * PostgreSQL as a named statement, parsed and planned once per connection rather than per batch.
 */
function appConnection(database: Database): BossDb {
  const pool = database.pool;
  return pool
    ? {
        async executeSql(text, values) {
          return pool.query({ name: `orderlane_guarded_${statementKey(text)}`, text, values });
        },
      }
    : fromDrizzle(database.db as unknown as DrizzleTransactionLike, sql);
}

/** pg-boss's connection for an enqueue inside the caller's transaction; none outside one. */
function inTransaction(tx: Tx | undefined): BossDb | undefined {
  // Drizzle's execute() is typed loosely; at run time it returns { rows } as the adapter expects.
  return tx ? fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) : undefined;
}

function jobsOn(boss: PgBoss, appDb: BossDb): Jobs {
  return {
    async send(queue, data, options = {}) {
      return boss.send(queue, data, {
        startAfter: options.startAfter,
        singletonKey: options.singletonKey,
        db: inTransaction(options.tx),
      });
    },
    async sendMany(queue, jobs, options = {}) {
      if (jobs.length === 0) return;
      await boss.insert(
        queue,
        jobs.map((job) => ({
          data: job.data,
          startAfter: job.startAfter,
          singletonKey: job.singletonKey,
        })),
        { db: inTransaction(options.tx) },
      );
    },
    sendManyGuarded: (queue, jobs, guard) => sendManyGuarded(boss, appDb, queue, jobs, guard),
    async find<Q extends QueueName>(queue: Q, filter: JobFilter<Q> = {}) {
      const found: QueuedJob<Q>[] = await boss.findJobs<JobData[Q]>(queue, {
        id: filter.id,
        data: filter.data,
        queued: filter.queued,
      });
      return found;
    },
    async cancel(queue, ids) {
      if (ids.length === 0) return;
      await boss.cancel(queue, ids);
    },
    async fetch<Q extends QueueName>(queue: Q, options: { batchSize?: number } = {}) {
      const fetched: FetchedJob<Q>[] = await boss.fetch<JobData[Q]>(
        queue,
        options.batchSize === undefined ? {} : { batchSize: options.batchSize },
      );
      return fetched;
    },
    async complete(queue, id) {
      await boss.complete(queue, id);
    },
    async fail(queue, id, message) {
      await boss.fail(queue, id, { message });
    },
    work: (handlers) => work(boss, handlers),
    async stopWorking(queue) {
      await boss.offWork(queue, { wait: true });
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

async function sendManyGuarded<Q extends QueueName>(
  boss: PgBoss,
  appDb: BossDb,
  queue: Q,
  jobs: { id: string; data: JobData[Q] }[],
  guard: JobGuard,
): Promise<Set<string>> {
  let kept: Set<string> | null = null;
  const guarded: BossDb = {
    async executeSql(text, values = []) {
      const { statement, params } = guardJobInsert(text, values, guard);
      const result = await appDb.executeSql(statement, params);
      kept = new Set(result.rows.map((row: { id: string }) => row.id));
      return result;
    },
  };
  // Jobs with ids of their own, so the ids answered are the caller's.
  await boss.insert(
    queue,
    jobs.map((job) => ({ id: job.id, data: job.data })),
    { db: guarded, returnId: true },
  );
  if (!kept) throw new Error("pg-boss did not insert the guarded jobs");
  return kept;
}

async function work(boss: PgBoss, handlers: JobHandlers): Promise<void> {
  for (const [name, cron] of Object.entries(SCHEDULES)) {
    if (name in handlers) await boss.schedule(name, cron, {});
  }
  for (const [name, handler] of Object.entries(handlers) as [QueueName, JobHandler<QueueName>][]) {
    await workQueue(boss, name, handler);
  }
}

async function workQueue(
  boss: PgBoss,
  name: QueueName,
  handler: JobHandler<QueueName>,
): Promise<void> {
  const settings = QUEUES[name];
  const handleBatch = handler.batch ?? jobByJob(handler);
  await boss.work(
    name,
    {
      batchSize: settings.batchSize,
      pollingIntervalSeconds: settings.pollingIntervalSeconds,
      localConcurrency: settings.localConcurrency ?? 1,
      burstWhenBatchFull: true,
      includeMetadata: true,
      perJobResults: true,
    } as const,
    (jobs: JobWithMetadata<JobData[QueueName]>[]) => runBatch(name, handleBatch, jobs),
  );
}

/** A handler without a batch form, run on every job of a batch at once, each on its own. */
function jobByJob(handler: JobHandler<QueueName>): JobBatchHandler<QueueName> {
  return (batch) =>
    Promise.all(
      batch.map(async (job) => {
        try {
          await handler(job.data, job);
          return null;
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      }),
    );
}

// Each job of a batch succeeds or fails on its own, so one bad job never retries the rest.
async function runBatch(
  name: QueueName,
  handleBatch: JobBatchHandler<QueueName>,
  jobs: JobWithMetadata<JobData[QueueName]>[],
): Promise<JobResult[]> {
  const batch = jobs.map((job) => ({
    data: job.data,
    id: job.id,
    retryCount: job.retryCount,
    lastAttempt: job.retryCount >= job.retryLimit,
  }));
  let errors: (Error | null)[];
  try {
    errors = await handleBatch(batch);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    errors = batch.map(() => error);
  }
  return jobs.map((job, i): JobResult => {
    const err = errors[i] ?? null;
    if (!err) return { id: job.id, status: "completed" };
    if (!(err instanceof RetryLater)) console.error(`[jobs] ${name} ${job.id}: ${err.message}`);
    return { id: job.id, status: "failed", output: { message: err.message } };
  });
}

const statementKeys = new Map<string, string>();
/** A short stable name for a statement's text (the same text always gets the same name). */
function statementKey(text: string): string {
  let key = statementKeys.get(text);
  if (!key) {
    key = createHash("sha1").update(text).digest("hex").slice(0, 16);
    statementKeys.set(text, key);
  }
  return key;
}
