// One policy for every request the server makes to an address a user chose: a provider's endpoint
// (submit, cancel, poll), a WooCommerce store. Such an address must lead to the public internet, or
// a signed-in owner could make the server call its own network (loopback, the database, cloud
// metadata at 169.254.169.254) and read the answer back in an error message. So:
//   - every address a name resolves to is classified with ipaddr.js, and anything that is not
//     public unicast is refused (IPv4 carried inside IPv6 is unwrapped and judged as IPv4);
//   - the check runs when the call is made, and the connection goes through a resolver that checks
//     again, so a DNS answer that changes between check and connect (rebinding) is caught too;
//   - redirects are never followed: a hop to another address would escape the check.
// Development, the demo and tests allow private addresses (stores and providers run next to the
// app there); in production ALLOW_PRIVATE_OUTBOUND=1 does (config.allowPrivateOutbound).
// Decision 24 (docs/decisions/0024-outbound-request-policy.md) says why it is shaped this way.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { AxiosAdapter, AxiosRequestConfig } from "axios";
import axios from "axios";
import ipaddr from "ipaddr.js";
import { Agent } from "undici";
import type { AppConfig } from "~/config.server";

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface OutboundPolicy {
  /** Private, loopback and other non-public addresses may be called (see the header). */
  allowPrivate: boolean;
  /**
   * Origins ("http://127.0.0.1:3001") called without the address check: only the sandbox provider
   * this process started itself. Redirects are still not followed.
   */
  trustedOrigins?: readonly string[];
  /**
   * Resolves a name to every address it has. The system resolver; tests hand in their own to map
   * a made-up name to the address they need. Production code never sets it.
   */
  lookup?: Lookup;
}

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const LOOKUP_TIMEOUT_MS = 5_000;

/** The policy the app's configuration asks for. */
export function outboundPolicy(config: Pick<AppConfig, "allowPrivateOutbound">): OutboundPolicy {
  return { allowPrivate: config.allowPrivateOutbound };
}

/**
 * Thrown (or carried as a fetch error's cause) when the policy refuses a destination. Its message
 * is in the owner's words and names the address, never anything the address answered.
 */
export class OutboundRefusedError extends Error {
  override name = "OutboundRefusedError";
  readonly code = "ORDERLANE_OUTBOUND_REFUSED";
  constructor(
    message: string,
    /** The refused address (an IP), or null when the URL itself was refused. */
    readonly address: string | null,
  ) {
    super(message);
  }
}

/** The refusal behind an error, if there is one: fetch wraps it in "fetch failed", axios in its own. */
export function outboundRefusal(error: unknown): OutboundRefusedError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof OutboundRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

// IPv6 ranges that carry an IPv4 address in their last 32 bits, and are judged as that address:
// IPv4-mapped (::ffff:a.b.c.d, what a dual-stack socket reports), IPv4-compatible (::a.b.c.d, long
// deprecated; ipaddr.js calls ::7f00:1 "unicast", so without this [::127.0.0.1] would pass) and the
// well-known NAT64 prefix (64:ff9b::/96, what DNS64 hands an IPv6-only host for an IPv4-only name).
// 6to4, Teredo and the other translation ranges also embed IPv4, but are refused outright.
const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");
// IANA hands out global unicast IPv6 only from 2000::/3; ipaddr.js calls the unassigned rest
// "unicast" too, but nothing on the internet answers there.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/**
 * How ipaddr.js classifies an address ("unicast" is the only public answer), after unwrapping the
 * IPv4 inside an IPv6 address. Null when the text is not an IP address.
 */
export function addressRange(address: string): string | null {
  const text = address.replace(/^\[|\]$/g, "");
  if (!isIP(text)) return null;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(text);
  } catch {
    return null;
  }
  if (ip.kind() === "ipv4") return ip.range();
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  if (
    range === "ipv4Mapped" ||
    v6.match(NAT64_WELL_KNOWN) ||
    (range === "unicast" && v6.match(IPV4_COMPATIBLE))
  ) {
    const [a = 0, b = 0, c = 0, d = 0] = v6.toByteArray().slice(12);
    return addressRange(`${a}.${b}.${c}.${d}`);
  }
  if (range === "unicast" && !v6.match(GLOBAL_UNICAST_V6)) return "reserved";
  return range;
}

/** True for an address on the public internet. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

/** What the owner reads when a destination is refused. */
function refusedMessage(hostname: string, address: string): string {
  return hostname === address
    ? `the address ${address} is on a private network, which is not allowed`
    : `${hostname} leads to ${address}, which is on a private network and is not allowed`;
}

async function resolveAll(
  hostname: string,
  lookup: Lookup,
): Promise<{ address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(hostname),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              Object.assign(new Error(`${hostname}: DNS lookup timed out`), { code: "ETIMEOUT" }),
            ),
          LOOKUP_TIMEOUT_MS,
        );
      }),
    ]);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" });
    }
    return addresses;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every address of `hostname`, once each is known to be public. Throws OutboundRefusedError when
 * one is not (a name with one private answer among public ones could be steered to it), and the
 * resolver's own error when the name cannot be found.
 */
export async function publicAddresses(
  hostname: string,
  lookup: Lookup = systemLookup,
): Promise<{ address: string; family: number }[]> {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolveAll(host, lookup);
  const inside = addresses.find((a) => !isPublicAddress(a.address));
  if (inside) throw new OutboundRefusedError(refusedMessage(host, inside.address), inside.address);
  return addresses;
}

/** Whether a URL must have its addresses checked under this policy (false: it goes as it is). */
function guarded(url: URL, policy: OutboundPolicy): boolean {
  return !policy.allowPrivate && !(policy.trustedOrigins ?? []).includes(url.origin);
}

/**
 * Checks a destination now (at save time, or just before a call). Throws OutboundRefusedError for
 * a URL the policy refuses, and the resolver's error for a name that cannot be found.
 */
export async function checkDestination(input: string | URL, policy: OutboundPolicy): Promise<void> {
  const url = new URL(input);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new OutboundRefusedError(`only http and https addresses can be called`, null);
  }
  if (!guarded(url, policy)) return;
  await publicAddresses(url.hostname, policy.lookup);
}

/**
 * A resolver for sockets (net.connect's `lookup`) that refuses non-public answers. Node skips it
 * for an IP written in the URL, which checkDestination has judged already.
 */
export function guardedLookup(lookup: Lookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    publicAddresses(hostname, lookup).then(
      (addresses) => {
        const family =
          options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const wanted = family ? addresses.filter((a) => a.family === family) : addresses;
        if (options.all) {
          callback(null, wanted);
        } else if (wanted[0]) {
          callback(null, wanted[0].address, wanted[0].family);
        } else {
          const err = Object.assign(new Error(`${hostname} has no IPv${family} address`), {
            code: "ENOTFOUND",
          });
          callback(err, "", 0);
        }
      },
      (error: Error) => callback(error, "", 0),
    );
  };
}

// One connection pool per resolver (in production, the system's), so keep-alive still works and
// no pool is made per call.
const agents = new WeakMap<Lookup, Agent>();

/** The undici dispatcher whose every connection goes through guardedLookup. */
export function guardedDispatcher(lookup: Lookup = systemLookup): Agent {
  let agent = agents.get(lookup);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(lookup) } });
    agents.set(lookup, agent);
  }
  return agent;
}

/**
 * fetch under the policy: the destination is checked, the connection is made through the guarded
 * resolver, and a redirect comes back as the 3xx answer it is, never followed. Rejects with
 * OutboundRefusedError when the policy refuses the address (whether found before or while
 * connecting). It calls the global fetch when the call is made, so whatever stands in for it (msw
 * in tests, a bench's preload) still sees the request.
 */
export async function outboundFetch(
  input: string | URL | Request,
  init: RequestInit,
  policy: OutboundPolicy,
): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input);
  await checkDestination(url, policy);
  const dispatcher = guarded(url, policy)
    ? guardedDispatcher(policy.lookup ?? systemLookup)
    : undefined;
  try {
    return await globalThis.fetch(input, {
      ...init,
      redirect: "manual",
      ...(dispatcher ? { dispatcher } : {}),
    } as RequestInit);
  } catch (error) {
    throw outboundRefusal(error) ?? error;
  }
}

/** True for an answer that points elsewhere (what outboundFetch hands back instead of following). */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

const agentsForAxios = new WeakMap<Lookup, { httpAgent: http.Agent; httpsAgent: https.Agent }>();

/**
 * axios options that hold its requests to the policy (for the WooCommerce REST client): the URL
 * is checked before each request, sockets resolve through guardedLookup, no redirect is followed,
 * and no proxy from the environment stands between us and the address we checked.
 */
export function outboundAxiosConfig(policy: OutboundPolicy): AxiosRequestConfig {
  const base: AxiosRequestConfig = { maxRedirects: 0 };
  if (policy.allowPrivate) return base;
  const lookup = policy.lookup ?? systemLookup;
  let pair = agentsForAxios.get(lookup);
  if (!pair) {
    const guardedResolver = guardedLookup(lookup);
    pair = {
      httpAgent: new http.Agent({ keepAlive: true, lookup: guardedResolver }),
      httpsAgent: new https.Agent({ keepAlive: true, lookup: guardedResolver }),
    };
    agentsForAxios.set(lookup, pair);
  }
  const httpAdapter = axios.getAdapter("http");
  const adapter: AxiosAdapter = async (config) => {
    await checkDestination(new URL(config.url ?? "", config.baseURL), policy);
    return httpAdapter(config);
  };
  return { ...base, ...pair, proxy: false, adapter };
}
