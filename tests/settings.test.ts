// Settings as the owner uses it: the page's form posts, what is stored, what is refused, and API
// tokens created, listed and revoked from the page.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiTokens, orderEvents, orders, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { LIFECYCLE_STATES } from "~/orders/core/model";
import { createApiToken, hashToken } from "~/shops/api-tokens.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

let app: TestApp;
let shop: Shop;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  shop = await ensureShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN, name: "Demo" });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});
beforeEach(async () => {
  await app.ctx.db
    .update(shops)
    .set({ settings: DEFAULT_SHOP_SETTINGS })
    .where(eq(shops.id, shop.id));
});

const VALID: Record<string, string> = {
  intent: "save",
  autoSubmitDelayMinutes: "90",
  processingMode: "automatic",
  typeRules: "amazon: Amazon\nShineOn -> shineon\n",
  personalizedProducts: "7523418423, 9007199254740993123 ,7523418423",
  previewKeys: "_preview, Preview Image",
  designKeys: "_design",
  clientImageKeys: "_upload,_photo",
  "stateLabels.on_hold": "Waiting on customer",
  "stateLabels.new": "",
  notifyCustomerOnShipment: "on",
  timezone: "Europe/Berlin",
};

function post(fields: Record<string, string>) {
  return app.fetch("/app/settings.data?index", {
    method: "POST",
    body: new URLSearchParams(fields),
  });
}

async function storedSettings() {
  const [row] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
  return row!.settings;
}

describe("Settings", () => {
  it("shows the current settings on the page", async () => {
    const res = await app.fetch("/app/settings");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Auto-submit delay (minutes)");
    expect(html).toContain('value="60"');
    expect(html).toContain("API tokens");
    for (const state of LIFECYCLE_STATES) expect(html).toContain(`name="stateLabels.${state}"`);
  });

  it("stores valid values", async () => {
    const res = await post(VALID);
    expect(res.status).toBe(200);
    const settings = await storedSettings();
    expect(settings).toMatchObject({
      autoSubmitDelayMinutes: 90,
      processingMode: "automatic",
      typeRules: [
        { sourceChannel: "amazon", type: "amazon" },
        { sourceChannel: "shineon", type: "shineon" },
      ],
      personalizedProducts: ["7523418423", "9007199254740993123"],
      personalizationKeys: {
        preview: ["_preview", "Preview Image"],
        design: ["_design"],
        clientImages: ["_upload", "_photo"],
      },
      stateLabels: { on_hold: "Waiting on customer" },
      notifyCustomerOnShipment: true,
      timezone: "Europe/Berlin",
    });
    // Settings edited elsewhere (routing rules) are kept.
    expect(settings.routingRules).toEqual(DEFAULT_SHOP_SETTINGS.routingRules);
    const unticked = { ...VALID };
    delete unticked.notifyCustomerOnShipment;
    await post(unticked);
    expect((await storedSettings()).notifyCustomerOnShipment).toBe(false);
  });

  it("refuses invalid values with each field's message and stores nothing", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ autoSubmitDelayMinutes: "-5" }, "Enter a whole number of minutes"],
      [{ autoSubmitDelayMinutes: "soon" }, "Enter a whole number of minutes"],
      [{ autoSubmitDelayMinutes: "20000" }, "At most 10080 minutes (a week)"],
      [{ processingMode: "sometimes" }, "Choose automatic or manual"],
      [{ timezone: "Mars/Olympus_Mons" }, "Enter a time zone such as Europe/Berlin"],
      [{ typeRules: "amazon: wholesale" }, "the type being one of In-app, Amazon, ShineOn, Other"],
      [{ "stateLabels.error": "x".repeat(31) }, "A label is at most 30 characters"],
    ];
    for (const [change, message] of cases) {
      const res = await post({ ...VALID, ...change });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(await res.text()).toContain(message);
      expect(await storedSettings()).toEqual(DEFAULT_SHOP_SETTINGS);
    }
  });

  it("switching to manual stops running countdowns; back to automatic starts them again", async () => {
    const counting = await createOrder(app.ctx.db, shop, {
      autoSubmitAt: new Date(Date.now() + 30 * 60_000),
    });
    const held = await createOrder(app.ctx.db, shop, {
      state: "on_hold",
      autoSubmitRemainingMs: 60_000,
    });
    expect((await post({ ...VALID, processingMode: "manual" })).status).toBe(200);
    const [stopped] = await app.ctx.db.select().from(orders).where(eq(orders.id, counting.id));
    expect(stopped!.autoSubmitAt).toBeNull();
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, counting.id));
    expect(events.map((e) => e.action)).toContain("countdown_stopped");

    expect((await post(VALID)).status).toBe(200);
    const [restarted] = await app.ctx.db.select().from(orders).where(eq(orders.id, counting.id));
    expect(restarted!.autoSubmitAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 60_000);
    // An order on hold keeps its paused time for when it is released.
    const [stillHeld] = await app.ctx.db.select().from(orders).where(eq(orders.id, held.id));
    expect(stillHeld).toMatchObject({
      state: "on_hold",
      autoSubmitAt: null,
      autoSubmitRemainingMs: 60_000,
    });
  });
});

describe("API tokens in Settings", () => {
  it("creates a token shown once, stores only its hash, lists it, and revokes it", async () => {
    const res = await post({ intent: "create_token", tokenName: "Warehouse sync" });
    expect(res.status).toBe(200);
    const body = await res.text();
    const token = /ol_[A-Za-z0-9_-]{43}/.exec(body)?.[0];
    expect(token).toBeDefined();
    const [row] = await app.ctx.db.select().from(apiTokens).where(eq(apiTokens.shopId, shop.id));
    expect(row).toMatchObject({
      name: "Warehouse sync",
      tokenHash: hashToken(token!),
      lastChars: token!.slice(-4),
      createdBy: "Demo owner",
      revokedAt: null,
    });

    const page = await (await app.fetch("/app/settings")).text();
    expect(page).toContain("Warehouse sync");
    expect(page).toContain(`…${token!.slice(-4)}`);
    expect(page).not.toContain(token!);

    expect(
      (await app.fetch("/api/v1/orders", { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const revoke = await post({ intent: "revoke_token", tokenId: row!.id });
    expect(revoke.status).toBe(200);
    const [revoked] = await app.ctx.db.select().from(apiTokens).where(eq(apiTokens.id, row!.id));
    expect(revoked!.revokedAt).not.toBeNull();
    expect(
      (await app.fetch("/api/v1/orders", { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
  });

  it("asks for a name, and cannot revoke another shop's token", async () => {
    const unnamed = await post({ intent: "create_token", tokenName: "  " });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.text()).toContain("Name the token after what will use it");

    const other = await createShop(app.ctx.db);
    const theirs = await createApiToken(app.ctx.db, other.id, { name: "Theirs", createdBy: null });
    if (!theirs.ok) throw new Error("token not created");
    const res = await post({ intent: "revoke_token", tokenId: theirs.summary.id });
    expect(res.status).toBe(404);
    const [row] = await app.ctx.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.id, theirs.summary.id));
    expect(row!.revokedAt).toBeNull();
  });
});
