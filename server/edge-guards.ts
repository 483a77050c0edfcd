// Checks every request passes before it reaches a page: who may post to the owner's pages, the
// response headers every answer carries, and text inputs the database cannot store.
import type { NextFunction, Request, Response } from "express";

/**
 * Machine doors authenticate each request by its own signature or token, and are called from
 * other origins by design: cart webhooks, provider events, the JSON API (bearer tokens, and the
 * Shopify admin extensions' session tokens under /api/), and WooCommerce's key callback.
 */
export function isMachinePath(path: string): boolean {
  const lower = path.toLowerCase();
  return (
    lower.startsWith("/webhooks/") ||
    lower.startsWith("/api/") ||
    lower === "/connect/woocommerce/callback"
  );
}

/** Headers every answer carries: no content-type guessing, no full URLs leaked to other sites. */
export function baseSecurityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  next();
}

/**
 * A page action (authenticated by the owner's cookie or the admin's session) posted from another
 * site is refused with 403: a browser sends the owner's cookie along with a forged form.
 */
export function refuseCrossSitePosts(ownOrigins: readonly string[]) {
  const own = new Set(ownOrigins.map((o) => o.toLowerCase()));
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    if (isMachinePath(req.path)) return next();
    if (sameOrigin(req, own)) return next();
    res
      .status(403)
      .type("text/plain")
      .send(
        "This form was sent from another website, so Orderlane refused it. Open Orderlane itself and try again.",
      );
  };
}

function sameOrigin(req: Request, own: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) {
    // Browsers that send no Origin still say where a request came from; tools send neither.
    const site = req.headers["sec-fetch-site"];
    return site === undefined || site === "same-origin" || site === "none";
  }
  if (origin === "null") return false;
  if (own.has(origin.toLowerCase())) return true;
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? "").toLowerCase();
  } catch {
    return false;
  }
}

/** A NUL in any text the app would store or search for cannot be kept by PostgreSQL. */
export function refuseNulInUrl(req: Request, res: Response, next: NextFunction) {
  if (/%00|\0/i.test(req.originalUrl)) {
    res.status(400).json({
      error: {
        code: "invalid_text",
        message: "The address contains a NUL character (%00), which no text field accepts",
      },
    });
    return;
  }
  next();
}
