// The contract between Orderlane's admin extensions (Shopify's order page and order list) and the
// app's backend routes under /api/admin. The extensions bundle this file, so it imports nothing
// from the app: the server's routes are typed against the same interfaces (app/orders/admin-order
// .server.ts builds AdminOrder), and a change here breaks whichever side no longer matches.
//
// Every text meant for the owner is already in the owner's words (the server formats it); the
// extensions show it as it comes. Times meant for counting (the countdown) come as ISO instants
// together with the server's clock, so a block counts from the server's time, not the browser's.

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Every error the routes answer, with its HTTP status:
 * - 400 `invalid_request`  the path or body is malformed (bad GID, not JSON, wrong shape)
 * - 401 `unauthorized`     no session token, or one that is expired, wrongly signed or another app's
 * - 404 `not_in_orderlane` Orderlane has no such order in the token's shop (the block offers Import)
 * - 404 `unknown_action`   the action in the path is not submit, hold or release
 * - 409 `refused`          the lifecycle refused the action; `message` is its reason
 * - 409 `already_submitted` Submit on an order that was submitted already; nothing changed
 * - 409 `import_busy`      another import is under way in this shop; try when it has finished
 * - 413 `body_too_large`, 405 `method_not_allowed`, 429 `rate_limited`
 * - 503 `unavailable`      the backend cannot answer right now (the client also uses it for
 *                          timeouts and network failures, with `status` 0)
 */
export type AdminErrorCode =
  | "invalid_request"
  | "invalid_json"
  | "unauthorized"
  | "not_in_orderlane"
  | "unknown_action"
  | "refused"
  | "already_submitted"
  | "import_busy"
  | "too_many"
  | "body_too_large"
  | "method_not_allowed"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "network"
  | "bad_response";

/** The body of every error answer (the app's JSON API uses the same shape). */
export interface AdminErrorBody {
  error: { code: AdminErrorCode | (string & {}); message: string };
}

// ---------------------------------------------------------------------------------------------
// GET /api/admin/orders/:gid  (gid = encodeURIComponent("gid://shopify/Order/123"))

/** The lifecycle states, as codes; show `AdminOrder.stateLabel`, never these. */
export type OrderlaneState =
  "new" | "pending" | "on_hold" | "open" | "abandoned" | "closed" | "error" | "archived";

export type Tone = "success" | "critical" | "info" | "attention" | "neutral";

export type AdminCountdown =
  /** Counting down to `deadline` (ISO instant); count against `AdminOrder.serverNow`. */
  | { kind: "running"; deadline: string }
  /** On hold with `remainingMs` left on the clock; Release resumes it. */
  | { kind: "paused"; remainingMs: number }
  /** Not counting down; `reason` says why, `title` heads it once the order was submitted. */
  | { kind: "none"; reason: string; title: string | null };

/** An alert the order carries, with the fix the owner can make. */
export interface AdminAlert {
  /** Stable code (for Flow and support); show `message` and `fix`. */
  code: string;
  message: string;
  fix: string;
}

export interface AdminSubmitStatus {
  /**
   * - not_submitted: nothing went out yet
   * - sending: purchase orders are queued or being sent
   * - submitted: every purchase order was accepted
   * - failed: sending failed or was refused; `reason` says why, `alert` how to fix it
   */
  kind: "not_submitted" | "sending" | "submitted" | "failed";
  /** "Not submitted", "Sending", "Submitted to 2 providers", "Submission failed". */
  label: string;
  tone: Tone;
  /** Why it failed, in words (a provider's refusal, a validation problem); null otherwise. */
  reason: string | null;
  /** The order's alert, when it has one (a failed submission usually does). */
  alert: AdminAlert | null;
}

export interface AdminOrderItem {
  id: string;
  title: string;
  quantity: number;
  sku: string | null;
  /** True when the item carries a personalisation (preview, design or options). */
  personalised: boolean;
  /** The customer's preview (falls back to the product's mockup); http(s) only, or null. */
  thumbnailUrl: string | null;
  /** The personalisation's options, in the order the customer chose them. */
  options: { name: string; value: string }[];
  /** The provider this item goes to, when routing has decided. */
  providerName: string | null;
}

export interface AdminTrackingLink {
  carrier: string | null;
  number: string;
  /** The carrier's tracking page, http(s) only, or null when none is known. */
  url: string | null;
  /** When it shipped, in the shop's time zone and words. */
  shippedAt: string;
}

export interface AdminPurchaseOrder {
  id: string;
  providerName: string;
  /** Orderlane's purchase order number, as the provider knows it. */
  poNumber: string;
  /** Its state in words ("Sent", "Partly shipped", "Failed"), and the badge tone. */
  statusLabel: string;
  tone: Tone;
  /** The provider's last refusal or error, in words; null when none. */
  lastError: string | null;
  /** When it was sent, in the shop's time; null while not sent. */
  submittedAt: string | null;
  tracking: AdminTrackingLink[];
}

/** An owner action the block offers, and why the lifecycle refuses it when it does. */
export interface AdminActionChoice {
  allowed: boolean;
  /** The lifecycle's reason, in words, when not allowed; null when allowed. */
  reason: string | null;
  /** The button's label ("Submit now", "Hold", or the shop's own on-hold wording). */
  label: string;
}

export type AdminAction = "submit" | "hold" | "release";
export const ADMIN_ACTIONS: readonly AdminAction[] = ["submit", "hold", "release"];

export interface AdminOrder {
  /** Orderlane's own id for the order. */
  id: string;
  /** The Shopify order GID the block asked about. */
  gid: string;
  /** The cart's order number, as the owner knows it ("#1001"). */
  number: string;
  state: OrderlaneState;
  /** The state in the owner's words (the shop's own label for it, when it has one). */
  stateLabel: string;
  /**
   * The shop's own order status (order management), when the shop uses them and this order has one;
   * null until then.
   */
  shopStatus: { label: string; tone: Tone } | null;
  countdown: AdminCountdown;
  /** The server's clock when this was read (ISO instant): count the deadline against it. */
  serverNow: string;
  submit: AdminSubmitStatus;
  items: AdminOrderItem[];
  purchaseOrders: AdminPurchaseOrder[];
  /** Tracking not tied to one purchase order (e.g. recorded before the provider was known). */
  otherTracking: AdminTrackingLink[];
  actions: Record<AdminAction, AdminActionChoice>;
  /**
   * The order in Orderlane inside the admin: an `app:` link ("app:app/orders/<id>") that the admin
   * opens in the embedded app; use it as a link's or button's href.
   */
  openHref: string;
  /** The same page as an absolute URL on the app's host (outside the admin). */
  openUrl: string;
}

export interface AdminOrderResponse {
  order: AdminOrder;
}

// ---------------------------------------------------------------------------------------------
// POST /api/admin/orders/:gid/actions/:action   (no body)

export interface AdminActionResponse {
  ok: true;
  action: AdminAction;
  /** What happened, in words: "Order submitted to 2 providers", "Order on hold". */
  message: string;
  /** The order as it is now, so the block redraws without another request. */
  order: AdminOrder;
}

// ---------------------------------------------------------------------------------------------
// POST /api/admin/bulk-submit   body: { orders: [gid, …] } (1 to BULK_SUBMIT_MAX)

export const BULK_SUBMIT_MAX = 250;

export interface AdminBulkSubmitRequest {
  orders: string[];
}

export type AdminBulkOutcome =
  /** Purchase orders created and queued. */
  | "submitted"
  /** Submitted before; left alone. */
  | "already_submitted"
  /** The lifecycle or validation refused it; `message` says why. */
  | "refused"
  /** Orderlane has no such order in this shop (import it first). */
  | "not_in_orderlane";

export interface AdminBulkResult {
  gid: string;
  /** The order number, or null when Orderlane does not know the order. */
  number: string | null;
  outcome: AdminBulkOutcome;
  /** In words: "Order submitted to 2 providers", "Already submitted", the refusal's reason. */
  message: string;
}

export interface AdminBulkSubmitResponse {
  total: number;
  submitted: number;
  alreadySubmitted: number;
  refused: number;
  notInOrderlane: number;
  /** One line for the whole run: "2 submitted, 1 skipped as already submitted, 1 refused". */
  summary: string;
  results: AdminBulkResult[];
}

// ---------------------------------------------------------------------------------------------
// POST /api/admin/orders/:gid/import   (no body) → 202

export interface AdminImportResponse {
  ok: true;
  /** The import run (visible on the app's Import page). */
  runId: string;
  /** "Importing order 123 from Shopify; this takes a few seconds". */
  message: string;
}

// ---------------------------------------------------------------------------------------------
// The client the extensions call

/** A `fetch` as the admin extension's global provides it (it adds the session token itself). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type AdminResult<T> =
  | { ok: true; status: number; data: T }
  | {
      ok: false;
      /** HTTP status, or 0 when no answer came (timeout, network failure). */
      status: number;
      code: AdminErrorCode | (string & {});
      /** In the owner's words; show it as it is. */
      message: string;
    };

export interface AdminClientOptions {
  fetch: FetchLike;
  /**
   * The app's origin ("https://orderlane.example.com"). Admin extensions' fetch resolves relative
   * paths against the app's URL, so the default "" works there; tests pass an absolute origin.
   */
  baseUrl?: string;
  /** Give up after this long and say so (default 10 s): the block never hangs. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export const ADMIN_PATHS = {
  order: (gid: string) => `/api/admin/orders/${encodeURIComponent(gid)}`,
  action: (gid: string, action: AdminAction) =>
    `/api/admin/orders/${encodeURIComponent(gid)}/actions/${action}`,
  importOrder: (gid: string) => `/api/admin/orders/${encodeURIComponent(gid)}/import`,
  bulkSubmit: () => `/api/admin/bulk-submit`,
} as const;

/** A Shopify order GID from what the admin hands an extension (a GID already, or a bare id). */
export function orderGid(id: string | number): string {
  const text = String(id).trim();
  return /^\d+$/.test(text) ? `gid://shopify/Order/${text}` : text;
}

export function createAdminClient(options: AdminClientOptions) {
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call<T>(method: "GET" | "POST", path: string, body?: unknown) {
    return requestJson<T>(options.fetch, `${base}${path}`, method, body, timeoutMs);
  }

  return {
    getOrder: (gid: string) => call<AdminOrderResponse>("GET", ADMIN_PATHS.order(gid)),
    runAction: (gid: string, action: AdminAction) =>
      call<AdminActionResponse>("POST", ADMIN_PATHS.action(gid, action)),
    importOrder: (gid: string) => call<AdminImportResponse>("POST", ADMIN_PATHS.importOrder(gid)),
    bulkSubmit: (gids: string[]) =>
      call<AdminBulkSubmitResponse>("POST", ADMIN_PATHS.bulkSubmit(), {
        orders: gids,
      } satisfies AdminBulkSubmitRequest),
  };
}

export type AdminClient = ReturnType<typeof createAdminClient>;

const UNAVAILABLE = "Orderlane is not answering right now. Try again in a moment.";

async function requestJson<T>(
  fetchImpl: FetchLike,
  url: string,
  method: "GET" | "POST",
  body: unknown,
  timeoutMs: number,
): Promise<AdminResult<T>> {
  const controller = new AbortController();
  let timedOut = false;
  // A timer of our own rather than AbortSignal.timeout: the admin's sandbox may lack it.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const init: RequestInit = {
      method,
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      signal: controller.signal,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    // A fetch that ignores the signal still loses the race against the timer.
    const res = await Promise.race([
      fetchImpl(url, init),
      new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(new Error("aborted")), {
          once: true,
        });
      }),
    ]);
    const parsed = await readJson(res);
    if (res.ok) {
      if (parsed === undefined) {
        return { ok: false, status: res.status, code: "bad_response", message: UNAVAILABLE };
      }
      return { ok: true, status: res.status, data: parsed as T };
    }
    const error = errorOf(parsed);
    if (error) return { ok: false, status: res.status, ...error };
    return {
      ok: false,
      status: res.status,
      code: res.status === 401 ? "unauthorized" : "unavailable",
      message:
        res.status === 401
          ? "Your session with Orderlane has ended. Reload the page to sign in again."
          : UNAVAILABLE,
    };
  } catch {
    return timedOut
      ? {
          ok: false,
          status: 0,
          code: "timeout",
          message: `Orderlane did not answer within ${Math.round(timeoutMs / 1000)} seconds. Try again.`,
        }
      : { ok: false, status: 0, code: "network", message: UNAVAILABLE };
  } finally {
    clearTimeout(timer);
  }
}

async function readJson(res: Response): Promise<unknown> {
  try {
    const text = await res.text();
    return text.trim() === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function errorOf(body: unknown): { code: string; message: string } | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || typeof message !== "string") return null;
  return { code, message };
}
