// The WooCommerce store address an owner types is a URL the server will later call with stored
// keys. Outside development it must be https, and unless the outbound policy allows private
// addresses it must lead to the public internet: an address on the server's own network (loopback,
// private, link-local, cloud metadata…) is refused, so the app cannot be used to reach machines
// behind it. The same policy holds every later call to the store (carts/woocommerce/connector).
import { isIP } from "node:net";
import {
  isPublicAddress,
  OutboundRefusedError,
  publicAddresses,
  type OutboundPolicy,
} from "./outbound.server";

export interface StoreUrl {
  /** The base URL the REST API hangs off: https://host[:port][/path], no trailing slash. */
  url: string;
  /** The shop's domain in Orderlane: host [+ path], lower case. */
  domain: string;
}

export type StoreUrlCheck = { ok: true; store: StoreUrl } | { ok: false; reason: string };

/**
 * Reads the address an owner typed ("mystore.com", "https://example.org/shop/") into the store's
 * base URL and domain, refusing what must not be called. `development` (NODE_ENV=development or the
 * demo) allows http; the outbound policy (security/outbound.server.ts) decides whether addresses on
 * this machine's network are allowed, as it does for every call made to the store afterwards.
 */
export async function checkStoreUrl(
  input: string,
  options: { development: boolean; policy: OutboundPolicy },
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

  if (!options.policy.allowPrivate) {
    const refused = await nonPublicReason(hostname, options.policy);
    if (refused) return { ok: false, reason: refused };
  }

  const path = url.pathname.replace(/\/+$/, "");
  const host = url.host.toLowerCase();
  return {
    ok: true,
    store: { url: `${url.protocol}//${host}${path}`, domain: `${host}${path}` },
  };
}

async function nonPublicReason(hostname: string, policy: OutboundPolicy): Promise<string | null> {
  if (isIP(hostname)) {
    return isPublicAddress(hostname)
      ? null
      : `${hostname} is not a public internet address: Orderlane can only connect stores on the internet`;
  }
  if (hostname === "localhost" || hostname.endsWith(".localhost") || !hostname.includes(".")) {
    return `${hostname} is not a public host name: Orderlane can only connect stores on the internet`;
  }
  try {
    await publicAddresses(hostname, policy.lookup);
    return null;
  } catch (error) {
    // Every address must be public: a name with one private answer could be steered to it.
    if (error instanceof OutboundRefusedError) {
      return `${hostname} leads to ${error.address}, which is not a public internet address: Orderlane can only connect stores on the internet`;
    }
    return `${hostname} could not be found: check the store's address`;
  }
}
