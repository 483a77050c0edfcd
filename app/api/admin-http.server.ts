// The edges of /api/admin, the admin extensions' backend: every answer (success, refusal, even a
// bug) goes back as JSON with the CORS headers the admin's extension sandbox needs, so the block
// always has something to show rather than an opaque network failure.
import type { AppContext } from "~/context.server";
import { requireAdminCaller, type AdminCaller } from "./admin-session.server";

function errorBody(status: number, code: string, message: string, headers?: HeadersInit) {
  return Response.json({ error: { code, message } }, { status, headers });
}

export const adminError = errorBody;

/**
 * Runs `handle` for a verified caller. A preflight (OPTIONS, which Remix routes to the loader) is
 * answered by Shopify's library before `handle` is reached; `methods` are the others this path takes.
 */
export async function adminRoute(
  request: Request,
  ctx: AppContext,
  methods: readonly ("GET" | "POST")[],
  handle: (caller: AdminCaller) => Promise<Response>,
): Promise<Response> {
  let caller: AdminCaller;
  try {
    caller = await requireAdminCaller(request, ctx);
  } catch (err) {
    if (err instanceof Response) return err;
    throw err;
  }
  if (!(methods as readonly string[]).includes(request.method)) {
    return caller.cors(
      errorBody(405, "method_not_allowed", `Use ${methods.join(" or ")}`, {
        Allow: [...methods, "OPTIONS"].join(", "),
      }),
    );
  }
  try {
    return caller.cors(await handle(caller));
  } catch (err) {
    if (err instanceof Response) return caller.cors(err);
    console.error(`[admin-api] ${request.method} ${new URL(request.url).pathname} failed`, err);
    return caller.cors(
      errorBody(
        500,
        "unavailable",
        "Something went wrong in Orderlane; nothing was changed. Try again in a moment.",
      ),
    );
  }
}

/**
 * The order GID from the path. Shopify's admin hands extensions `gid://shopify/Order/123`, which
 * the client URL-encodes; whether the router decoded the slashes or not, read it whole.
 */
export function gidParam(value: string | undefined): string {
  let gid = value ?? "";
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(gid); i++) {
    try {
      gid = decodeURIComponent(gid);
    } catch {
      break;
    }
  }
  return gid;
}
