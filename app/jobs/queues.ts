// The queues that move work between rooms, with what each job carries and how it is retried.
// Handlers are idempotent: pg-boss delivers at least once, so a job may run again after a crash.
import type { QueueOptions } from "pg-boss";

export interface JobData {
  /** A stored webhook receipt to act on (webhooks answer at once and leave the work here). */
  "process-webhook": { receiptId: string };
}

export type QueueName = keyof JobData;

export const QUEUE_OPTIONS: Record<QueueName, QueueOptions> = {
  "process-webhook": {
    // Carts and providers may be briefly down; back off for up to ~an hour before giving up.
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 300,
  },
};
