// The WooCommerce store address an owner types is a URL the server will later call with stored
// keys. Outside development it must be https and must lead to the public internet: an address on
// the server's own network (loopback, private, link-local, cloud metadata…) is refused, so the app
// cannot be used to reach machines behind it.
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

export interface StoreUrl {
  /** The base URL the REST API hangs off: https://host[:port][/path], no trailing slash. */
  url: string;
  /** The shop's domain in Orderlane: host [+ path], lower case. */
  domain: string;
}

export type StoreUrlCheck = { ok: true; store: StoreUrl } | { ok: false; reason: string };

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const LOOKUP_TIMEOUT_MS = 5_000;

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 127], // unspecified and loopback
  ["64:ff9b:1::", 48], // local NAT64
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: wraps an IPv4 address we would have to check again
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

/** True for an address on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NON_PUBLIC.check(address, "ipv4");
  if (family !== 6) return false;
  const lower = address.toLowerCase();
  // IPv4 written inside IPv6 (::ffff:10.0.0.1, 64:ff9b::10.0.0.1) is judged as the IPv4 it carries.
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (embedded) return isPublicAddress(embedded[1]!);
  const mappedHex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (mappedHex) {
    const hi = parseInt(mappedHex[1]!, 16);
    const lo = parseInt(mappedHex[2]!, 16);
    return isPublicAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return !NON_PUBLIC.check(lower, "ipv6");
}

/**
 * Reads the address an owner typed ("mystore.com", "https://example.org/shop/") into the store's
 * base URL and domain, refusing what must not be called. `development` (NODE_ENV=development or the
 * demo) allows http and addresses on this machine's network, for a store running next to the app.
 */
export async function checkStoreUrl(
  input: string,
  options: { development: boolean; lookup?: Lookup },
): Promise<StoreUrlCheck> {
  const typed = input.trim();
  if (!typed) return { ok: false, reason: "Enter your store's address, like https://mystore.com" };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`);
  } catch {
    return { ok: false, reason: `"${typed.slice(0, 100)}" is not a web address` };
  }
  if (url.protocol !== "https:" && !(options.development && url.protocol === "http:")) {
    return {
      ok: false,
      reason:
        "The store's address must start with https:// (WooCommerce sends its keys only over https)",
    };
  }
  if (url.username || url.password) {
    return { ok: false, reason: "Leave the user name and password out of the store's address" };
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (!hostname) return { ok: false, reason: "The store's address has no host name" };

  if (!options.development) {
    const refused = await nonPublicReason(hostname, options.lookup ?? defaultLookup);
    if (refused) return { ok: false, reason: refused };
  }

  const path = url.pathname.replace(/\/+$/, "");
  const host = url.host.toLowerCase();
  return {
    ok: true,
    store: { url: `${url.protocol}//${host}${path}`, domain: `${host}${path}` },
  };
}

async function nonPublicReason(hostname: string, lookup: Lookup): Promise<string | null> {
  if (isIP(hostname)) {
    return isPublicAddress(hostname)
      ? null
      : `${hostname} is not a public internet address: Orderlane can only connect stores on the internet`;
  }
  if (hostname === "localhost" || hostname.endsWith(".localhost") || !hostname.includes(".")) {
    return `${hostname} is not a public host name: Orderlane can only connect stores on the internet`;
  }
  let addresses: { address: string }[];
  try {
    addresses = await Promise.race([
      lookup(hostname),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("timeout")), LOOKUP_TIMEOUT_MS).unref(),
      ),
    ]);
  } catch {
    return `${hostname} could not be found: check the store's address`;
  }
  if (addresses.length === 0) return `${hostname} could not be found: check the store's address`;
  // Every address must be public: a name with one private answer could be steered to it.
  const inside = addresses.find((a) => !isPublicAddress(a.address));
  return inside
    ? `${hostname} leads to ${inside.address}, which is not a public internet address: Orderlane can only connect stores on the internet`
    : null;
}
