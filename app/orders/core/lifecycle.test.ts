import { describe, it, expect } from "vitest";
import {
  ACTION_LABELS,
  LifecycleRefusal,
  ORDER_ACTIONS,
  STATE_DESCRIPTIONS,
  STATE_LABELS,
  SYSTEM_ACTIONS,
  allowedActions,
  assertAllowed,
  decide,
  initialState,
  offeredIn,
} from "./lifecycle";
import type { Decision, OrderAction, OrderFacts } from "./lifecycle";
import { CART_STATUSES, LIFECYCLE_STATES } from "./model";
import type { CartStatus, LifecycleState } from "./model";

// Facts under which no guard fires, so the matrix below tests the states alone.
function facts(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    state: "new",
    cartStatus: "processing",
    processingMode: "automatic",
    hasShipment: false,
    anythingSent: false,
    isAccountAdmin: true,
    alertCode: "changed_after_sent",
    daysSinceSent: 60,
    abandonAfterDays: 45,
    ...overrides,
  };
}

function expectSentence(reason: string): void {
  expect(reason.trim().length).toBeGreaterThan(15);
  expect(reason).toMatch(/^[A-Z].*\.$/s);
  // Raw identifiers such as on_hold or pending_payment mean a key leaked into owner-facing text.
  expect(reason).not.toMatch(/_|undefined|null|\[object/);
}

function refusalOf(decision: Decision): string {
  if (decision.allowed) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision.reason;
}

// The expected lifecycle, written out by hand from DESIGN §5, seed 001 and the brief, for a shop in
// automatic mode (the default), where the initial state is New. "removed" means allowed with the
// row deleted (target null). Schedule Process and Revalidate exist only in manual mode (below).
const R = "refused" as const;
type Expected = LifecycleState | "removed" | typeof R;
type Row = readonly [
  Expected,
  Expected,
  Expected,
  Expected,
  Expected,
  Expected,
  Expected,
  Expected,
];

const COLUMNS = [
  "new",
  "pending",
  "on_hold",
  "open",
  "abandoned",
  "closed",
  "error",
  "archived",
] as const;

// prettier-ignore
const MATRIX: Record<OrderAction, Row> = {
  //                 new          pending      on_hold      open         abandoned    closed       error        archived
  submit:           ["open",      R,           R,           R,           R,           R,           R,           R        ],
  fail_validation:  ["error",     R,           R,           R,           R,           R,           R,           R        ],
  schedule_process: [R,           R,           R,           R,           R,           R,           R,           R        ],
  hold:             ["on_hold",   R,           R,           R,           R,           R,           R,           R        ],
  release:          [R,           R,           "new",       R,           R,           R,           R,           R        ],
  provider_reject:  [R,           R,           R,           "error",     "error",     R,           R,           R        ],
  close:            [R,           R,           R,           "closed",    "closed",    R,           R,           R        ],
  abandon:          [R,           R,           R,           "abandoned", R,           R,           R,           R        ],
  edit:             ["new",       "pending",   "on_hold",   R,           R,           R,           "error",     R        ],
  update_shipment:  ["new",       "pending",   "on_hold",   R,           R,           R,           "error",     R        ],
  reprocess:        [R,           R,           R,           R,           "open",      R,           "new",       "new"    ],
  revalidate:       [R,           R,           R,           R,           R,           R,           R,           R        ],
  reset:            ["new",       "new",       "new",       "new",       "new",       R,           "new",       "new"    ],
  archive:          ["archived",  "archived",  "archived",  "archived",  "archived",  "archived",  "archived",  R        ],
  delete:           ["removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed"],
  force_delete:     ["removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed"],
  cart_delete:      ["removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed",   "removed"],
  update_at_provider: [R,         R,           R,           "open",      R,           R,           R,           R        ],
  cancel_and_resend:  [R,         R,           R,           "open",      R,           R,           R,           R        ],
  keep_as_sent:       [R,         R,           R,           "open",      R,           "closed",    R,           R        ],
  dropship:           ["open",    "open",      "open",      R,           R,           R,           "open",      R        ],
  cancel_order:       ["new",     "pending",   "on_hold",   "open",      "abandoned", R,           "error",     R        ],
};

// The two actions seed 001 keeps for shops that process orders manually, in such a shop (where the
// initial state is Pending).
// prettier-ignore
const MANUAL_ONLY: Record<"schedule_process" | "revalidate", Row> = {
  //                 new          pending      on_hold      open         abandoned    closed       error        archived
  schedule_process: [R,           "new",       R,           R,           R,           R,           R,           R        ],
  revalidate:       [R,           R,           R,           R,           R,           R,           "pending",   R        ],
};

describe("expectation matrix", () => {
  it("covers every action and every state", () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...ORDER_ACTIONS].sort());
    expect([...COLUMNS].sort()).toEqual([...LIFECYCLE_STATES].sort());
  });
});

describe.each(Object.entries(MANUAL_ONLY) as [OrderAction, Row][])(
  "%s in manual mode",
  (action, row) => {
    it.each(COLUMNS.map((state, i) => [state, row[i]] as const))("from %s → %s", (state, want) => {
      const decision = decide(action, facts({ state, processingMode: "manual" }));
      if (want === R) expectSentence(refusalOf(decision));
      else expect(decision).toEqual({ allowed: true, to: want });
    });
  },
);

describe("Schedule Process and Revalidate exist only for shops that process manually", () => {
  it.each([
    ["schedule_process", /processes orders automatically.*Reset/],
    ["revalidate", /processes orders automatically.*Reprocess/],
  ] as const)(
    "%s is not offered, and refused with the reason, in automatic mode",
    (action, why) => {
      expect(offeredIn(action, "automatic")).toBe(false);
      expect(offeredIn(action, "manual")).toBe(true);
      // Whatever the state, even the one the action is for.
      for (const state of COLUMNS) {
        const reason = refusalOf(decide(action, facts({ state, processingMode: "automatic" })));
        expectSentence(reason);
        expect(reason).toMatch(why);
      }
    },
  );

  it("offers every other action in both modes", () => {
    for (const action of ORDER_ACTIONS) {
      if (action === "schedule_process" || action === "revalidate") continue;
      expect(offeredIn(action, "automatic")).toBe(true);
      expect(offeredIn(action, "manual")).toBe(true);
    }
  });

  it("tells an automatic shop to recover an Error with Reprocess alone", () => {
    const automatic = refusalOf(decide("submit", facts({ state: "error" })));
    expect(automatic).toMatch(/then Reprocess\.$/);
    expect(automatic).not.toMatch(/Revalidate/);
    const manual = refusalOf(decide("submit", facts({ state: "error", processingMode: "manual" })));
    expect(manual).toMatch(/Reprocess or Revalidate/);
  });
});

describe("Abandoned", () => {
  it("an Open order with nothing shipped becomes Abandoned once the shop's days have passed", () => {
    expect(decide("abandon", facts({ state: "open", daysSinceSent: 45 }))).toEqual({
      allowed: true,
      to: "abandoned",
    });
    expect(
      decide("abandon", facts({ state: "open", daysSinceSent: 10, abandonAfterDays: 10 })),
    ).toEqual({ allowed: true, to: "abandoned" });
  });

  it("not a day early", () => {
    const reason = refusalOf(decide("abandon", facts({ state: "open", daysSinceSent: 44 })));
    expectSentence(reason);
    expect(reason).toMatch(/sent 44 days ago.*after 45 days/);
  });

  it("not when something has shipped", () => {
    const reason = refusalOf(
      decide("abandon", facts({ state: "open", daysSinceSent: 400, hasShipment: true })),
    );
    expect(reason).toMatch(/already shipped/);
  });

  it("not when nothing was sent, or the facts do not say", () => {
    expect(decide("abandon", facts({ state: "open", daysSinceSent: null })).allowed).toBe(false);
    expect(decide("abandon", facts({ state: "open", daysSinceSent: undefined })).allowed).toBe(
      false,
    );
    expect(decide("abandon", facts({ state: "open", abandonAfterDays: undefined })).allowed).toBe(
      false,
    );
  });

  it("Reprocess returns it to Open in either mode, not to the start", () => {
    for (const processingMode of ["automatic", "manual"] as const) {
      expect(decide("reprocess", facts({ state: "abandoned", processingMode }))).toEqual({
        allowed: true,
        to: "open",
      });
    }
  });

  it("is not a system action an owner can take", () => {
    expect(SYSTEM_ACTIONS.has("abandon")).toBe(true);
  });
});

describe.each(Object.entries(MATRIX) as [OrderAction, Row][])("%s", (action, row) => {
  it.each(COLUMNS.map((state, i) => [state, row[i]] as const))("from %s → %s", (state, want) => {
    const decision = decide(action, facts({ state }));
    if (want === R) {
      expectSentence(refusalOf(decision));
    } else {
      expect(decision).toEqual({ allowed: true, to: want === "removed" ? null : want });
    }
  });
});

describe("changed in the cart after it was sent", () => {
  const choices = ["update_at_provider", "cancel_and_resend", "keep_as_sent"] as const;
  it.each(choices)("%s needs the alert it answers", (action) => {
    const reason = refusalOf(decide(action, facts({ state: "open", alertCode: null })));
    expectSentence(reason);
    expect(reason).toMatch(/nothing changed/i);
  });
  it.each(["update_at_provider", "cancel_and_resend"] as const)(
    "%s is refused once the provider shipped",
    (action) => {
      expect(refusalOf(decide(action, facts({ state: "open", hasShipment: true })))).toMatch(
        /already shipped/i,
      );
    },
  );
  it("keeping it as sent stays possible after shipping", () => {
    expect(decide("keep_as_sent", facts({ state: "closed", hasShipment: true }))).toEqual({
      allowed: true,
      to: "closed",
    });
  });
});

describe("refusal reasons say what to do", () => {
  const cases: [OrderAction, LifecycleState, RegExp][] = [
    ["submit", "open", /already submitted/i],
    ["submit", "closed", /already submitted/i],
    ["submit", "pending", /Schedule Process \(manual mode\)/],
    ["submit", "on_hold", /release the hold/i],
    ["submit", "error", /fix the alert.*Reprocess/i],
    ["submit", "abandoned", /already submitted/i],
    ["edit", "abandoned", /already sent to providers/i],
    ["submit", "archived", /reprocess/i],
    ["edit", "open", /already sent to providers.*would not reach them/i],
    ["edit", "closed", /already sent to providers.*would not reach them/i],
    ["edit", "archived", /archived/i],
    ["update_shipment", "open", /already sent to providers/i],
    ["update_shipment", "archived", /archived/i],
    ["reset", "closed", /shipment/i],
    ["archive", "archived", /already archived/i],
    ["hold", "pending", /pending/i],
    ["reprocess", "open", /twice/i],
    ["reprocess", "new", /Error, Abandoned or Archived/],
  ];
  it.each(cases)("%s from %s", (action, state, pattern) => {
    expect(refusalOf(decide(action, facts({ state })))).toMatch(pattern);
  });

  it("names the allowed states when no specific reason is written", () => {
    const reason = refusalOf(decide("provider_reject", facts({ state: "new" })));
    expect(reason).toMatch(/Open/);
    expect(reason).toMatch(/New/);
  });
});

describe("guard: submit needs the cart to say Processing", () => {
  it("allows submit when the cart status is processing", () => {
    expect(decide("submit", facts({ cartStatus: "processing" }))).toEqual({
      allowed: true,
      to: "open",
    });
  });

  const words: Record<Exclude<CartStatus, "processing">, RegExp> = {
    pending_payment: /awaiting payment/,
    failed: /failed/,
    on_hold: /on hold/,
    completed: /completed/,
    cancelled: /cancelled/,
    refunded: /refunded/,
  };
  it.each(Object.entries(words))("refuses when the cart says %s", (cartStatus, pattern) => {
    const reason = refusalOf(decide("submit", facts({ cartStatus: cartStatus as CartStatus })));
    expectSentence(reason);
    expect(reason).toMatch(pattern);
    expect(reason).toMatch(/Processing/);
  });

  it("refuses with the brief's wording for a cancelled order", () => {
    expect(refusalOf(decide("submit", facts({ cartStatus: "cancelled" })))).toBe(
      "The cart says this order is cancelled; only orders the cart marks Processing can be submitted.",
    );
  });

  it("reports the state before the cart status when both are wrong", () => {
    const reason = refusalOf(decide("submit", facts({ state: "open", cartStatus: "cancelled" })));
    expect(reason).toMatch(/already submitted/i);
  });
});

describe("guard: reset is refused once a shipment exists", () => {
  const resettable: LifecycleState[] = [
    "new",
    "pending",
    "on_hold",
    "open",
    "abandoned",
    "error",
    "archived",
  ];
  it.each(resettable)("allows reset from %s without a shipment", (state) => {
    expect(decide("reset", facts({ state, hasShipment: false })).allowed).toBe(true);
  });
  it.each(resettable)("refuses reset from %s with a shipment", (state) => {
    const reason = refusalOf(decide("reset", facts({ state, hasShipment: true })));
    expect(reason).toBe("Reset is refused once a shipment exists.");
  });
});

describe("guard: delete is refused once anything was sent", () => {
  it.each([...COLUMNS])("allows delete from %s when nothing was sent", (state) => {
    expect(decide("delete", facts({ state, anythingSent: false }))).toEqual({
      allowed: true,
      to: null,
    });
  });
  it.each([...COLUMNS])("refuses delete from %s once something was sent", (state) => {
    const reason = refusalOf(decide("delete", facts({ state, anythingSent: true })));
    expectSentence(reason);
    expect(reason).toMatch(/archive it instead/i);
  });
});

describe("guard: force delete is for account admins", () => {
  it.each([...COLUMNS])("allows an admin to force delete from %s, even after sending", (state) => {
    expect(
      decide("force_delete", facts({ state, isAccountAdmin: true, anythingSent: true })),
    ).toEqual({ allowed: true, to: null });
  });
  it.each([...COLUMNS])("refuses a non-admin from %s", (state) => {
    const reason = refusalOf(decide("force_delete", facts({ state, isAccountAdmin: false })));
    expectSentence(reason);
    expect(reason).toMatch(/admin/i);
  });
});

describe("guard: the cart deletes an order", () => {
  it.each([...COLUMNS])("keeps the order from %s once something was sent", (state) => {
    const reason = refusalOf(decide("cart_delete", facts({ state, anythingSent: true })));
    expectSentence(reason);
    expect(reason).toMatch(/already sent to a provider/);
  });
  it.each([...COLUMNS])("keeps the order from %s once a shipment exists", (state) => {
    expect(decide("cart_delete", facts({ state, hasShipment: true })).allowed).toBe(false);
  });
});

describe("initialState", () => {
  // prettier-ignore
  const expected: Record<CartStatus, { automatic: LifecycleState; manual: LifecycleState }> = {
    pending_payment: { automatic: "new",     manual: "pending" },
    failed:          { automatic: "new",     manual: "pending" },
    processing:      { automatic: "new",     manual: "pending" },
    on_hold:         { automatic: "on_hold", manual: "pending" },
    completed:       { automatic: "new",     manual: "pending" },
    cancelled:       { automatic: "new",     manual: "pending" },
    refunded:        { automatic: "new",     manual: "pending" },
  };
  it("has an expectation for every cart status", () => {
    expect(Object.keys(expected).sort()).toEqual([...CART_STATUSES].sort());
  });
  it.each(Object.entries(expected))("cart %s", (cartStatus, want) => {
    const cs = cartStatus as CartStatus;
    expect(initialState({ processingMode: "automatic", cartStatus: cs })).toBe(want.automatic);
    expect(initialState({ processingMode: "manual", cartStatus: cs })).toBe(want.manual);
  });

  const restarts: [OrderAction, LifecycleState][] = [
    ["reset", "open"],
    ["reprocess", "error"],
    ["reprocess", "archived"],
  ];
  it.each([...restarts, ["revalidate", "error"]] as [OrderAction, LifecycleState][])(
    "%s from %s goes to Pending in manual mode",
    (action, state) => {
      expect(decide(action, facts({ state, processingMode: "manual" }))).toEqual({
        allowed: true,
        to: "pending",
      });
    },
  );
  it.each(restarts)("%s from %s goes to On hold when the cart holds it", (action, state) => {
    expect(decide(action, facts({ state, cartStatus: "on_hold" }))).toEqual({
      allowed: true,
      to: "on_hold",
    });
  });
});

describe("orders with drop-ship items (decision 0052)", () => {
  it("stays New after Submit while drop-ship items wait for their purchase order", () => {
    expect(decide("submit", facts({ itemsLeftAfter: true }))).toEqual({ allowed: true, to: "new" });
    expect(decide("dropship", facts({ itemsLeftAfter: true }))).toEqual({
      allowed: true,
      to: "new",
    });
    expect(decide("dropship", facts({ itemsLeftAfter: false }))).toEqual({
      allowed: true,
      to: "open",
    });
  });

  it("refuses Submit when only drop-ship items are left, saying to use Dropship", () => {
    const reason = refusalOf(decide("submit", facts({ onlyDropshipLeft: true })));
    expectSentence(reason);
    expect(reason).toMatch(/Dropship/);
  });

  it("refuses Dropship unless the cart marks the order Processing", () => {
    expect(refusalOf(decide("dropship", facts({ cartStatus: "pending_payment" })))).toMatch(
      /awaiting payment/,
    );
  });
});

describe("allowedActions", () => {
  it("lists every action once, in order, with the same decision as decide", () => {
    const f = facts({ state: "error", processingMode: "manual", anythingSent: true });
    const list = allowedActions(f);
    expect(list.map((entry) => entry.action)).toEqual([...ORDER_ACTIONS]);
    for (const entry of list) expect(entry.decision).toEqual(decide(entry.action, f));
  });

  it("offers a New order exactly what the matrix allows", () => {
    const allowed = allowedActions(facts())
      .filter((entry) => entry.decision.allowed)
      .map((entry) => entry.action)
      .sort();
    expect(allowed).toEqual(
      [
        "submit",
        "fail_validation",
        "hold",
        "edit",
        "update_shipment",
        "reset",
        "archive",
        "delete",
        "force_delete",
        "cart_delete",
        "dropship",
        "cancel_order",
      ].sort(),
    );
  });
});

describe("cancel_order", () => {
  it("refuses a second cancel, whatever the state", () => {
    for (const cartStatus of ["cancelled", "refunded"] as const) {
      expect(decide("cancel_order", facts({ cartStatus }))).toEqual({
        allowed: false,
        reason: "This order is already cancelled.",
      });
    }
  });
});

describe("assertAllowed", () => {
  it("returns the target when allowed", () => {
    expect(assertAllowed("submit", facts())).toBe("open");
    expect(assertAllowed("delete", facts())).toBeNull();
  });

  it("throws a LifecycleRefusal carrying action, state and reason", () => {
    const f = facts({ state: "closed" });
    let caught: unknown;
    try {
      assertAllowed("reset", f);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LifecycleRefusal);
    expect(caught).toBeInstanceOf(Error);
    const refusal = caught as LifecycleRefusal;
    expect(refusal.action).toBe("reset");
    expect(refusal.state).toBe("closed");
    expect(refusal.reason).toBe(refusalOf(decide("reset", f)));
    expect(refusal.message).toBe(refusal.reason);
    expect(refusal.name).toBe("LifecycleRefusal");
  });
});

describe("labels", () => {
  it("gives owner actions their owner-facing labels", () => {
    expect(ACTION_LABELS).toMatchObject({
      submit: "Submit Order",
      reprocess: "Reprocess",
      edit: "Edit",
      reset: "Reset",
      archive: "Archive",
      delete: "Delete",
      force_delete: "Force Delete",
      schedule_process: "Schedule Process",
      revalidate: "Revalidate",
      hold: "Hold",
      release: "Release",
      update_shipment: "Update Shipment",
    });
  });

  it.each([...ORDER_ACTIONS])("labels %s", (action) => {
    expect(ACTION_LABELS[action]).toMatch(/^[A-Z][A-Za-z ]+$/);
  });

  it("marks exactly the system actions", () => {
    expect([...SYSTEM_ACTIONS].sort()).toEqual(
      ["abandon", "cart_delete", "close", "fail_validation", "provider_reject"].sort(),
    );
  });

  it("labels the states", () => {
    expect(STATE_LABELS).toEqual({
      new: "New",
      pending: "Pending",
      on_hold: "On hold",
      open: "Open",
      abandoned: "Abandoned",
      closed: "Closed",
      error: "Error",
      archived: "Archived",
    });
  });

  it.each([...COLUMNS])("describes %s in one sentence", (state) => {
    const text = STATE_DESCRIPTIONS[state];
    expectSentence(text);
    expect(text.slice(0, -1)).not.toMatch(/\.\s/);
  });
});
