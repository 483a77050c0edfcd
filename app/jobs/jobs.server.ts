// pg-boss on the app's own database: PostgreSQL through its own pool, or the embedded PGlite through
// pg-boss's PGlite adapter. Jobs are rows in the same database as orders, so a job can be enqueued
// in the same transaction as the change that calls for it: both commit, or neither does.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import {
  PgBoss,
  fromDrizzle,
  fromPglite,
  type DrizzleTransactionLike,
  type JobResult,
  type JobWithMetadata,
} from "pg-boss";
import { RetryLater } from "./queues";
import type { Database, Tx } from "~/db/client.server";
import { QUEUES, SCHEDULES, type JobData, type QueueName } from "./queues";

export interface SendOptions {
  /** Run no earlier than this (scheduled jobs, e.g. the countdown's deadline). */
  startAfter?: Date;
  /** Only one queued job per key: a second send with the same key is dropped. */
  singletonKey?: string;
  /** Enqueue inside this transaction, so the job exists only if the transaction commits. */
  tx?: Tx;
}

export type JobHandler<Q extends QueueName> = (
  data: JobData[Q],
  job: {
    id: string;
    retryCount: number;
    /** No retry follows if this attempt fails: the handler must leave a final state behind. */
    lastAttempt: boolean;
  },
) => Promise<void>;

export type JobHandlers = { [Q in QueueName]?: JobHandler<Q> };

export interface Jobs {
  send<Q extends QueueName>(
    queue: Q,
    data: JobData[Q],
    options?: SendOptions,
  ): Promise<string | null>;
  /** Starts polling the given queues in this process (the worker role). */
  work(handlers: JobHandlers): Promise<void>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

export async function startJobs(database: Database): Promise<Jobs> {
  const boss = database.pglite
    ? new PgBoss({ db: fromPglite(database.pglite), backend: "pglite" })
    : new PgBoss({ connectionString: database.url ?? undefined, max: 4, schema: "pgboss" });
  boss.on("error", (err: Error) => console.error(`[jobs] ${err.message}`));
  await boss.start();
  for (const [name, settings] of Object.entries(QUEUES)) {
    const { batchSize: _batch, pollingIntervalSeconds: _poll, ...options } = settings;
    if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
    else await boss.updateQueue(name, options);
    // pg-boss looks a queue up (outside any transaction) the first time it is used after being
    // created or updated. On PGlite, one connection, that lookup would wait behind the very
    // transaction that is enqueueing, forever. Completing a job id that cannot exist makes the
    // lookup happen now, and changes nothing.
    await boss.complete(name, randomUUID());
  }

  return {
    boss,
    async send(queue, data, options = {}) {
      return boss.send(queue, data, {
        startAfter: options.startAfter,
        singletonKey: options.singletonKey,
        // Drizzle's execute() is typed loosely; at run time it returns { rows } as the adapter expects.
        db: options.tx
          ? fromDrizzle(options.tx as unknown as DrizzleTransactionLike, sql)
          : undefined,
      });
    },
    async work(handlers) {
      for (const [name, cron] of Object.entries(SCHEDULES)) {
        if (name in handlers) await boss.schedule(name, cron, {});
      }
      for (const [name, handler] of Object.entries(handlers) as [
        QueueName,
        JobHandler<QueueName>,
      ][]) {
        const settings = QUEUES[name];
        await boss.work(
          name,
          {
            batchSize: settings.batchSize,
            pollingIntervalSeconds: settings.pollingIntervalSeconds,
            burstWhenBatchFull: true,
            includeMetadata: true,
            perJobResults: true,
          } as const,
          // Each job of a batch succeeds or fails on its own, so one bad job never retries the rest.
          async (jobs: JobWithMetadata<JobData[QueueName]>[]): Promise<JobResult[]> =>
            Promise.all(
              jobs.map(async (job): Promise<JobResult> => {
                try {
                  await handler(job.data, {
                    id: job.id,
                    retryCount: job.retryCount,
                    lastAttempt: job.retryCount >= job.retryLimit,
                  });
                  return { id: job.id, status: "completed" };
                } catch (err) {
                  const message = err instanceof Error ? err.message : String(err);
                  if (!(err instanceof RetryLater))
                    console.error(`[jobs] ${name} ${job.id}: ${message}`);
                  return { id: job.id, status: "failed", output: { message } };
                }
              }),
            ),
        );
      }
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
