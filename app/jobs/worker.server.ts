// The worker role: which handler serves which queue.
import type { AppContext } from "~/context.server";
import { cancelSubmission } from "~/fulfillment/cancel.server";
import { startClaimRecovery, type ClaimRecovery } from "~/fulfillment/claims.server";
import { pollProviders } from "~/fulfillment/poll.server";
import { pollDistributorTracking } from "~/fulfillment/dropship/tracking-poll.server";
import { pushTracking } from "~/fulfillment/tracking.server";
import { reportSentToCart } from "~/fulfillment/report-sent.server";
import { sendStandingBy, sendSubmission } from "~/fulfillment/send.server";
import { autoSubmit, autoSubmitBatch } from "~/fulfillment/auto-submit.server";
import { runImportJob } from "~/orders/import.server";
import { queueDueSweeps, reconcileShop } from "~/carts/reconciliation.server";
import { abandonStaleOrders } from "~/orders/abandon.server";
import { sendFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import { queueDueFeeds, runFeedJob } from "~/fulfillment/dropship/distributors.server";
import type { JobHandlers, JobOfBatch } from "./jobs.server";
import type { JobData } from "./queues";
import { processWebhook, processWebhookBatch } from "./handlers/process-webhook.server";

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    // Order deliveries that arrive together are stored together.
    "process-webhook": Object.assign(
      (data: JobData["process-webhook"]) => processWebhook(ctx, data),
      {
        batch: (jobs: JobOfBatch<"process-webhook">[]) => processWebhookBatch(ctx, jobs),
      },
    ),
    // Deadlines that fall together are decided and sent a batch at a time.
    "auto-submit": Object.assign((data: JobData["auto-submit"]) => autoSubmit(ctx, data), {
      batch: (jobs: { data: JobData["auto-submit"] }[]) => autoSubmitBatch(ctx, jobs),
    }),
    "send-submission": (data, job) => sendSubmission(ctx, data, job),
    "send-standby": (data, job) => sendStandingBy(ctx, data, job),
    "push-tracking": (data, job) => pushTracking(ctx, data, job),
    "report-sent-to-cart": (data, job) => reportSentToCart(ctx, data, job),
    "cancel-submission": (data, job) => cancelSubmission(ctx, data, job),
    "import-orders": (data, job) => runImportJob(ctx, data, job),
    "reconcile-carts": async () => {
      await queueDueSweeps(ctx);
    },
    "reconcile-shop": async (data) => {
      await reconcileShop(ctx, data);
    },
    "poll-providers": async () => {
      await pollProviders(ctx);
      await pollDistributorTracking(ctx);
    },
    "abandon-orders": async () => {
      await abandonStaleOrders(ctx);
    },
    "send-flow-trigger": (data, job) => sendFlowTrigger(ctx, data, job),
    "schedule-feeds": async () => {
      await queueDueFeeds(ctx);
    },
    "run-feed": (data) => runFeedJob(ctx, data),
  };
}

/**
 * The worker role in this process: first the claims no live worker holds are put back (and from
 * then on every few seconds, see claims.server.ts), then every queue is served. `stop` ends the
 * sweep; the queues stop with the jobs (closeContext).
 */
export async function startWorker(ctx: AppContext): Promise<ClaimRecovery> {
  const recovery = await startClaimRecovery(ctx);
  await ctx.jobs.work(jobHandlers(ctx));
  return recovery;
}
