// Owner actions through the door integrations use: POST /api/v1/orders/:id/actions/:action. Every
// action × lifecycle state, allowed and refused, with what each does to the stored order.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  lineItems,
  orderEvents,
  orders,
  providers,
  shipments,
  shops,
  submissions,
} from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { ALERT_CODES } from "~/orders/core/alerts";
import { decide, type OrderAction } from "~/orders/core/lifecycle";
import {
  LIFECYCLE_STATES,
  type LifecycleState,
  type ManualEdits,
  type ProcessingMode,
} from "~/orders/core/model";
import { shopSettings } from "~/orders/core/shop-settings";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const DEMO_TOKEN = "demo-token-for-actions-tests";

let app: TestApp;
let shop: Shop;
let providerId: string;
/** A per-shop token: not an account admin. */
let ownerToken: string;

beforeAll(async () => {
  // Every action in every state, through the API, in both processing modes: far more than one
  // token may send in a minute. The limit is off here; tests/rate-limits.test.ts checks it.
  app = await startTestApp({
    demo: true,
    env: {
      DEMO_API_TOKEN: DEMO_TOKEN,
      RATE_LIMIT_API_PER_MIN: "0",
    },
  });
  // The demo's own shop: the demo token (the only account-admin caller the API has) opens it.
  shop = await createShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN });
  const [provider] = await app.ctx.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "sandbox",
      name: "Sandbox Printer",
      // Never called: no worker runs in this file, so purchase orders stay queued.
      endpoint: "http://127.0.0.1:9",
      isDefault: true,
    })
    .returning();
  providerId = provider!.id;
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: null });
  if (!created.ok) throw new Error("token not created");
  ownerToken = created.token;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** The shop's processing mode, as its Settings would have saved it. */
async function useMode(processingMode: ProcessingMode, shopRow: Pick<Shop, "id"> = shop) {
  const [row] = await app.ctx.db.select().from(shops).where(eq(shops.id, shopRow.id));
  await app.ctx.db
    .update(shops)
    .set({ settings: { ...shopSettings(row!), processingMode } })
    .where(eq(shops.id, shopRow.id));
}
beforeEach(async () => {
  await useMode("automatic");
});

type Who = "owner" | "admin";

function post(path: string, body?: unknown, who: Who = "owner") {
  const token = who === "admin" ? DEMO_TOKEN : ownerToken;
  const query = who === "admin" ? `?shop=${encodeURIComponent(shop.domain)}` : "";
  return app.fetch(`${path}${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function act(orderId: string, action: string, body?: unknown, who: Who = "owner") {
  return post(`/api/v1/orders/${orderId}/actions/${action}`, body, who);
}

const DESIGNED_ITEM = {
  sku: "TEE-BLK-M",
  title: "Name Tee",
  quantity: 1,
  price: "42.00",
  personalization: {
    designUrl: "/demo/design-name.svg",
    options: [{ name: "Name", value: "Ava" }],
  },
};

/** An order in `state` as it would really be: sent when Open, shipped when Closed, and so on. */
async function orderIn(
  state: LifecycleState,
  options: { sent?: boolean; shipped?: boolean; shopRow?: Pick<Shop, "id"> } = {},
) {
  const owner = options.shopRow ?? shop;
  const order = await createOrder(
    app.ctx.db,
    owner,
    {
      state,
      alert:
        state === "error"
          ? { code: "provider_rejected", message: "Rejected", fix: "Edit, then Reprocess" }
          : null,
      autoSubmitAt: state === "new" ? new Date(Date.now() + 3_600_000) : null,
    },
    [DESIGNED_ITEM],
  );
  const sent = options.sent ?? (state === "open" || state === "abandoned" || state === "closed");
  if (sent && owner === shop) {
    const [submission] = await app.ctx.db
      .insert(submissions)
      .values({
        shopId: shop.id,
        orderId: order.id,
        providerId,
        poNumber: `PO-${order.id}`,
        idempotencyKey: `key-${order.id}`,
        state: "submitted",
        providerOrderId: "SBX-1",
        attempts: 1,
        submittedAt: new Date(),
      })
      .returning();
    if (options.shipped ?? state === "closed") {
      await app.ctx.db.insert(shipments).values({
        shopId: shop.id,
        orderId: order.id,
        submissionId: submission!.id,
        carrier: "USPS",
        trackingNumber: `9400${order.id.slice(0, 8)}`,
        shippedAt: new Date(),
        items: [],
      });
    }
  }
  return order;
}

async function snapshot(orderId: string) {
  const [order] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
  const events = await app.ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId));
  const subs = await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, orderId));
  return { order, events: events[0]!.n, submissions: subs };
}

async function lastEvent(orderId: string) {
  const [event] = await app.ctx.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(sql`${orderEvents.createdAt} desc`)
    .limit(1);
  return event;
}

// Where each action is allowed, written out here rather than read from the table, so a change to
// the table that nobody meant shows up as a failing test.
// Schedule Process and Revalidate exist only for shops that process orders manually (seed 001):
// an automatic shop is refused them in every state.
const ALLOWED_IN: Record<ProcessingMode, Record<string, readonly LifecycleState[]>> = {
  automatic: {
    reprocess: ["abandoned", "error", "archived"],
    edit: ["new", "pending", "on_hold", "error"],
    reset: ["new", "pending", "on_hold", "open", "abandoned", "error", "archived"],
    archive: ["new", "pending", "on_hold", "open", "abandoned", "closed", "error"],
    delete: ["new", "pending", "on_hold", "error", "archived"],
    "force-delete": LIFECYCLE_STATES,
    schedule: [],
    revalidate: [],
  },
  manual: {
    schedule: ["pending"],
    revalidate: ["error"],
  },
};

const TABLE_ACTION: Record<string, OrderAction> = {
  reprocess: "reprocess",
  edit: "edit",
  reset: "reset",
  archive: "archive",
  delete: "delete",
  "force-delete": "force_delete",
  schedule: "schedule_process",
  revalidate: "revalidate",
};

/** The state each allowed action leaves the order in (the cart says Processing). */
function leavesIn(
  action: string,
  from: LifecycleState,
  mode: ProcessingMode,
): LifecycleState | "same" | "deleted" {
  const start = mode === "manual" ? "pending" : "new";
  const leaves: Record<string, LifecycleState | "same" | "deleted"> = {
    // Never sent: back to the start, counting down again (an order whose send failed is sent at
    // once: tests/fulfillment.test.ts). Abandoned: Open again, so its providers are asked again.
    reprocess: from === "abandoned" ? "open" : start,
    edit: "same",
    reset: start,
    archive: "archived",
    delete: "deleted",
    "force-delete": "deleted",
    schedule: "new",
    revalidate: start,
  };
  return leaves[action]!;
}

const BODY: Record<string, unknown> = {
  edit: { note: "Gift wrap, please" },
  "force-delete": { confirm: true },
};

describe.each(["automatic", "manual"] as const)(
  "every action in every state, through the API, in %s mode",
  (mode) => {
    for (const [action, allowed] of Object.entries(ALLOWED_IN[mode])) {
      for (const state of LIFECYCLE_STATES) {
        const ok = allowed.includes(state);
        it(`${action} on a${/^[aeiou]/.test(state) ? "n" : ""} ${state} order is ${ok ? "done" : "refused"}`, async () => {
          await useMode(mode);
          const order = await orderIn(state);
          const before = await snapshot(order.id);
          const res = await act(
            order.id,
            action,
            BODY[action],
            action === "force-delete" ? "admin" : "owner",
          );
          const body = (await res.json()) as {
            ok?: boolean;
            message?: string;
            error?: { code: string; message: string };
          };
          const after = await snapshot(order.id);
          if (!ok) {
            expect(res.status, JSON.stringify(body)).toBe(409);
            const decision = decide(TABLE_ACTION[action]!, {
              state,
              cartStatus: "processing",
              processingMode: mode,
              hasShipment: state === "closed",
              anythingSent: state === "open" || state === "abandoned" || state === "closed",
              isAccountAdmin: action === "force-delete",
            });
            expect(decision.allowed).toBe(false);
            expect(body.error).toEqual({
              code: "refused",
              message: decision.allowed ? "" : decision.reason,
            });
            expect(after).toEqual(before);
            return;
          }
          expect(res.status, JSON.stringify(body)).toBe(200);
          expect(body.ok).toBe(true);
          const leaves = leavesIn(action, state, mode);
          if (leaves === "deleted") {
            expect(after.order).toBeUndefined();
            const items = await app.ctx.db
              .select()
              .from(lineItems)
              .where(eq(lineItems.orderId, order.id));
            expect(items).toEqual([]);
            return;
          }
          expect(after.order!.state).toBe(leaves === "same" ? state : leaves);
          // Who did it is on the timeline.
          const event = await lastEvent(order.id);
          expect(event).toMatchObject({ actor: "owner", actorName: 'API token "Tests"' });
          expect(after.events).toBeGreaterThan(before.events);
        });
      }
    }
  },
);

describe("guards that depend on more than the state", () => {
  it("refuses Reset once a shipment exists, even for an order not yet closed", async () => {
    const order = await orderIn("open", { shipped: true });
    const before = await snapshot(order.id);
    const res = await act(order.id, "reset");
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "Reset is refused once a shipment exists.",
    );
    expect(await snapshot(order.id)).toEqual(before);
  });

  it("refuses Delete once anything was sent, and says to archive instead", async () => {
    const order = await orderIn("error", { sent: true });
    const res = await act(order.id, "delete");
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "archive it instead",
    );
    expect((await snapshot(order.id)).order).toBeDefined();
  });

  it("refuses Force Delete to a token that is not an account admin's", async () => {
    const order = await orderIn("open");
    const res = await act(order.id, "force-delete", { confirm: true });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "Only account admins can force delete an order.",
    );
    expect((await snapshot(order.id)).order).toBeDefined();
  });

  it("asks an account admin to confirm Force Delete, saying what it risks, and keeps the order", async () => {
    const order = await orderIn("open");
    for (const body of [undefined, { confirm: false }, { confirm: "yes" }]) {
      const res = await act(order.id, "force-delete", body, "admin");
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { error: { code: string; message: string } };
      expect(answer.error.code).toBe("invalid");
      expect(answer.error.message).toContain("Providers that already received it will still make");
    }
    expect((await snapshot(order.id)).order).toBeDefined();
    const res = await act(order.id, "force-delete", { confirm: true }, "admin");
    expect(res.status).toBe(200);
    expect((await snapshot(order.id)).order).toBeUndefined();
    // The sent purchase order goes with it; the provider itself is untouched.
    expect(
      await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, order.id)),
    ).toEqual([]);
  });

  it("schedules a Pending order of a manual shop and starts its countdown", async () => {
    await app.ctx.db
      .update(shops)
      .set({ settings: { ...shop.settings, processingMode: "manual" } })
      .where(eq(shops.id, shop.id));
    try {
      const order = await orderIn("pending");
      const res = await act(order.id, "schedule");
      expect(res.status).toBe(200);
      const { order: after } = await snapshot(order.id);
      expect(after!.state).toBe("new");
      const minutes = shop.settings.autoSubmitDelayMinutes;
      expect(after!.autoSubmitAt!.getTime()).toBeGreaterThan(Date.now() + (minutes - 1) * 60_000);
      // A second press is refused: it is already scheduled.
      const again = await act(order.id, "schedule");
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { message: string } }).error.message).toContain(
        "already scheduled",
      );
    } finally {
      await app.ctx.db.update(shops).set({ settings: shop.settings }).where(eq(shops.id, shop.id));
    }
  });
});

describe("what each action does to the order", () => {
  it("Archive stops the countdown, keeping the time left, and withdraws purchase orders not yet sent", async () => {
    const order = await orderIn("open", { sent: false });
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: order.id,
      providerId,
      poNumber: `PO-A-${order.id}`,
      idempotencyKey: `key-a-${order.id}`,
      state: "pending",
    });
    const counting = await orderIn("new");
    expect((await act(order.id, "archive")).status).toBe(200);
    expect((await act(counting.id, "archive")).status).toBe(200);
    const archived = await snapshot(order.id);
    expect(archived.order!.state).toBe("archived");
    expect(archived.submissions).toEqual([]);
    const stopped = await snapshot(counting.id);
    expect(stopped.order!.autoSubmitAt).toBeNull();
    expect(stopped.order!.autoSubmitRemainingMs).toBeGreaterThan(0);
  });

  it("Reprocess of an archived order never sent counts down again from the time it had left", async () => {
    const order = await orderIn("new");
    const deadline = new Date(Date.now() + 20 * 60_000);
    await app.ctx.db.update(orders).set({ autoSubmitAt: deadline }).where(eq(orders.id, order.id));
    expect((await act(order.id, "archive")).status).toBe(200);
    const archivedAt = Date.now();
    const res = await act(order.id, "reprocess");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toMatch(/counting down again/);
    const back = await snapshot(order.id);
    expect(back.order!.state).toBe("new");
    expect(back.submissions).toEqual([]);
    const left = back.order!.autoSubmitAt!.getTime() - archivedAt;
    expect(left).toBeGreaterThan(19 * 60_000);
    expect(left).toBeLessThanOrEqual(20 * 60_000 + 5_000);
    expect(back.order!.autoSubmitRemainingMs).toBeNull();
  });

  it("Reset restores the cart's values under manual edits, clears the alert and restarts the countdown", async () => {
    const order = await orderIn("error");
    const res = await act(order.id, "edit", {
      shippingAddress: {
        name: "Ava L.",
        address1: "99 Birch Ave",
        city: "Seattle",
        province: "WA",
        zip: "98101",
        country: "United States",
        countryCode: "us",
      },
      note: "Leave at the door",
    });
    expect(res.status).toBe(200);
    const edited = (await snapshot(order.id)).order!;
    expect(edited.shippingAddress).toMatchObject({
      name: "Ava L.",
      city: "Seattle",
      countryCode: "US",
    });
    const edits = edited.manualEdits as ManualEdits;
    expect(Object.keys(edits).sort()).toEqual(["note", "shippingAddress"]);
    expect(edits.shippingAddress!.from).toEqual(order.shippingAddress);
    expect(edits.shippingAddress!.by).toBe('API token "Tests"');

    const reset = await act(order.id, "reset");
    expect(reset.status).toBe(200);
    const after = (await snapshot(order.id)).order!;
    expect(after.shippingAddress).toEqual(order.shippingAddress);
    expect(after.note).toBeNull();
    expect(after.manualEdits).toBeNull();
    expect(after.alert).toBeNull();
    expect(after.state).toBe("new");
    expect(after.autoSubmitAt).not.toBeNull();
    const event = await lastEvent(order.id);
    expect(event).toMatchObject({ action: "reset", fromState: "error", toState: "new" });
    expect(event!.message).toContain("2 manual edits undone");
  });

  it("Edit refuses a recipient name longer than the routed provider accepts, with the field", async () => {
    const order = await orderIn("error");
    const before = await snapshot(order.id);
    const res = await act(order.id, "edit", {
      shippingAddress: { ...order.shippingAddress, name: "A".repeat(201) },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; fieldErrors: Record<string, string> };
    };
    expect(body.error.code).toBe("invalid");
    expect(body.error.fieldErrors["shippingAddress.name"]).toContain(
      "Sandbox Printer accepts at most 200",
    );
    expect(await snapshot(order.id)).toEqual(before);
  });

  it("Edit of other fields is not blocked by an address problem it did not cause", async () => {
    const order = await orderIn("error");
    await app.ctx.db
      .update(orders)
      .set({ shippingAddress: { ...order.shippingAddress!, name: "B".repeat(240) } })
      .where(eq(orders.id, order.id));
    const res = await act(order.id, "edit", { note: "Call before delivery" });
    expect(res.status).toBe(200);
    expect((await snapshot(order.id)).order!.note).toBe("Call before delivery");
  });

  it("Edit of a sent order is refused by the table before its input is even read", async () => {
    const order = await orderIn("open");
    const res = await act(order.id, "edit", { customerEmail: "not an email" });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "This order was already sent to providers; an edit would not reach them.",
    );
  });

  it("Edit answers 400 with each bad field, and an unknown field by its name", async () => {
    const order = await orderIn("new");
    const bad = await act(order.id, "edit", {
      customerEmail: "not an email",
      shippingAddress: {
        name: "",
        address1: "1 Main St",
        city: "X",
        country: "US",
        countryCode: "USA",
      },
    });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: { fieldErrors: Record<string, string> } };
    expect(error.fieldErrors).toMatchObject({
      customerEmail: "Enter a valid email address",
      "shippingAddress.name": "Enter the recipient's name",
      "shippingAddress.countryCode": "Choose the country from the list",
    });
    const unknown = await act(order.id, "edit", { total: "0.01" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain("Edit cannot change total");
    const empty = await act(order.id, "edit");
    expect(empty.status).toBe(400);
  });

  it("Edit that sends the stored address again changes nothing", async () => {
    const order = await orderIn("new");
    const res = await act(order.id, "edit", { shippingAddress: order.shippingAddress });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toBe("Nothing changed");
    expect((await snapshot(order.id)).order!.manualEdits).toBeNull();
  });

  it("Edit back to the cart's value is no longer a manual edit", async () => {
    const order = await orderIn("new");
    await act(order.id, "edit", { customerName: "Someone Else" });
    expect(Object.keys((await snapshot(order.id)).order!.manualEdits ?? {})).toEqual([
      "customerName",
    ]);
    await act(order.id, "edit", { customerName: order.customerName });
    expect((await snapshot(order.id)).order!.manualEdits).toBeNull();
  });

  it("Revalidate with settings still wrong keeps the order in Error with a fresh alert", async () => {
    const other = await createShop(app.ctx.db, { platform: "demo" });
    const created = await createApiToken(app.ctx.db, other.id, { name: "Other", createdBy: null });
    await useMode("manual", other);
    const order = await orderIn("error", { shopRow: other });
    const res = await app.fetch(`/api/v1/orders/${order.id}/actions/revalidate`, {
      method: "POST",
      headers: { authorization: `Bearer ${created.ok ? created.token : ""}` },
    });
    expect(res.status).toBe(200);
    const after = (await snapshot(order.id)).order!;
    expect(after.state).toBe("error");
    expect(after.alert).toMatchObject({ code: "no_provider" });
    expect(after.alert!.fix).toContain("Revalidate");
  });

  it("Revalidate that passes puts the order back where a manual shop starts: Pending", async () => {
    await useMode("manual");
    const order = await orderIn("error");
    expect((await act(order.id, "revalidate")).status).toBe(200);
    const after = (await snapshot(order.id)).order!;
    expect(after).toMatchObject({ state: "pending", alert: null });
  });

  it("refuses Schedule Process and Revalidate to a shop that processes automatically, saying so", async () => {
    for (const [action, state, hint] of [
      ["schedule", "pending", "Reset"],
      ["revalidate", "error", "Reprocess"],
    ] as const) {
      const order = await orderIn(state);
      const before = await snapshot(order.id);
      const res = await act(order.id, action);
      expect(res.status).toBe(409);
      const message = ((await res.json()) as { error: { message: string } }).error.message;
      expect(message).toContain("This shop processes orders automatically");
      expect(message).toContain(hint);
      expect(await snapshot(order.id)).toEqual(before);
    }
  });
});

describe("orders the caller cannot touch", () => {
  it("answers 404 for another shop's order and changes nothing", async () => {
    const other = await createShop(app.ctx.db, { platform: "demo" });
    const theirs = await orderIn("error", { shopRow: other });
    const before = await snapshot(theirs.id);
    for (const action of Object.keys(ALLOWED_IN.automatic)) {
      const res = await act(theirs.id, action, BODY[action]);
      expect(res.status, action).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    expect(await snapshot(theirs.id)).toEqual(before);
  });

  it("answers 404 for an order that no longer exists, or an id that cannot be one", async () => {
    const gone = await orderIn("new");
    expect((await act(gone.id, "delete")).status).toBe(200);
    expect((await act(gone.id, "archive")).status).toBe(404);
    expect((await act("not-a-uuid", "archive")).status).toBe(404);
  });

  it("answers 404 for an action that does not exist", async () => {
    const order = await orderIn("new");
    const res = await act(order.id, "explode");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_action");
  });
});

describe("alert codes", () => {
  // Every code the app puts on an order or a validation problem is one the catalog's filter and
  // the order page know, with steps to resolve it.
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(full);
      return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [full] : [];
    });
  }

  it("are all listed in app/orders/alerts.ts", () => {
    const used = new Map<string, string>();
    for (const file of [
      ...sources("app/fulfillment"),
      ...sources("app/orders"),
      "app/demo/seed.server.ts",
    ]) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/alertOf\(\s*"([a-z_]+)"/g)) used.set(match[1]!, file);
      // Validation problems and seeded alerts: a code followed by the problem's other fields.
      for (const match of text.matchAll(/code: "([a-z_]+)",\s*\n\s*(?:field|lineId|message)\b/g)) {
        used.set(match[1]!, file);
      }
      for (const match of text.matchAll(/invalid\(\s*"([a-z_]+)"/g)) used.set(match[1]!, file);
    }
    expect(used.size).toBeGreaterThan(10);
    const unknown = [...used].filter(([code]) => !(ALERT_CODES as string[]).includes(code));
    expect(unknown).toEqual([]);
  });
});
