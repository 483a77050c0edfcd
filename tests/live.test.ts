// Live pages: a change committed to a shop's orders reaches that shop's open pages over the SSE
// route within 2 seconds, and never another shop's.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { seedDemoShop } from "~/demo/seed.server";
import { shopChangeStream } from "~/orders/live.server";
import { findShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp, shopifySessionToken } from "./support/app";
import { testDatabaseKind } from "./support/db";
import { createOrder, createSession, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let demoShopId: string;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: "s",
    encryptionKey: app.ctx.config.encryptionKey,
  });
  demoShopId = (await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN))!.id;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

interface LiveStream {
  events: { name: string; at: number }[];
  comments: number;
  /** Resolves with the time of the first event of that name after `since`. */
  next(name: string, since: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Opens the live stream as a page does (fetch, not EventSource) and records what arrives. */
async function openStream(init: RequestInit = {}): Promise<LiveStream> {
  const controller = new AbortController();
  const res = await app.fetch("/app/live", { ...init, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const stream: LiveStream = {
    events: [],
    comments: 0,
    async next(name, since, timeoutMs = 2_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const hit = stream.events.find((e) => e.name === name && e.at >= since);
        if (hit) return hit.at;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no "${name}" event within ${timeoutMs} ms`);
    },
    close: () => controller.abort(),
  };
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          if (name) stream.events.push({ name, at: Date.now() });
          else if (block.startsWith(":")) stream.comments++;
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  await stream.next("ready", 0);
  return stream;
}

async function touchOrder(orderId: string, note: string) {
  await app.ctx.db.update(orders).set({ note }).where(eq(orders.id, orderId));
}

describe("live updates over Server-Sent Events", () => {
  it("tells an open page within 2 s that one of its shop's orders changed", async () => {
    const stream = await openStream();
    const [order] = await app.ctx.db
      .select()
      .from(orders)
      .where(eq(orders.shopId, demoShopId))
      .limit(1);
    const changedAt = Date.now();
    await touchOrder(order!.id, "changed by a webhook");
    const seenAt = await stream.next("change", changedAt);
    expect(seenAt - changedAt).toBeLessThan(2_000);
    stream.close();
  });

  it("says nothing about another shop's changes", async () => {
    const stream = await openStream();
    const other = await createShop(app.ctx.db, { domain: "live-other.myshopify.com" });
    const before = Date.now();
    const foreign = await createOrder(app.ctx.db, other, { customerName: "Someone Else" });
    await touchOrder(foreign.id, "another shop's change");
    await expect(stream.next("change", before, 1_200)).rejects.toThrow(/no "change" event/);
    // The stream is still alive: its own shop's change still arrives.
    const mine = await createOrder(app.ctx.db, { id: demoShopId }, { customerName: "New Arrival" });
    expect(mine.id).toBeTruthy();
    await stream.next("change", before);
    stream.close();
  });

  it("coalesces a burst of changes into few events, and releases the subscription when the page goes", async () => {
    // Streams other tests opened may still be closing: compare with what was there before.
    const before = app.ctx.live.subscriberCount;
    const stream = await openStream();
    const rows = await app.ctx.db
      .select({ id: orders.id })
      .from(orders)
      .where(eq(orders.shopId, demoShopId))
      .limit(20);
    const start = Date.now();
    for (const row of rows) await touchOrder(row.id, `burst ${start}`);
    await stream.next("change", start);
    await new Promise((r) => setTimeout(r, 600));
    const changes = stream.events.filter((e) => e.name === "change" && e.at >= start).length;
    expect(changes).toBeGreaterThanOrEqual(1);
    expect(changes).toBeLessThan(rows.length);
    expect(app.ctx.live.subscriberCount).toBeGreaterThan(0);
    stream.close();
    await expect
      .poll(() => app.ctx.live.subscriberCount, { timeout: 5_000 })
      .toBeLessThanOrEqual(before);
  });

  it("sends heartbeat comments so proxies keep the stream open", async () => {
    const controller = new AbortController();
    const body = shopChangeStream(app.ctx.live, demoShopId, controller.signal, {
      heartbeatMs: 50,
    });
    const reader = body
      .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
      .getReader();
    let text = "";
    while (!/(: heartbeat\n\n[\s\S]*){2}/.test(text)) text += (await reader.read()).value ?? "";
    expect(text.startsWith("retry: 3000\nevent: ready")).toBe(true);
    controller.abort();
    expect((await reader.read()).done).toBe(true);
  });

  it.runIf(testDatabaseKind === "postgres")(
    "listens again after its database connection is cut, and tells pages to catch up",
    async () => {
      const stream = await openStream();
      await expect.poll(() => app.ctx.live.listening).toBe(true);
      const cutAt = Date.now();
      await app.ctx.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'orderlane-live' and datname = current_database()`);
      // Changes made while nobody listened are announced by the catch-up on reconnect.
      await stream.next("change", cutAt, 5_000);
      await expect.poll(() => app.ctx.live.listening, { timeout: 5_000 }).toBe(true);
      const [order] = await app.ctx.db
        .select()
        .from(orders)
        .where(eq(orders.shopId, demoShopId))
        .limit(1);
      const changedAt = Date.now();
      await touchOrder(order!.id, "after the reconnect");
      expect((await stream.next("change", changedAt)) - changedAt).toBeLessThan(2_000);
      stream.close();
    },
  );
});

describe("the live stream outside demo mode", () => {
  let shopifyApp: TestApp;
  beforeAll(async () => {
    shopifyApp = await startTestApp();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await shopifyApp?.close();
  });

  it("streams an embedded shop's changes to a fetch carrying App Bridge's session token", async () => {
    const shop = await createShop(shopifyApp.ctx.db, { domain: "live-embedded.myshopify.com" });
    await createSession(shopifyApp.ctx.db, shop.domain);
    const order = await createOrder(shopifyApp.ctx.db, shop, {});
    const controller = new AbortController();
    const res = await shopifyApp.fetch("/app/live", {
      headers: {
        Authorization: `Bearer ${shopifySessionToken(shop.domain)}`,
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
      },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res
      .body!.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
      .getReader();
    try {
      let text = (await reader.read()).value ?? "";
      expect(text).toContain("event: ready");
      await shopifyApp.ctx.db
        .update(orders)
        .set({ note: "from the admin" })
        .where(eq(orders.id, order.id));
      const deadline = Date.now() + 2_000;
      while (!text.includes("event: change") && Date.now() < deadline) {
        text += (await reader.read()).value ?? "";
      }
      expect(text).toContain("event: change");
    } finally {
      controller.abort();
    }
  });

  it("opens no stream for a visitor who is not signed in", async () => {
    const res = await shopifyApp.fetch("/app/live");
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/auth\/login/);
    // The embedded test's stream is gone too: nothing stays subscribed.
    await expect.poll(() => shopifyApp.ctx.live.subscriberCount).toBe(0);
  });
});
