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
    meaning:
      "financial_status pending or authorized: the customer has not paid yet, or the payment is only reserved.",
    ours: "pending_payment",
    note: "Not submitted until Shopify marks it paid.",
  },
  {
    cartWord: "Paid / partially paid",
    meaning: "financial_status paid or partially_paid: the money was captured.",
    ours: "processing",
    note: "An in-app order starts its countdown.",
  },
  {
    cartWord: "Unfulfilled / partially fulfilled",
    meaning: "fulfillment_status null or partial: nothing, or only some items, shipped yet.",
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
    meaning: "fulfillment_status fulfilled: every item has shipped.",
    ours: "completed",
  },
  {
    cartWord: "Voided / cancelled",
    meaning: "financial_status voided, or cancelled_at set with a cancel_reason.",
    ours: "cancelled",
    note: "The countdown stops and nothing more is sent.",
  },
  {
    cartWord: "Refunded / partially refunded",
    meaning: "financial_status refunded (partially_refunded keeps the paid status).",
    ours: "refunded",
  },
];

export const WOOCOMMERCE_STATUS_HELP: readonly CartStatusHelp[] = [
  {
    cartWord: "pending",
    meaning: "Pending payment: the order exists but no payment arrived yet.",
    ours: "pending_payment",
    note: "Not submitted until it is paid.",
  },
  {
    cartWord: "processing",
    meaning: "Payment received; the order waits to be fulfilled.",
    ours: "processing",
    note: "An in-app order starts its countdown.",
  },
  {
    cartWord: "on-hold",
    meaning: "Awaiting payment confirmation (a bank transfer, say) or held by the store.",
    ours: "on_hold",
    note: "The countdown pauses until the order is processing again.",
  },
  {
    cartWord: "completed",
    meaning: "Fulfilled and complete.",
    ours: "completed",
  },
  {
    cartWord: "cancelled",
    meaning: "Cancelled by the store or the customer.",
    ours: "cancelled",
  },
  {
    cartWord: "refunded",
    meaning: "Refunded in full.",
    ours: "refunded",
  },
  {
    cartWord: "failed",
    meaning: "The payment failed or was declined.",
    ours: "failed",
  },
  {
    cartWord: "checkout-draft",
    meaning: "A checkout the customer has not finished (block checkout).",
    ours: null,
    note: "Not an order yet: Orderlane does not import it.",
  },
];

export function cartStatusLabel(status: CartStatus | null): string {
  return status ? CART_STATUS_LABELS[status] : "Not imported";
}
