import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shops, webhookReceipts } from "~/db/schema";
import { closeVite, drainQueue, shopifyWebhook, startTestApp, type TestApp } from "./support/app";
import { createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

describe("background jobs", () => {
  it("the worker picks up a webhook's job by itself, within seconds", async () => {
    await app.startWorker();
    const shop = await createShop(app.ctx.db);
    const res = await app.fetch(
      "/webhooks/shopify",
      shopifyWebhook("app/uninstalled", shop.domain, {}),
    );
    expect(res.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id)))[0]?.uninstalledAt,
        { timeout: 10_000, interval: 200 },
      )
      .toBeInstanceOf(Date);
    await app.stopWorker();
  });

  it("a job enqueued in a transaction that rolls back never exists", async () => {
    const before = await app.ctx.jobs.find("process-webhook");
    await expect(
      app.ctx.db.transaction(async (tx) => {
        await app.ctx.jobs.send("process-webhook", { receiptId: crypto.randomUUID() }, { tx });
        throw new Error("the change that called for the job failed");
      }),
    ).rejects.toThrow("failed");
    expect(await app.ctx.jobs.find("process-webhook")).toHaveLength(before.length);
  });

  it("a scheduled job is not handed out before its time, and is after", async () => {
    const startAfter = new Date(Date.now() + 1500);
    const id = await app.ctx.jobs.send(
      "process-webhook",
      { receiptId: crypto.randomUUID() },
      { startAfter },
    );
    expect(await app.ctx.jobs.fetch("process-webhook")).toHaveLength(0);
    await new Promise((r) => setTimeout(r, startAfter.getTime() - Date.now() + 200));
    const jobs = await app.ctx.jobs.fetch("process-webhook");
    expect(jobs.map((j) => j.id)).toEqual([id]);
    await app.ctx.jobs.complete("process-webhook", id!);
  });

  it("a failing job is kept for retry with the error on its receipt, and nothing is lost", async () => {
    const shop = await createShop(app.ctx.db);
    // Signed correctly but not what Shopify documents for this topic: the handler refuses it.
    const res = await app.fetch(
      "/webhooks/shopify",
      shopifyWebhook("customers/redact", shop.domain, { customer: "not-an-object" }),
    );
    expect(res.status).toBe(200);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const [receipt] = await app.ctx.db
      .select()
      .from(webhookReceipts)
      .where(eq(webhookReceipts.shopDomain, shop.domain));
    expect(receipt?.processedAt).toBeNull();
    expect(receipt?.error).toBeTruthy();
    const queued = await app.ctx.jobs.find("process-webhook", {
      data: { receiptId: receipt!.id },
    });
    expect(queued[0]?.state).toBe("retry");
  });
});
