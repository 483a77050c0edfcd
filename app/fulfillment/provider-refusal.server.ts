// A provider refused a purchase order, failed it for good, or cancelled it. The lifecycle table
// decides what that does to the order: an Open order goes to Error with the alert that says what
// to do; an order already elsewhere (archived, reset, in Error) keeps its state, and the timeline
// records what the provider said.
import type { Tx } from "~/db/client.server";
import type { OrderAlert } from "~/orders/core/model";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { decide } from "~/orders/core/lifecycle";
import { orderFacts, transition, type LockedOrder } from "~/orders/core/transitions.server";

export async function recordProviderRefusal(
  tx: Tx,
  locked: LockedOrder,
  refusal: { alert: OrderAlert; submissionId: string; timelineAction: string },
): Promise<void> {
  const { order } = locked;
  const data = { submissionId: refusal.submissionId };
  const acting = { actor: "provider" } as const;
  // Open or Abandoned: the lifecycle table decides which orders a provider's refusal moves.
  if (decide("provider_reject", orderFacts(locked, acting)).allowed) {
    await transition(tx, locked, {
      action: "provider_reject",
      acting,
      message: refusal.alert.message,
      data,
      set: { alert: refusal.alert },
    });
  } else {
    await addTimelineEntry(tx, {
      shopId: order.shopId,
      orderId: order.id,
      actor: "provider",
      action: refusal.timelineAction,
      message: refusal.alert.message,
      data,
    });
  }
  await refreshOrderSummary(tx, order.shopId, order.id);
}
