// Runs the real app for a test file: the same config loader, boot sequence, Express edge and Remix
// routes as `npm start`, on a fresh database and an ephemeral port on 127.0.0.1. Tests talk to it
// over HTTP like a browser, a cart or a provider would.
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { inject } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import { createServer, type ViteDevServer } from "vite";
import { loadConfig } from "~/config.server";
import type { AppContext } from "~/context.server";
import { QUEUES, type QueueName } from "~/jobs/queues";
import type { ClaimRecovery } from "~/fulfillment/claims.server";
import { jobHandlers, startWorker } from "~/jobs/worker.server";
import { bootContext, closeContext } from "../../server/boot";
import { createWebApp } from "../../server/web";
import { openTestDatabase } from "./db";

export const TEST_SHOPIFY = {
  apiKey: "test-api-key",
  apiSecret: "test-api-secret",
  appUrl: "https://orderlane.test",
};

export interface TestApp {
  url: string;
  ctx: AppContext;
  /** The app's HTTP server, for a test that must know when requests have arrived. */
  server: http.Server;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Starts the worker in this process (most tests drive jobs explicitly instead). */
  startWorker(): Promise<void>;
  /** Stops every queue's worker, waiting for jobs in hand to finish. */
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

let vite: ViteDevServer | null = null;

export async function startTestApp(
  options: {
    env?: Record<string, string>;
    demo?: boolean;
    /** Serve the production build (browser tests) instead of compiling through Vite. */
    built?: boolean;
    /**
     * Vite's cache of pre-bundled dependencies (default: the project's). A test of what a first
     * visit does gives a fresh folder, so nothing is optimised yet, as on a fresh checkout.
     */
    viteCacheDir?: string;
  } = {},
): Promise<TestApp> {
  const config = loadConfig(
    {
      NODE_ENV: "test",
      SHOPIFY_API_KEY: TEST_SHOPIFY.apiKey,
      SHOPIFY_API_SECRET: TEST_SHOPIFY.apiSecret,
      SHOPIFY_APP_URL: TEST_SHOPIFY.appUrl,
      ...options.env,
    },
    { demo: options.demo },
  );
  const database = await openTestDatabase();
  const ctx = await bootContext(config, database);
  const server = http.createServer();
  let app;
  if (options.built) {
    const dir = inject("testBuildDir");
    const build = (await import(
      pathToFileURL(path.join(dir, "server/index.js")).href
    )) as ServerBuild;
    app = createWebApp({ ctx, build, clientDir: path.join(dir, "client") });
  } else {
    // Vite's live-reload socket rides on the app's own port, as in `npm run demo`.
    const devServer = await createServer({
      ...(options.viteCacheDir ? { cacheDir: options.viteCacheDir } : {}),
      server: { middlewareMode: true, hmr: { server } },
      appType: "custom",
      logLevel: "error",
    });
    vite = devServer;
    // The app has started when it can answer, as `npm start` loads its build before it listens:
    // the routes are compiled here rather than by the first request a test sends, where it counted
    // against that test's timeout and against a provider's 10 s wait for its callback to answer.
    await devServer.ssrLoadModule("virtual:remix/server-build");
    app = createWebApp({
      ctx,
      vite: devServer,
      build: () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
    });
  }
  server.on("request", app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let recovery: ClaimRecovery | null = null;
  return {
    url,
    ctx,
    server,
    fetch: (path, init) => fetch(`${url}${path}`, { redirect: "manual", ...init }),
    async startWorker() {
      recovery = await startWorker(ctx);
    },
    async stopWorker() {
      for (const name of Object.keys(QUEUES) as QueueName[]) await ctx.jobs.stopWorking(name);
      await recovery?.stop();
      recovery = null;
    },
    async close() {
      await recovery?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeContext(ctx);
    },
  };
}

export async function closeVite(): Promise<void> {
  await vite?.close();
  vite = null;
}

/** A webhook as Shopify sends it: JSON body, HMAC-SHA256 (base64) of the raw body, its headers. */
export function shopifyWebhook(
  topic: string,
  shopDomain: string,
  payload: unknown,
  options: { secret?: string; webhookId?: string; rawBody?: string } = {},
): RequestInit & { headers: Record<string, string> } {
  const body = options.rawBody ?? JSON.stringify(payload);
  const hmac = createHmac("sha256", options.secret ?? TEST_SHOPIFY.apiSecret)
    .update(body, "utf8")
    .digest("base64");
  return {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Shop-Domain": shopDomain,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": randomUUID(),
    },
  };
}

/** Runs every queued job of a queue to completion, so a test can assert what the worker did. */
export async function drainQueue(ctx: AppContext, queue: "process-webhook"): Promise<number> {
  const handlers = jobHandlers(ctx);
  const handler = handlers[queue];
  if (!handler) throw new Error(`no handler for ${queue}`);
  let ran = 0;
  for (;;) {
    const jobs = await ctx.jobs.fetch(queue, { batchSize: 10 });
    if (jobs.length === 0) return ran;
    // As the worker does: the whole batch to the batch handler when the queue has one.
    if (handler.batch) {
      const errors = await handler.batch(
        jobs.map((job) => ({
          data: job.data,
          id: job.id,
          retryCount: job.retryCount,
          lastAttempt: false,
        })),
      );
      for (const [i, job] of jobs.entries()) {
        const error = errors[i];
        if (error) await ctx.jobs.fail(queue, job.id, error.message);
        else await ctx.jobs.complete(queue, job.id);
      }
      ran += jobs.length;
      continue;
    }
    for (const job of jobs) {
      try {
        await handler(job.data, { id: job.id, retryCount: job.retryCount, lastAttempt: false });
        await ctx.jobs.complete(queue, job.id);
      } catch (err) {
        await ctx.jobs.fail(queue, job.id, String(err));
      }
      ran++;
    }
  }
}

/** A session token as App Bridge adds it to the page's fetch: an HS256 JWT signed with the app's secret. */
export function shopifySessionToken(shopDomain: string, secret = TEST_SHOPIFY.apiSecret): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    iss: `https://${shopDomain}/admin`,
    dest: `https://${shopDomain}`,
    aud: TEST_SHOPIFY.apiKey,
    sub: "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
