// Many deadlines falling together: the countdown decides a batch of orders in one go and sends
// them at once. Each order must still end up exactly as if it had been submitted on its own.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orderEvents, orders, providers, shops, submissions } from "~/db/schema";
import type { SandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { SANDBOX_SKUS } from "~/fulfillment/sandbox/sandbox-provider.server";
import { submitOrders } from "~/fulfillment/submit.server";
import type { JobData } from "~/jobs/queues";
import { autoSubmitBatch } from "~/fulfillment/auto-submit.server";
import { sendStandingBy } from "~/fulfillment/send.server";
import { RetryLater } from "~/jobs/queues";
import { holdOrder, rescheduleCountdowns } from "~/orders/countdown.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder } from "./support/factories";
import {
  orderState,
  personalisedOrder,
  shopWithSandbox,
  startSandbox,
} from "./support/fulfillment";
import { STARTUP_TIMEOUT_MS } from "./support/startup";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

let app: TestApp;
let sandbox: SandboxProvider;
const owner = { actor: "owner" as const, name: "Test owner" };

beforeAll(async () => {
  app = await startTestApp();
  app.ctx.config.publicUrl = app.url;
  // Ships only when a test waits for it: these tests are about submitting.
  sandbox = await startSandbox({ shipDelayMs: 3_600_000 });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await sandbox?.close();
  await app?.close();
  await closeVite();
});

let orderNumber = 1000;
/** Orders of one shop with distinct numbers (PO numbers are unique per shop). */
async function ordersDueNow(shop: Shop, count: number, sku?: string) {
  const dueAt = new Date(Date.now() - 50);
  const made = [];
  for (let i = 0; i < count; i++) {
    const order = await personalisedOrder(app.ctx, shop, sku);
    await app.ctx.db
      .update(orders)
      .set({ autoSubmitAt: dueAt, cartOrderNumber: `#${++orderNumber}` })
      .where(eq(orders.id, order.id));
    made.push(order);
  }
  return { dueAt, orders: made };
}

function jobFor(shop: Shop, orderId: string, dueAt: Date): { data: JobData["auto-submit"] } {
  return { data: { shopId: shop.id, orderId, dueAt: dueAt.toISOString() } };
}

describe("the countdown's batches", () => {
  it("the worker sends orders due together through the queue, each once and not before its deadline", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const dueAt = new Date(Date.now() + 1500);
    const due = [];
    for (let i = 0; i < 12; i++) {
      const order = await createOrder(
        app.ctx.db,
        shop,
        { autoSubmitAt: dueAt, cartOrderNumber: `#Q${i}` },
        [{ sku: "TEE-BLK-M", personalization: designOnly() }],
      );
      due.push(order);
    }
    // Queued as a worker start would, twice: the second finds every job already waiting.
    expect(await rescheduleCountdowns(app.ctx)).toBeGreaterThanOrEqual(12);
    await rescheduleCountdowns(app.ctx);
    const queued = await app.ctx.jobs.find("auto-submit", { queued: true });
    const ids = new Set(due.map((o) => o.id));
    expect(queued.filter((j) => ids.has(j.data.orderId))).toHaveLength(12);

    await app.startWorker();
    try {
      await expect
        .poll(
          async () =>
            (
              await app.ctx.db
                .select({ state: submissions.state })
                .from(submissions)
                .where(inArray(submissions.orderId, [...ids]))
            ).filter((s) => s.state === "submitted").length,
          { timeout: 15_000, interval: 200 },
        )
        .toBe(12);
    } finally {
      await app.stopWorker();
    }
    const rows = await app.ctx.db
      .select()
      .from(submissions)
      .where(inArray(submissions.orderId, [...ids]));
    // Each of these orders, once: asked of the sandbox by its key and PO number, since the sandbox's
    // totals also count whatever else the file sends it.
    const stats = sandbox.stats();
    for (const row of rows) {
      expect(row.submittedAt!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
      expect(stats.requestsByKey[row.idempotencyKey]).toBe(1);
      expect(stats.ordersByPoNumber[row.poNumber]).toBe(1);
    }
  });

  it("a batch gives each order its own outcome: due ones sent once, stale, held and unroutable ones not", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { dueAt, orders: due } = await ordersDueNow(shop, 5);
    const [held, moved, unroutable] = [due[2]!, due[3]!, due[4]!];
    await holdOrder(app.ctx, shop.id, held.id, owner);
    // The deadline moved after this job was planned: the job is stale.
    await app.ctx.db
      .update(orders)
      .set({ autoSubmitAt: new Date(Date.now() + 3_600_000) })
      .where(eq(orders.id, moved.id));
    // No provider takes this SKU: the order goes to Error with the reason.
    await app.ctx.db
      .update(providers)
      .set({ isDefault: false })
      .where(eq(providers.shopId, shop.id));
    const [provider] = await app.ctx.db
      .select()
      .from(providers)
      .where(eq(providers.shopId, shop.id));
    await app.ctx.db
      .update(shops)
      .set({
        settings: {
          ...DEFAULT_SHOP_SETTINGS,
          processingMode: "automatic",
          routingRules: [{ match: "TEE-*", providerId: provider!.id }],
        },
      })
      .where(eq(shops.id, shop.id));
    await app.ctx.db
      .update(lineItems)
      .set({ sku: "MUG-WHT" })
      .where(eq(lineItems.orderId, unroutable.id));

    const jobs = [
      ...due.map((o) => jobFor(shop, o.id, dueAt)),
      // The same timer twice (a worker start re-queued it): still one submission.
      jobFor(shop, due[0]!.id, dueAt),
    ];
    expect(await autoSubmitBatch(app.ctx, jobs)).toEqual(jobs.map(() => null));

    const stats = sandbox.stats();
    for (const order of [due[0]!, due[1]!]) {
      const state = await orderState(app.ctx, order.id);
      expect(state.order).toMatchObject({ state: "open", submitStatus: "submitted" });
      expect(state.submissions).toHaveLength(1);
      expect(state.submissions[0]).toMatchObject({ state: "submitted", attempts: 1 });
      // Sent once although its timer came twice.
      expect(stats.requestsByKey[state.submissions[0]!.idempotencyKey]).toBe(1);
      expect(stats.ordersByPoNumber[state.submissions[0]!.poNumber]).toBe(1);
      expect(state.submissions[0]!.submittedAt!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
      expect(state.timeline.map((e) => [e.action, e.actorName])).toEqual([
        ["submit", "Countdown"],
        ["provider_accepted", null],
      ]);
    }
    const heldState = await orderState(app.ctx, held.id);
    expect(heldState.order.state).toBe("on_hold");
    expect(heldState.submissions).toHaveLength(0);
    const movedState = await orderState(app.ctx, moved.id);
    expect(movedState.order.state).toBe("new");
    expect(movedState.submissions).toHaveLength(0);
    const failed = await orderState(app.ctx, unroutable.id);
    expect(failed.order.state).toBe("error");
    expect(failed.order.alert?.message).toMatch(/No provider for SKU MUG-WHT/);
    expect(failed.submissions).toHaveLength(0);
    // The held, stale and unroutable orders have no submission, so no key of theirs reached the
    // sandbox: only the two due ones did, once each (above). And no PO was ordered twice.
    expect(sandbox.stats().duplicatePurchaseOrders).toBe(0);
  });

  it("a provider refusing one order of the batch fails that order only, with the provider's reason", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { dueAt, orders: good } = await ordersDueNow(shop, 3);
    const late = await ordersDueNow(shop, 1, SANDBOX_SKUS.reject);
    const refused = late.orders[0]!;
    const jobs = [
      ...good.map((o) => jobFor(shop, o.id, dueAt)),
      jobFor(shop, refused.id, late.dueAt),
    ];
    await autoSubmitBatch(app.ctx, jobs);
    for (const order of good) {
      expect((await orderState(app.ctx, order.id)).order.submitStatus).toBe("submitted");
    }
    const state = await orderState(app.ctx, refused.id);
    expect(state.order.state).toBe("error");
    expect(state.order.submitStatus).toBe("failed");
    expect(state.order.submitFailureReason).toMatch(/Sandbox cannot produce SKU SANDBOX-REJECT/);
  });

  it("a provider that is down leaves the batch's submissions pending, for their standing-by jobs", async () => {
    const down = await startSandbox({ behaviour: "error" });
    try {
      const { shop } = await shopWithSandbox(app.ctx, down);
      const { dueAt, orders: due } = await ordersDueNow(shop, 3);
      await autoSubmitBatch(
        app.ctx,
        due.map((o) => jobFor(shop, o.id, dueAt)),
      );
      const rows = await app.ctx.db
        .select()
        .from(submissions)
        .where(
          inArray(
            submissions.orderId,
            due.map((o) => o.id),
          ),
        );
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row).toMatchObject({ state: "pending", attempts: 1, claimedAt: null });
        expect(row.lastError).toMatch(/unavailable/);
      }
      // The batch's standby job waits to try them again, each with the same key.
      const waiting = await app.ctx.jobs.find("send-standby", { queued: true });
      const waitingFor = new Set(waiting.flatMap((j) => j.data.submissionIds));
      for (const row of rows) expect(waitingFor.has(row.id)).toBe(true);
    } finally {
      await down.close();
    }
  });

  it("one order that cannot be decided does not hold up the rest of its batch", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { dueAt, orders: due } = await ordersDueNow(shop, 3);
    // Two orders with the same number would need the same PO number, which the database refuses
    // within a shop: the batch's insert fails as a whole, and the orders are retried one by one.
    await app.ctx.db
      .update(orders)
      .set({ cartOrderNumber: `#${orderNumber}` })
      .where(eq(orders.id, due[0]!.id));
    const errors = await autoSubmitBatch(
      app.ctx,
      due.map((o) => jobFor(shop, o.id, dueAt)),
    );
    expect(errors.filter((e) => e !== null)).toHaveLength(1);
    const states = await Promise.all(due.map(async (o) => (await orderState(app.ctx, o.id)).order));
    expect(states.filter((o) => o.state === "open")).toHaveLength(2);
    // The one that failed is untouched: still counting down, its job will retry.
    expect(states.filter((o) => o.state === "new" && o.autoSubmitAt !== null)).toHaveLength(1);
  });

  it("submitOrders answers in the order asked, including orders of another shop", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { shop: other } = await shopWithSandbox(app.ctx, sandbox);
    const mine = await personalisedOrder(app.ctx, shop);
    const theirs = await personalisedOrder(app.ctx, other);
    const results = await submitOrders(
      app.ctx,
      shop.id,
      [{ orderId: theirs.id }, { orderId: mine.id }, { orderId: mine.id }],
      owner,
    );
    expect(results.map((r) => r.outcome)).toEqual(["not_found", "submitted", "already_submitted"]);
    expect((await orderState(app.ctx, theirs.id)).order.state).toBe("new");
  });
  it("each order a batch sends gets its timeline entry, and the cart is told, once per purchase order", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { dueAt, orders: due } = await ordersDueNow(shop, 4);
    await autoSubmitBatch(
      app.ctx,
      due.map((o) => jobFor(shop, o.id, dueAt)),
    );
    const ids = due.map((o) => o.id);
    const rows = await app.ctx.db
      .select()
      .from(submissions)
      .where(inArray(submissions.orderId, ids));
    expect(rows.map((r) => r.state)).toEqual(["submitted", "submitted", "submitted", "submitted"]);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(inArray(orderEvents.orderId, ids));
    for (const row of rows) {
      const accepted = events.filter(
        (e) => e.action === "provider_accepted" && e.data?.submissionId === row.id,
      );
      expect(accepted).toHaveLength(1);
      expect(accepted[0]!.message).toBe(`${row.poNumber} accepted as ${row.providerOrderId}`);
    }
    const reports = await app.ctx.jobs.find("report-sent-to-cart", { queued: true });
    for (const row of rows) {
      expect(reports.filter((j) => j.data.submissionId === row.id)).toHaveLength(1);
    }
    // Every order reads Submitted in the catalog.
    for (const order of due) {
      expect((await orderState(app.ctx, order.id)).order.submitStatus).toBe("submitted");
    }
  });

  it("the batch's standby job sends what a live worker claimed and never sent: once, with the same key, after the claim's lease", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { dueAt, orders: due } = await ordersDueNow(shop, 2);
    // Decided and claimed by this worker, as the countdown does, but never sent (say its process
    // hung between deciding and sending).
    await submitOrders(
      app.ctx,
      shop.id,
      due.map((o) => ({ orderId: o.id, deadline: dueAt.toISOString() })),
      { actor: "system", name: "Countdown" },
      { sendingInline: true },
    );
    const claimed = await app.ctx.db
      .select()
      .from(submissions)
      .where(
        inArray(
          submissions.orderId,
          due.map((o) => o.id),
        ),
      );
    const submissionIds = claimed.map((r) => r.id);
    // One standby job for the batch, naming both.
    const standby = (await app.ctx.jobs.find("send-standby", { queued: true })).filter((j) =>
      j.data.submissionIds.some((id) => submissionIds.includes(id)),
    );
    expect(standby).toHaveLength(1);
    expect([...standby[0]!.data.submissionIds].sort()).toEqual([...submissionIds].sort());

    // While the claim's lease runs, the live worker's claim stands: nothing is sent, try later.
    await expect(
      sendStandingBy(app.ctx, { shopId: shop.id, submissionIds }, { lastAttempt: false }),
    ).rejects.toBeInstanceOf(RetryLater);
    for (const row of claimed)
      expect(sandbox.stats().requestsByKey[row.idempotencyKey]).toBeUndefined();

    // Past the lease, the standby job takes the claims over and sends each once, with its key.
    await app.ctx.db
      .update(submissions)
      .set({ claimedAt: new Date(Date.now() - 60_000) })
      .where(inArray(submissions.id, submissionIds));
    await sendStandingBy(app.ctx, { shopId: shop.id, submissionIds }, { lastAttempt: false });
    // Run again (a redelivered job): everything is settled, nothing more is sent.
    await sendStandingBy(app.ctx, { shopId: shop.id, submissionIds }, { lastAttempt: false });
    const after = await app.ctx.db
      .select()
      .from(submissions)
      .where(inArray(submissions.id, submissionIds));
    for (const row of after) {
      expect(row).toMatchObject({ state: "submitted", attempts: 2 });
      expect(sandbox.stats().requestsByKey[row.idempotencyKey]).toBe(1);
      expect(sandbox.stats().ordersByPoNumber[row.poNumber]).toBe(1);
    }
  });
});

function designOnly() {
  return {
    previewUrl: null,
    designUrl: "/demo/design-name.svg",
    clientImages: [],
    options: [{ name: "Name", value: "Ava" }],
  };
}
