// Every setting the app reads from the environment, parsed once at start. A bad value stops the
// process with one line naming the variable (ConfigError), rather than failing later mid-request.
import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

export type Role = "all" | "web" | "worker";

export interface AppConfig {
  mode: "production" | "development" | "demo" | "test";
  role: Role;
  host: string;
  port: number;
  database:
    { kind: "postgres"; url: string; poolSize: number } | { kind: "pglite"; dataDir: string };
  shopify: {
    apiKey: string;
    apiSecret: string;
    appUrl: string;
    scopes: string[];
  } | null;
  /**
   * 32-byte key that encrypts cart and provider credentials at rest and signs the WooCommerce
   * sign-in cookie: ENCRYPTION_KEY, or one generated for the data folder (KEY_FILE_NAME).
   */
  encryptionKey: Buffer;
  /** Where the key came from when ENCRYPTION_KEY was unset; null when it was set. */
  encryptionKeyFile: EncryptionKeyFile | null;
  sandbox: { port: number; shipDelayMs: number; secret: string } | null;
  /** Largest request body the app reads, in bytes. */
  maxBodyBytes: number;
  /**
   * Outbound calls to addresses a user chose (provider endpoints, WooCommerce stores) may reach
   * private and loopback addresses (security/outbound.server.ts): by default outside production
   * only; ALLOW_PRIVATE_OUTBOUND=1 allows them in production, 0 refuses them everywhere.
   */
  allowPrivateOutbound: boolean;
  /**
   * Express's `trust proxy` (TRUST_PROXY): false believes no X-Forwarded-* header; a number trusts
   * that many proxies in front of the app; a list trusts proxies at those addresses and subnets.
   */
  trustProxy: false | number | string[];
  /** Requests allowed at the edge (server/rate-limits.ts); 0 turns a limit off. */
  rateLimits: RateLimits;
  /**
   * Where providers reach this app (event callbacks) and fetch design files. Set once the HTTP
   * server knows its port when it was derived from PORT=0.
   */
  publicUrl: string;
  /** Demo only: a Bearer token the JSON API accepts for the demo's shops (DEMO_API_TOKEN). */
  demoApiToken: string | null;
  /** Demo mode only: the extra cart shops and the simulator that answers their API calls. */
  demo: DemoConfig | null;
}

export interface RateLimits {
  /** Sign-in and WooCommerce connect posts, and wrong API tokens, per client address a minute. */
  signInPerMinute: number;
  /** JSON API requests per token a minute. */
  apiPerMinute: number;
  /** JSON API requests per token at once: within the time the minute's rate takes to allow as many. */
  apiBurst: number;
}

export interface DemoConfig {
  /** The Shopify-platform demo shop (DEMO_SHOPIFY_SHOP). */
  shopifyShop: string;
  /** Where the cart simulator listens (DEMO_CART_PORT; 0 = any free port). */
  cartPort: number;
  /** Where the demo distributors' FTP and SFTP feed servers listen (0 = any free port). */
  feedFtpPort: number;
  feedSftpPort: number;
  /**
   * The feed servers this process started ("ftp://127.0.0.1:2121"), filled in once they listen:
   * the only private addresses a feed may be fetched from without ALLOW_PRIVATE_OUTBOUND.
   */
  feedAddresses: string[];
  /** SHOPIFY_API_SECRET was unset, so the demo made one up; it is printed at start. */
  shopifySecretMadeUp: boolean;
  /** Signs WooCommerce deliveries to the demo WooCommerce shop; stable for one ENCRYPTION_KEY. */
  wooWebhookSecret: string;
}

export interface EncryptionKeyFile {
  path: string;
  /** Made by this start (the folder had none). */
  created: boolean;
  /**
   * Made for a folder that already held a database: what was stored there was sealed with the key
   * every install shared before, which this one does not open.
   */
  replacedFormerKey: boolean;
}

/** The file in DATA_DIR that keeps the folder's generated key when ENCRYPTION_KEY is unset. */
export const KEY_FILE_NAME = "orderlane-encryption.key";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** The demo's Shopify shop unless DEMO_SHOPIFY_SHOP names another. */
export const DEFAULT_DEMO_SHOPIFY_SHOP = "demo-store.myshopify.com";

const DEMO_SANDBOX_SECRET = "orderlane-sandbox-demo-secret";

const port = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: "custom", message: `${name} must be a port number (0-65535)` });
        return z.NEVER;
      }
      return n;
    });

export type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function parseOrThrow<T>(schema: z.ZodType<T>, name: string, value: string | undefined): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(name, result.error.issues[0]?.message ?? "invalid value");
  }
  return result.data;
}

export function loadConfig(
  env: Env,
  flags: { demo?: boolean; role?: Role; cwd?: string; needsShopify?: boolean } = {},
): AppConfig {
  const mode = modeOf(env, flags.demo);
  const cwd = flags.cwd ?? process.cwd();
  const database = databaseConfig(env, cwd);
  const port_ = parseOrThrow(port("PORT", 3000), "PORT", read(env, "PORT"));
  const { shopify, shopifySecretMadeUp } = shopifyConfig(env, mode, port_, flags.needsShopify);
  const { key: encryptionKey, file: encryptionKeyFile } = encryptionKeyOf(env, mode, database, cwd);
  const role: Role = flags.role ?? "all";
  const sandboxEnabled = mode === "demo" || read(env, "SANDBOX_PROVIDER") === "1";
  const maxBodyKb = parseOrThrow(
    z.coerce.number().int().positive({ message: "must be a positive whole number of KiB" }),
    "MAX_BODY_KB",
    read(env, "MAX_BODY_KB") ?? "1024",
  );
  const shipDelaySeconds = parseOrThrow(
    z.coerce.number().nonnegative({ message: "must be a number of seconds" }),
    "SANDBOX_SHIP_DELAY_SECONDS",
    read(env, "SANDBOX_SHIP_DELAY_SECONDS") ?? "45",
  );
  const demo = mode === "demo" ? demoConfig(env, encryptionKey, shopifySecretMadeUp) : null;
  const allowPrivateOutbound = parseOrThrow(
    z.enum(["0", "1"], { message: "must be 1 (allow private addresses) or 0 (refuse them)" }),
    "ALLOW_PRIVATE_OUTBOUND",
    read(env, "ALLOW_PRIVATE_OUTBOUND") ?? (mode === "production" ? "0" : "1"),
  );

  return {
    mode,
    role,
    // Listens on loopback unless told otherwise: a demo must never be reachable from the network.
    host: mode === "demo" ? "127.0.0.1" : (read(env, "HOST") ?? "127.0.0.1"),
    port: port_,
    database,
    shopify,
    encryptionKey,
    encryptionKeyFile,
    sandbox: sandboxEnabled ? sandboxConfig(env, mode, shipDelaySeconds) : null,
    maxBodyBytes: maxBodyKb * 1024,
    allowPrivateOutbound: allowPrivateOutbound === "1",
    trustProxy: trustProxyOf(env),
    rateLimits: rateLimitsOf(env),
    publicUrl: publicUrl(env, mode === "demo" ? undefined : shopify?.appUrl, port_),
    demo,
    // A shared token is a convenience for trying the API on the demo, never a way into real shops.
    demoApiToken: mode === "demo" ? (read(env, "DEMO_API_TOKEN") ?? null) : null,
  };
}

function modeOf(env: Env, demoFlag: boolean | undefined): AppConfig["mode"] {
  const nodeEnv = read(env, "NODE_ENV") ?? "development";
  const demo = demoFlag ?? read(env, "ORDERLANE_DEMO") === "1";
  if (demo && nodeEnv === "production") {
    throw new ConfigError(
      "NODE_ENV",
      "demo mode is refused when NODE_ENV=production (it serves a shop without sign-in)",
    );
  }
  return demo
    ? "demo"
    : nodeEnv === "production"
      ? "production"
      : nodeEnv === "test"
        ? "test"
        : "development";
}

function databaseConfig(env: Env, cwd: string): AppConfig["database"] {
  const databaseUrl = read(env, "DATABASE_URL");
  if (!databaseUrl) {
    return { kind: "pglite", dataDir: path.resolve(cwd, read(env, "DATA_DIR") ?? "data") };
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError("DATABASE_URL", "is not a URL (expected postgres://user@host:5432/db)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(
      "DATABASE_URL",
      `must start with postgres:// or postgresql:// (got ${url.protocol}//)`,
    );
  }
  if (!url.hostname && !url.searchParams.get("host")) {
    throw new ConfigError("DATABASE_URL", "has no host");
  }
  const poolSize = parseOrThrow(
    z.coerce.number().int().min(1).max(200, { message: "must be between 1 and 200" }),
    "DATABASE_POOL_SIZE",
    read(env, "DATABASE_POOL_SIZE") ?? "10",
  );
  return { kind: "postgres", url: databaseUrl, poolSize };
}

const DEFAULT_SCOPES =
  "read_orders,write_orders,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_products,write_inventory,read_locations";

function shopifyConfig(
  env: Env,
  mode: AppConfig["mode"],
  listenPort: number,
  needsShopify: boolean | undefined,
): { shopify: AppConfig["shopify"]; shopifySecretMadeUp: boolean } {
  let apiKey = read(env, "SHOPIFY_API_KEY");
  let apiSecret = read(env, "SHOPIFY_API_SECRET");
  let appUrl = read(env, "SHOPIFY_APP_URL");
  const shopifySecretMadeUp = mode === "demo" && !apiSecret;
  if (mode === "demo") {
    // The demo's Shopify shop receives signed deliveries at the real webhook route, which needs a
    // Shopify app; with no real one configured, a made-up key and a fresh secret stand in.
    apiKey ??= "orderlane-demo";
    apiSecret ??= randomBytes(24).toString("hex");
    appUrl ??= `http://localhost:${listenPort}`;
  }
  if ((mode === "production" || mode === "development") && needsShopify !== false) {
    if (!apiKey) throw new ConfigError("SHOPIFY_API_KEY", "is required (the app's client id)");
    if (!apiSecret) {
      throw new ConfigError("SHOPIFY_API_SECRET", "is required (the app's client secret)");
    }
  }
  if (!apiKey || !apiSecret) return { shopify: null, shopifySecretMadeUp };
  if (!appUrl) {
    throw new ConfigError("SHOPIFY_APP_URL", "is required with SHOPIFY_API_KEY (the app's URL)");
  }
  parseOrThrow(z.url({ message: "must be an absolute URL" }), "SHOPIFY_APP_URL", appUrl);
  const scopes = (read(env, "SCOPES") ?? DEFAULT_SCOPES)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    shopify: { apiKey, apiSecret, appUrl: appUrl.replace(/\/$/, ""), scopes },
    shopifySecretMadeUp,
  };
}

let testRunKey: Buffer | null = null;

/** Never a key from the source: docs/decisions/0026-no-public-secrets-no-trusted-headers-by-default.md */
function encryptionKeyOf(
  env: Env,
  mode: AppConfig["mode"],
  database: AppConfig["database"],
  cwd: string,
): { key: Buffer; file: EncryptionKeyFile | null } {
  const keyText = read(env, "ENCRYPTION_KEY");
  if (keyText) return { key: parseKey(keyText), file: null };
  if (mode === "production") {
    throw new ConfigError("ENCRYPTION_KEY", "is required in production (openssl rand -hex 32)");
  }
  // The test runner: one key per process, never written anywhere, the same for every app it
  // starts (a test seals with one app's context and opens with another's).
  if (read(env, "NODE_ENV") === "test") {
    testRunKey ??= randomBytes(32);
    return { key: testRunKey, file: null };
  }
  // Processes on one PostgreSQL database may run on different machines: they can only share the
  // key through their environment. The demo is one process on one machine, so a file serves it.
  if (database.kind === "postgres" && mode !== "demo") {
    throw new ConfigError(
      "ENCRYPTION_KEY",
      "is required with DATABASE_URL outside the demo: every process on the database must seal with the same key (openssl rand -hex 32)",
    );
  }
  const dataDir =
    database.kind === "pglite"
      ? database.dataDir
      : path.resolve(cwd, read(env, "DATA_DIR") ?? "data");
  return folderKey(dataDir);
}

function parseKey(keyText: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(keyText)
    ? Buffer.from(keyText, "hex")
    : Buffer.from(keyText, "base64");
  if (key.length !== 32) {
    throw new ConfigError(
      "ENCRYPTION_KEY",
      "must be 32 bytes, as 64 hex characters or base64 (openssl rand -hex 32)",
    );
  }
  return key;
}

/**
 * The data folder's own key: read from KEY_FILE_NAME, or made on the folder's first start. It is
 * created whole under a temporary name and linked into place, so two processes starting at once
 * never read half a key and both end up with the one that was linked first.
 */
function folderKey(dataDir: string): { key: Buffer; file: EncryptionKeyFile } {
  const file = path.join(dataDir, KEY_FILE_NAME);
  const existing = readKeyFile(file);
  if (existing) {
    return { key: existing, file: { path: file, created: false, replacedFormerKey: false } };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const hadDatabase = fs.existsSync(path.join(dataDir, "PG_VERSION"));
  const key = randomBytes(32);
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, `${key.toString("hex")}\n`, { mode: 0o600 });
  let linked = true;
  try {
    fs.linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    linked = false;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  if (!linked) {
    // Another process made the folder's key first: use theirs.
    const theirs = readKeyFile(file);
    if (!theirs) {
      throw new ConfigError("ENCRYPTION_KEY", `${file} vanished while it was being made`);
    }
    return { key: theirs, file: { path: file, created: false, replacedFormerKey: false } };
  }
  return { key, file: { path: file, created: true, replacedFormerKey: hadDatabase } };
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ConfigError(
      "ENCRYPTION_KEY",
      `is unset and the data folder's key ${file} cannot be read (${(err as Error).message})`,
    );
  }
  // Never replaced by a new key: whatever the folder holds was sealed with this one.
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new ConfigError(
      "ENCRYPTION_KEY",
      `is unset and the data folder's key ${file} is damaged (expected 64 hex characters): restore it, or set ENCRYPTION_KEY to the key the data was sealed with`,
    );
  }
  return Buffer.from(text, "hex");
}

function sandboxConfig(
  env: Env,
  mode: AppConfig["mode"],
  shipDelaySeconds: number,
): NonNullable<AppConfig["sandbox"]> {
  const secret = read(env, "SANDBOX_SECRET");
  // The demo's secret is in the source: in production it would let anyone sign sandbox events
  // (shipments, rejections) that the app believes.
  if (mode === "production" && (!secret || secret === DEMO_SANDBOX_SECRET)) {
    throw new ConfigError(
      "SANDBOX_SECRET",
      "is required with SANDBOX_PROVIDER=1 in production, and must not be the demo's (openssl rand -hex 32)",
    );
  }
  return {
    port: parseOrThrow(port("SANDBOX_PORT", 3001), "SANDBOX_PORT", read(env, "SANDBOX_PORT")),
    shipDelayMs: shipDelaySeconds * 1000,
    secret: secret ?? DEMO_SANDBOX_SECRET,
  };
}

function demoConfig(env: Env, encryptionKey: Buffer, shopifySecretMadeUp: boolean): DemoConfig {
  const shopifyShop = (read(env, "DEMO_SHOPIFY_SHOP") ?? DEFAULT_DEMO_SHOPIFY_SHOP).toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shopifyShop)) {
    throw new ConfigError(
      "DEMO_SHOPIFY_SHOP",
      `must be a shop domain like demo-store.myshopify.com (got ${shopifyShop})`,
    );
  }
  return {
    shopifyShop,
    cartPort: parseOrThrow(
      port("DEMO_CART_PORT", 3002),
      "DEMO_CART_PORT",
      read(env, "DEMO_CART_PORT"),
    ),
    feedFtpPort: parseOrThrow(
      port("DEMO_FEED_FTP_PORT", 2121),
      "DEMO_FEED_FTP_PORT",
      read(env, "DEMO_FEED_FTP_PORT"),
    ),
    feedSftpPort: parseOrThrow(
      port("DEMO_FEED_SFTP_PORT", 2222),
      "DEMO_FEED_SFTP_PORT",
      read(env, "DEMO_FEED_SFTP_PORT"),
    ),
    feedAddresses: [],
    shopifySecretMadeUp,
    wooWebhookSecret: createHmac("sha256", encryptionKey)
      .update("orderlane demo WooCommerce webhook secret")
      .digest("base64url"),
  };
}

function rateLimitsOf(env: Env): RateLimits {
  const count = (name: string, fallback: number): number => {
    const value = read(env, name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new ConfigError(name, "must be a whole number of requests (0 turns the limit off)");
    }
    return Number(value);
  };
  const signInPerMinute = count("RATE_LIMIT_SIGN_IN_PER_MIN", 10);
  const apiPerMinute = count("RATE_LIMIT_API_PER_MIN", 1200);
  const apiBurst = count("RATE_LIMIT_API_BURST", Math.min(100, apiPerMinute));
  if (apiPerMinute > 0 && (apiBurst < 1 || apiBurst > apiPerMinute)) {
    throw new ConfigError(
      "RATE_LIMIT_API_BURST",
      `must be between 1 and RATE_LIMIT_API_PER_MIN (${apiPerMinute})`,
    );
  }
  return { signInPerMinute, apiPerMinute, apiBurst };
}

/** The names Express gives to whole address ranges. */
const TRUST_PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

function trustProxyOf(env: Env): AppConfig["trustProxy"] {
  const value = read(env, "TRUST_PROXY");
  if (value === undefined || /^(0|false|off|no)$/i.test(value)) return false;
  if (/^(true|on|yes|all)$/i.test(value)) {
    // Express would take the first X-Forwarded-For entry, which any client writes itself.
    throw new ConfigError(
      "TRUST_PROXY",
      "cannot trust every address: give the number of proxies in front of the app (1) or their addresses",
    );
  }
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!TRUST_PROXY_RANGES.has(entry.toLowerCase()) && !isAddressOrSubnet(entry)) {
      throw new ConfigError(
        "TRUST_PROXY",
        `${entry} is not a number of proxies, an address, a subnet (10.0.0.0/8) or loopback, linklocal, uniquelocal`,
      );
    }
  }
  return entries;
}

function isAddressOrSubnet(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function publicUrl(env: Env, shopifyAppUrl: string | undefined, listenPort: number): string {
  const explicit = read(env, "PUBLIC_URL");
  if (explicit) {
    parseOrThrow(z.url({ message: "must be an absolute URL" }), "PUBLIC_URL", explicit);
    return explicit.replace(/\/$/, "");
  }
  return shopifyAppUrl ?? `http://localhost:${listenPort}`;
}
