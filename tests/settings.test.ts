// Settings as the owner uses it: the page's form posts, what is stored, what is refused, and API
// tokens created, listed and revoked from the page.
import { and, asc, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  apiTokens,
  cartReconciliations,
  orderEvents,
  orderStatuses,
  orders,
  sessions,
  shops,
} from "~/db/schema";
import { DEFAULT_DEMO_SHOPIFY_SHOP, DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken, hashToken } from "~/shops/api-tokens.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import { mockShopifyAdmin } from "./support/shopify-orders";
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
  "typeRules.0.sourceChannel": "amazon",
  "typeRules.0.type": "amazon",
  "typeRules.1.sourceChannel": " ShineOn ",
  "typeRules.1.type": "shineon",
  personalizedProducts: "7523418423, 9007199254740993123 ,7523418423",
  previewKeys: "_preview, Preview Image",
  designKeys: "_design",
  clientImageKeys: "_upload,_photo",
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
    // The state labels are gone: the shop's own order statuses took their place.
    expect(html).not.toContain("stateLabels");
    expect(html).toContain("Order statuses");
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
      [{ timezone: "Mars/Olympus_Mons" }, "Choose a time zone from the list"],
      [{ "typeRules.0.type": "wholesale" }, "Choose a type: In-app, Amazon, ShineOn, Other"],
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

// Settings an owner fills in without looking anything up: type rules as rows, products found by
// title in the store, and the store's own time zone. msw answers for Shopify and WooCommerce.
describe("Settings filled in by name", () => {
  const WOO_URL = "https://woo-settings.example";
  const SHOPIFY_DOMAIN = DEFAULT_DEMO_SHOPIFY_SHOP;

  async function wooShop(): Promise<Shop> {
    const woo = await ensureShop(app.ctx.db, {
      platform: "woocommerce",
      domain: DEMO_WOO_DOMAIN,
      name: "Woo",
    });
    const credentials = sealSecret(
      app.ctx.config.encryptionKey,
      JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test", url: WOO_URL }),
    );
    const [updated] = await app.ctx.db
      .update(shops)
      .set({ credentials, settings: DEFAULT_SHOP_SETTINGS })
      .where(eq(shops.id, woo.id))
      .returning();
    return updated!;
  }

  // The store's order statuses, as WooCommerce's order totals report lists them: its own and
  // one a plugin registered. Settings offers the plugin's for a status of the owner's own.
  beforeEach(() => {
    mswServer.use(
      http.get(`${WOO_URL}/wp-json/wc/v3/reports/orders/totals`, () =>
        HttpResponse.json([
          { slug: "pending", name: "Pending payment", total: 0 },
          { slug: "processing", name: "Processing", total: 3 },
          { slug: "on-hold", name: "On hold", total: 1 },
          { slug: "completed", name: "Completed", total: 9 },
          { slug: "awaiting-artwork", name: "Awaiting artwork", total: 2 },
        ]),
      ),
    );
  });

  it("offers the WooCommerce store's own statuses for a status of the owner's own", async () => {
    const woo = await wooShop();
    mswServer.use(
      http.get(`${WOO_URL}/wp-json/`, () =>
        HttpResponse.json({ name: "Woo", timezone_string: "Europe/Paris", gmt_offset: 1 }),
      ),
    );
    const html = await (await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`)).text();
    expect(html).toContain("Sets the WooCommerce status “Awaiting artwork”");
    expect(html).not.toContain("Sets the WooCommerce status “Processing”");
    const added = await app.fetch(`/app/settings.data?index&shop=${DEMO_WOO_DOMAIN}`, {
      method: "POST",
      body: new URLSearchParams({
        intent: "status_add",
        label: "Artwork",
        writes: "woo:awaiting-artwork",
      }),
    });
    expect(added.status).toBe(200);
    const [row] = await app.ctx.db
      .select()
      .from(orderStatuses)
      .where(and(eq(orderStatuses.shopId, woo.id), eq(orderStatuses.key, "artwork")));
    expect(row).toMatchObject({
      cartEffect: "woo_status",
      cartStatus: "awaiting-artwork",
      pausesCountdown: false,
    });
  });

  async function shopifyShop(): Promise<Shop> {
    const shopify = await ensureShop(app.ctx.db, {
      platform: "shopify",
      domain: SHOPIFY_DOMAIN,
      name: "Shopify",
    });
    await app.ctx.db.delete(sessions).where(eq(sessions.shop, SHOPIFY_DOMAIN));
    await createSession(app.ctx.db, SHOPIFY_DOMAIN);
    const [updated] = await app.ctx.db
      .update(shops)
      .set({ settings: DEFAULT_SHOP_SETTINGS })
      .where(eq(shops.id, shopify.id))
      .returning();
    return updated!;
  }

  const settingsOf = async (id: string) =>
    (await app.ctx.db.select().from(shops).where(eq(shops.id, id)))[0]!.settings;

  it("type rules are rows: kept in order, each row's mistake named at that row, none allowed", async () => {
    const rows = {
      "typeRules.0.sourceChannel": "Etsy",
      "typeRules.0.type": "other",
      "typeRules.1.sourceChannel": "amazon",
      "typeRules.1.type": "amazon",
    };
    const base = { ...VALID };
    for (const key of Object.keys(base)) if (key.startsWith("typeRules.")) delete base[key];
    expect((await post({ ...base, ...rows })).status).toBe(200);
    expect((await storedSettings()).typeRules).toEqual([
      { sourceChannel: "etsy", type: "other" },
      { sourceChannel: "amazon", type: "amazon" },
    ]);

    const bad = await post({
      ...base,
      ...rows,
      "typeRules.1.sourceChannel": "  ",
      "typeRules.2.sourceChannel": "ETSY",
      "typeRules.2.type": "in_app",
    });
    expect(bad.status).toBe(400);
    // The answer names each field whose row has the mistake (as the page places the message).
    const answer = await bad.text();
    expect(answer).toContain("typeRules.1.sourceChannel");
    expect(answer).toContain("Enter the source channel as the cart names it");
    expect(answer).toContain("typeRules.2.sourceChannel");
    expect(answer).toContain("Row 1 already matches");
    expect(answer).not.toContain("typeRules.0.");
    expect((await storedSettings()).typeRules).toHaveLength(2);

    expect((await post(base)).status).toBe(200);
    expect((await storedSettings()).typeRules).toEqual([]);
  });

  it("the page shows each rule as a row with a choice of type", async () => {
    const html = await (await app.fetch("/app/settings")).text();
    expect(html).toContain('name="typeRules.0.sourceChannel"');
    expect(html).toContain('value="amazon"');
    expect(html).toContain('name="typeRules.1.type"');
    expect(html).not.toContain("cart product ids, comma-separated");
  });

  it("finds WooCommerce products by title, with names decoded and pictures, and lists the chosen ones", async () => {
    const woo = await wooShop();
    const searches: URLSearchParams[] = [];
    const product = (id: number, name: string) => ({
      id,
      name,
      images: [{ id: id + 1, src: `https://cdn.woo-settings.example/${id}.png`, alt: "" }],
    });
    mswServer.use(
      http.get(`${WOO_URL}/wp-json/wc/v3/products`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        searches.push(query);
        if (query.get("include")) return HttpResponse.json([product(41, "Photo Mug")]);
        return HttpResponse.json([
          product(41, "Photo Mug"),
          product(42, "Mug &amp; Coaster &ndash; Blue"),
        ]);
      }),
      http.get(`${WOO_URL}/wp-json/`, () =>
        HttpResponse.json({ name: "Woo", timezone_string: "", gmt_offset: 0 }),
      ),
    );
    const res = await app.fetch(`/app/settings/products?q=mug&shop=${DEMO_WOO_DOMAIN}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      products: [
        { id: "41", title: "Photo Mug", imageUrl: "https://cdn.woo-settings.example/41.png" },
        {
          id: "42",
          title: "Mug & Coaster – Blue",
          imageUrl: "https://cdn.woo-settings.example/42.png",
        },
      ],
    });
    expect(searches[0]!.get("search")).toBe("mug");

    // Saved by id as before; the page lists the chosen product by name, and one the store no
    // longer has by its id.
    const saved = await app.fetch(`/app/settings.data?index&shop=${DEMO_WOO_DOMAIN}`, {
      method: "POST",
      body: new URLSearchParams({ ...VALID, personalizedProducts: "41,77" }),
    });
    expect(saved.status).toBe(200);
    expect((await settingsOf(woo.id)).personalizedProducts).toEqual(["41", "77"]);
    const html = await (await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`)).text();
    expect(html).toContain("Photo Mug");
    expect(html).toContain("https://cdn.woo-settings.example/41.png");
    expect(html).toContain("Product 77, no longer in the store");
    expect(searches.at(-1)!.get("include")).toBe("41,77");
  });

  it("says so when the store's products cannot be searched", async () => {
    await wooShop();
    mswServer.use(
      http.get(`${WOO_URL}/wp-json/wc/v3/products`, () =>
        HttpResponse.json(
          { code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot list resources." },
          { status: 403 },
        ),
      ),
    );
    const res = await app.fetch(`/app/settings/products?q=mug&shop=${DEMO_WOO_DOMAIN}`);
    expect(await res.json()).toEqual({
      ok: false,
      problem: expect.stringContaining("Sorry, you cannot list resources.") as string,
    });
  });

  it("finds Shopify products through the Admin API's product search", async () => {
    await shopifyShop();
    const calls = mockShopifyAdmin(SHOPIFY_DOMAIN, {
      OrderlaneShopTimeZone: () => ({ data: { shop: { ianaTimezone: "UTC" } } }),
      OrderlaneProducts: () => ({
        data: {
          products: {
            nodes: [
              {
                id: "gid://shopify/Product/8104221000101",
                title: "Custom Name Tee",
                featuredMedia: {
                  preview: { image: { url: "https://cdn.shopify.com/s/files/tee.png" } },
                },
              },
              { id: "gid://shopify/Product/8104221000909", title: "Name Sticker" },
            ],
          },
        },
      }),
    });
    const res = await app.fetch(`/app/settings/products?q=name%20t&shop=${SHOPIFY_DOMAIN}`);
    expect(await res.json()).toEqual({
      ok: true,
      products: [
        {
          id: "8104221000101",
          title: "Custom Name Tee",
          imageUrl: "https://cdn.shopify.com/s/files/tee.png",
        },
        { id: "8104221000909", title: "Name Sticker", imageUrl: null },
      ],
    });
    const search = calls.find((c) => c.operation === "OrderlaneProducts");
    expect(search?.variables).toMatchObject({ query: "title:name* AND title:t*" });
  });

  it("defaults the time zone to the Shopify shop's own until the owner chooses one", async () => {
    const shopify = await shopifyShop();
    let zone = "America/Chicago";
    mockShopifyAdmin(SHOPIFY_DOMAIN, {
      OrderlaneShopTimeZone: () => ({ data: { shop: { ianaTimezone: zone } } }),
    });
    const html = await (await app.fetch(`/app/settings?shop=${SHOPIFY_DOMAIN}`)).text();
    expect(html).toContain('value="America/Chicago"');
    expect(html).toContain("Your store&#x27;s own time zone");
    expect(await settingsOf(shopify.id)).toMatchObject({
      timezone: "America/Chicago",
      timezoneSource: "cart",
    });

    // The owner's own choice stays, whatever the cart says later.
    const saved = await app.fetch(`/app/settings.data?index&shop=${SHOPIFY_DOMAIN}`, {
      method: "POST",
      body: new URLSearchParams({ ...VALID, timezone: "Asia/Kolkata" }),
    });
    expect(saved.status).toBe(200);
    zone = "Europe/Paris";
    await app.fetch(`/app/settings?shop=${SHOPIFY_DOMAIN}`);
    expect(await settingsOf(shopify.id)).toMatchObject({
      timezone: "Asia/Kolkata",
      timezoneSource: "owner",
    });
  });

  it("defaults the time zone to the WordPress site's, from a named zone or a whole-hour offset", async () => {
    const woo = await wooShop();
    let index: Record<string, unknown> = { timezone_string: "Europe/Berlin", gmt_offset: 1 };
    mswServer.use(http.get(`${WOO_URL}/wp-json/`, () => HttpResponse.json(index)));
    await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`);
    expect((await settingsOf(woo.id)).timezone).toBe("Europe/Berlin");

    await app.ctx.db
      .update(shops)
      .set({ settings: DEFAULT_SHOP_SETTINGS })
      .where(eq(shops.id, woo.id));
    index = { timezone_string: "", gmt_offset: "-5" };
    await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`);
    expect((await settingsOf(woo.id)).timezone).toBe("Etc/GMT+5");
  });

  it("keeps the default when the store cannot say, and refuses zones that are not in the list", async () => {
    const woo = await wooShop();
    mswServer.use(http.get(`${WOO_URL}/wp-json/`, () => new HttpResponse("down", { status: 503 })));
    const page = await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`);
    expect(page.status).toBe(200);
    expect((await settingsOf(woo.id)).timezone).toBe("UTC");

    for (const zone of ["Mars/Olympus_Mons", "Europe", "UTC+2", "../../etc/passwd"]) {
      const res = await post({ ...VALID, timezone: zone });
      expect(res.status, zone).toBe(400);
      expect(await res.text()).toContain("Choose a time zone from the list");
    }
    expect((await post({ ...VALID, timezone: "europe/berlin" })).status).toBe(200);
    expect(await storedSettings()).toMatchObject({
      timezone: "Europe/Berlin",
      timezoneSource: "owner",
    });
  });
  it("shows when the cart was last reconciled and what it found, in the shop's time zone", async () => {
    const woo = await wooShop();
    await app.ctx.db
      .update(shops)
      .set({
        settings: { ...DEFAULT_SHOP_SETTINGS, timezone: "Europe/Berlin", timezoneSource: "owner" },
      })
      .where(eq(shops.id, woo.id));
    await app.ctx.db
      .insert(cartReconciliations)
      .values({
        shopId: woo.id,
        lastFinishedAt: new Date("2026-12-07T14:05:00Z"),
        lastRecovered: 3,
        totalRecovered: 5,
        webhookNotice: "Orderlane put back the store's webhooks for order updates (was disabled).",
      })
      .onConflictDoUpdate({
        target: cartReconciliations.shopId,
        set: {
          lastFinishedAt: new Date("2026-12-07T14:05:00Z"),
          lastRecovered: 3,
          totalRecovered: 5,
        },
      });
    const html = await (await app.fetch(`/app/settings?shop=${DEMO_WOO_DOMAIN}`)).text();
    expect(html).toContain(
      "Last reconciled Dec 7, 2026, 3:05 PM: 3 orders found that no webhook had brought (5 orders in all).",
    );
    expect(html).toContain("put back the store&#x27;s webhooks for order updates (was disabled)");
    expect(html).toContain('name="reconcileEveryMinutes"');
  });

  it("stores how often the cart is checked, within limits, and keeps it when a form leaves it out", async () => {
    expect((await post({ ...VALID, reconcileEveryMinutes: "30" })).status).toBe(200);
    expect((await storedSettings()).reconcileEveryMinutes).toBe(30);
    for (const [value, message] of [
      ["3", "Every 5 minutes at the most often"],
      ["2000", "At least once a day (1440 minutes)"],
      ["soon", "Enter a whole number of minutes"],
    ] as const) {
      const res = await post({ ...VALID, reconcileEveryMinutes: value });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
    }
    expect((await post(VALID)).status).toBe(200);
    expect((await storedSettings()).reconcileEveryMinutes).toBe(30);
  });
});

describe("Settings → Order statuses", () => {
  async function statuses(shopId = shop.id) {
    return app.ctx.db
      .select()
      .from(orderStatuses)
      .where(eq(orderStatuses.shopId, shopId))
      .orderBy(asc(orderStatuses.position));
  }

  it("lists the defaults, each saying what it writes to the cart and whether it pauses", async () => {
    const html = await (await app.fetch("/app/settings")).text();
    for (const label of ["New", "Processing", "Completed", "Cancelled", "Fraud", "Suspended"]) {
      expect(html).toContain(`value="${label}"`);
    }
    expect(html).toContain("Holds the order in the cart as suspected fraud; pauses the countdown");
    expect(html).toContain("Runs Cancel Order");
  });

  it("adds, renames, reorders, retires and deletes a status of the owner's own", async () => {
    const added = await post({
      intent: "status_add",
      label: "Awaiting artwork",
      writes: "none",
      pausesCountdown: "",
    });
    expect(added.status).toBe(200);
    let rows = await statuses();
    const mine = rows.at(-1)!;
    expect(mine).toMatchObject({
      key: "awaiting_artwork",
      label: "Awaiting artwork",
      cartEffect: "none",
      pausesCountdown: true,
      builtin: false,
    });
    // Same name twice is refused.
    const twice = await post({ intent: "status_add", label: "awaiting ARTWORK", writes: "none" });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain("There is a status called awaiting ARTWORK already");

    await post({ intent: "status_save", statusKey: "new", label: "Fresh", writes: "hold_other" });
    await post({ intent: "status_move_up", statusKey: "awaiting_artwork" });
    rows = await statuses();
    expect(rows.find((r) => r.key === "new")).toMatchObject({
      label: "Fresh",
      cartEffect: "release",
    });
    expect(rows.map((r) => r.key).slice(-2)).toEqual(["awaiting_artwork", "suspended"]);

    // In use: it can only be retired.
    const order = await createOrder(app.ctx.db, shop, { orderStatusKey: "awaiting_artwork" });
    const deleted = await post({ intent: "status_delete", statusKey: "awaiting_artwork" });
    expect(deleted.status).toBe(400);
    expect(await deleted.text()).toContain("is on 1 order, so it can only be retired");
    await post({ intent: "status_retire", statusKey: "awaiting_artwork" });
    expect((await statuses()).find((r) => r.key === "awaiting_artwork")?.retired).toBe(true);
    // A default is never deleted.
    const builtin = await post({ intent: "status_delete", statusKey: "fraud" });
    expect(builtin.status).toBe(400);
    // Once no order has it, it can go.
    await app.ctx.db.delete(orders).where(eq(orders.id, order.id));
    expect((await post({ intent: "status_delete", statusKey: "awaiting_artwork" })).status).toBe(
      200,
    );
    expect((await statuses()).some((r) => r.key === "awaiting_artwork")).toBe(false);
  });
});
