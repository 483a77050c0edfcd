// Plumbing shared by the provider adapters (our protocol, CustomCat, ShineOn, Printful): one bounded
// HTTP call whose failures come back as values, reading a human message out of whichever error
// shape a provider uses, the small checks their webhooks need, and, for the adapters with an API
// of their own, the outcomes of answers they all read alike, so an owner sees the same words for
// the same trouble whichever provider it is. Everything provider-specific (URLs, field names, what
// a particular answer means for them) stays in the adapter.
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { isRedirect, outboundRefusal } from "~/security/outbound.server";
import { describeZodError } from "../protocol";
import type {
  CancelOutcome,
  FulfillmentProvider,
  IncomingEvent,
  ParsedEvents,
  ProviderConfig,
  ProviderDeps,
  ProviderEvent,
  ProviderKind,
  PurchaseOrder,
  PurchaseOrderUpdate,
  SubmitOutcome,
  SubmittedOrder,
  UpdateOutcome,
  ValidationProblem,
} from "../provider";

export const CALL_TIMEOUT_MS = 30_000;

export type Reply =
  | { kind: "answered"; status: number; body: unknown; text: string }
  /**
   * No answer to act on. `permanent` when trying again cannot help until the owner changes the
   * provider's address: the outbound policy refused it, or it redirects elsewhere.
   */
  | { kind: "failed"; reason: string; permanent?: boolean };

export interface CallInit {
  method: "GET" | "POST" | "PUT" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutMs?: number;
}

/**
 * One request with a hard deadline on top of the caller's signal. Never throws: a provider that
 * is down, slow or unreachable is an outcome the owner must be able to read, not a stack trace.
 * The URL never appears in a reason, because some providers want the API key in the query string.
 * A redirect is not followed (the policy's fetch hands it back) and its body is not read: it could
 * come from anywhere the redirect pointed, and it is not the provider's answer.
 */
export async function call(
  fetchFn: ProviderDeps["fetch"],
  url: string,
  init: CallInit,
): Promise<Reply> {
  const timeoutMs = init.timeoutMs ?? CALL_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: init.method,
      headers: { Accept: "application/json", ...init.headers },
      body: init.body,
      signal: AbortSignal.any([init.signal, deadline]),
    });
  } catch (error) {
    const refused = outboundRefusal(error);
    if (refused) {
      return {
        kind: "failed",
        reason: `was not called: ${refused.message}. Enter the provider's public address in Settings → Providers`,
        permanent: true,
      };
    }
    if (init.signal.aborted)
      return { kind: "failed", reason: "did not answer before the call was cancelled" };
    if (deadline.aborted) {
      return { kind: "failed", reason: `did not answer within ${formatDuration(timeoutMs)}` };
    }
    return { kind: "failed", reason: `could not be reached (${networkCause(error)})` };
  }
  if (isRedirect(response.status)) {
    await response.body?.cancel().catch(() => {});
    return {
      kind: "failed",
      reason: `answered with a redirect (HTTP ${response.status}), which Orderlane does not follow: enter the address it leads to in Settings → Providers`,
      permanent: true,
    };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    const reason = deadline.aborted
      ? `started answering but did not finish within ${formatDuration(timeoutMs)}`
      : `answered HTTP ${response.status} but the body could not be read`;
    return { kind: "failed", reason };
  }
  return { kind: "answered", status: response.status, body: parseJson(text), text };
}

function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} seconds` : `${ms} ms`;
}

function networkCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string") return code;
    return error.message || error.name;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Rate limits and server trouble pass; anything else in 4xx means the request itself is wrong. */
export function isTransient(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

const MESSAGE_LIMIT = 300;

/**
 * The provider's own words for what went wrong. The adapters' APIs disagree on where they put
 * it, so the common places are tried from most to least specific.
 */
export function theirMessage(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const candidates: unknown[] = [
    isRecord(body.error) ? body.error.message : undefined,
    body.error_description,
    body.error,
    flattenErrors(body.errors),
    body.message,
    body.MSG,
    body.result,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === "string" && candidate.trim()) return clip(candidate);
  }
  return null;
}

/** Laravel-style `{ errors: { field: ["message"] } }` and plain `{ errors: ["message"] }`. */
function flattenErrors(errors: unknown): string | undefined {
  const values = Array.isArray(errors) ? errors : isRecord(errors) ? Object.values(errors) : [];
  const messages = values
    .flat()
    .filter((value): value is string => typeof value === "string" && value.trim() !== "");
  return messages.length ? messages.join("; ") : undefined;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MESSAGE_LIMIT ? `${flat.slice(0, MESSAGE_LIMIT - 1)}…` : flat;
}

/** What an owner can make of a body we did not expect: its first words, never a whole page. */
export function describeBody(reply: { status: number; text: string }): string {
  const start = reply.text.replace(/\s+/g, " ").trim().slice(0, 80);
  return start
    ? `HTTP ${reply.status} with a body we could not use ("${start}${reply.text.length > 80 ? "…" : ""}")`
    : `HTTP ${reply.status} with an empty body`;
}

/** Their message when they gave one, else a short account of the answer. */
export function explain(reply: { status: number; body: unknown; text: string }): string {
  const message = theirMessage(reply.body);
  return message ? `${message} (HTTP ${reply.status})` : describeBody(reply);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Constant-time comparison of a secret someone presented with the one we hold. Hashing first
 * makes both sides the same length, so neither the content nor the length leaks through timing.
 */
export function secretsMatch(
  given: string | null | undefined,
  expected: string | null | undefined,
) {
  if (!given || !expected) return false;
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Providers that cannot sign what they post get a URL carrying our secret as a query parameter;
 * this refuses a post without it (null means the caller may go on).
 */
export function checkUrlToken(
  url: URL,
  param: string,
  secret: string | null,
  brand: string,
): { ok: false; status: 401; message: string } | null {
  if (!secret)
    return { ok: false, status: 401, message: `${brand} has no signing secret configured` };
  const presented = url.searchParams.get(param);
  if (secretsMatch(presented, secret)) return null;
  return {
    ok: false,
    status: 401,
    message: presented
      ? `The ${param} in the URL is not this provider's secret`
      : `The URL carries no ${param}`,
  };
}

export type JsonObjectResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

export function parseJsonObject(rawBody: string): JsonObjectResult {
  let value: unknown;
  try {
    value = JSON.parse(rawBody) as unknown;
  } catch {
    return { ok: false, message: "The body is not JSON" };
  }
  return isRecord(value)
    ? { ok: true, value }
    : { ok: false, message: "The body is JSON but not an object" };
}

/**
 * Providers send ids and tracking numbers as strings or numbers depending on the endpoint; we
 * always keep them as strings.
 */
export const idSchema = z
  .union([z.string().trim().min(1), z.number().int().nonnegative()])
  .transform((value) => String(value));

/**
 * Tracking URLs end up as links in the admin and in customer emails, so only http(s) is kept;
 * anything else is dropped rather than failing the whole event.
 */
export function httpUrlOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** Unix seconds, as a number or a numeric string, to a Date; null for anything else. */
export function dateFromUnixSeconds(value: unknown): Date | null {
  const seconds = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000);
}

export function dateFromIso(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Ada King Lovelace" → ["Ada King", "Lovelace"]: carriers print the last word as the surname. */
export function splitName(fullName: string): { first: string; last: string } {
  const name = fullName.trim().replace(/\s+/g, " ");
  const cut = name.lastIndexOf(" ");
  return cut > 0
    ? { first: name.slice(0, cut), last: name.slice(cut + 1) }
    : { first: name, last: "" };
}

/** Thrown by poll() only: polling has no outcome type, and the poller must retry, not conclude. */
export class ProviderCallError extends Error {
  override name = "ProviderCallError";
}

/** An adapter's methods written as plain functions of what they share (its guard, its calls). */
export interface AdapterMethods<Shared> {
  validate(shared: Shared, po: PurchaseOrder): ValidationProblem[];
  submit(shared: Shared, po: PurchaseOrder, signal: AbortSignal): Promise<SubmitOutcome>;
  cancel(shared: Shared, order: SubmittedOrder, signal: AbortSignal): Promise<CancelOutcome>;
  parseEvent(shared: Shared, event: IncomingEvent): ParsedEvents;
  poll(shared: Shared, order: SubmittedOrder, signal: AbortSignal): Promise<ProviderEvent[]>;
  update?(shared: Shared, change: PurchaseOrderUpdate, signal: AbortSignal): Promise<UpdateOutcome>;
}

/** The provider contract over those functions, for one configured provider. */
export function bindProvider<Shared>(
  kind: ProviderKind,
  shared: Shared,
  methods: AdapterMethods<Shared>,
): FulfillmentProvider {
  return {
    kind,
    validate: (po) => methods.validate(shared, po),
    submit: (po, { signal }) => methods.submit(shared, po, signal),
    cancel: (order, { signal }) => methods.cancel(shared, order, signal),
    parseEvent: (event) => methods.parseEvent(shared, event),
    poll: (order, { signal }) => methods.poll(shared, order, signal),
    ...(methods.update
      ? {
          update: (change: PurchaseOrderUpdate, { signal }: { signal: AbortSignal }) =>
            methods.update!(shared, change, signal),
        }
      : {}),
  };
}

/** The provider's API root: the configured endpoint (a test server, a beta host) or its own. */
export function apiRoot(config: ProviderConfig, fallback: string): string {
  return (config.endpoint?.trim() || fallback).replace(/\/+$/, "");
}

export type Requester = (
  method: CallInit["method"],
  path: string,
  signal: AbortSignal,
  body?: unknown,
) => Promise<Reply>;

/**
 * Calls below one API root with the same credential headers, a JSON body when there is one, and
 * the deadline the deps set.
 */
export function requester(
  deps: ProviderDeps,
  root: string,
  headers: Record<string, string> = {},
): Requester {
  return (method, path, signal, body) =>
    call(deps.fetch, `${root}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      timeoutMs: deps.timeoutMs,
    });
}

/**
 * No answer to a submit: worth another attempt, unless only the owner can fix it (a refused or
 * redirecting address), when the order fails now with the reason instead of after every retry.
 */
export function unreachable(brand: string, reply: Reply & { kind: "failed" }): SubmitOutcome {
  const reason = `${brand} ${reply.reason}`;
  return reply.permanent ? { kind: "rejected", reason } : { kind: "unavailable", reason };
}

/** A submit's answer that is not a success: a passing outage, or the order itself is wrong. */
export function submitFailure(brand: string, reply: Reply & { kind: "answered" }): SubmitOutcome {
  if (isTransient(reply.status)) {
    return { kind: "unavailable", reason: `${brand} is unavailable: ${explain(reply)}` };
  }
  return {
    kind: "rejected",
    reason: `${brand} refused the order: ${theirMessage(reply.body) ?? describeBody(reply)}`,
  };
}

/**
 * A look-up made while submitting (does the provider already hold this order?), read with the
 * schema; when it cannot be, the outcome the submit ends with. `what` names the look-up after the
 * brand ("order search").
 */
export function submitLookUp<Schema extends z.ZodType>(
  brand: string,
  reply: Reply,
  schema: Schema,
  what: string,
): { ok: true; value: z.output<Schema> } | { ok: false; outcome: SubmitOutcome } {
  if (reply.kind === "failed") return { ok: false, outcome: unreachable(brand, reply) };
  if (!isSuccess(reply.status)) return { ok: false, outcome: submitFailure(brand, reply) };
  const parsed = schema.safeParse(reply.body);
  if (!parsed.success) {
    return {
      ok: false,
      outcome: { kind: "unavailable", reason: `${brand} ${what} answered ${describeBody(reply)}` },
    };
  }
  return { ok: true, value: parsed.data };
}

/** What a cancel call came to, for providers that answer it with a plain status. */
export function cancelOutcome(brand: string, reply: Reply): CancelOutcome {
  if (reply.kind === "failed") {
    const reason = `${brand} ${reply.reason}`;
    return reply.permanent ? { kind: "refused", reason } : { kind: "unavailable", reason };
  }
  if (isSuccess(reply.status)) return { kind: "cancelled" };
  if (isTransient(reply.status)) {
    return { kind: "unavailable", reason: `${brand} is unavailable: ${explain(reply)}` };
  }
  return {
    kind: "refused",
    reason: `${brand} would not cancel the order: ${theirMessage(reply.body) ?? describeBody(reply)}`,
  };
}

/**
 * What an update call came to: 2xx took it; 404 and 405 mean the provider takes no updates (the
 * owner is offered cancel and send again); any other 4xx is their refusal, in their words.
 */
export function updateOutcome(brand: string, reply: Reply): UpdateOutcome {
  if (reply.kind === "failed") {
    const reason = `${brand} ${reply.reason}`;
    return reply.permanent ? { kind: "refused", reason } : { kind: "unavailable", reason };
  }
  if (isSuccess(reply.status)) return { kind: "updated" };
  if (reply.status === 404 || reply.status === 405) {
    return {
      kind: "unsupported",
      reason: `${brand} does not take changes to an order it accepted`,
    };
  }
  if (isTransient(reply.status)) {
    return { kind: "unavailable", reason: `${brand} is unavailable: ${explain(reply)}` };
  }
  return {
    kind: "refused",
    reason: `${brand} would not change the order: ${theirMessage(reply.body) ?? describeBody(reply)}`,
  };
}

/**
 * A poll's answer read with the schema, or the poller's error. `words` say what was asked, after
 * the brand: { failed: "order look-up failed", unreadable: "order could not be read" }.
 */
export function polledBody<Schema extends z.ZodType>(
  brand: string,
  reply: Reply,
  schema: Schema,
  words: { failed: string; unreadable: string },
): z.output<Schema> {
  if (reply.kind === "failed") throw new ProviderCallError(`${brand} ${reply.reason}`);
  if (!isSuccess(reply.status)) {
    throw new ProviderCallError(`${brand} ${words.failed}: ${explain(reply)}`);
  }
  const parsed = schema.safeParse(reply.body);
  if (!parsed.success) {
    throw new ProviderCallError(`${brand} ${words.unreadable}: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Our method name, translated by the owner's map when they gave one, else their default. The
 * cart's names ("standard", "Express 2-day") rarely match a provider's, so nothing is guessed.
 */
export function pickShippingMethod(
  ours: string | null,
  map: Record<string, string>,
  fallback: string | undefined,
): string | undefined {
  if (ours) {
    const exact = map[ours] ?? map[ours.toLowerCase()];
    if (exact) return exact;
  }
  return fallback;
}
