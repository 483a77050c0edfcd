// The countdown firing: when an order's review window ends, its auto-submit job lands here and the
// order is submitted to its providers. The deadline itself is set and paused by the countdown in
// `orders/countdown.server.ts`; a job made stale by a hold, a release or a new deadline is refused
// by `submitOrders`, which compares the job's deadline with the order's.
import type { AppContext } from "~/context.server";
import type { JobData } from "~/jobs/queues";
import { sendClaimedMany } from "./send.server";
import {
  submitOrder,
  submitOrders,
  type SendableSubmission,
  type SubmitResult,
} from "./submit.server";

/** Submitting claims what it sends, in the name of this process's worker. */
type SubmitCtx = Pick<AppContext, "db" | "jobs" | "config" | "presence">;

/** The auto-submit job. */
export async function autoSubmit(ctx: SubmitCtx, data: JobData["auto-submit"]): Promise<void> {
  const [error] = await autoSubmitBatch(ctx, [{ data }]);
  if (error) throw error;
}

/**
 * A batch of auto-submit jobs (many deadlines falling together): each shop's orders are decided in
 * one transaction, then their purchase orders are sent from here, a bounded number at a time.
 * Answers per job: null, or the error that makes that job retry.
 */
export async function autoSubmitBatch(
  ctx: SubmitCtx,
  jobs: { data: JobData["auto-submit"] }[],
): Promise<(Error | null)[]> {
  const errors: (Error | null)[] = jobs.map(() => null);
  const byShop = new Map<string, number[]>();
  jobs.forEach((job, i) =>
    byShop.set(job.data.shopId, [...(byShop.get(job.data.shopId) ?? []), i]),
  );
  const acting = { actor: "system" as const, name: "Countdown" };
  const toSend: SendableSubmission[] = [];
  for (const [shopId, indexes] of byShop) {
    // A job whose deadline no longer matches the order's (held, released with a new deadline,
    // submitted by hand, deleted) is stale, and submitOrders refuses it.
    const requests = indexes.map((i) => ({
      orderId: jobs[i]!.data.orderId,
      deadline: jobs[i]!.data.dueAt,
    }));
    let results: SubmitResult[];
    try {
      results = await submitOrders(ctx, shopId, requests, acting, { sendingInline: true });
    } catch (err) {
      // One order that cannot be decided (a bug, unreadable credentials) must not hold up the
      // others: decide them one by one, so only its own job fails and retries.
      if (indexes.length === 1) {
        errors[indexes[0]!] = asError(err);
        continue;
      }
      console.error(
        `[countdown] ${indexes.length} orders could not be decided together (${asError(err).message}); deciding them one by one`,
      );
      results = [];
      for (const [n, request] of requests.entries()) {
        try {
          results.push(
            await submitOrder(ctx, shopId, request.orderId, acting, {
              sendingInline: true,
              deadline: request.deadline,
            }),
          );
        } catch (single) {
          errors[indexes[n]!] = asError(single);
          results.push({ outcome: "not_found" });
        }
      }
    }
    for (const result of results) {
      if (result.outcome === "submitted") toSend.push(...result.sendable);
    }
  }
  // Sent from here rather than after another trip through the queue: the orders reach their
  // provider right after their deadline. A failure to send is left to the batch's standby job, so
  // the timer jobs themselves are done once their orders are decided.
  await sendClaimedMany(ctx, toSend).catch((err: unknown) => {
    console.error(`[countdown] ${asError(err).message}`);
  });
  return errors;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
