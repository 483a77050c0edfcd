// The words of the "What do statuses mean?" panel: our lifecycle states, and each cart's own
// statuses with the cart status we show for them. Kept out of server code so the page can render
// it. The sync code (carts/*) owns the actual translation; this text follows the same natural
// mapping and is the place to change when that mapping changes.
import { STATE_DESCRIPTIONS, STATE_LABELS } from "~/orders/core/lifecycle";
import { CART_STATUS_LABELS, LIFECYCLE_STATES, type CartStatus } from "~/orders/core/model";

export interface CartStatusHelp {
  /** The cart's own word, as the owner sees it in the cart's admin. */
  cartWord: string;
  /** What it means in the cart. */
  meaning: string;
  /** The cart status Orderlane shows for it. */
  ours: CartStatus | null;
  /** Anything the owner should know about how Orderlane treats it. */
  note?: string;
}

export const LIFECYCLE_HELP = LIFECYCLE_STATES.map((state) => ({
  state,
  label: STATE_LABELS[state],
  description: STATE_DESCRIPTIONS[state],
}));

export const SHOPIFY_STATUS_HELP: readonly CartStatusHelp[] = [
  {
    cartWord: "Payment pending / authorized",
    meaning: "The customer has not paid yet, or the payment is only reserved (authorized).",
    ours: "pending_payment",
    note: "Not submitted until Shopify marks it paid.",
  },
  {
    cartWord: "Paid / partially paid",
    meaning: "The money was captured, in full or in part.",
    ours: "processing",
    note: "An in-app order starts its countdown.",
  },
  {
    cartWord: "Unfulfilled / partially fulfilled",
    meaning: "Nothing, or only some of the items, has shipped yet.",
    ours: "processing",
  },
  {
    cartWord: "On hold",
    meaning: "A fulfillment order is on hold (for example while the owner checks something).",
    ours: "on_hold",
    note: "The countdown pauses until the hold is released.",
  },
  {
    cartWord: "Fulfilled",
    meaning: "Every item has shipped.",
    ours: "completed",
  },
  {
    cartWord: "Cancelled",
    meaning: "The order was cancelled in Shopify.",
    ours: "cancelled",
    note: "The countdown stops and nothing more is sent.",
  },
  {
    cartWord: "Voided / payment expired",
    meaning: "The reserved payment was released, or it ran out before it was captured.",
    ours: "failed",
    note: "Never submitted.",
  },
  {
    cartWord: "Refunded / partially refunded",
    meaning: "The money was given back in full (a partial refund keeps the order Paid).",
    ours: "refunded",
  },
];

export const WOOCOMMERCE_STATUS_HELP: readonly CartStatusHelp[] = [
  {
    cartWord: "Pending payment",
    meaning: "Pending payment: the order exists but no payment arrived yet.",
    ours: "pending_payment",
    note: "Not submitted until it is paid.",
  },
  {
    cartWord: "Processing",
    meaning: "Payment received; the order waits to be fulfilled.",
    ours: "processing",
    note: "An in-app order starts its countdown.",
  },
  {
    cartWord: "On hold",
    meaning: "Awaiting payment confirmation (a bank transfer, say) or held by the store.",
    ours: "on_hold",
    note: "The countdown pauses until the order is processing again.",
  },
  {
    cartWord: "Completed",
    meaning: "Fulfilled and complete.",
    ours: "completed",
  },
  {
    cartWord: "Cancelled",
    meaning: "Cancelled by the store or the customer.",
    ours: "cancelled",
  },
  {
    cartWord: "Refunded",
    meaning: "Refunded in full.",
    ours: "refunded",
  },
  {
    cartWord: "Failed",
    meaning: "The payment failed or was declined.",
    ours: "failed",
  },
  {
    cartWord: "Draft",
    meaning:
      "A checkout the customer has not finished (the block checkout keeps it as a draft order).",
    ours: null,
    note: "Not an order yet: Orderlane does not import it.",
  },
];

export function cartStatusLabel(status: CartStatus | null): string {
  return status ? CART_STATUS_LABELS[status] : "Not imported";
}
