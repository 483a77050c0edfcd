// Compressed answers (decision 40), through HTTP as a browser, a cart and a provider send them, on
// the production build: pages, scripts and JSON come packed for a client that accepts brotli or gzip,
// fingerprinted assets stay cached for a year, the machines' doors answer plainly, and the live
// stream's events arrive at once rather than waiting in a compressor.
import http from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { seedDemoShop } from "~/demo/seed.server";
import { createApiToken } from "~/shops/api-tokens.server";
import { findShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let demoShopId: string;

beforeAll(async () => {
  app = await startTestApp({ demo: true, built: true });
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

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they crossed the wire (fetch would unpack them and hide the encoding). */
  raw: Buffer;
}

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${app.url}${path}`,
      { method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

function unpack(answer: RawAnswer): string {
  const encoding = answer.headers["content-encoding"];
  if (encoding === "br") return brotliDecompressSync(answer.raw).toString("utf8");
  if (encoding === "gzip") return gunzipSync(answer.raw).toString("utf8");
  return answer.raw.toString("utf8");
}

describe("compressed answers", () => {
  it("packs the catalog page with brotli, or gzip for a client that takes only gzip", async () => {
    const br = await send("/app", { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const page = unpack(br);
    expect(page).toContain("<html");
    expect(page).toContain("#1072"); // the newest demo order, in the table
    // A catalog page of 50 rows is mostly repeated markup: it packs to well under a quarter.
    expect(br.raw.length).toBeLessThan(page.length / 4);

    const gzip = await send("/app", { headers: { "Accept-Encoding": "gzip" } });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(unpack(gzip)).toContain("#1072");

    // A client that asks for nothing gets the page as it is.
    const plain = await send("/app", { headers: { "Accept-Encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.raw.toString("utf8")).toContain("#1072");
  });

  it("packs the page's script and stylesheet, still cached for a year as they are fingerprinted", async () => {
    const page = unpack(await send("/app", { headers: { "Accept-Encoding": "br" } }));
    const script = /<script type="module"[^>]*>[\s\S]*?import\("(\/assets\/[^"]+\.js)"\)/.exec(
      page,
    )?.[1];
    const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    for (const asset of [script!, stylesheet!]) {
      const answer = await send(asset, { headers: { "Accept-Encoding": "br, gzip" } });
      expect(answer.status).toBe(200);
      expect(answer.headers["content-encoding"]).toBe("br");
      expect(answer.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(unpack(answer).length).toBeGreaterThan(answer.raw.length);
    }
  });

  it("packs the JSON API's list of orders", async () => {
    const created = await createApiToken(app.ctx.db, demoShopId, {
      name: "Compression check",
      createdBy: "Ava",
    });
    if (!created.ok) throw new Error("token not created");
    const answer = await send("/api/v1/orders", {
      headers: { "Accept-Encoding": "br, gzip", Authorization: `Bearer ${created.token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toContain("application/json");
    expect(answer.headers["content-encoding"]).toBe("br");
    const list = JSON.parse(unpack(answer)) as { orders: unknown[] };
    expect(list.orders.length).toBeGreaterThan(0);
  });

  it("answers the carts' and providers' doors uncompressed", async () => {
    const webhook = await send("/webhooks/shopify", {
      method: "POST",
      headers: {
        "Accept-Encoding": "br, gzip",
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "nobody.myshopify.com",
        "X-Shopify-Hmac-Sha256": "not-a-signature",
      },
      body: JSON.stringify({ id: 1 }),
    });
    expect(webhook.status).toBe(401);
    expect(webhook.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(webhook.raw.toString("utf8"))).toHaveProperty("error");

    const provider = await send("/api/providers/00000000-0000-0000-0000-000000000000/events", {
      method: "POST",
      headers: { "Accept-Encoding": "br, gzip", "Content-Type": "application/json" },
      body: JSON.stringify({ events: [] }),
    });
    expect(provider.status).toBeGreaterThanOrEqual(400);
    expect(provider.headers["content-encoding"]).toBeUndefined();
    expect(() => JSON.parse(provider.raw.toString("utf8"))).not.toThrow();
  });

  it("sends live updates uncompressed, each event as soon as it happens", async () => {
    const events: { name: string; at: number }[] = [];
    let request: http.ClientRequest | null = null;
    try {
      const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
        request = http.get(
          `${app.url}/app/live`,
          { headers: { Accept: "text/event-stream", "Accept-Encoding": "br, gzip" } },
          (res) => {
            let buffer = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              buffer += chunk;
              let end: number;
              while ((end = buffer.indexOf("\n\n")) >= 0) {
                const name = /^event: (.+)$/m.exec(buffer.slice(0, end))?.[1];
                if (name) events.push({ name, at: Date.now() });
                buffer = buffer.slice(end + 2);
              }
            });
            resolve(res.headers);
          },
        );
        request.on("error", reject);
      });
      expect(headers["content-type"]).toContain("text/event-stream");
      expect(headers["content-encoding"]).toBeUndefined();

      const arrived = async (name: string, since: number) => {
        const deadline = Date.now() + 2_000;
        while (Date.now() < deadline) {
          const hit = events.find((e) => e.name === name && e.at >= since);
          if (hit) return hit.at;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`no "${name}" event within 2 s`);
      };
      await arrived("ready", 0);
      const [order] = await app.ctx.db
        .select({ id: orders.id })
        .from(orders)
        .where(eq(orders.shopId, demoShopId))
        .limit(1);
      const changedAt = Date.now();
      await app.ctx.db.update(orders).set({ note: "changed" }).where(eq(orders.id, order!.id));
      expect((await arrived("change", changedAt)) - changedAt).toBeLessThan(2_000);
    } finally {
      // The page goes away: the server can close without waiting on the stream.
      (request as http.ClientRequest | null)?.destroy();
    }
  });
});
