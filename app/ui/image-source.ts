// Image and link addresses on the order page come from the cart: the customer's uploads, the live
// preview, the final design file and the product mockup are whatever the cart's line properties or
// meta data said. An <img> loads on its own the moment the owner opens the order, so an address on
// the owner's own network (http://127.0.0.1:8080/…, http://10.0.0.5/…) would make their browser
// send requests into it. Outside development and the demo, only https addresses on the public
// internet and the app's own files load as images; anything else is shown as a link or as text with
// a short reason, and never loaded. Pure: the page renders the same on the server and in the browser.

export interface ImageOptions {
  /**
   * Development and the demo: http and addresses on this machine's network load as images too, so
   * local tools (a cart or design server on 127.0.0.1) keep working.
   */
  allowHttp: boolean;
}

export type ImageSource =
  /** Safe to load: `src` is the address the browser will load, as it was judged. */
  | { kind: "image"; src: string }
  /** Not loaded; the owner may open it deliberately. */
  | { kind: "link"; href: string; warning: string }
  /** Not loaded and not linked: shown as text so the owner can see what the cart sent. */
  | { kind: "text"; text: string; warning: string };

export type LinkTarget =
  | { kind: "link"; href: string; warning: string | null }
  | { kind: "text"; text: string; warning: string };

/** Embedded pictures (data:) no larger than this load as images; they make no request. */
export const MAX_DATA_IMAGE_CHARS = 100_000;
const EMBEDDED_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|avif);base64,[a-z0-9+/]+=*$/i;
/** A base that is never a real origin: relative paths are resolved against it to see where they go. */
const OWN_ORIGIN = "https://orderlane.invalid";
const SHOWN_TEXT_CHARS = 120;

type Judged =
  | { kind: "own"; path: string }
  | { kind: "web"; url: URL; secure: boolean; local: boolean }
  | { kind: "embedded"; src: string }
  | { kind: "other"; text: string; reason: "not_web" | "embedded" };

function judge(raw: string): Judged {
  const value = raw.trim();
  // "/demo/…" is the app's own file; "//host/…" and "/\host/…" are other hosts without a scheme.
  if (value.startsWith("/") || value.startsWith("\\")) {
    let url: URL;
    try {
      url = new URL(value, OWN_ORIGIN);
    } catch {
      return { kind: "other", text: value, reason: "not_web" };
    }
    if (url.origin === OWN_ORIGIN) {
      return { kind: "own", path: `${url.pathname}${url.search}${url.hash}` };
    }
    return web(url);
  }
  if (/^data:/i.test(value)) {
    const compact = value.replace(/\s+/g, "");
    return compact.length <= MAX_DATA_IMAGE_CHARS && EMBEDDED_IMAGE.test(compact)
      ? { kind: "embedded", src: compact }
      : { kind: "other", text: value, reason: "embedded" };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: "other", text: value, reason: "not_web" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { kind: "other", text: value, reason: "not_web" };
  }
  return web(url);
}

function web(url: URL): Judged {
  return {
    kind: "web",
    url,
    secure: url.protocol === "https:",
    local: !isPublicHost(url.hostname),
  };
}

function shown(text: string): string {
  return text.length > SHOWN_TEXT_CHARS ? `${text.slice(0, SHOWN_TEXT_CHARS)}…` : text;
}

const LOCAL_WARNING = "this address points into a private or local network";
const NOT_WEB_WARNING = "this is not a web address";

/** How a cart-supplied image address is shown on the owner's page. */
export function imageSource(raw: string, options: ImageOptions): ImageSource {
  const judged = judge(raw);
  switch (judged.kind) {
    case "own":
      return { kind: "image", src: judged.path };
    case "embedded":
      return { kind: "image", src: judged.src };
    case "other":
      return {
        kind: "text",
        text: shown(judged.text),
        warning:
          judged.reason === "embedded"
            ? "Not shown: the cart sent this picture inside the address, not as a small image"
            : `Not shown: ${NOT_WEB_WARNING}`,
      };
    case "web": {
      const href = judged.url.href;
      if (options.allowHttp || (judged.secure && !judged.local))
        return { kind: "image", src: href };
      if (judged.local)
        return { kind: "text", text: shown(href), warning: `Not shown: ${LOCAL_WARNING}` };
      return {
        kind: "link",
        href,
        warning: "Not shown: this image is not on a secure (https) address",
      };
    }
  }
}

/** How a cart-supplied link (the product page, the final design file) is shown. */
export function linkTarget(raw: string, options: ImageOptions): LinkTarget {
  const judged = judge(raw);
  switch (judged.kind) {
    case "own":
      return { kind: "link", href: judged.path, warning: null };
    case "embedded":
      return { kind: "text", text: shown(judged.src), warning: `Not linked: ${NOT_WEB_WARNING}` };
    case "other":
      return { kind: "text", text: shown(judged.text), warning: `Not linked: ${NOT_WEB_WARNING}` };
    case "web": {
      const href = judged.url.href;
      if (options.allowHttp || (judged.secure && !judged.local)) {
        return { kind: "link", href, warning: null };
      }
      if (judged.local)
        return { kind: "text", text: shown(href), warning: `Not linked: ${LOCAL_WARNING}` };
      return { kind: "link", href, warning: "This link is not on a secure (https) address" };
    }
  }
}

// Host names that never lead to the public internet.
const LOCAL_NAMES = /(?:^|\.)(?:localhost|local|internal|lan|home\.arpa)$/;

/**
 * True for a host on the public internet as far as its name tells: loopback, private, link-local
 * and other special addresses, "localhost", local suffixes and single-label names (which a local
 * resolver completes) are not. `hostname` is as a URL reports it (IPv4 dotted, IPv6 in brackets).
 */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (!host) return false;
  if (host.startsWith("[")) return isPublicIpv6(host.slice(1, -1));
  const ipv4 = parseIpv4(host);
  if (ipv4 !== null) return isPublicIpv4(ipv4);
  if (!host.includes(".") || LOCAL_NAMES.test(host)) return false;
  // A numeric last label that is not an IPv4 address the URL parser accepted is no public name.
  return !/^\d+$/.test(host.slice(host.lastIndexOf(".") + 1));
}

function parseIpv4(host: string): number | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return null;
  return parts.reduce((n, part) => n * 256 + part, 0);
}

// The same non-public ranges the server refuses for store addresses (security/store-url.server.ts).
const NON_PUBLIC_IPV4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

function isPublicIpv4(address: number): boolean {
  return !NON_PUBLIC_IPV4.some(([net, prefix]) => {
    const size = 2 ** (32 - prefix);
    const start = parseIpv4(net)!;
    return address >= start && address < start + size;
  });
}

/** Expands an IPv6 address (as a URL serialises it: lower case, compressed, hex only) to 8 groups. */
function ipv6Groups(address: string): number[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const read = (part: string | undefined) =>
    part ? part.split(":").map((group) => parseInt(group, 16)) : [];
  const head = read(halves[0]);
  const tail = read(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...Array<number>(Math.max(missing, 0)).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function isPublicIpv6(address: string): boolean {
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const [a = 0, b = 0] = groups;
  // IPv4 written inside IPv6 (::ffff:a.b.c.d) is judged as the IPv4 it carries.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return isPublicIpv4(groups[6]! * 65536 + groups[7]!);
  }
  // Only global unicast (2000::/3) is on the internet, less its special blocks: IETF assignments
  // (2001::/23), documentation (2001:db8::/32) and 6to4 (2002::/16), which wraps an IPv4 address.
  if (a < 0x2000 || a > 0x3fff) return false;
  if (a === 0x2001 && (b < 0x200 || b === 0xdb8)) return false;
  return a !== 0x2002;
}
