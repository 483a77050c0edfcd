// What the seeded demo shows is true: a preview says the name its order's options say, an alert's
// cause exists (and stays until the owner fixes it), and a fix names the control the shop has.
// Through the doors an owner uses: the order page, its buttons, the preview image's address.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orders, providers, shops, submissions } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { DEMO_SANDBOX_PROVIDER_NAME, seedDemoShop } from "~/demo/seed.server";
import { saveRoutingRules, rulesToRows } from "~/fulfillment/routing-rules.server";
import type { Personalization, ProcessingMode } from "~/orders/core/model";
import { shopSettings } from "~/orders/core/shop-settings";
import { findShop, type Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let shop: Shop;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  await seedDemoShop(app.ctx.db, {
    sandboxUrl: "http://127.0.0.1:9",
    sandboxSecret: "sandbox-secret-for-demo-truth",
    encryptionKey: app.ctx.config.encryptionKey,
  });
  shop = (await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN))!;
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** Entities as an HTML page writes them inside an attribute. */
const decoded = (html: string) =>
  html
    .replace(/&amp;/g, "&")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"');

describe("demo previews", () => {
  it("the order page shows a preview that carries the order's own name", async () => {
    const items = await app.ctx.db
      .select({ orderId: lineItems.orderId, personalization: lineItems.personalization })
      .from(lineItems)
      .where(eq(lineItems.shopId, shop.id));
    const named = items
      .map((i) => ({
        orderId: i.orderId,
        name: (i.personalization as Personalization | null)?.options?.find((o) => o.name === "Name")
          ?.value,
      }))
      .filter(
        (i): i is { orderId: string; name: string } => !!i.name && /^[A-Za-z]+$/.test(i.name),
      );
    // Several different names, so a single fixed picture could not pass.
    expect(new Set(named.map((n) => n.name)).size).toBeGreaterThan(3);

    for (const { orderId, name } of named.slice(0, 4)) {
      const page = await app.fetch(`/app/orders/${orderId}`);
      expect(page.status).toBe(200);
      const html = decoded(await page.text());
      const src = new RegExp(`/demo/preview/[a-z]+\\.svg\\?[^"]*name=${name}(?:&[^"]*)?"`).exec(
        html,
      );
      expect(src, `preview of the order for ${name}`).not.toBeNull();
      const image = await app.fetch(src![0].slice(0, -1));
      expect(image.status).toBe(200);
      expect(image.headers.get("content-type")).toContain("image/svg+xml");
      expect(await image.text()).toContain(`>${name}</text>`);
    }
  });

  it("escapes what it draws, cuts long text, and draws only the demo's products", async () => {
    const hostile = encodeURIComponent(`<script>alert("x")</script>&'`);
    const res = await app.fetch(`/demo/preview/tee.svg?name=${hostile}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const drawn = await res.text();
    expect(drawn).not.toContain("<script");
    expect(drawn).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&apos;");

    const long = await (
      await app.fetch(`/demo/preview/necklace.svg?name=${"A".repeat(500)}`)
    ).text();
    expect(long).not.toContain("A".repeat(41));
    expect(long).toContain(`${"A".repeat(39)}…`);

    for (const path of [
      "/demo/preview/sofa.svg?name=Poppy",
      "/demo/preview/tee.png?name=Poppy",
      "/demo/preview/constructor.svg?name=Poppy",
    ]) {
      expect((await app.fetch(path)).status, path).toBe(404);
    }
  });
});

describe("the Pixel 8 case's alert", () => {
  async function useMode(processingMode: ProcessingMode) {
    const [row] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    await app.ctx.db
      .update(shops)
      .set({ settings: { ...shopSettings(row!), processingMode } })
      .where(eq(shops.id, shop.id));
  }

  it("stays until the routing rule exists; its fix names Reprocess or Revalidate by the shop's mode", async () => {
    const [line] = await app.ctx.db
      .select({ orderId: lineItems.orderId })
      .from(lineItems)
      .where(and(eq(lineItems.shopId, shop.id), eq(lineItems.sku, "CASE-PIX8")));
    const orderId = line!.orderId;
    const stored = async () =>
      (await app.ctx.db.select().from(orders).where(eq(orders.id, orderId)))[0]!;
    const press = (fields: Record<string, string>) =>
      app.fetch(`/app/orders/${orderId}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const seeded = await stored();
    expect(seeded).toMatchObject({ state: "error", alert: { code: "no_provider" } });
    // An automatic shop has no Revalidate: its fix says Reprocess.
    expect(seeded.alert!.fix).toMatch(/, then Reprocess$/);
    expect(seeded.alert!.fix).toContain("Routing rules");

    // Automatic mode: Reprocess starts it again, and sending it meets the same cause.
    expect((await press({ intent: "action", action: "reprocess" })).status).toBe(200);
    expect((await stored()).state).toBe("new");
    await press({ intent: "submit" });
    const again = await stored();
    expect(again).toMatchObject({ state: "error", alert: seeded.alert });
    const sent = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, orderId));
    expect(sent).toEqual([]);

    // Manual mode: Revalidate keeps it, now naming Revalidate, the control this shop has.
    await useMode("manual");
    expect((await press({ intent: "action", action: "revalidate" })).status).toBe(200);
    const manual = await stored();
    expect(manual).toMatchObject({ state: "error", alert: { code: "no_provider" } });
    expect(manual.alert!.fix).toMatch(/, then Revalidate$/);
    const unchanged = await press({ intent: "action", action: "revalidate" });
    expect(unchanged.status).toBe(409);
    expect(await unchanged.text()).toContain("Still in Error: No provider for SKU CASE-PIX8");

    // The fix it names: a rule for the SKU. Then Revalidate lets it go.
    const [sandbox] = await app.ctx.db
      .select()
      .from(providers)
      .where(and(eq(providers.shopId, shop.id), eq(providers.name, DEMO_SANDBOX_PROVIDER_NAME)));
    const current = shopSettings((await findShop(app.ctx.db, "demo", DEMO_SHOP_DOMAIN))!);
    const saved = await saveRoutingRules(app.ctx, shop.id, [
      { match: "CASE-PIX8", providerId: sandbox!.id, product: "" },
      ...rulesToRows(current.routingRules),
    ]);
    expect(saved.ok).toBe(true);
    expect((await press({ intent: "action", action: "revalidate" })).status).toBe(200);
    expect(await stored()).toMatchObject({ state: "pending", alert: null });
    await useMode("automatic");
  });
});
