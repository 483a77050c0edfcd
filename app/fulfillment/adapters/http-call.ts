// One HTTP call to a provider: a hard timeout, the caller's abort signal, and a body that is read
// as JSON when it is JSON. Network failures and timeouts come back as values, never as throws, so
// an adapter can always turn them into an outcome the owner can read.
import type { ProviderDeps } from "../provider";

export const PROVIDER_TIMEOUT_MS = 30_000;

export type CallResult =
  { ok: true; status: number; json: unknown; text: string } | { ok: false; reason: string };

export async function callProvider(
  deps: Pick<ProviderDeps, "fetch" | "timeoutMs">,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<CallResult> {
  const limitMs = deps.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(limitMs);
  let response: Response;
  try {
    response = await deps.fetch(url, { ...init, signal: AbortSignal.any([init.signal, timeout]) });
  } catch (err) {
    if (timeout.aborted) {
      return { ok: false, reason: `did not answer within ${Math.round(limitMs / 1000)} seconds` };
    }
    if (init.signal.aborted) return { ok: false, reason: "the call was cancelled" };
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, reason: `could not be reached (${cause ?? (err as Error).message})` };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { ok: false, reason: `answered ${response.status} but the body could not be read` };
  }
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { ok: true, status: response.status, json, text };
}

/** A short, readable account of an unexpected answer (never a whole HTML error page). */
export function describeFailure(status: number, json: unknown): string {
  const message =
    json && typeof json === "object"
      ? ((json as { error?: { message?: unknown }; message?: unknown }).error?.message ??
        (json as { message?: unknown }).message)
      : undefined;
  return typeof message === "string" && message
    ? `HTTP ${status}: ${message.slice(0, 300)}`
    : `HTTP ${status} with no usable answer`;
}
