// The order lifecycle (DESIGN §5) as one table. UI menus, the JSON API and jobs all ask `decide`
// before changing an order, so a rule changed here changes it everywhere at once and the refusal
// the owner reads is the same whichever door they came through.
import { LIFECYCLE_STATES } from "./model";
import type { CartStatus, LifecycleState, ProcessingMode } from "./model";

/** What a decision may need to know about an order. */
export interface OrderFacts {
  state: LifecycleState;
  cartStatus: CartStatus;
  processingMode: ProcessingMode;
  hasShipment: boolean;
  /** A submission was ever sent to a provider, whatever became of it. */
  anythingSent: boolean;
  isAccountAdmin: boolean;
  /** The code of the alert the order carries, if any. */
  alertCode?: string | null;
  /**
   * Whole days since the latest purchase order went to its provider; null when none has. Only
   * Abandon reads this and the next fact; left out, Abandon is refused.
   */
  daysSinceSent?: number | null;
  /** The shop's setting: an Open order with nothing shipped this long after it was sent is Abandoned. */
  abandonAfterDays?: number;
  /**
   * Submit and Dropship read these (decision 0052): some of the order's items will still be unsent
   * after the action (drop-ship items wait for the owner's purchase order), so the order stays
   * where it is instead of becoming Open; and every item still unsent is a drop-ship item, so
   * Submit has nothing to send.
   */
  itemsLeftAfter?: boolean;
  onlyDropshipLeft?: boolean;
}

export const ORDER_ACTIONS = [
  "submit",
  "fail_validation",
  "schedule_process",
  "hold",
  "release",
  "provider_reject",
  "close",
  "abandon",
  "edit",
  "update_shipment",
  "reprocess",
  "revalidate",
  "reset",
  "archive",
  "delete",
  "force_delete",
  "cart_delete",
  "update_at_provider",
  "cancel_and_resend",
  "keep_as_sent",
  "dropship",
  "cancel_order",
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** Actions only the system takes; menus leave them out, but they obey the same table. */
export const SYSTEM_ACTIONS: ReadonlySet<OrderAction> = new Set<OrderAction>([
  "fail_validation",
  "provider_reject",
  "close",
  "abandon",
  "cart_delete",
]);

export const ACTION_LABELS: Readonly<Record<OrderAction, string>> = {
  submit: "Submit Order",
  fail_validation: "Fail Validation",
  schedule_process: "Schedule Process",
  hold: "Hold",
  release: "Release",
  provider_reject: "Provider Rejection",
  close: "Close",
  abandon: "Abandon",
  edit: "Edit",
  update_shipment: "Update Shipment",
  reprocess: "Reprocess",
  revalidate: "Revalidate",
  reset: "Reset",
  archive: "Archive",
  delete: "Delete",
  force_delete: "Force Delete",
  cart_delete: "Deleted in the Cart",
  update_at_provider: "Ask the provider to update",
  cancel_and_resend: "Cancel and send again",
  keep_as_sent: "Keep as sent",
  dropship: "Dropship",
  cancel_order: "Cancel Order",
};

export const STATE_LABELS: Readonly<Record<LifecycleState, string>> = {
  new: "New",
  pending: "Pending",
  on_hold: "On hold",
  open: "Open",
  abandoned: "Abandoned",
  closed: "Closed",
  error: "Error",
  archived: "Archived",
};

export const STATE_DESCRIPTIONS: Readonly<Record<LifecycleState, string>> = {
  new: "Imported and not yet sent to any provider; in automatic mode an in-app order the cart marks Processing counts down to its submission.",
  pending: "Waiting for the owner to use Schedule Process, because the shop works in manual mode.",
  on_hold:
    "The countdown is paused, either because the cart put the order on hold or because the owner held it.",
  open: "Sent to every provider it needs and waiting for them to ship.",
  abandoned:
    "Sent long ago and nothing has shipped since, so providers are no longer asked about it; Reprocess makes it Open again.",
  closed: "Everything has shipped and the tracking is in the cart, so nothing more will happen.",
  error: "Something went wrong; the order's alert says what it is and how to fix it.",
  archived: "Kept for reference only; it is never sent and never imported again.",
};

export type Decision =
  { allowed: true; to: LifecycleState | null } | { allowed: false; reason: string };

/**
 * The state an order starts in when imported. Reset, Reprocess and Revalidate return an order here
 * too, so the rule lives in one place and an order never "restarts" differently from how it began.
 */
export function initialState(
  facts: Pick<OrderFacts, "processingMode" | "cartStatus">,
): LifecycleState {
  if (facts.processingMode === "manual") return "pending";
  if (facts.cartStatus === "on_hold") return "on_hold";
  return "new";
}

/** A state, the order's current state, the initial state, or null when the row is removed. */
type Target = LifecycleState | "same" | "initial" | null;

type Reason = string | ((facts: OrderFacts) => string);

interface Guard {
  /** True when the action must be refused. */
  when: (facts: OrderFacts) => boolean;
  reason: Reason;
}

interface ActionRule {
  from: readonly LifecycleState[];
  /** Where the action leaves the order; a function when that depends on where it starts. */
  to: Target | ((facts: OrderFacts) => Target);
  /**
   * The action exists only for shops in this processing mode: elsewhere menus leave it out and
   * every door refuses it with `reason`, whatever the order's state.
   */
  onlyIn?: { mode: ProcessingMode; reason: string };
  guards: readonly Guard[];
  /** Why the action is refused in a state outside `from`; states not listed get a generic reason. */
  refusedIn: Partial<Record<LifecycleState, Reason>>;
}

// Read after "The cart says this order …", so each reads as the cart's own words to the owner.
const CART_STATUS_WORDS: Readonly<Record<CartStatus, string>> = {
  pending_payment: "is awaiting payment",
  failed: "has a failed payment",
  processing: "is processing",
  on_hold: "is on hold",
  completed: "is completed",
  cancelled: "is cancelled",
  refunded: "is refunded",
};

const ALREADY_SENT_EDIT = "This order was already sent to providers; an edit would not reach them.";
const ALREADY_SENT_SHIPMENT =
  "This order was already sent to providers; a shipment change would not reach them.";

// The three answers to "Changed in the cart after it was sent" (changed-after-sent.server.ts).
const NO_CART_CHANGE: Guard = {
  when: (f) => f.alertCode !== "changed_after_sent",
  reason: "Nothing changed in the cart since this order was sent.",
};
const SHIPPED_ALREADY: Guard = {
  when: (f) => f.hasShipment,
  reason: "The provider has already shipped this order; it can no longer be changed there.",
};
const AFTER_SEND = {
  from: ["open"],
  to: "same",
  guards: [NO_CART_CHANGE, SHIPPED_ALREADY],
} as const;

const NOT_PROCESSED_YET =
  "This order has not been processed yet; Reprocess is for orders in Error, Abandoned or Archived.";

// Seed 001 keeps Schedule Process and Revalidate for shops that process orders manually; a shop in
// automatic mode recovers an order in Error with Reprocess, and a leftover Pending order (from
// before the switch to automatic) with Reset.
const MANUAL_ONLY_SCHEDULE = {
  mode: "manual",
  reason:
    "This shop processes orders automatically, so orders are not scheduled by hand; Reset starts a pending order counting down.",
} as const;
const MANUAL_ONLY_REVALIDATE = {
  mode: "manual",
  reason:
    "This shop processes orders automatically; fix the alert, then use Reprocess (Revalidate is for shops that process orders manually).",
} as const;

/** How an order in Error is brought back, in the words of the shop's own menu. */
const recoverWords = (f: OrderFacts) =>
  f.processingMode === "manual" ? "Reprocess or Revalidate" : "Reprocess";

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** Open once every item was sent; until then the order stays where it is (decision 0052). */
const openWhenAllSent = (f: OrderFacts): Target => (f.itemsLeftAfter ? "same" : "open");

const RULES: Readonly<Record<OrderAction, ActionRule>> = {
  submit: {
    from: ["new"],
    to: openWhenAllSent,
    guards: [
      {
        // Payment may still fail or the order be cancelled; providers cannot un-print a mug.
        when: (f) => f.cartStatus !== "processing",
        reason: (f) =>
          `The cart says this order ${CART_STATUS_WORDS[f.cartStatus]}; only orders the cart marks Processing can be submitted.`,
      },
      {
        // Drop-ship items always wait for the owner's confirmation: never the countdown's.
        when: (f) => f.onlyDropshipLeft === true,
        reason: "Every item still to send is drop-shipped; place its purchase order with Dropship.",
      },
    ],
    refusedIn: {
      pending:
        "This order is waiting for Schedule Process (manual mode); schedule it before submitting.",
      on_hold: "This order is on hold; release the hold first.",
      open: "This order was already submitted; an order is never submitted twice.",
      abandoned: "This order was already submitted; an order is never submitted twice.",
      closed:
        "This order was already submitted and has shipped; an order is never submitted twice.",
      error: (f) => `This order has an alert; fix the alert, then ${recoverWords(f)}.`,
      archived: "This order is archived; reprocess it first.",
    },
  },
  fail_validation: {
    from: ["new"],
    to: "error",
    guards: [],
    refusedIn: {},
  },
  schedule_process: {
    from: ["pending"],
    to: "new",
    onlyIn: MANUAL_ONLY_SCHEDULE,
    guards: [],
    refusedIn: {
      new: "This order is already scheduled; it is New and on its way to submission.",
    },
  },
  hold: {
    // Pending orders have no countdown to pause; the owner simply does not schedule them yet.
    from: ["new"],
    to: "on_hold",
    guards: [],
    refusedIn: {
      pending: "A pending order is not counting down, so there is nothing to hold.",
      on_hold: "This order is already on hold.",
    },
  },
  release: {
    from: ["on_hold"],
    to: "new",
    guards: [],
    refusedIn: {
      new: "This order is not on hold, so there is nothing to release.",
    },
  },
  provider_reject: {
    // A provider that answers after the order was given up on is still heard.
    from: ["open", "abandoned"],
    to: "error",
    guards: [],
    refusedIn: {},
  },
  close: {
    // A parcel that turns up after all closes an Abandoned order like an Open one.
    from: ["open", "abandoned"],
    to: "closed",
    guards: [],
    refusedIn: {
      closed: "This order is already closed.",
    },
  },
  abandon: {
    // Sent long ago and nothing shipped: providers stop being asked about it and the owner is told.
    from: ["open"],
    to: "abandoned",
    guards: [
      {
        when: (f) => f.hasShipment,
        reason: "Something has already shipped for this order, so it is not abandoned.",
      },
      {
        when: (f) => f.daysSinceSent == null,
        reason: "Nothing was sent to a provider for this order yet, so it is not abandoned.",
      },
      {
        when: (f) => (f.daysSinceSent ?? 0) < (f.abandonAfterDays ?? Infinity),
        reason: (f) =>
          `This order was sent ${days(f.daysSinceSent ?? 0)} ago; it counts as abandoned only after ${days(f.abandonAfterDays ?? 0)} with nothing shipped.`,
      },
    ],
    refusedIn: {
      abandoned: "This order is already abandoned.",
    },
  },
  edit: {
    from: ["new", "pending", "on_hold", "error"],
    to: "same",
    guards: [],
    refusedIn: {
      open: ALREADY_SENT_EDIT,
      abandoned: ALREADY_SENT_EDIT,
      closed: ALREADY_SENT_EDIT,
      archived: "This order is archived; reprocess or reset it before editing.",
    },
  },
  update_shipment: {
    from: ["new", "pending", "on_hold", "error"],
    to: "same",
    guards: [],
    refusedIn: {
      open: ALREADY_SENT_SHIPMENT,
      abandoned: ALREADY_SENT_SHIPMENT,
      closed: ALREADY_SENT_SHIPMENT,
      archived: "This order is archived; reprocess or reset it before changing its shipment.",
    },
  },
  reprocess: {
    // An Abandoned order goes back to Open, so its providers are asked about it again; the others
    // start over from the state an import gives them.
    from: ["error", "abandoned", "archived"],
    to: (f) => (f.state === "abandoned" ? "open" : "initial"),
    guards: [],
    refusedIn: {
      new: NOT_PROCESSED_YET,
      pending: NOT_PROCESSED_YET,
      on_hold: NOT_PROCESSED_YET,
      open: "This order was already sent to providers; reprocessing it would submit it twice.",
      closed: "This order has already shipped; there is nothing to reprocess.",
    },
  },
  revalidate: {
    from: ["error"],
    to: "initial",
    onlyIn: MANUAL_ONLY_REVALIDATE,
    guards: [],
    refusedIn: {
      archived: "Archived orders are brought back with Reprocess, not Revalidate.",
    },
  },
  reset: {
    from: ["new", "pending", "on_hold", "open", "abandoned", "error", "archived"],
    to: "initial",
    guards: [
      {
        // Once a parcel exists, starting over would lose track of goods already on their way.
        when: (f) => f.hasShipment,
        reason: "Reset is refused once a shipment exists.",
      },
    ],
    refusedIn: {
      closed: "A closed order has shipped, and Reset is refused once a shipment exists.",
    },
  },
  archive: {
    from: ["new", "pending", "on_hold", "open", "abandoned", "closed", "error"],
    to: "archived",
    guards: [],
    refusedIn: {
      archived: "This order is already archived.",
    },
  },
  delete: {
    from: LIFECYCLE_STATES,
    to: null,
    guards: [
      {
        // A deleted row is re-imported later and could be sent again; an archived one never is.
        when: (f) => f.anythingSent,
        reason: "Something was already sent to a provider for this order; archive it instead.",
      },
    ],
    refusedIn: {},
  },
  force_delete: {
    from: LIFECYCLE_STATES,
    to: null,
    guards: [
      {
        when: (f) => !f.isAccountAdmin,
        reason: "Only account admins can force delete an order.",
      },
    ],
    refusedIn: {},
  },
  cart_delete: {
    // The cart deleted the order: ours goes too, unless a provider may already be making it; then
    // the row stays, so its purchase orders and tracking are not lost, and the owner is alerted.
    from: LIFECYCLE_STATES,
    to: null,
    guards: [
      {
        when: (f) => f.anythingSent || f.hasShipment,
        reason: "The cart deleted this order, but it was already sent to a provider.",
      },
    ],
    refusedIn: {},
  },
  update_at_provider: { ...AFTER_SEND, refusedIn: {} },
  cancel_and_resend: { ...AFTER_SEND, refusedIn: {} },
  keep_as_sent: { from: ["open", "closed"], to: "same", guards: [NO_CART_CHANGE], refusedIn: {} },
  dropship: {
    // The owner places a purchase order with a distributor for some items; an order in Error gets
    // here after a rejected PO and a SKU swap, to send the items again.
    from: ["new", "pending", "on_hold", "error"],
    to: openWhenAllSent,
    guards: [
      {
        when: (f) => f.cartStatus !== "processing",
        reason: (f) =>
          `The cart says this order ${CART_STATUS_WORDS[f.cartStatus]}; only orders the cart marks Processing can be drop-shipped.`,
      },
    ],
    refusedIn: {
      open: "Every item of this order was already sent; an item is never ordered twice.",
      abandoned: "Every item of this order was already sent; an item is never ordered twice.",
      closed: "This order has shipped; there is nothing left to drop-ship.",
      archived: "This order is archived; reprocess it first.",
    },
  },
  cancel_order: {
    // The cart cancels, refunds and releases the payment (cancel-order.server.ts); the order keeps
    // its state, with nothing more sent and what was sent withdrawn or asked to cancel.
    from: ["new", "pending", "on_hold", "open", "abandoned", "error"],
    to: "same",
    guards: [
      {
        when: (f) => f.cartStatus === "cancelled" || f.cartStatus === "refunded",
        reason: "This order is already cancelled.",
      },
    ],
    refusedIn: {
      closed: "Everything in this order has shipped; it can no longer be cancelled.",
      archived: "This order is archived; reprocess it first.",
    },
  },
};

function listStates(states: readonly LifecycleState[]): string {
  const labels = states.map((s) => STATE_LABELS[s]);
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
}

function reasonText(reason: Reason, facts: OrderFacts): string {
  return typeof reason === "function" ? reason(facts) : reason;
}

function refusalForState(action: OrderAction, rule: ActionRule, facts: OrderFacts): string {
  const written = rule.refusedIn[facts.state];
  if (written !== undefined) return reasonText(written, facts);
  return `${ACTION_LABELS[action]} is only possible for ${listStates(rule.from)} orders; this order is ${STATE_LABELS[facts.state]}.`;
}

function resolveTarget(to: ActionRule["to"], facts: OrderFacts): LifecycleState | null {
  const target = typeof to === "function" ? to(facts) : to;
  if (target === "same") return facts.state;
  if (target === "initial") return initialState(facts);
  return target;
}

/** Whether `action` may run on an order with these facts, and where it leaves the order. */
export function decide(action: OrderAction, facts: OrderFacts): Decision {
  const rule = RULES[action];
  // Checked first: an action the shop's mode does not have is refused for that, whatever the state.
  if (rule.onlyIn && rule.onlyIn.mode !== facts.processingMode) {
    return { allowed: false, reason: rule.onlyIn.reason };
  }
  if (!rule.from.includes(facts.state)) {
    return { allowed: false, reason: refusalForState(action, rule, facts) };
  }
  for (const guard of rule.guards) {
    if (guard.when(facts)) return { allowed: false, reason: reasonText(guard.reason, facts) };
  }
  return { allowed: true, to: resolveTarget(rule.to, facts) };
}

/**
 * Whether a shop in this processing mode has the action at all: menus and bulk actions list only
 * these (the others are refused by `decide` with the reason, for a door that asks anyway).
 */
export function offeredIn(action: OrderAction, mode: ProcessingMode): boolean {
  const only = RULES[action].onlyIn;
  return !only || only.mode === mode;
}

/** Every action with its decision, so a menu can show refused ones disabled with their reason. */
export function allowedActions(facts: OrderFacts): { action: OrderAction; decision: Decision }[] {
  return ORDER_ACTIONS.map((action) => ({ action, decision: decide(action, facts) }));
}

export class LifecycleRefusal extends Error {
  readonly action: OrderAction;
  readonly state: LifecycleState;
  readonly reason: string;

  constructor(action: OrderAction, state: LifecycleState, reason: string) {
    super(reason);
    this.name = "LifecycleRefusal";
    this.action = action;
    this.state = state;
    this.reason = reason;
  }
}

/** The target state (null: remove the row), or a LifecycleRefusal carrying the owner-facing reason. */
export function assertAllowed(action: OrderAction, facts: OrderFacts): LifecycleState | null {
  const decision = decide(action, facts);
  if (!decision.allowed) throw new LifecycleRefusal(action, facts.state, decision.reason);
  return decision.to;
}
