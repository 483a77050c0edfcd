import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { providers } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { saveProvider } from "~/fulfillment/provider-settings.server";
import { openSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let shopId: string;
beforeAll(async () => {
  app = await startTestApp({ demo: true });
  shopId = (
    await ensureShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN, name: "Demo" })
  ).id;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

async function stored(name: string) {
  const [row] = await app.ctx.db.select().from(providers).where(eq(providers.name, name));
  return row;
}

describe("Settings > Providers", () => {
  it("adds a Printful provider with its token sealed, never stored or shown in plain text", async () => {
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        kind: "printful",
        name: "Printful EU",
        "credentials.token": "pf_live_secret_token",
        settings: '{"variantIds": {"TEE-BLK-M": 4017}}',
        isDefault: "on",
      }),
    });
    expect(res.status).toBe(200);
    const row = await stored("Printful EU");
    expect(row).toMatchObject({ shopId, kind: "printful", isDefault: true });
    expect(row!.settings).toEqual({ variantIds: { "TEE-BLK-M": 4017 } });
    expect(row!.credentials).not.toContain("pf_live");
    expect(JSON.parse(openSecret(app.ctx.config.encryptionKey, row!.credentials!))).toEqual({
      token: "pf_live_secret_token",
    });
    const page = await (await app.fetch("/app/settings/providers")).text();
    expect(page).toContain("Printful EU");
    expect(page).not.toContain("pf_live_secret_token");
    expect(page).toContain(`/api/providers/${row!.id}/events?token=`);
  });

  it("refuses a provider without its required fields, with a message per field, and stores nothing", async () => {
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "save", kind: "http", name: "", settings: "{oops" }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("Give the provider a name");
    expect(text).toContain("Settings must be a JSON object");
    const noUrl = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "save", kind: "http", name: "Local Printer" }),
    });
    expect(noUrl.status).toBe(400);
    expect(await noUrl.text()).toContain("This provider type needs its URL");
    expect(
      await app.ctx.db.select().from(providers).where(eq(providers.shopId, shopId)),
    ).toHaveLength(1);
  });

  it("asks for the API key a CustomCat provider needs", async () => {
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "save", kind: "customcat", name: "CustomCat" }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Enter the API key");
  });

  it("keeps a saved secret when the field is left blank on edit, and makes one default at a time", async () => {
    const first = await stored("Printful EU");
    await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        kind: "http",
        name: "Local Printer",
        endpoint: "https://printer.example/api",
        isDefault: "on",
      }),
    });
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        providerId: first!.id,
        kind: "printful",
        name: "Printful EU (renamed)",
        "credentials.token": "",
        settings: "{}",
      }),
    });
    expect(res.status).toBe(200);
    const renamed = await stored("Printful EU (renamed)");
    expect(JSON.parse(openSecret(app.ctx.config.encryptionKey, renamed!.credentials!)).token).toBe(
      "pf_live_secret_token",
    );
    const rows = await app.ctx.db.select().from(providers).where(eq(providers.shopId, shopId));
    expect(rows.filter((r) => r.isDefault).map((r) => r.name)).toEqual(["Local Printer"]);
  });

  it("cannot touch another shop's provider", async () => {
    const other = await createShop(app.ctx.db);
    const [theirs] = await app.ctx.db
      .insert(providers)
      .values({ shopId: other.id, kind: "http", name: "Theirs", endpoint: "https://x.example" })
      .returning();
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "remove", providerId: theirs!.id }),
    });
    expect(res.status).toBe(404);
    expect(await stored("Theirs")).toBeTruthy();
  });

  it.each([
    "http://127.0.0.1:8080",
    "https://10.1.2.3",
    "https://172.16.5.4",
    "https://192.168.1.10",
    "http://169.254.169.254/latest/meta-data",
    "https://100.64.0.1",
    "https://[::1]",
    "https://[::127.0.0.1]",
    "https://[::ffff:127.0.0.1]",
    "https://[fc00::1]",
    "https://[fe80::1]",
    "https://0.0.0.0",
  ])(
    "in production, refuses the endpoint %s: a private network, and stores nothing",
    async (endpoint) => {
      // The shop's settings as `npm start` would save them (NODE_ENV=production).
      const production = {
        ...app.ctx,
        config: loadConfig({
          NODE_ENV: "production",
          SHOPIFY_API_KEY: TEST_SHOPIFY.apiKey,
          SHOPIFY_API_SECRET: TEST_SHOPIFY.apiSecret,
          SHOPIFY_APP_URL: TEST_SHOPIFY.appUrl,
          ENCRYPTION_KEY: app.ctx.config.encryptionKey.toString("hex"),
        }),
      };
      const result = await saveProvider(production, shopId, {
        name: "Inside Printer",
        kind: "http",
        endpoint,
        credentials: {},
        settings: "",
        isDefault: false,
      });
      expect(result).toEqual({
        ok: false,
        errors: {
          endpoint: expect.stringMatching(
            /^The address .+ is on a private network, which is not allowed: enter the provider's public address$/,
          ),
        },
      });
      expect(await stored("Inside Printer")).toBeUndefined();
    },
  );

  it("in the demo, takes a provider running on this machine", async () => {
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        kind: "http",
        name: "Printer Next Door",
        endpoint: "http://127.0.0.1:8080",
      }),
    });
    expect(res.status).toBe(200);
    expect(await stored("Printer Next Door")).toMatchObject({ endpoint: "http://127.0.0.1:8080" });
  });
});
