// The edge's rate limits as clients meet them: sign-in and the WooCommerce connect form per client
// address, the JSON API per token (and per address for wrong tokens), the carts' and providers'
// doors never. Requests come from different loopback addresses (127.0.0.x), as different clients
// would, without trusting any proxy header.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "~/db/client.server";
import { createApiToken } from "~/shops/api-tokens.server";
import { createWebApp } from "../server/web";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { testDatabaseKind } from "./support/db";
import { createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let tokens: string[];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  app = await startTestApp();
  const shop = await createShop(app.ctx.db);
  tokens = [];
  for (const name of ["burst", "other", "shared"]) {
    const created = await createApiToken(app.ctx.db, shop.id, { name, createdBy: "test" });
    if (!created.ok) throw new Error("token not created");
    tokens.push(created.token);
  }
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await app?.close();
  await closeVite();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request from `from` (a loopback address of this machine) to the app at `base`. */
function request(
  base: string,
  from: string,
  pathname: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: pathname,
        method: init.method ?? "POST",
        localAddress: from,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          ...init.headers,
        },
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(init.body ?? "");
  });
}

const signIn = (from: string, pathname = "/auth/login", base = app.url) =>
  request(base, from, pathname, { body: "shop=rate-limit-test" });

function retryAfter(answer: Answer): number {
  const value = Number(answer.headers["retry-after"]);
  expect(Number.isInteger(value)).toBe(true);
  return value;
}

describe("sign-in and the WooCommerce connect form", () => {
  it("refuses the 11th sign-in in a minute from one address with 429 and Retry-After; another address goes on", async () => {
    for (let i = 0; i < 10; i++) {
      const answer = await signIn("127.0.0.2");
      expect(answer.status).toBe(302);
    }
    const refused = await signIn("127.0.0.2");
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(refused)).toBeLessThanOrEqual(60);
    expect(refused.body).toMatch(
      /^Too many sign-in attempts from your address: at most 10 a minute/,
    );
    expect(refused.body).toContain(`Try again in ${retryAfter(refused)} seconds`);

    expect((await signIn("127.0.0.3")).status).toBe(302);
  });

  it("counts the sign-in door however its address is spelled", async () => {
    // Every spelling below reaches the sign-in action (Remix routes it there, and it answers with
    // its redirect to Shopify, 202 for a script's submission): each one counts.
    const spellings = [
      "/AUTH/LOGIN",
      "/auth/login/",
      "/auth/%6Cogin",
      "/auth/%4C%4F%47%49%4E",
      "/auth/./login",
      "/app/../auth/login",
      "/auth/%2e/login",
      "/auth/login?index",
      "/auth/login.data",
      "/auth/login/.data",
    ];
    for (const spelling of spellings) {
      expect([302, 202]).toContain((await signIn("127.0.0.4", spelling)).status);
    }
    expect((await signIn("127.0.0.4")).status).toBe(429);
  });

  it("answers the page's own (script) submission in words the form shows", async () => {
    for (let i = 0; i < 10; i++) await signIn("127.0.0.5", "/auth/login.data");
    const refused = await signIn("127.0.0.5", "/auth/login.data");
    expect(refused.status).toBe(429);
    expect(refused.headers["x-remix-response"]).toBe("yes");
    // Decoded as the browser decodes an action's answer: the form shows `error` under its field.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(refused.body));
        controller.close();
      },
    });
    const decoded = await decode(stream);
    expect(decoded.value).toEqual({
      data: { error: expect.stringMatching(/^Too many sign-in attempts from your address/) },
    });
    retryAfter(refused);
  });

  it("refuses the 11th WooCommerce connect form in a minute from one address", async () => {
    const connect = (from: string) =>
      request(app.url, from, "/connect/woocommerce?index", { body: "intent=setup" });
    for (let i = 0; i < 10; i++) expect((await connect("127.0.0.6")).status).not.toBe(429);
    const refused = await connect("127.0.0.6");
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/^Too many attempts to connect a store from your address/);
    retryAfter(refused);
    // Reading the page is not limited.
    const page = await request(app.url, "127.0.0.6", "/connect/woocommerce", { method: "GET" });
    expect(page.status).toBe(200);
  });
});

describe("the JSON API", () => {
  const api = (token: string, from = "127.0.0.1", base = app.url) =>
    request(base, from, `/api/v1/orders/${randomUUID()}`, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}` },
    });

  it("refuses the 101st request of a burst with one token with 429 and Retry-After; another token goes on", async () => {
    const answers = await Promise.all(Array.from({ length: 101 }, () => api(tokens[0]!)));
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 404)).toHaveLength(100);
    expect(refused).toHaveLength(1);
    const seconds = retryAfter(refused[0]!);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(5);
    expect(JSON.parse(refused[0]!.body)).toEqual({
      error: {
        code: "rate_limited",
        message: expect.stringMatching(
          /^Too many requests with this API token: at most 1200 a minute and 100 within 5 seconds/,
        ),
      },
    });
    expect((await api(tokens[1]!)).status).toBe(404);
  });

  it("refuses an address after 10 wrong tokens in a minute; another address goes on", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await api(`ol_wrong${i}`, "127.0.0.7")).status).toBe(401);
    }
    const refused = await api("ol_wrong-again", "127.0.0.7");
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error.message).toMatch(/missing or wrong API token/);
    retryAfter(refused);
    expect((await api("ol_wrong", "127.0.0.8")).status).toBe(401);
  });
});

describe("the carts' webhook doors and provider events", () => {
  it("are never limited per address: they are signed, and the webhook door sheds load itself", async () => {
    // From an address over its sign-in limit, far more than any limit above.
    for (let i = 0; i < 10; i++) await signIn("127.0.0.12");
    expect((await signIn("127.0.0.12")).status).toBe(429);
    const doors = ["/webhooks/shopify", `/webhooks/woocommerce/${randomUUID()}`];
    doors.push(`/api/providers/${randomUUID()}/events`);
    for (const door of doors) {
      const answers: Answer[] = [];
      for (let batch = 0; batch < 6; batch++) {
        answers.push(
          ...(await Promise.all(
            Array.from({ length: 25 }, () =>
              request(app.url, "127.0.0.12", door, {
                headers: { "Content-Type": "application/json" },
                body: "{}",
              }),
            ),
          )),
        );
      }
      expect(answers).toHaveLength(150);
      expect(answers.filter((a) => a.status === 429)).toEqual([]);
    }
  });
});

/** Another web app on the same database: its own pool, its own limiters, the built Remix app. */
async function secondWebApp(): Promise<string> {
  const database: Database = await openDatabase({
    kind: "postgres",
    url: app.ctx.database.url!,
    poolSize: 3,
  });
  const ctx = { ...app.ctx, database, db: database.db };
  const dir = inject("testBuildDir");
  const build = (await import(
    pathToFileURL(path.join(dir, "server/index.js")).href
  )) as ServerBuild;
  const server = http.createServer(
    createWebApp({ ctx, build, clientDir: path.join(dir, "client") }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.skipIf(testDatabaseKind !== "postgres")("two web apps on one PostgreSQL database", () => {
  it("share the counts: sign-ins and API requests spread over both are limited as by one", async () => {
    const other = await secondWebApp();
    for (let i = 0; i < 10; i++) {
      expect((await signIn("127.0.0.9", "/auth/login", i % 2 ? other : app.url)).status).toBe(302);
    }
    expect((await signIn("127.0.0.9", "/auth/login", other)).status).toBe(429);
    expect((await signIn("127.0.0.9", "/auth/login", app.url)).status).toBe(429);

    const token = tokens[2]!;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api(token, "127.0.0.1", i % 2 ? other : app.url)),
    );
    expect(answers.filter((a) => a.status === 429)).toEqual([]);
    expect((await api(token, "127.0.0.1", app.url)).status).toBe(429);
  });

  const api = (token: string, from: string, base: string) =>
    request(base, from, `/api/v1/orders/${randomUUID()}`, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}` },
    });
});
