import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { orders, providers, shops } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { PROVIDER_KINDS } from "~/fulfillment/provider";
import { KIND_LABELS } from "~/fulfillment/provider-kinds";
import { saveProvider } from "~/fulfillment/provider-settings.server";
import { ALERT_KINDS, ADD_ROUTING_RULE } from "~/orders/core/alerts";
import { shopSettings } from "~/orders/core/shop-settings";
import { openSecret } from "~/security/encryption.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, TEST_SHOPIFY, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
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

describe("every kind of provider can be opened for editing", () => {
  it.each(PROVIDER_KINDS)("a %s provider's edit page renders with its form", async (kind) => {
    const name = `Edit me (${kind})`;
    const [row] = await app.ctx.db
      .insert(providers)
      .values({
        shopId,
        kind,
        name,
        endpoint: kind === "http" || kind === "sandbox" ? "http://127.0.0.1:9" : null,
      })
      .returning();
    const res = await app.fetch(`/app/settings/providers?edit=${row!.id}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`Edit ${name}`);
    expect(page).toContain(KIND_LABELS[kind]);
    await app.ctx.db.delete(providers).where(eq(providers.id, row!.id));
  });

  it("saving the sandbox from its edit form renames it and keeps its type and address", async () => {
    const [row] = await app.ctx.db
      .insert(providers)
      .values({ shopId, kind: "sandbox", name: "Sandbox", endpoint: "http://127.0.0.1:3001" })
      .returning();
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({
        intent: "save",
        providerId: row!.id,
        kind: "sandbox",
        name: "Sandbox (renamed)",
        // Not on the sandbox's form; a crafted one changes nothing.
        endpoint: "https://elsewhere.example",
        settings: "{}",
      }),
    });
    expect(res.status).toBe(200);
    expect(await stored("Sandbox (renamed)")).toMatchObject({
      kind: "sandbox",
      endpoint: "http://127.0.0.1:3001",
    });
    // An owner cannot add one, nor turn another provider into one.
    const added = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "save", kind: "sandbox", name: "My own sandbox" }),
    });
    expect(added.status).toBe(400);
    expect(await stored("My own sandbox")).toBeUndefined();
    await app.ctx.db.delete(providers).where(eq(providers.id, row!.id));
  });
});

describe("Routing rules", () => {
  function saveRules(rows: { match: string; providerId: string; product?: string }[]) {
    const body = new URLSearchParams({ intent: "routing" });
    for (const row of rows) {
      body.append("match", row.match);
      body.append("providerId", row.providerId);
      body.append("product", row.product ?? "");
    }
    return app.fetch("/app/settings/providers.data", { method: "POST", body });
  }
  async function rules() {
    const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.id, shopId));
    return shopSettings(shop!).routingRules;
  }

  it("are refused row by row, naming what is wrong, and nothing is stored", async () => {
    const printful = await stored("Printful EU (renamed)");
    const other = await createShop(app.ctx.db);
    const [theirs] = await app.ctx.db
      .insert(providers)
      .values({ shopId: other.id, kind: "http", name: "Not yours", endpoint: "https://x.example" })
      .returning();
    const res = await saveRules([
      { match: "MUG-*", providerId: printful!.id },
      { match: "MUG-11", providerId: printful!.id, product: "4017" },
      { match: "CASE PIX8", providerId: theirs!.id },
      { match: "TEE-*-M", providerId: "" },
      { match: "POSTER-A3", providerId: printful!.id, product: "big" },
    ]);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("Printful EU (renamed) needs the Printful variant id for these SKUs");
    expect(text).toContain("Rule 1 (MUG-*) already takes these SKUs");
    expect(text).toContain("A SKU has no spaces");
    expect(text).toContain("That provider is not one of yours");
    expect(text).toContain("Put * only at the end");
    expect(text).toContain("Choose the provider that makes these SKUs");
    expect(text).toContain("A Printful variant id is digits only");
    expect(await rules()).toEqual([]);
  });

  it("are stored in order, with the provider's product, where the router reads them", async () => {
    const printful = await stored("Printful EU (renamed)");
    const printer = await stored("Local Printer");
    const res = await saveRules([
      { match: "MUG-11", providerId: printful!.id, product: " 4017 " },
      { match: "CASE-*", providerId: printer!.id },
    ]);
    expect(res.status).toBe(200);
    expect(await rules()).toEqual([
      { match: "MUG-11", providerId: printful!.id, product: "4017" },
      { match: "CASE-*", providerId: printer!.id },
    ]);
    const page = await (await app.fetch("/app/settings/providers")).text();
    expect(page).toContain("Routing rules");
    expect(page).toContain("CASE-*");
    // None left: every item goes to the default provider again.
    expect((await saveRules([])).status).toBe(200);
    expect(await rules()).toEqual([]);
  });

  it("Revalidate keeps an unmapped SKU's alert until a rule covers it, then clears it", async () => {
    // A shop that processes by hand and has no default provider: CASE-PIX8 has nowhere to go.
    const [shop] = await app.ctx.db.select().from(shops).where(eq(shops.id, shopId));
    await app.ctx.db
      .update(shops)
      .set({ settings: { ...shopSettings(shop!), processingMode: "manual", routingRules: [] } })
      .where(eq(shops.id, shopId));
    await app.ctx.db
      .update(providers)
      .set({ isDefault: false })
      .where(eq(providers.shopId, shopId));
    const order = await createOrder(app.ctx.db, { id: shopId }, {}, [
      { sku: "CASE-PIX8", title: "Phone Case", personalization: null },
    ]);
    const act = (fields: Record<string, string>) =>
      app.fetch(`/app/orders/${order.id}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const stateOf = async () =>
      (await app.ctx.db.select().from(orders).where(eq(orders.id, order.id)))[0]!;

    await act({ intent: "submit" });
    const stopped = await stateOf();
    expect(stopped).toMatchObject({ state: "error", alert: { code: "no_provider" } });
    expect(stopped.alert!.fix).toContain(ADD_ROUTING_RULE);

    // Nothing changed: the alert stays, and the owner is told why.
    const again = await act({ intent: "action", action: "revalidate" });
    expect(again.status).toBe(409);
    const said = await again.text();
    expect(said).toContain("Still in Error: No provider for SKU CASE-PIX8");
    expect(said).toContain(ADD_ROUTING_RULE);
    expect(await stateOf()).toMatchObject({ state: "error", alert: stopped.alert });

    // The fix the alert names: a rule for the SKU, through the Routing rules form.
    const printer = await stored("Local Printer");
    expect((await saveRules([{ match: "CASE-PIX8", providerId: printer!.id }])).status).toBe(200);
    const fixed = await act({ intent: "action", action: "revalidate" });
    expect(fixed.status).toBe(200);
    // Back where a manually processed order starts, ready to be submitted.
    expect(await stateOf()).toMatchObject({ state: "pending", alert: null });
  });

  it("removing a provider takes its rules with it", async () => {
    const [doomed] = await app.ctx.db
      .insert(providers)
      .values({ shopId, kind: "http", name: "Short-lived", endpoint: "https://short.example" })
      .returning();
    expect((await saveRules([{ match: "SOCK-*", providerId: doomed!.id }])).status).toBe(200);
    const res = await app.fetch("/app/settings/providers.data", {
      method: "POST",
      body: new URLSearchParams({ intent: "remove", providerId: doomed!.id }),
    });
    expect(res.status).toBe(200);
    expect(await rules()).toEqual([]);
  });
});

describe("alert fixes", () => {
  it("send the owner to controls the providers page has", async () => {
    const page = await (await app.fetch("/app/settings/providers")).text();
    const steps = Object.values(ALERT_KINDS).flatMap((kind) => [...kind.steps]);
    for (const step of steps.filter((s) => s.includes("Settings → Providers"))) {
      const path = /Settings → Providers → ([^,.)]+)/.exec(step)![1]!.split(" → ");
      // "Routing rules → Add rule", or "<a provider> → Edit": each name is on the page.
      for (const control of path.filter((c) => c !== "the provider")) {
        expect(page, step).toContain(`>${control}<`);
      }
    }
  });
});
