// Two-way status: a status the owner sets in the app (Processing ↔ On hold, Cancel) is written to
// the cart first and stored only once the cart accepts, so both sides always say the same.
import type { CartStatusChange } from "~/carts/connector";
import type { ActionOutcome } from "./actions.server";
import type { IngestCtx } from "./ingest.server";
import type { ActingAs } from "./orders.server";

export async function changeOrderStatus(
  ctx: IngestCtx,
  shopId: string,
  orderId: string,
  change: CartStatusChange,
  acting: ActingAs,
): Promise<ActionOutcome> {
  // TODO(order sync): implemented with the order-sync work.
  void ctx;
  void shopId;
  void orderId;
  void change;
  void acting;
  return { ok: false, code: "refused", reason: "Changing the status is not available yet" };
}
