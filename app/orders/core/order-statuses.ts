// The shop's own order statuses (DESIGN §9, decision 0046): the owner's word for an order and what
// choosing it writes to the cart. They sit over the lifecycle and never replace it: the lifecycle
// table still decides what may happen to an order; a status adds a word, a cart effect and maybe a
// paused countdown. Pure rules here; storage and the cart call are in orders/order-status.server.ts.

/** What choosing a status writes to the cart. */
export const ORDER_STATUS_EFFECTS = [
  /** Nothing is written: the word is the shop's alone. */
  "none",
  /** Any hold is released (Shopify: the fulfillment orders' hold; WooCommerce: processing). */
  "release",
  /** Held as suspected fraud (Shopify: hold with HIGH_RISK_OF_FRAUD; WooCommerce: on-hold). */
  "hold_fraud",
  /** Held for another reason (Shopify: hold with OTHER; WooCommerce: on-hold). */
  "hold_other",
  /** Everything shipped (WooCommerce: completed; Shopify already shows it as fulfilled). */
  "complete",
  /** Runs Cancel Order, which refunds and voids; never written as a plain status. */
  "cancel",
  /** A status the WooCommerce store has, custom ones included (its slug in `cartStatus`). */
  "woo_status",
] as const;
export type OrderStatusEffect = (typeof ORDER_STATUS_EFFECTS)[number];

/** The owner's words for each effect, on the Settings card and the order page. */
export const EFFECT_WORDS: Record<OrderStatusEffect, string> = {
  none: "Writes nothing to the cart",
  release: "Releases any hold in the cart",
  hold_fraud: "Holds the order in the cart as suspected fraud",
  hold_other: "Holds the order in the cart",
  complete: "Marks the order completed in the cart (only once everything shipped)",
  cancel: "Runs Cancel Order (refunds and voids what the order was paid)",
  woo_status: "Sets the WooCommerce order status",
};

/** Effects an owner may give a status of their own (cancel and complete stay with the defaults). */
export const OWNER_EFFECTS: readonly OrderStatusEffect[] = [
  "none",
  "release",
  "hold_other",
  "woo_status",
];

export interface OrderStatusDef {
  key: string;
  label: string;
  cartEffect: OrderStatusEffect;
  cartStatus: string | null;
  pausesCountdown: boolean;
  builtin: boolean;
}

/** Every shop starts with these; their keys carry the rules below, so they are never deleted. */
export const DEFAULT_ORDER_STATUSES: readonly OrderStatusDef[] = [
  { key: "new", label: "New", cartEffect: "release", cartStatus: null, pausesCountdown: false },
  {
    key: "processing",
    label: "Processing",
    cartEffect: "release",
    cartStatus: null,
    pausesCountdown: false,
  },
  {
    key: "completed",
    label: "Completed",
    cartEffect: "complete",
    cartStatus: null,
    pausesCountdown: false,
  },
  {
    key: "cancelled",
    label: "Cancelled",
    cartEffect: "cancel",
    cartStatus: null,
    pausesCountdown: false,
  },
  {
    key: "fraud",
    label: "Fraud",
    cartEffect: "hold_fraud",
    cartStatus: null,
    pausesCountdown: true,
  },
  {
    key: "suspended",
    label: "Suspended",
    cartEffect: "hold_other",
    cartStatus: null,
    pausesCountdown: true,
  },
].map((s) => ({ ...s, builtin: true }) as OrderStatusDef);

/** Suspended is reached only from these, as the portal's states work. */
export const SUSPEND_FROM: readonly string[] = ["processing", "fraud"];

export interface StatusChoiceFacts {
  /** The order's current status key. */
  current: string;
  /** Every line has shipped (a shipment covers all of it). */
  everythingShipped: boolean;
  platform: string;
}

/**
 * Why `next` cannot be chosen for the order now, in the owner's words; null when it can. The same
 * answer greys the choice out on the page and refuses it through the API.
 */
export function statusChoiceRefusal(
  next: OrderStatusDef & { retired: boolean },
  labelOf: (key: string) => string,
  facts: StatusChoiceFacts,
): string | null {
  if (next.key === facts.current) return `The order is already ${next.label}.`;
  if (next.retired) return `${next.label} is retired; bring it back in Settings → Order statuses.`;
  if (next.cartEffect === "cancel") {
    return `Use Cancel Order to cancel this order: it says what will be refunded and voided before anything is done.`;
  }
  if (next.cartEffect === "complete" && !facts.everythingShipped) {
    return `${next.label} is offered only once everything on the order has shipped.`;
  }
  if (next.builtin && next.key === "suspended" && !SUSPEND_FROM.includes(facts.current)) {
    return `${next.label} can be chosen only for an order that is ${SUSPEND_FROM.map(labelOf).join(" or ")}.`;
  }
  if (next.cartEffect === "woo_status" && facts.platform !== "woocommerce") {
    return `${next.label} sets a WooCommerce status, and this order is not in WooCommerce.`;
  }
  return null;
}

/** A key made from a label: lower-case words joined by underscores ("On the bench" → on_the_bench). */
export function statusKeyFrom(label: string): string {
  const key = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
  return key || "status";
}

/** What a status does, in one line for the owner: the cart effect, and the countdown. */
export function statusDoes(
  status: { cartEffect: OrderStatusEffect; cartStatus: string | null; pausesCountdown: boolean },
  platform: string,
): string {
  const cart =
    status.cartEffect === "woo_status"
      ? `Sets the WooCommerce status “${status.cartStatus ?? ""}”`
      : status.cartEffect === "complete" && platform === "shopify"
        ? "Writes nothing to Shopify, which already shows a shipped order as fulfilled"
        : EFFECT_WORDS[status.cartEffect];
  return status.pausesCountdown ? `${cart}; pauses the countdown` : cart;
}
