// Shopify Flow: the action "Submit order through Orderlane" (a signed POST from Flow) and the
// triggers Orderlane sends with flowTriggerReceive from its worker. msw stands in for the shop's
// Admin GraphQL API and checks the mutation's shape as Shopify documents it.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { HttpResponse } from "msw";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_TRIGGER_FIELDS, FLOW_TRIGGERS, type FlowTrigger } from "~/carts/shopify/flow";
import { queueFlowTrigger, sendFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import { FLOW_SUBMIT_HANDLE } from "~/carts/shopify/flow-action.server";
import { flowActionRuns, flowTriggerEvents, orders } from "~/db/schema";
import type { SandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { RetryLater, type QueueName } from "~/jobs/queues";
import { jobHandlers } from "~/jobs/worker.server";
import { runOrderAction } from "~/orders/actions.server";
import type { Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import {
  orderState,
  personalisedOrder,
  shopWithSandbox,
  startSandbox,
} from "./support/fulfillment";
import { mockShopifyAdmin, throttled } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let sandbox: SandboxProvider;
let shop: Shop;
let providerId: string;

beforeAll(async () => {
  app = await startTestApp();
  // Nothing ships while this file runs: shipping is not what it tests.
  sandbox = await startSandbox({ shipDelayMs: 3_600_000 });
  ({ shop, providerId } = await shopWithSandbox(app.ctx, sandbox, { platform: "shopify" }));
  await createSession(app.ctx.db, shop.domain);
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await sandbox?.close();
  await app?.close();
  await closeVite();
});

const owner = { actor: "owner" as const, name: "Ava" };

/** Runs every job waiting on a queue once, as the worker would (failures stay for their retry). */
async function drain(queue: QueueName): Promise<void> {
  const handler = jobHandlers(app.ctx)[queue];
  if (!handler) throw new Error(`no handler for ${queue}`);
  for (;;) {
    const jobs = await app.ctx.jobs.fetch(queue, { batchSize: 10 });
    if (jobs.length === 0) return;
    for (const job of jobs) {
      try {
        await (handler as (data: unknown, job: object) => Promise<void>)(job.data, {
          id: job.id,
          retryCount: job.retryCount,
          lastAttempt: false,
        });
        await app.ctx.jobs.complete(queue, job.id);
      } catch (err) {
        await app.ctx.jobs.fail(queue, job.id, String(err));
      }
    }
  }
}

async function flowRows(trigger: FlowTrigger, orderKeyPart?: string) {
  const rows = await app.ctx.db
    .select()
    .from(flowTriggerEvents)
    .where(
      and(
        eq(flowTriggerEvents.shopId, shop.id),
        eq(flowTriggerEvents.trigger, FLOW_TRIGGERS[trigger]),
      ),
    );
  return orderKeyPart ? rows.filter((r) => r.eventKey.includes(orderKeyPart)) : rows;
}

/** Flow's answer to a trigger it accepted. */
const accepted = () => ({ data: { flowTriggerReceive: { userErrors: [] } } });

// ---------------------------------------------------------------------------------------------

/** Answers the Flow route gave, to hold the API docs to. */
const seenStatuses = new Set<string>();

async function postFlow(body: string, headers: Record<string, string>): Promise<Response> {
  const res = await app.fetch("/api/flow/submit-order", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
  seenStatuses.add(String(res.status));
  return res;
}

describe("Flow action: Submit order through Orderlane", () => {
  function flowRequest(properties: Record<string, unknown>, runId = randomUUID(), secret?: string) {
    const body = JSON.stringify({
      shop_id: "77",
      shopify_domain: shop.domain,
      action_run_id: runId,
      action_definition_id: "Submit order through Orderlane",
      handle: FLOW_SUBMIT_HANDLE,
      properties: { ...properties, step_reference: randomUUID() },
    });
    const hmac = createHmac("sha256", secret ?? TEST_SHOPIFY.apiSecret)
      .update(body, "utf8")
      .digest("base64");
    return {
      runId,
      send: (headers: Record<string, string> = { "X-Shopify-Hmac-SHA256": hmac }) =>
        postFlow(body, headers),
    };
  }

  it("refuses a request without Shopify's signature, or signed with another secret (401)", async () => {
    const order = await personalisedOrder(app.ctx, shop);
    const forged = flowRequest({ order_id: order.cartOrderId }, randomUUID(), "someone-elses");
    for (const res of [await forged.send(), await forged.send({})]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect((await orderState(app.ctx, order.id)).submissions).toHaveLength(0);
  });

  it("submits the order once per run; a resend of the run gets the same answer", async () => {
    const order = await personalisedOrder(app.ctx, shop);
    const run = flowRequest({ order_id: order.cartOrderId });
    const first = await run.send();
    expect(first.status).toBe(200);
    const body = (await first.json()) as { ok: boolean; message: string };
    expect(body).toEqual({
      ok: true,
      outcome: "submitted",
      message: "Order submitted to 1 provider",
    });
    // Flow did not hear back and sends the same run again: same answer, nothing more submitted.
    const resend = await run.send();
    expect(resend.status).toBe(200);
    expect(await resend.json()).toEqual(body);
    const state = await orderState(app.ctx, order.id);
    expect(state.submissions).toHaveLength(1);
    expect(state.timeline.some((e) => e.actorName === "Shopify Flow")).toBe(true);
    const runs = await app.ctx.db
      .select()
      .from(flowActionRuns)
      .where(eq(flowActionRuns.actionRunId, run.runId));
    expect(runs).toHaveLength(1);

    // Another run on the same order: already submitted is not a failure of the step.
    const other = await flowRequest({
      order_id: `gid://shopify/Order/${order.cartOrderId}`,
    }).send();
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ ok: true, outcome: "already_submitted" });
  });

  it("answers 404 for an order Orderlane does not have and 409 with the reason when refused", async () => {
    const missing = await flowRequest({ order_id: "5550001112223" }).send();
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      "not in Orderlane",
    );

    const archived = await createOrder(app.ctx.db, shop, { state: "archived" });
    const refused = await flowRequest({ order_id: archived.cartOrderId }).send();
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("refused");
    expect(error.message.length).toBeGreaterThan(10);
  });

  it("refuses a signed body that is not Flow's (400)", async () => {
    const body = JSON.stringify({ shopify_domain: shop.domain, properties: {} });
    const hmac = createHmac("sha256", TEST_SHOPIFY.apiSecret).update(body).digest("base64");
    const res = await postFlow(body, { "X-Shopify-Hmac-SHA256": hmac });
    expect(res.status).toBe(400);
  });

  it("is documented in docs/openapi.yaml with the answers produced above", () => {
    type Spec = { paths: Record<string, { post?: { responses?: Record<string, unknown> } }> };
    const spec = parse(readFileSync("docs/openapi.yaml", "utf8")) as Spec;
    const documented = Object.keys(spec.paths["/api/flow/submit-order"]?.post?.responses ?? {});
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((status) => !seenStatuses.has(status))).toEqual([]);
  });

  it("is declared by a flow_action extension with an order field, at this handle", () => {
    const toml = readFileSync(
      path.join("extensions", "orderlane-flow-submit-order", "shopify.extension.toml"),
      "utf8",
    );
    expect(toml).toMatch(/type = "flow_action"/);
    expect(toml).toContain(`handle = "${FLOW_SUBMIT_HANDLE}"`);
    expect(toml).toMatch(/runtime_url = "https:\/\/[^"]+\/api\/flow\/submit-order"/);
    expect(toml).toMatch(/type = "order_reference"/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("Flow triggers", () => {
  it("each trigger's extension declares exactly the fields Orderlane sends", () => {
    const folders: Record<FlowTrigger, string> = {
      order_submitted: "orderlane-flow-order-submitted",
      submission_failed: "orderlane-flow-submission-failed",
      order_shipped: "orderlane-flow-order-shipped",
      purchase_order_overdue: "orderlane-flow-po-overdue",
    };
    for (const [trigger, folder] of Object.entries(folders) as [FlowTrigger, string][]) {
      const toml = readFileSync(path.join("extensions", folder, "shopify.extension.toml"), "utf8");
      expect(toml, folder).toMatch(/type = "flow_trigger"/);
      expect(toml, folder).toContain(`handle = "${FLOW_TRIGGERS[trigger]}"`);
      expect(FLOW_TRIGGERS[trigger].length, folder).toBeLessThanOrEqual(30);
      expect(toml, folder).toMatch(/type = "order_reference"/);
      const keys = [...toml.matchAll(/^key = "([^"]+)"/gm)].map((m) => m[1]);
      expect(keys, folder).toEqual(FLOW_TRIGGER_FIELDS[trigger]);
    }
  });

  it("a provider accepting the order sends 'Order submitted to provider', once", async () => {
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFlowTrigger: accepted,
      // The cart hears the order is being made (report-sent-to-cart); not this test's subject.
    });
    const order = await personalisedOrder(app.ctx, shop);
    await runOrderAction(app.ctx, shop.id, order.id, "submit", owner);
    await drain("send-submission");
    await drain("send-flow-trigger");

    // Earlier tests' orders went out in the same drain: this order's calls only.
    const flowCalls = calls.filter(
      (c) =>
        c.operation === "OrderlaneFlowTrigger" &&
        (c.variables.payload as Record<string, unknown>)["Order number"] === order.cartOrderNumber,
    );
    const [sub] = (await orderState(app.ctx, order.id)).submissions;
    expect(flowCalls).toHaveLength(1);
    expect(flowCalls[0]!.query).toMatch(
      /flowTriggerReceive\(handle: \$handle, payload: \$payload\)/,
    );
    expect(flowCalls[0]!.query).toMatch(/userErrors\s*{\s*field\s+message/);
    expect(flowCalls[0]!.variables).toEqual({
      handle: "orderlane-order-submitted",
      payload: {
        // Past 2^53 (the test's ids are), the id travels as its digits rather than rounded.
        order_id: Number.isSafeInteger(Number(order.cartOrderId))
          ? Number(order.cartOrderId)
          : order.cartOrderId,
        "Order number": order.cartOrderNumber,
        Provider: "Sandbox Printer",
        "Purchase order number": sub!.poNumber,
      },
    });
    const [row] = await flowRows("order_submitted", sub!.id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null });

    // The job delivered again (pg-boss is at-least-once): nothing more reaches Shopify.
    const before = calls.length;
    await sendFlowTrigger(app.ctx, { shopId: shop.id, eventId: row!.id }, { lastAttempt: false });
    expect(calls).toHaveLength(before);
  });

  it("a provider refusing the order sends 'Order submission failed' with the reason and alert code", async () => {
    const calls = mockShopifyAdmin(shop.domain, { OrderlaneFlowTrigger: accepted });
    const order = await personalisedOrder(app.ctx, shop, "TEE-SANDBOX-REJECT");
    await runOrderAction(app.ctx, shop.id, order.id, "submit", owner);
    await drain("send-submission");
    await drain("send-flow-trigger");

    const sent = calls.filter((c) => c.operation === "OrderlaneFlowTrigger");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variables).toMatchObject({
      handle: "orderlane-submission-failed",
      payload: {
        "Order number": order.cartOrderNumber,
        Provider: "Sandbox Printer",
        "Alert code": "provider_rejected",
        Reason: expect.stringContaining("TEE-SANDBOX-REJECT"),
      },
    });
  });

  it("an order failing validation sends 'Order submission failed' with no provider", async () => {
    const calls = mockShopifyAdmin(shop.domain, { OrderlaneFlowTrigger: accepted });
    // No address to ship to.
    const order = await createOrder(app.ctx.db, shop, { shippingAddress: null }, [
      { sku: "TEE-BLK-M", title: "Name Tee", quantity: 1 },
    ]);
    const outcome = await runOrderAction(app.ctx, shop.id, order.id, "submit", owner);
    expect(outcome.ok).toBe(false);
    const [after] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(after!.state).toBe("error");
    await drain("send-flow-trigger");
    const sent = calls.filter((c) => c.operation === "OrderlaneFlowTrigger");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variables).toMatchObject({
      handle: "orderlane-submission-failed",
      payload: { Provider: "", "Alert code": after!.alert!.code, Reason: after!.alert!.message },
    });
  });

  it("records a throttled and a refused call, retries them, and gives up on the last attempt", async () => {
    const answers: (() => unknown)[] = [
      () => throttled(),
      () => ({
        data: {
          flowTriggerReceive: {
            userErrors: [{ field: ["handle"], message: "Invalid handle" }],
          },
        },
      }),
      accepted,
    ];
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFlowTrigger: () => answers.shift()!(),
    });
    const order = await personalisedOrder(app.ctx, shop);
    const key = `test:${randomUUID()}`;
    const queued = await app.ctx.db.transaction((tx) =>
      queueFlowTrigger(
        tx,
        app.ctx.jobs,
        shop.id,
        "purchase_order_overdue",
        { orderId: order.id, providerId, poNumber: "OL-1-1", daysOverdue: 3.7 },
        key,
      ),
    );
    expect(queued).toBe(true);
    // The same event again queues nothing.
    const again = await app.ctx.db.transaction((tx) =>
      queueFlowTrigger(
        tx,
        app.ctx.jobs,
        shop.id,
        "purchase_order_overdue",
        { orderId: order.id, providerId, poNumber: "OL-1-1", daysOverdue: 3.7 },
        key,
      ),
    );
    expect(again).toBe(false);
    const [row] = (await flowRows("purchase_order_overdue")).filter((r) => r.eventKey === key);
    const data = { shopId: shop.id, eventId: row!.id };

    await expect(sendFlowTrigger(app.ctx, data, { lastAttempt: false })).rejects.toThrow(
      RetryLater,
    );
    let [now] = (await flowRows("purchase_order_overdue")).filter((r) => r.eventKey === key);
    expect(now).toMatchObject({ status: "pending", attempts: 1 });
    expect(now!.lastError).toMatch(/Attempt 1: .*Throttled/);

    await expect(sendFlowTrigger(app.ctx, data, { lastAttempt: false })).rejects.toThrow(
      RetryLater,
    );
    [now] = (await flowRows("purchase_order_overdue")).filter((r) => r.eventKey === key);
    expect(now).toMatchObject({ status: "pending", attempts: 2 });
    expect(now!.lastError).toBe("Attempt 2: Shopify refused it: Invalid handle");

    await sendFlowTrigger(app.ctx, data, { lastAttempt: false });
    [now] = (await flowRows("purchase_order_overdue")).filter((r) => r.eventKey === key);
    expect(now).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    expect(calls[2]!.variables).toMatchObject({
      handle: "orderlane-po-overdue",
      payload: {
        "Purchase order number": "OL-1-1",
        "Days overdue": 3,
        Provider: "Sandbox Printer",
      },
    });

    // A trigger Shopify keeps refusing: on the last attempt it is recorded as failed.
    mockShopifyAdmin(shop.domain, {
      OrderlaneFlowTrigger: () => HttpResponse.json({ errors: "Internal" }, { status: 503 }),
    });
    const failingKey = `test:${randomUUID()}`;
    await app.ctx.db.transaction((tx) =>
      queueFlowTrigger(
        tx,
        app.ctx.jobs,
        shop.id,
        "purchase_order_overdue",
        { orderId: order.id, providerId, poNumber: "OL-1-2", daysOverdue: 1 },
        failingKey,
      ),
    );
    const [failing] = (await flowRows("purchase_order_overdue")).filter(
      (r) => r.eventKey === failingKey,
    );
    await sendFlowTrigger(
      app.ctx,
      { shopId: shop.id, eventId: failing!.id },
      { lastAttempt: true },
    );
    const [gaveUp] = (await flowRows("purchase_order_overdue")).filter(
      (r) => r.eventKey === failingKey,
    );
    expect(gaveUp).toMatchObject({ status: "failed", attempts: 1 });
    expect(gaveUp!.lastError).toMatch(/503/);
  });

  it("never resends a trigger whose worker died during the call", async () => {
    const calls = mockShopifyAdmin(shop.domain, { OrderlaneFlowTrigger: accepted });
    const order = await personalisedOrder(app.ctx, shop);
    const key = `test:${randomUUID()}`;
    await app.ctx.db.transaction((tx) =>
      queueFlowTrigger(
        tx,
        app.ctx.jobs,
        shop.id,
        "order_shipped",
        {
          orderId: order.id,
          carrier: "UPS",
          trackingNumber: "1Z999",
          trackingUrl: "https://ups.example/1Z999",
        },
        key,
      ),
    );
    const [row] = (await flowRows("order_shipped")).filter((r) => r.eventKey === key);
    await app.ctx.db
      .update(flowTriggerEvents)
      .set({ status: "sending", attempts: 1 })
      .where(eq(flowTriggerEvents.id, row!.id));
    await sendFlowTrigger(app.ctx, { shopId: shop.id, eventId: row!.id }, { lastAttempt: false });
    const [after] = (await flowRows("order_shipped")).filter((r) => r.eventKey === key);
    expect(after!.status).toBe("unknown");
    expect(after!.lastError).toMatch(/not sent again/);
    expect(calls).toHaveLength(0);
  });

  it("queues nothing for shops that are not on Shopify", async () => {
    const woo = await createShop(app.ctx.db, { platform: "woocommerce" });
    const order = await createOrder(app.ctx.db, woo);
    const queued = await app.ctx.db.transaction((tx) =>
      queueFlowTrigger(
        tx,
        app.ctx.jobs,
        woo.id,
        "order_shipped",
        { orderId: order.id, carrier: null, trackingNumber: "T1", trackingUrl: null },
        `shipment:${randomUUID()}`,
      ),
    );
    expect(queued).toBe(false);
    const rows = await app.ctx.db
      .select()
      .from(flowTriggerEvents)
      .where(eq(flowTriggerEvents.shopId, woo.id));
    expect(rows).toHaveLength(0);
  });
});
