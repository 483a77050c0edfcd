// Rate limits at the edge (docs/decisions/0025-rate-limits-at-the-edge.md): sign-in and the
// WooCommerce connect form per client address, the JSON API per token, and wrong API tokens per
// client address. The carts' webhook doors and provider events are never limited per address: every
// request there is signed, and the webhook door answers 503 itself when its backlog is full.
//
// On PostgreSQL the counts live in one table every web process shares (rate-limiter-flexible's
// PostgreSQL store on the app's pool), so N processes behind a balancer allow what one would. On
// PGlite they are kept in memory: the embedded database serves one process, so there is no other
// process to share them with.
import { isIPv6 } from "node:net";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { encode } from "turbo-stream";
import type { RateLimits } from "~/config.server";
import type { Database } from "~/db/client.server";
import { hashToken } from "~/shops/api-tokens.server";

/** Created by migration 0005; the columns are the ones the library's PostgreSQL store uses. */
export const RATE_LIMIT_TABLE = "rate_limit";

type Door = "sign-in" | "connect" | "api";

interface Limit {
  /** Kept in each row's key, so the limits share one table. */
  name: string;
  points: number;
  seconds: number;
}

function limiter(database: Database, limit: Limit, sweeps: boolean): RateLimiterAbstract {
  const options = { keyPrefix: limit.name, points: limit.points, duration: limit.seconds };
  if (!database.pool) return new RateLimiterMemory(options);
  return new RateLimiterPostgres({
    ...options,
    storeClient: database.pool,
    storeType: "pool",
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // Every limit shares the table: one sweep of expired rows covers them all.
    clearExpiredByTimeout: sweeps,
    // Once a key is over its limit, this process answers 429 from memory until the window ends,
    // so a flood does not turn into one database write per request.
    inMemoryBlockOnConsumed: limit.points + 1,
    // With the database unreachable, count in this process rather than refuse everyone or no one.
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

/**
 * The burst is a second, shorter window: as many requests as the burst, within the time the
 * minute's rate takes to allow that many (100 within 5 s for 1,200 a minute). Fixed windows cannot
 * say "a bucket of 100 refilled at 20 a second" exactly; two of them come close, and the minute's
 * window still bounds the total.
 */
export function burstSeconds(limits: RateLimits): number {
  return Math.max(1, Math.round((limits.apiBurst * 60) / limits.apiPerMinute));
}

interface Limiters {
  signIn: RateLimiterAbstract | null;
  connect: RateLimiterAbstract | null;
  wrongToken: RateLimiterAbstract | null;
  apiMinute: RateLimiterAbstract | null;
  apiBurst: RateLimiterAbstract | null;
  countWrongToken(address: string): void;
  /** The address's wrong tokens this minute, including those this process is still counting. */
  wrongTokensOf(address: string): Promise<RateLimiterRes | null>;
}

function createLimiters(database: Database, limits: RateLimits): Limiters {
  const perAddress = limits.signInPerMinute;
  const api = limits.apiPerMinute;
  const wrongToken = perAddress
    ? limiter(database, { name: "api-wrong-token", points: perAddress, seconds: 60 }, false)
    : null;
  // A client that sends its next request as soon as it reads a 401 must find that 401 counted:
  // its next check waits for the counts this process is still writing for its address.
  const counting = new Map<string, Promise<void>>();
  return {
    wrongToken,
    countWrongToken(address) {
      if (!wrongToken) return;
      const counted = (counting.get(address) ?? Promise.resolve())
        .then(() => wrongToken.penalty(address))
        .then(
          () => {},
          () => {},
        );
      counting.set(address, counted);
      void counted.then(() => {
        if (counting.get(address) === counted) counting.delete(address);
      });
    },
    async wrongTokensOf(address) {
      if (!wrongToken) return null;
      await counting.get(address);
      return wrongToken.get(address);
    },
    signIn: perAddress
      ? limiter(database, { name: "sign-in", points: perAddress, seconds: 60 }, true)
      : null,
    connect: perAddress
      ? limiter(database, { name: "woo-connect", points: perAddress, seconds: 60 }, false)
      : null,
    apiMinute: api
      ? limiter(database, { name: "api", points: api, seconds: 60 }, !perAddress)
      : null,
    apiBurst: api
      ? limiter(
          database,
          { name: "api-burst", points: limits.apiBurst, seconds: burstSeconds(limits) },
          false,
        )
      : null,
  };
}

/** The Express middleware; placed after the cheap refusals, before the doors it limits. */
export function rateLimits(database: Database, limits: RateLimits): RequestHandler {
  const limiters = createLimiters(database, limits);
  return (req: Request, res: Response, next: NextFunction) => {
    const door = doorOf(req);
    if (!door) return next();
    const verdict =
      door === "api" ? apiVerdict(req, res, limiters, limits) : formVerdict(door, req, limiters);
    verdict
      .then((refusal) => {
        if (!refusal) return next();
        return refuse(req, res, door, refusal.wait, refusal.message);
      })
      .catch((err: unknown) => {
        // A limiter that fails (it has a memory fallback, so this is a bug) must not take the
        // door down with it.
        console.error("[rate-limits] check failed:", err);
        next();
      });
  };
}

interface Refusal {
  wait: RateLimiterRes;
  message: (seconds: number) => string;
}

async function formVerdict(
  door: "sign-in" | "connect",
  req: Request,
  limiters: Limiters,
): Promise<Refusal | null> {
  const limit = door === "sign-in" ? limiters.signIn : limiters.connect;
  if (!limit) return null;
  const over = await overLimit(limit.consume(clientKey(req.ip)));
  if (!over) return null;
  const what = door === "sign-in" ? "sign-in attempts" : "attempts to connect a store";
  return {
    wait: over,
    message: (seconds) =>
      `Too many ${what} from your address: at most ${limit.points} a minute. Try again in ${seconds} seconds.`,
  };
}

async function apiVerdict(
  req: Request,
  res: Response,
  limiters: Limiters,
  limits: RateLimits,
): Promise<Refusal | null> {
  const address = clientKey(req.ip);
  const token = bearerToken(req.headers.authorization);
  // Only the token's hash is ever kept, the same one the api_token table holds.
  const tokenKey = token ? hashToken(token) : null;
  const { wrongToken, apiMinute, apiBurst } = limiters;
  if (wrongToken) {
    // Tokens are 256 random bits: guessing one is hopeless, but an address that keeps sending
    // wrong ones is refused before each guess costs a lookup and a row of its own. A wrong token
    // is known only from the answer, so it is counted once the answer is sent.
    res.on("finish", () => {
      if (res.statusCode === 401) limiters.countWrongToken(address);
    });
  }
  const [failures, minute, burst] = await Promise.all([
    wrongToken ? limiters.wrongTokensOf(address) : null,
    tokenKey && apiMinute ? overLimit(apiMinute.consume(tokenKey)) : null,
    tokenKey && apiBurst ? overLimit(apiBurst.consume(tokenKey)) : null,
  ]);
  if (wrongToken && failures && failures.consumedPoints >= wrongToken.points) {
    return {
      wait: failures,
      message: (seconds) =>
        `Too many requests with a missing or wrong API token from your address: at most ${wrongToken.points} a minute. Retry after ${seconds} seconds.`,
    };
  }
  const over = [minute, burst].filter((r): r is RateLimiterRes => r !== null);
  if (over.length === 0) return null;
  const longest = over.reduce((a, b) => (a.msBeforeNext >= b.msBeforeNext ? a : b));
  return {
    wait: longest,
    message: (seconds) =>
      `Too many requests with this API token: at most ${limits.apiPerMinute} a minute and ${limits.apiBurst} within ${burstSeconds(limits)} seconds. Retry after ${seconds} seconds.`,
  };
}

/** The limiter's answer when the key is over its limit; null when the request may go on. */
async function overLimit(consumed: Promise<RateLimiterRes>): Promise<RateLimiterRes | null> {
  try {
    await consumed;
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

async function refuse(
  req: Request,
  res: Response,
  door: Door,
  wait: RateLimiterRes,
  message: (seconds: number) => string,
): Promise<void> {
  const seconds = Math.max(1, Math.ceil(wait.msBeforeNext / 1000));
  res.status(429).set("Retry-After", String(seconds));
  if (door === "api") {
    res.json({ error: { code: "rate_limited", message: message(seconds) } });
    return;
  }
  if (req.path.endsWith(".data")) {
    // The page's own script posted the form (Remix's data request): answer as the action would,
    // so the form shows the message under its field instead of an error page.
    res.set({ "Content-Type": "text/x-script", "X-Remix-Response": "yes" });
    const reader = encode({ data: { error: message(seconds) } }).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
    return;
  }
  res.type("text/plain").send(message(seconds));
}

/**
 * The door a request is for, from its path as Remix will route it: case, percent-encoding, dot
 * segments, repeated or trailing slashes and the `.data` of a script's submission do not change the
 * door, so no spelling of the address slips past its limit.
 */
export function doorOf(req: Pick<Request, "method" | "path">): Door | null {
  const path = routedPath(req.path);
  if (path === "/api/v1" || path.startsWith("/api/v1/")) return "api";
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return null;
  // Remix runs a route's action for any other method, not only POST.
  if (path === "/auth/login") return "sign-in";
  if (path === "/connect/woocommerce") return "connect";
  return null;
}

function routedPath(raw: string): string {
  // Parsed as the handoff parses it for Remix, which resolves dot segments (also %2e).
  let path = new URL(`http://orderlane.invalid${raw}`).pathname.replace(/\.data$/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // Left encoded: Remix cannot route it to a named door either.
  }
  return (
    path
      .toLowerCase()
      .replace(/\/{2,}/g, "/")
      .replace(/\/+$/, "") || "/"
  );
}

function bearerToken(authorization: string | undefined): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? null;
}

/**
 * The client as the limits count it: its address as Express sees it after TRUST_PROXY. An IPv6
 * client is usually given a whole /64, so it is counted per /64; otherwise it could take a new
 * address for every request.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const [address = ""] = ip.split("%");
  const groupsOf = (part: string) =>
    part === "" ? [] : part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g]));
  const [head = "", tail] = address.split("::");
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => "0");
  return [...front, ...(tail === undefined ? [] : zeros), ...back].map((g) =>
    Number.parseInt(g, 16).toString(16),
  );
}
