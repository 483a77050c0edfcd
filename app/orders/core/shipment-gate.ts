// Whether the owner may change how an order's items ship (Update Shipment, an item's delivery
// state, tracking or method). One function, so the order page, the JSON API and any later door
// (the shop's own order statuses, when they arrive) refuse for the same reason.
import { decide, type OrderFacts } from "./lifecycle";
import type { CartStatus } from "./model";

export type ShipmentGate = { allowed: true } | { allowed: false; reason: string };

/**
 * The cart statuses in which the owner still ships the order themselves: paid and being prepared,
 * or awaiting payment. On hold (fraud, suspended), completed, cancelled or refunded orders are not
 * changed from here.
 */
const SHIPPING_CART_STATUSES: ReadonlySet<CartStatus> = new Set<CartStatus>([
  "processing",
  "pending_payment",
]);

const CART_STATUS_REASON: Readonly<Record<CartStatus, string>> = {
  pending_payment: "",
  processing: "",
  failed: "The cart says this order's payment failed; its shipment cannot be changed.",
  on_hold: "The cart has this order on hold; release it before changing its shipment.",
  completed: "The cart says this order is completed; its shipment can no longer be changed.",
  cancelled: "This order is cancelled; its shipment can no longer be changed.",
  refunded: "This order is refunded; its shipment can no longer be changed.",
};

/**
 * The lifecycle table first (not yet sent to a provider, not Closed or Archived), then the cart's
 * status. `extra` lets a caller add its own refusal (the shop's order status) without a second
 * gate: the first reason found is the one the owner reads.
 */
export function shipmentChangeGate(
  facts: OrderFacts,
  extra?: (facts: OrderFacts) => string | null,
): ShipmentGate {
  const decision = decide("update_shipment", facts);
  if (!decision.allowed) return { allowed: false, reason: decision.reason };
  if (!SHIPPING_CART_STATUSES.has(facts.cartStatus)) {
    return { allowed: false, reason: CART_STATUS_REASON[facts.cartStatus] };
  }
  const more = extra?.(facts) ?? null;
  return more ? { allowed: false, reason: more } : { allowed: true };
}
