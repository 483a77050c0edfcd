// Who is calling /api/admin: an admin UI extension inside Shopify's admin, whose `fetch` to the
// app's URL carries the admin's session token as a bearer token. Shopify's library verifies it
// (signature with the app's secret, audience = our API key, expiry) and answers CORS the way the
// admin's extension sandbox needs; here its answers become the API's JSON errors, never a redirect
// to a sign-in page (decision 0044).
import type { AppContext } from "~/context.server";
import { ensureShop, findShop, type Shop } from "~/shops/shops.server";
import type { ActingAs } from "~/orders/core/transitions.server";

export interface AdminCaller {
  shop: Shop;
  acting: ActingAs;
  /** Adds the CORS headers Shopify's library chose for this request to a response. */
  cors(response: Response): Response;
}

/** The header Shopify's library sets on a 401 that a fresh session token may cure. */
const RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request";

/**
 * CORS for answers the library never saw (no token at all): the same headers it sets, so the
 * extension reads our 401 rather than a browser's opaque CORS failure.
 */
export function adminCors(request: Request, appUrl: string | null, response: Response): Response {
  const origin = request.headers.get("origin");
  if (origin && origin !== appUrl) {
    response.headers.set("Access-Control-Allow-Origin", "*");
    response.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    response.headers.set("Access-Control-Expose-Headers", RETRY_HEADER);
  }
  return response;
}

function unauthorized(message: string, headers?: Headers): Response {
  const res = Response.json({ error: { code: "unauthorized", message } }, { status: 401 });
  headers?.forEach((value, name) => {
    if (name.toLowerCase() !== "content-type" && name.toLowerCase() !== "content-length")
      res.headers.set(name, value);
  });
  res.headers.set("WWW-Authenticate", 'Bearer realm="shopify-admin"');
  return res;
}

const SIGN_IN_AGAIN =
  "Your Shopify admin session could not be verified. Reload the page to sign in again.";

/**
 * The caller, or throws the response to send: 204 for a CORS preflight, 401 (JSON) for a missing
 * or invalid session token, 503 when Shopify cannot be asked to set up the shop's access.
 */
export async function requireAdminCaller(
  request: Request,
  ctx: Pick<AppContext, "shopify" | "db" | "config">,
): Promise<AdminCaller> {
  const appUrl = ctx.config.shopify?.appUrl ?? null;
  if (!ctx.shopify) {
    throw adminCors(
      request,
      appUrl,
      unauthorized("This Orderlane is not set up as a Shopify app, so it takes no admin requests."),
    );
  }
  const auth = request.headers.get("authorization") ?? "";
  // Without a bearer token the library would treat this as a page load and redirect to sign-in.
  if (request.method !== "OPTIONS" && !/^Bearer \S+$/.test(auth)) {
    throw adminCors(request, appUrl, unauthorized("A Shopify session token is required."));
  }
  let context;
  try {
    context = await ctx.shopify.authenticate.admin(request);
  } catch (err) {
    if (!(err instanceof Response)) throw err;
    // The preflight, answered by the library with its CORS headers.
    if (request.method === "OPTIONS" && err.status === 204) throw err;
    // 401 (a bad token), a redirect (the library's sign-in for page loads) or 410 (a client the
    // library takes for a bot): none is a verified admin, and none may become a redirect here.
    if (err.status < 500) throw unauthorized(SIGN_IN_AGAIN, err.headers);
    // Token exchange with Shopify failed: the token was fine, Shopify was not.
    const res = Response.json(
      {
        error: {
          code: "unavailable",
          message: "Orderlane could not reach Shopify to open this shop. Try again in a moment.",
        },
      },
      { status: 503, headers: { "Retry-After": "5" } },
    );
    throw adminCors(request, appUrl, res);
  }
  const { session, cors } = context;
  // The shop comes from the verified token (its `dest`), never from the request.
  const shop =
    (await findShop(ctx.db, "shopify", session.shop)) ??
    (await ensureShop(ctx.db, { platform: "shopify", domain: session.shop, name: session.shop }));
  return {
    shop,
    acting: { actor: "owner", name: "Shopify admin", isAccountAdmin: false },
    cors: (response) => cors(response),
  };
}
