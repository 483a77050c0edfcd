// The queues that move work between rooms, with what each job carries and how it is retried.
// Handlers are idempotent: pg-boss delivers at least once, so a job may run again after a crash.
import type { QueueOptions, QueuePolicy } from "pg-boss";

export interface JobData {
  /** A stored webhook or provider event to act on (its route answered at once). */
  "process-webhook": { receiptId: string };
  /** An order's countdown reached zero (stale if the deadline has since moved). */
  "auto-submit": { shopId: string; orderId: string; dueAt: string };
  /** Send one purchase order to its provider. */
  "send-submission": { shopId: string; submissionId: string };
  /** Put one shipment's tracking into the cart. */
  "push-tracking": { shopId: string; shipmentId: string };
  /** A provider accepted a purchase order: tell the cart the order is being made. */
  "report-sent-to-cart": { shopId: string; submissionId: string };
  /** The cart cancelled the order: withdraw one purchase order at its provider. */
  "cancel-submission": { shopId: string; submissionId: string };
  /** Read orders from the cart for an Import run, carrying on from where the run stands. */
  "import-orders": { shopId: string; runId: string };
  /** Scheduled: queue a reconciliation sweep for each shop whose interval has passed. */
  "reconcile-carts": Record<string, never>;
  /** Ask one shop's cart for the orders it changed that no webhook brought. */
  "reconcile-shop": { shopId: string };
  /** Scheduled: ask providers about purchase orders they have not reported on. */
  "poll-providers": Record<string, never>;
  /** Scheduled: Open orders with nothing shipped long after they were sent become Abandoned. */
  "abandon-orders": Record<string, never>;
  /** Scheduled: queue each distributor feed whose hour has come in its shop's time zone. */
  "schedule-feeds": Record<string, never>;
  /** Fetch one distributor's feed and apply it (then push stock to the cart). */
  "run-feed": { shopId: string; providerId: string; trigger: "schedule" | "owner" };
}

export type QueueName = keyof JobData;

export interface QueueSettings extends QueueOptions {
  /** Jobs fetched per poll; handled in parallel, each settled on its own. */
  batchSize: number;
  pollingIntervalSeconds: number;
  /** Batches handled at once in one worker process (default 1). */
  localConcurrency?: number;
  /** pg-boss's queue policy; `standard` unless a queue needs singletons by key. */
  policy?: QueuePolicy;
}

export const QUEUES: Record<QueueName, QueueSettings> = {
  "process-webhook": {
    // Carts and providers may be briefly down; back off for up to ~an hour before giving up.
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 300,
    // Order deliveries of one shop in a batch are stored by one ingest (processWebhookBatch), so
    // a burst costs a few statements per 50 deliveries rather than a dozen per delivery.
    batchSize: 50,
    pollingIntervalSeconds: 1,
  },
  "auto-submit": {
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 120,
    // A live worker beats every 5 s; the batch of one that died is handed to another within
    // about 20 s (this plus the supervise interval in jobs.server.ts) instead of after the expiry.
    heartbeatSeconds: 10,
    // Deadlines that fall together are decided in one transaction per batch and sent at once;
    // three batches per worker overlap one's database work with the others' provider calls. Small
    // enough that a worker dying mid-batch strands few orders (they wait for the claim lease).
    batchSize: 25,
    localConcurrency: 3,
    // Orders go out within 2 s of their deadline.
    pollingIntervalSeconds: 0.5,
  },
  "send-submission": {
    // 5xx and timeouts: bounded retries with backoff, then the submission is Failed.
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 600,
    // Longer than a provider call may take (30 s), so a live attempt is never handed out twice.
    expireInSeconds: 90,
    batchSize: 20,
    pollingIntervalSeconds: 0.5,
  },
  "push-tracking": {
    retryLimit: 10,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 3600,
    expireInSeconds: 120,
    batchSize: 10,
    pollingIntervalSeconds: 1,
  },
  "report-sent-to-cart": {
    // The owner loses nothing if the cart hears late; keep trying for a few hours.
    retryLimit: 8,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 3600,
    expireInSeconds: 120,
    batchSize: 10,
    pollingIntervalSeconds: 2,
  },
  "cancel-submission": {
    retryLimit: 6,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 1800,
    expireInSeconds: 90,
    batchSize: 10,
    pollingIntervalSeconds: 1,
  },
  "import-orders": {
    // A failure is recorded on the run (the owner resumes it); retries only cover a worker that
    // died, and find the run's heartbeat stopped. A big import can take a long while: the run's
    // own heartbeat, not this expiry, tells a live worker from a dead one.
    retryLimit: 3,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 6 * 3600,
    batchSize: 2,
    pollingIntervalSeconds: 1,
  },
  "reconcile-carts": {
    retryLimit: 0,
    expireInSeconds: 120,
    batchSize: 1,
    pollingIntervalSeconds: 5,
  },
  "reconcile-shop": {
    // At most one sweep per shop waiting and one running (the key is the shop).
    policy: "stately",
    // A sweep that fails records where it stopped; the next tick carries on from there, so a
    // retry here would only repeat what the schedule does anyway.
    retryLimit: 0,
    expireInSeconds: 3600,
    batchSize: 2,
    pollingIntervalSeconds: 5,
  },
  "poll-providers": {
    retryLimit: 0,
    expireInSeconds: 900,
    batchSize: 1,
    pollingIntervalSeconds: 5,
  },
  "abandon-orders": {
    // Nothing is lost by waiting for the next hour's run.
    retryLimit: 0,
    expireInSeconds: 900,
    batchSize: 1,
    pollingIntervalSeconds: 30,
  },
  "schedule-feeds": {
    retryLimit: 0,
    expireInSeconds: 300,
    batchSize: 1,
    pollingIntervalSeconds: 10,
  },
  "run-feed": {
    // One waiting and one running per distributor (the key is the distributor).
    policy: "stately",
    // A failed run is recorded with its reason and alert; the next day's run or Run now tries
    // again. Retries here only cover a worker that died mid-run.
    retryLimit: 1,
    retryDelay: 300,
    // A million-row feed over a slow link can take a while; the run's own timeouts end a stall.
    expireInSeconds: 2 * 3600,
    batchSize: 2,
    pollingIntervalSeconds: 2,
  },
};

/** Cron schedules (pg-boss runs each once per tick across all workers). */
export const SCHEDULES: Partial<Record<QueueName, string>> = {
  "poll-providers": "*/10 * * * *",
  // Each shop's own interval (15 minutes by default) is checked every minute.
  "reconcile-carts": "* * * * *",
  // Hourly: the limit is counted in days, so an order is abandoned within the hour it is due.
  "abandon-orders": "17 * * * *",
  // Feeds run at an hour in each shop's zone; zones differ by half and quarter hours.
  "schedule-feeds": "*/5 * * * *",
};

/** Thrown by a handler when the work should be tried again later (pg-boss backs off). */
export class RetryLater extends Error {}
