import http_ from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orders, providers, submissions, webhookReceipts } from "~/db/schema";
import { loadConfig } from "~/config.server";
import type { AppContext } from "~/context.server";
import { signBody } from "~/fulfillment/protocol";
import { poNumberFor } from "~/fulfillment/purchase-orders.server";
import type { SandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { sendSubmission } from "~/fulfillment/send.server";
import { submitOrder } from "~/fulfillment/submit.server";
import { cancelFulfillment, cancelSubmission } from "~/fulfillment/cancel.server";
import { runOrderAction } from "~/orders/actions.server";
import { RetryLater } from "~/jobs/queues";
import { autoSubmit } from "~/fulfillment/auto-submit.server";
import { holdOrder, releaseOrder, scheduleAutoSubmit } from "~/orders/countdown.server";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import {
  SANDBOX_SECRET,
  orderState,
  personalisedOrder,
  shopWithSandbox,
  startSandbox,
} from "./support/fulfillment";
import { mswServer } from "./support/msw";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let sandbox: SandboxProvider;
const owner = { actor: "owner" as const, name: "Test owner" };

beforeAll(async () => {
  app = await startTestApp();
  // Providers post back to this app, so it must know its own address.
  app.ctx.config.publicUrl = app.url;
  sandbox = await startSandbox();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await sandbox?.close();
  await app?.close();
  await closeVite();
});

/** A submitted order of a new shop whose purchase order waits to be sent to the sandbox. */
async function orderAwaitingSend(sku?: string) {
  const { shop } = await shopWithSandbox(app.ctx, sandbox);
  const order = await personalisedOrder(app.ctx, shop, sku);
  await submitOrder(app.ctx, shop.id, order.id, owner);
  return { shop, order, submission: await pendingSubmission(order.id) };
}

async function pendingSubmission(orderId: string) {
  const [row] = await app.ctx.db.select().from(submissions).where(eq(submissions.orderId, orderId));
  return row!;
}

/**
 * What the sandbox saw of this one purchase order. The sandbox is shared by the whole file, so its
 * global counters also count other tests' orders (a worker still sending, a queued job).
 */
function sentToSandbox(submission: { idempotencyKey: string; poNumber: string }) {
  const stats = sandbox.stats();
  return {
    requests: stats.requestsByKey[submission.idempotencyKey] ?? 0,
    orders: stats.ordersByPoNumber[submission.poNumber] ?? 0,
  };
}

describe("submitting an order", () => {
  it("goes from New to Submitted to Closed on its own: provider accepts, ships, tracking reaches the cart", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);

    expect(await submitOrder(app.ctx, shop.id, order.id, owner)).toMatchObject({
      outcome: "submitted",
      submissions: 1,
    });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("open");

    await app.startWorker();
    try {
      await expect
        .poll(async () => (await orderState(app.ctx, order.id)).order.state, { timeout: 15_000 })
        .toBe("closed");
      // Seed 000's Open is "sent, and the cart was updated": the cart hears of the send too.
      await expect
        .poll(async () => (await orderState(app.ctx, order.id)).timeline.map((e) => e.action), {
          timeout: 15_000,
        })
        .toContain("cart_told_sent");
    } finally {
      // Left running, the worker would go on sending the next tests' orders.
      await app.stopWorker();
    }

    const state = await orderState(app.ctx, order.id);
    expect(state.order.submitStatus).toBe("submitted");
    expect(state.submissions[0]).toMatchObject({ state: "submitted", attempts: 1 });
    expect(state.submissions[0]!.providerOrderId).toMatch(/^SBX-/);
    expect(state.shipments).toHaveLength(1);
    expect(state.shipments[0]!.trackingNumber).toBeTruthy();
    expect(state.shipments[0]!.pushedToCartAt).toBeInstanceOf(Date);
    expect(
      state.timeline.map((e) => e.action).filter((action) => action !== "cart_told_sent"),
    ).toEqual(["submit", "provider_accepted", "shipment", "tracking_pushed", "close"]);
    expect(sentToSandbox(state.submissions[0]!)).toEqual({ requests: 1, orders: 1 });
  });

  it("two clicks at once make one submission and one provider order", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    const results = await Promise.all([
      submitOrder(app.ctx, shop.id, order.id, owner),
      submitOrder(app.ctx, shop.id, order.id, owner),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["already_submitted", "submitted"]);
    const subs = (await orderState(app.ctx, order.id)).submissions;
    expect(subs).toHaveLength(1);
  });

  it("Submit Order racing the countdown makes one submission", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const dueAt = new Date(Date.now() - 10);
    const order = await personalisedOrder(app.ctx, shop);
    await app.ctx.db.update(orders).set({ autoSubmitAt: dueAt }).where(eq(orders.id, order.id));
    const [fromTimer, fromButton] = await Promise.all([
      autoSubmit(app.ctx, { shopId: shop.id, orderId: order.id, dueAt: dueAt.toISOString() }),
      submitOrder(app.ctx, shop.id, order.id, owner),
    ]);
    expect(fromTimer).toBeUndefined();
    expect(["submitted", "already_submitted"]).toContain(fromButton.outcome);
    expect((await orderState(app.ctx, order.id)).submissions).toHaveLength(1);
  });

  it("two workers sending the same submission reach the provider once", async () => {
    const { shop, order, submission } = await orderAwaitingSend();
    const data = { shopId: shop.id, submissionId: submission.id };
    const outcomes = await Promise.allSettled([
      sendSubmission(app.ctx, data, { lastAttempt: false }),
      sendSubmission(app.ctx, data, { lastAttempt: false }),
    ]);
    // The loser either found it sent, or found it held and will look again later.
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(RetryLater);
    }
    expect(sentToSandbox(submission)).toEqual({ requests: 1, orders: 1 });
    expect((await pendingSubmission(order.id)).state).toBe("submitted");
  });

  it("a worker killed mid-call: the retry resends the same key and the provider keeps one order", async () => {
    const { shop, order, submission } = await orderAwaitingSend();
    const data = { shopId: shop.id, submissionId: submission.id };

    // The first worker claimed it and its request reached the provider, then it died before
    // recording the answer: the claim is left behind, older than the lease.
    await sendSubmission(app.ctx, data, { lastAttempt: false });
    await app.ctx.db
      .update(submissions)
      .set({
        state: "submitting",
        providerOrderId: null,
        claimedAt: new Date(Date.now() - 3_600_000),
      })
      .where(eq(submissions.id, submission.id));

    await sendSubmission(app.ctx, data, { lastAttempt: false });
    const after = await pendingSubmission(order.id);
    expect(after.state).toBe("submitted");
    expect(after.attempts).toBe(2);
    expect(sentToSandbox(submission)).toEqual({ requests: 2, orders: 1 });
  });

  it("a live claim is not taken over by another worker, who looks again later", async () => {
    const { shop, submission } = await orderAwaitingSend();
    await app.ctx.db
      .update(submissions)
      .set({ state: "submitting", claimedAt: new Date() })
      .where(eq(submissions.id, submission.id));
    await expect(
      sendSubmission(
        app.ctx,
        { shopId: shop.id, submissionId: submission.id },
        { lastAttempt: false },
      ),
    ).rejects.toThrow(RetryLater);
    expect(sentToSandbox(submission).requests).toBe(0);
  });
});

describe("when the provider says no, or is down", () => {
  it("a 4xx marks the submission Failed with the provider's reason and the order Error", async () => {
    const { shop, order, submission } = await orderAwaitingSend("SANDBOX-REJECT-TEE");
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(state.order.state).toBe("error");
    expect(state.order.submitStatus).toBe("failed");
    expect(state.order.submitFailureReason).toMatch(/Sandbox Printer refused the order: .+/);
    expect(state.order.alert).toMatchObject({ code: "provider_rejected" });
    expect(state.order.alert!.fix).toMatch(/Reprocess/);
  });

  it("a 5xx is retried with the same key, then succeeds", async () => {
    const { shop, order, submission } = await orderAwaitingSend("SANDBOX-5XX-MUG");
    const data = { shopId: shop.id, submissionId: submission.id };
    await expect(sendSubmission(app.ctx, data, { lastAttempt: false })).rejects.toThrow(RetryLater);
    const waiting = await pendingSubmission(order.id);
    expect(waiting.state).toBe("pending");
    expect(waiting.lastError).toMatch(/503/);
    await expect(sendSubmission(app.ctx, data, { lastAttempt: false })).rejects.toThrow(RetryLater);
    await sendSubmission(app.ctx, data, { lastAttempt: false });
    const done = await pendingSubmission(order.id);
    expect(done.state).toBe("submitted");
    expect(done.attempts).toBe(3);
    expect(done.idempotencyKey).toBe(submission.idempotencyKey);
  });

  it("5xx on the last allowed attempt gives up: Failed, with a readable reason", async () => {
    const { shop, order, submission } = await orderAwaitingSend("SANDBOX-5XX-CASE");
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: true },
    );
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(state.order.alert).toMatchObject({ code: "provider_unavailable" });
    expect(state.order.alert!.message).toMatch(/gave up after 1 attempt/);
  });

  it("a provider that does not answer in time is retried, never left hanging", async () => {
    const { shop, order, submission } = await orderAwaitingSend("SANDBOX-TIMEOUT-POSTER");
    await expect(
      sendSubmission(
        app.ctx,
        { shopId: shop.id, submissionId: submission.id },
        { lastAttempt: false },
        { timeoutMs: 300 },
      ),
    ).rejects.toThrow(/did not answer within/);
    expect((await pendingSubmission(order.id)).state).toBe("pending");
  });

  it("a provider answering garbage fails the submission with a readable reason, no crash", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const [garbage] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "http",
        name: "Odd Printer",
        endpoint: "https://odd-printer.example",
        signingSecret: sealSecret(app.ctx.config.encryptionKey, "odd"),
      })
      .returning();
    await app.ctx.db
      .update(providers)
      .set({ isDefault: false })
      .where(and(eq(providers.shopId, shop.id), eq(providers.kind, "sandbox")));
    await app.ctx.db
      .update(providers)
      .set({ isDefault: true })
      .where(eq(providers.id, garbage!.id));
    mswServer.use(
      http.post("https://odd-printer.example/orders", () =>
        HttpResponse.text("<html>Gateway says hello</html>", { status: 200 }),
      ),
    );
    const order = await personalisedOrder(app.ctx, shop);
    await submitOrder(app.ctx, shop.id, order.id, owner);
    const submission = await pendingSubmission(order.id);
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: true },
    );
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(state.order.submitFailureReason).toBe("Odd Printer answered 200 without an order id");
  });
});

describe("before anything is sent", () => {
  it("an item without a provider puts the order in Error, naming the SKU and the control that fixes it", async () => {
    const { shop, providerId } = await shopWithSandbox(app.ctx, sandbox);
    await app.ctx.db
      .update(providers)
      .set({ isDefault: false })
      .where(eq(providers.id, providerId));
    const order = await personalisedOrder(app.ctx, shop, "LAMP-OAK");
    const result = await submitOrder(app.ctx, shop.id, order.id, owner);
    expect(result.outcome).toBe("invalid");
    const state = await orderState(app.ctx, order.id);
    expect(state.order.state).toBe("error");
    expect(state.order.alert?.message).toBe(
      "No provider for SKU LAMP-OAK: no routing rule sends it to an enabled provider, and the shop has no default provider",
    );
    expect(state.order.alert?.fix).toContain("Settings → Providers → Routing rules → Add rule");
    expect(state.submissions).toHaveLength(0);
  });

  it("a routing rule sends an item to its provider", async () => {
    const { shop, providerId } = await shopWithSandbox(app.ctx, sandbox);
    await app.ctx.db
      .update(providers)
      .set({ isDefault: false })
      .where(eq(providers.id, providerId));
    const settings = { ...shop.settings, routingRules: [{ match: "LAMP-*", providerId }] };
    await app.ctx.db.execute(
      // settings is jsonb; write it as the shop's own row would be written
      (await import("drizzle-orm"))
        .sql`update shop set settings = ${JSON.stringify(settings)}::jsonb where id = ${shop.id}`,
    );
    const order = await personalisedOrder(app.ctx, shop, "LAMP-OAK");
    expect((await submitOrder(app.ctx, shop.id, order.id, owner)).outcome).toBe("submitted");
    expect((await pendingSubmission(order.id)).providerId).toBe(providerId);
  });

  it("the provider's product a rule names is the SKU the provider is sent", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const [printer] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "http",
        name: "Case Printer",
        endpoint: "https://case-printer.example",
        signingSecret: sealSecret(app.ctx.config.encryptionKey, "cases"),
      })
      .returning();
    const settings = {
      ...shop.settings,
      routingRules: [{ match: "CASE-*", providerId: printer!.id, product: "PX8-GLOSS" }],
    };
    await app.ctx.db.execute(
      (await import("drizzle-orm"))
        .sql`update shop set settings = ${JSON.stringify(settings)}::jsonb where id = ${shop.id}`,
    );
    const sent: { sku: string }[][] = [];
    mswServer.use(
      http.post("https://case-printer.example/orders", async ({ request }) => {
        sent.push(((await request.json()) as { items: { sku: string }[] }).items);
        return HttpResponse.json({ providerOrderId: "CP-1", status: "accepted" }, { status: 201 });
      }),
    );
    const order = await personalisedOrder(app.ctx, shop, "CASE-PIX8");
    expect((await submitOrder(app.ctx, shop.id, order.id, owner)).outcome).toBe("submitted");
    const submission = await pendingSubmission(order.id);
    expect(submission.providerId).toBe(printer!.id);
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: true },
    );
    expect(sent.map((items) => items.map((i) => i.sku))).toEqual([["PX8-GLOSS"]]);
  });

  it("a personalised item without its design file is refused with the fix", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await createOrder(app.ctx.db, shop, {}, [
      { sku: "MUG-11OZ-WHT", personalization: { options: [{ name: "Name", value: "Ava" }] } },
    ]);
    const result = await submitOrder(app.ctx, shop.id, order.id, owner);
    expect(result.outcome).toBe("invalid");
    const state = await orderState(app.ctx, order.id);
    expect(state.order.alert).toMatchObject({ code: "design_file_missing" });
    expect(state.order.alert!.fix).toMatch(/Edit Design/);
  });

  it("an order the cart has not marked paid is not submitted, and nothing changes", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await createOrder(app.ctx.db, shop, { cartStatus: "pending_payment" });
    const result = await submitOrder(app.ctx, shop.id, order.id, owner);
    expect(result).toMatchObject({ outcome: "refused" });
    const state = await orderState(app.ctx, order.id);
    expect(state.order.state).toBe("new");
    expect(state.timeline).toHaveLength(0);
  });

  it("another shop's order is not found", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const { shop: other } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, other);
    expect(await submitOrder(app.ctx, shop.id, order.id, owner)).toEqual({ outcome: "not_found" });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("new");
  });
});

describe("the countdown", () => {
  afterEach(async () => {
    await app.ctx.jobs.stopWorking("auto-submit");
  });

  it("submits an order when its deadline passes, not before", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    const dueAt = new Date(Date.now() + 1500);
    await app.ctx.db.update(orders).set({ autoSubmitAt: dueAt }).where(eq(orders.id, order.id));
    await scheduleAutoSubmit(app.ctx.jobs, undefined, order, dueAt);
    await app.ctx.jobs.work({
      "auto-submit": (data) => autoSubmit(app.ctx, data),
    });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("new");
    await expect
      .poll(async () => (await orderState(app.ctx, order.id)).order.state, {
        timeout: 6_000,
        interval: 100,
      })
      .toBe("open");
    const submitted = (await orderState(app.ctx, order.id)).timeline.find(
      (e) => e.action === "submit",
    );
    expect(submitted!.actorName).toBe("Countdown");
    expect(submitted!.createdAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
  });

  it("On hold pauses it with the time left; release resumes from there", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    const t0 = new Date("2026-11-22T10:00:00Z");
    await app.ctx.db
      .update(orders)
      .set({ autoSubmitAt: new Date(t0.getTime() + 10 * 60_000) })
      .where(eq(orders.id, order.id));

    const held = await holdOrder(
      app.ctx,
      shop.id,
      order.id,
      owner,
      new Date(t0.getTime() + 4 * 60_000),
    );
    expect(held).toEqual({
      ok: true,
      message: "On hold: the countdown is paused",
      orderId: order.id,
    });
    let state = await orderState(app.ctx, order.id);
    expect(state.order).toMatchObject({
      state: "on_hold",
      autoSubmitAt: null,
      autoSubmitRemainingMs: 6 * 60_000,
    });

    // A stale timer job for the old deadline does nothing while held.
    await autoSubmit(app.ctx, {
      shopId: shop.id,
      orderId: order.id,
      dueAt: new Date(t0.getTime() + 10 * 60_000).toISOString(),
    });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("on_hold");

    const releasedAt = new Date(t0.getTime() + 60 * 60_000);
    expect(await releaseOrder(app.ctx, shop.id, order.id, owner, releasedAt)).toEqual({
      ok: true,
      message: "Released from hold: the countdown runs again",
      orderId: order.id,
    });
    state = await orderState(app.ctx, order.id);
    expect(state.order.state).toBe("new");
    expect(state.order.autoSubmitAt?.getTime()).toBe(releasedAt.getTime() + 6 * 60_000);
    expect(state.timeline.map((e) => e.message)).toEqual([
      "Countdown paused with 6 min 0 s left",
      "Countdown resumed with 6 min 0 s left",
    ]);
  });

  it("hold is refused once the order was submitted", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    await submitOrder(app.ctx, shop.id, order.id, owner);
    const result = await holdOrder(app.ctx, shop.id, order.id, owner);
    expect(result).toMatchObject({ ok: false });
  });
});

describe("provider events at /api/providers/:providerId/events", () => {
  // Ships only when a test says so: the events below are the only ones this provider sends.
  let quiet: SandboxProvider;
  beforeAll(async () => {
    quiet = await startSandbox({ shipDelayMs: 3_600_000 });
  });
  afterAll(async () => {
    await quiet?.close();
  });

  async function submittedOrder() {
    const { shop, providerId } = await shopWithSandbox(app.ctx, quiet);
    const order = await personalisedOrder(app.ctx, shop);
    await submitOrder(app.ctx, shop.id, order.id, owner);
    const submission = await pendingSubmission(order.id);
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    const [item] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    return {
      shop,
      providerId,
      order,
      lineId: item!.id,
      submission: await pendingSubmission(order.id),
    };
  }

  function shippedEvent(
    submission: { providerOrderId: string | null; poNumber: string },
    id = "evt-1",
    lineId = "line-1",
  ) {
    return JSON.stringify({
      id,
      type: "shipment.shipped",
      occurredAt: new Date().toISOString(),
      providerOrderId: submission.providerOrderId,
      poNumber: submission.poNumber,
      shipment: {
        carrier: "UPS",
        trackingNumber: `1Z${id}`,
        trackingUrl: null,
        items: [{ lineId, quantity: 2 }],
      },
    });
  }

  const post = (providerId: string, body: string, headers: Record<string, string>) =>
    app.fetch(`/api/providers/${providerId}/events`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", ...headers },
    });

  async function receiptCount(providerId: string) {
    const rows = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(eq(webhookReceipts.source, "provider"));
    return rows.filter((r) => r.deliveryId.startsWith(providerId)).length;
  }

  it("refuses an unsigned event with 401 and stores nothing", async () => {
    const { providerId, submission } = await submittedOrder();
    const res = await post(providerId, shippedEvent(submission), {});
    expect(res.status).toBe(401);
    expect(await receiptCount(providerId)).toBe(0);
  });

  it("refuses a badly signed event with 401", async () => {
    const { providerId, submission } = await submittedOrder();
    const body = shippedEvent(submission);
    const res = await post(providerId, body, signBody("wrong-secret", body));
    expect(res.status).toBe(401);
    expect(await receiptCount(providerId)).toBe(0);
  });

  it("refuses a replayed event (signed more than 5 minutes ago) with 401", async () => {
    const { providerId, submission } = await submittedOrder();
    const body = shippedEvent(submission);
    const res = await post(
      providerId,
      body,
      signBody(SANDBOX_SECRET, body, new Date(Date.now() - 6 * 60_000)),
    );
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/old|stale|replay|tolerance/i);
    expect(await receiptCount(providerId)).toBe(0);
  });

  it("answers a malformed event with 400", async () => {
    const { providerId } = await submittedOrder();
    const body = JSON.stringify({ id: "x", type: "shipment.shipped" });
    const res = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(res.status).toBe(400);
    expect(await receiptCount(providerId)).toBe(0);
  });

  it("answers an event for an unknown provider order with 404, and records it", async () => {
    const { providerId } = await submittedOrder();
    const body = shippedEvent(
      { providerOrderId: "SBX-NOPE", poNumber: "OL-NOPE-1" },
      "evt-unknown",
    );
    const res = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(res.status).toBe(404);
    const [receipt] = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(eq(webhookReceipts.deliveryId, `${providerId}:evt-unknown`));
    expect(receipt?.error).toMatch(/No purchase order/);
  });

  it("a retry of an event refused for an unknown order is applied once the order is known", async () => {
    const { shop, providerId } = await shopWithSandbox(app.ctx, quiet);
    const order = await personalisedOrder(app.ctx, shop);
    const [item] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    // The provider reports a purchase order we do not hold yet (its event outran our record of it).
    const body = shippedEvent(
      { providerOrderId: "SBX-NOT-YET", poNumber: poNumberFor(order, 0) },
      "evt-early",
      item!.id,
    );
    const first = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(first.status).toBe(404);
    expect((await first.json()).error.code).toBe("unknown_order");
    // Retried while still unknown: refused again, not taken for a duplicate.
    const early = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(early.status).toBe(404);

    await submitOrder(app.ctx, shop.id, order.id, owner);
    const submission = await pendingSubmission(order.id);
    expect(submission.poNumber).toBe(poNumberFor(order, 0));
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );

    // The provider retries with the same event id, as docs/provider-protocol.md asks.
    const retried = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ received: 1, duplicates: 0 });
    const [receipt] = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(eq(webhookReceipts.deliveryId, `${providerId}:evt-early`));
    expect(receipt?.error).toBeNull();
    const { drainQueue } = await import("./support/app");
    await drainQueue(app.ctx, "process-webhook");

    const state = await orderState(app.ctx, order.id);
    expect(state.shipments).toHaveLength(1);
    expect(state.shipments[0]).toMatchObject({
      trackingNumber: "1Zevt-early",
      items: [{ lineItemId: item!.id, quantity: 2 }],
    });
    const [shipped] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, item!.id));
    expect(shipped?.deliveryState).toBe("shipped");
    expect(state.timeline.map((e) => e.action)).toContain("shipment");
    const pushes = await app.ctx.jobs.find("push-tracking", {
      data: { shopId: shop.id, shipmentId: state.shipments[0]!.id },
    });
    expect(pushes).toHaveLength(1);

    // Once applied, the same event again is a duplicate.
    const again = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(await again.json()).toEqual({ received: 0, duplicates: 1 });
  });

  it("an unknown provider id gets 404", async () => {
    const res = await post("00000000-0000-4000-8000-000000000000", "{}", {});
    expect(res.status).toBe(404);
  });

  it("the same event twice is stored and applied once", async () => {
    const { providerId, submission, order, lineId } = await submittedOrder();
    const body = shippedEvent(submission, "evt-twice", lineId);
    expect((await post(providerId, body, signBody(SANDBOX_SECRET, body))).status).toBe(200);
    const again = await post(providerId, body, signBody(SANDBOX_SECRET, body));
    expect(await again.json()).toEqual({ received: 0, duplicates: 1 });
    expect(await receiptCount(providerId)).toBe(1);
    const { drainQueue } = await import("./support/app");
    await drainQueue(app.ctx, "process-webhook");
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments).toHaveLength(1);
    expect(state.shipments[0]!.trackingNumber).toBe("1Zevt-twice");
    expect(state.shipments[0]!.items).toEqual([{ lineItemId: lineId, quantity: 2 }]);
  });
});

describe("Reprocess", () => {
  it("retries a failed submission with the same idempotency key", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop, "SANDBOX-5XX-HOODIE");
    await submitOrder(app.ctx, shop.id, order.id, owner);
    const first = await pendingSubmission(order.id);
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: first.id },
      { lastAttempt: true },
    );
    expect((await orderState(app.ctx, order.id)).order.state).toBe("error");

    const result = await runOrderAction(app.ctx, shop.id, order.id, "reprocess", owner);
    expect(result).toEqual({
      ok: true,
      message: "Reprocessed and submitted again",
      orderId: order.id,
    });
    const again = await pendingSubmission(order.id);
    expect(again).toMatchObject({
      id: first.id,
      state: "pending",
      idempotencyKey: first.idempotencyKey,
    });
    await expect(
      sendSubmission(app.ctx, { shopId: shop.id, submissionId: again.id }, { lastAttempt: false }),
    ).rejects.toThrow(RetryLater); // the sandbox's second planned outage
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: again.id },
      { lastAttempt: false },
    );
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions[0]!.state).toBe("submitted");
    expect(state.order).toMatchObject({ state: "open", submitStatus: "submitted", alert: null });
  });

  it("is refused for an order that is not in Error or Archived", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    expect(await runOrderAction(app.ctx, shop.id, order.id, "reprocess", owner)).toMatchObject({
      ok: false,
      code: "refused",
    });
  });
});

describe("when the cart cancels", () => {
  it("withdraws what was not sent yet and stops the countdown", async () => {
    const { shop } = await shopWithSandbox(app.ctx, sandbox);
    const order = await personalisedOrder(app.ctx, shop);
    await submitOrder(app.ctx, shop.id, order.id, owner);
    expect(await cancelFulfillment(app.ctx, shop.id, order.id, { actor: "cart" })).toEqual({
      withdrawn: 1,
      cancelling: 0,
    });
    const submission = await pendingSubmission(order.id);
    expect(submission.state).toBe("cancelled");
    // The send job that was already queued finds nothing to send.
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    expect(sentToSandbox(submission).requests).toBe(0);
  });

  it("asks the provider to cancel what it already has", async () => {
    const slow = await startSandbox({ shipDelayMs: 3_600_000 });
    try {
      const { shop } = await shopWithSandbox(app.ctx, slow);
      const order = await personalisedOrder(app.ctx, shop);
      await submitOrder(app.ctx, shop.id, order.id, owner);
      const submission = await pendingSubmission(order.id);
      await sendSubmission(
        app.ctx,
        { shopId: shop.id, submissionId: submission.id },
        { lastAttempt: false },
      );
      expect(await cancelFulfillment(app.ctx, shop.id, order.id, { actor: "cart" })).toEqual({
        withdrawn: 0,
        cancelling: 1,
      });
      await cancelSubmission(
        app.ctx,
        { shopId: shop.id, submissionId: submission.id },
        { lastAttempt: false },
      );
      expect((await pendingSubmission(order.id)).state).toBe("cancelled");
      expect(slow.stats().ordersCancelled).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it("alerts the owner when the provider has already shipped and will not cancel", async () => {
    const { shop, order, submission } = await orderAwaitingSend();
    await sendSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    await new Promise((r) => setTimeout(r, 400)); // the sandbox ships after 100 ms
    await cancelFulfillment(app.ctx, shop.id, order.id, { actor: "cart" });
    await cancelSubmission(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions[0]!.state).toBe("submitted");
    expect(state.order.alert).toMatchObject({ code: "provider_cancel_refused" });
    expect(state.order.alert!.message).toMatch(/already shipped/);
  });
});

describe("a provider endpoint on a private network, in production", () => {
  // A local server that counts what reaches it and would accept any purchase order: listening on
  // "::" it answers loopback in every spelling (127.0.0.1, ::1, ::ffff:127.0.0.1, 0.0.0.0).
  let inside: http_.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    inside = http_.createServer((_req, res) => {
      hits++;
      res
        .writeHead(201, { "Content-Type": "application/json" })
        .end(JSON.stringify({ providerOrderId: "INSIDE-SECRET-1", status: "accepted" }));
    });
    await new Promise<void>((resolve) => inside.listen(0, "::", resolve));
    port = (inside.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => inside.close(() => resolve()));
  });

  /** This test app's context, configured as `npm start` would be (NODE_ENV=production). */
  function production(env: Record<string, string> = {}): AppContext {
    const config = loadConfig({
      NODE_ENV: "production",
      SHOPIFY_API_KEY: TEST_SHOPIFY.apiKey,
      SHOPIFY_API_SECRET: TEST_SHOPIFY.apiSecret,
      SHOPIFY_APP_URL: TEST_SHOPIFY.appUrl,
      ENCRYPTION_KEY: app.ctx.config.encryptionKey.toString("hex"),
      ...env,
    });
    return { ...app.ctx, config };
  }

  /** A shop whose one provider (inserted directly, as no form would take it) is at `endpoint`. */
  async function orderFor(endpoint: string, kind: "http" | "sandbox" = "http") {
    const shop = await createShop(app.ctx.db, { platform: "demo" });
    await app.ctx.db.insert(providers).values({
      shopId: shop.id,
      kind,
      name: "Inside Printer",
      endpoint,
      signingSecret: sealSecret(app.ctx.config.encryptionKey, SANDBOX_SECRET),
      isDefault: true,
    });
    const order = await personalisedOrder(app.ctx, shop);
    await submitOrder(app.ctx, shop.id, order.id, owner);
    return { shop, order, submission: await pendingSubmission(order.id) };
  }

  async function send(ctx: AppContext, sent: Awaited<ReturnType<typeof orderFor>>) {
    // Not the last attempt: a refused address fails the order at once rather than being retried.
    await sendSubmission(
      ctx,
      { shopId: sent.shop.id, submissionId: sent.submission.id },
      { lastAttempt: false },
      { timeoutMs: 1_000 },
    ).catch((err: unknown) => err);
    return orderState(app.ctx, sent.order.id);
  }

  it.each([
    "http://127.0.0.1:PORT",
    "http://10.1.2.3:PORT",
    "http://172.16.5.4:PORT",
    "http://192.168.1.10:PORT",
    "http://169.254.169.254:PORT/latest",
    "http://100.64.0.1:PORT",
    "http://[::1]:PORT",
    "http://[::127.0.0.1]:PORT",
    "http://[::ffff:127.0.0.1]:PORT",
    "http://[fc00::1]:PORT",
    "http://[fe80::1]:PORT",
    "http://0.0.0.0:PORT",
  ])("%s is not called, and the order says why", async (template) => {
    const sent = await orderFor(template.replace("PORT", String(port)));
    const before = hits;
    const state = await send(production(), sent);
    expect(hits).toBe(before);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(state.order.state).toBe("error");
    expect(state.order.submitFailureReason).toMatch(
      /^Inside Printer was not called: the address .+ is on a private network, which is not allowed\. Enter the provider's public address/,
    );
  });

  it("does not follow a public endpoint's redirect to a private address, nor show its answer", async () => {
    mswServer.use(
      http.post("https://93.184.215.14/orders", () =>
        Response.redirect(`http://127.0.0.1:${port}/orders`, 303),
      ),
    );
    const sent = await orderFor("https://93.184.215.14");
    const before = hits;
    const state = await send(production(), sent);
    expect(hits).toBe(before);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(state.order.submitFailureReason).toMatch(
      /^Inside Printer answered with a redirect \(HTTP 303\), which Orderlane does not follow/,
    );
    expect(state.order.submitFailureReason).not.toContain("INSIDE-SECRET");
  });

  it("asks nothing of a private address when cancelling", async () => {
    // Sent while private addresses were allowed; the operator has since turned that off.
    const sent = await orderFor(`http://127.0.0.1:${port}`);
    expect(
      (await send(production({ ALLOW_PRIVATE_OUTBOUND: "1" }), sent)).submissions[0]!.state,
    ).toBe("submitted");
    await cancelFulfillment(app.ctx, sent.shop.id, sent.order.id, { actor: "cart" });
    const before = hits;
    await cancelSubmission(
      production(),
      { shopId: sent.shop.id, submissionId: sent.submission.id },
      { lastAttempt: false },
    );
    expect(hits).toBe(before);
    const state = await orderState(app.ctx, sent.order.id);
    expect(state.submissions[0]!.state).toBe("submitted");
    expect(state.order.alert!.message).toMatch(/is on a private network, which is not allowed/);
  });

  it("with ALLOW_PRIVATE_OUTBOUND=1, a loopback provider is reached", async () => {
    const sent = await orderFor(`http://127.0.0.1:${port}`);
    const before = hits;
    const state = await send(production({ ALLOW_PRIVATE_OUTBOUND: "1" }), sent);
    expect(hits).toBe(before + 1);
    expect(state.submissions[0]).toMatchObject({
      state: "submitted",
      providerOrderId: "INSIDE-SECRET-1",
    });
  });

  it("reaches the sandbox provider the app started itself, and only as the sandbox", async () => {
    const own = production({
      SANDBOX_PROVIDER: "1",
      SANDBOX_PORT: new URL(sandbox.url).port,
      SANDBOX_SECRET,
    });
    const before = sandbox.stats().requests;
    const asSandbox = await orderFor(sandbox.url, "sandbox");
    expect((await send(own, asSandbox)).submissions[0]!.state).toBe("submitted");
    expect(sandbox.stats().requests).toBe(before + 1);

    const asHttp = await orderFor(sandbox.url, "http");
    const state = await send(own, asHttp);
    expect(state.submissions[0]!.state).toBe("failed");
    expect(sandbox.stats().requests).toBe(before + 1);
  });
});
