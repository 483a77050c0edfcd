import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { openSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
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
});
