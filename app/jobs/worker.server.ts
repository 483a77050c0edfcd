// The worker role: which handler serves which queue.
import type { AppContext } from "~/context.server";
import type { JobHandlers } from "./jobs.server";
import { processWebhook } from "./handlers/process-webhook.server";

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    "process-webhook": (data) => processWebhook(ctx, data),
  };
}
