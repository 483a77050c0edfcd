// The one entry point for every process role:
//   npm run demo    web + worker + sandbox provider + demo shop, on the embedded database
//   npm start       web + worker (production build)
//   npm run worker  worker only
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, loadConfig, type AppConfig, type Role } from "~/config.server";
import type { AppContext } from "~/context.server";
import { DatabaseLockedError } from "~/db/client.server";
import { startDemoCarts } from "~/demo/cart-shops.server";
import { seedDemoShop } from "~/demo/seed.server";
import { startDemoFeeds } from "~/demo/dropship-demo.server";
import { startSandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";
import { startWorker } from "~/jobs/worker.server";
import { rescheduleCountdowns } from "~/orders/countdown.server";
import { bootContext, closeContext } from "./boot";
import { createWebApp } from "./web";

function parseArgs(argv: string[]): { demo: boolean; dev: boolean; role: Role } {
  const roleArg = argv.find((a) => a.startsWith("--role="))?.slice("--role=".length) ?? "all";
  if (roleArg !== "all" && roleArg !== "web" && roleArg !== "worker") {
    throw new ConfigError("--role", `must be all, web or worker (got ${roleArg})`);
  }
  return { demo: argv.includes("--demo"), dev: argv.includes("--dev"), role: roleArg };
}

/** What a shutdown has to stop: closers run last-started first, then the context closes. */
interface Running {
  closers: (() => Promise<void>)[];
  ctx: AppContext | null;
}

async function main(): Promise<void> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig(process.env, { demo: args.demo, role: args.role });
  announceKeyFile(config);
  const running: Running = { closers: [], ctx: null };
  const onSignal = stopOnSignals(running);

  const ctx = await openContext(config);
  running.ctx = ctx;
  const sandboxUrl = await startSandbox(ctx, config, running.closers);
  if (config.role !== "web") await startWorkerRole(ctx, running.closers);
  if (config.role !== "worker") {
    const { shown, port } = await startWeb(ctx, config, running.closers, onSignal);
    await startDemoShops(ctx, config, running.closers, { sandboxUrl, shown, port });
    console.log(
      `[orderlane] ${config.mode} app at http://${shown}:${port} (ready in ${Date.now() - started} ms)`,
    );
  }
}

/** A key generated for the data folder lives beside the data; whoever moves the data moves it too. */
function announceKeyFile(config: AppConfig): void {
  const file = config.encryptionKeyFile;
  if (!file?.created) return;
  console.log(
    `[orderlane] made an encryption key for this data folder in ${file.path}: keep it with the data (ENCRYPTION_KEY overrides it)`,
  );
  if (file.replacedFormerKey) {
    console.log(
      "[orderlane] credentials stored before now were sealed with the former built-in key, which is no longer used: enter them again (the demo seals its own again at every start)",
    );
  }
}

/** On SIGINT or SIGTERM, stops what runs; answers its handler, which the dev server must keep. */
function stopOnSignals(running: Running): (signal: NodeJS.Signals) => void {
  const shutdown = async (signal: string) => {
    console.log(`[orderlane] ${signal}: stopping`);
    for (const close of running.closers.reverse()) await close().catch((e) => console.error(e));
    if (running.ctx) await closeContext(running.ctx).catch((e) => console.error(e));
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return onSignal;
}

async function openContext(config: AppConfig): Promise<AppContext> {
  const ctx = await bootContext(config, undefined, {
    presence: {
      // Another worker may take this one's claims from now on: stop at once, before any call of
      // ours could overlap its resend. The process manager starts a fresh worker. (A web process
      // claims nothing, so it carries on.)
      onLost: config.role === "web" ? undefined : () => process.exit(1),
    },
  });
  const where =
    config.database.kind === "postgres" ? "PostgreSQL" : `PGlite in ${config.database.dataDir}`;
  console.log(`[orderlane] database ready (${where})`);
  return ctx;
}

/** The sandbox provider when configured, with the demo shop seeded to use it; its URL. */
async function startSandbox(
  ctx: AppContext,
  config: AppConfig,
  closers: Running["closers"],
): Promise<string | null> {
  if (!config.sandbox) return null;
  const sandbox = await startSandboxProvider({
    host: "127.0.0.1",
    port: config.sandbox.port,
    secret: config.sandbox.secret,
    shipDelayMs: config.sandbox.shipDelayMs,
  }).catch((err: unknown) => {
    throw portTaken(err, "SANDBOX_PORT", config.sandbox?.port);
  });
  closers.push(sandbox.close);
  console.log(`[orderlane] sandbox provider listening at ${sandbox.url}`);
  if (config.mode === "demo") {
    const seeded = await seedDemoShop(ctx.db, {
      sandboxUrl: sandbox.url,
      sandboxSecret: config.sandbox.secret,
      encryptionKey: config.encryptionKey,
    });
    console.log(`[orderlane] demo shop ready (${seeded.ordersCreated} orders created)`);
  }
  return sandbox.url;
}

async function startWorkerRole(ctx: AppContext, closers: Running["closers"]): Promise<void> {
  const worker = await startWorker(ctx);
  closers.push(() => worker.stop());
  const countdowns = await rescheduleCountdowns(ctx);
  console.log(`[orderlane] worker started (${countdowns} countdowns running)`);
}

/** Serves the app; the host as shown to people, and the port it got. */
async function startWeb(
  ctx: AppContext,
  config: AppConfig,
  closers: Running["closers"],
  onSignal: (signal: NodeJS.Signals) => void,
): Promise<{ shown: string; port: number }> {
  const server = http.createServer();
  const app =
    config.mode === "production"
      ? await productionApp(ctx)
      : await developmentApp(ctx, server, closers, onSignal);
  server.on("request", app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(portTaken(err, "PORT", config.port)));
    server.listen(config.port, config.host, () => resolve());
  });
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 5 s are cut rather than holding the shutdown open.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  );
  const shown = config.host === "127.0.0.1" ? "localhost" : config.host;
  const { port } = server.address() as AddressInfo;
  // With PORT=0 the port is known only now; providers need it to reach us and our files.
  if (config.publicUrl.endsWith(":0")) config.publicUrl = `http://localhost:${port}`;
  return { shown, port };
}

async function productionApp(ctx: AppContext) {
  const buildDir = path.resolve(process.env.REMIX_BUILD_DIR ?? "build");
  const serverBuild = path.join(buildDir, "server/index.js");
  if (!fs.existsSync(serverBuild)) {
    throw new ConfigError(
      "NODE_ENV",
      `production needs a build: run \`npm run build\` (no ${serverBuild})`,
    );
  }
  const build = (await import(pathToFileURL(serverBuild).href)) as ServerBuild;
  return createWebApp({ ctx, build, clientDir: path.join(buildDir, "client") });
}

async function developmentApp(
  ctx: AppContext,
  server: http.Server,
  closers: Running["closers"],
  onSignal: (signal: NodeJS.Signals) => void,
) {
  const { createServer } = await import("vite");
  // Live reload shares the app's port, so the browser needs nothing else open.
  const vite = await createServer({
    server: { middlewareMode: true, hmr: { server } },
    appType: "custom",
  });
  closers.push(() => vite.close());
  // Remix's Vite plugin starts a second Vite server that exits the process on SIGTERM, cutting
  // our shutdown short (jobs half-stopped, database not closed). This process owns its exit.
  for (const listener of process.listeners("SIGTERM")) {
    if (listener !== onSignal) process.off("SIGTERM", listener);
  }
  return createWebApp({
    ctx,
    vite,
    build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
  });
}

/** In a demo, its Shopify and WooCommerce shops and the simulator that plays their carts. */
async function startDemoShops(
  ctx: AppContext,
  config: AppConfig,
  closers: Running["closers"],
  app: { sandboxUrl: string | null; shown: string; port: number },
): Promise<void> {
  if (config.mode !== "demo" || !config.sandbox || !config.demo) return;
  const { shown, port } = app;
  // After listening: the simulator hands out image URLs on the app's final port.
  const carts = await startDemoCarts(ctx, {
    sandboxUrl: app.sandboxUrl ?? "",
    sandboxSecret: config.sandbox.secret,
  }).catch((err: unknown) => {
    throw portTaken(err, "DEMO_CART_PORT", config.demo?.cartPort);
  });
  closers.push(carts.simulator.close);
  console.log(`[orderlane] cart simulator listening at ${carts.simulator.url}`);
  const feeds = await startDemoFeeds(ctx).catch((err: unknown) => {
    throw portTaken(err, "DEMO_FEED_FTP_PORT or DEMO_FEED_SFTP_PORT", config.demo?.feedFtpPort);
  });
  if (feeds) {
    closers.push(feeds.close);
    console.log(
      `[orderlane] demo distributor feeds at ftp://127.0.0.1:${feeds.ftp.port} and sftp://127.0.0.1:${feeds.sftp.port}`,
    );
  }
  console.log(
    `[orderlane] demo Shopify shop ${carts.shopify.domain} ready (${carts.shopify.ordersCreated} orders created); ` +
      `deliveries to http://${shown}:${port}/webhooks/shopify signed with SHOPIFY_API_SECRET=${config.shopify?.apiSecret}` +
      (config.demo.shopifySecretMadeUp ? " (made up for this run)" : ""),
  );
  console.log(
    `[orderlane] demo WooCommerce shop ${carts.woo.domain} ready (${carts.woo.ordersCreated} orders created); ` +
      `deliveries to http://${shown}:${port}/webhooks/woocommerce/${carts.woo.shopId} signed with ${config.demo.wooWebhookSecret}`,
  );
}

function portTaken(err: unknown, variable: string, port: number | undefined): unknown {
  return (err as NodeJS.ErrnoException)?.code === "EADDRINUSE"
    ? new ConfigError(variable, `port ${port} is already in use`)
    : err;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DatabaseLockedError) {
    console.error(`[orderlane] cannot start: ${err.message}`);
  } else {
    console.error("[orderlane] cannot start:", err);
  }
  process.exit(1);
});
