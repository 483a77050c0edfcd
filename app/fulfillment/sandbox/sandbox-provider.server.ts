// The built-in sandbox provider: a real HTTP server speaking the open provider protocol, so the
// whole submit → ship → track flow runs locally with no provider account. Failure modes are
// chosen by SKU (see SANDBOX_SKUS) so tests and demos can exercise our error handling on purpose.

import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  IDEMPOTENCY_KEY_HEADER,
  MAX_BODY_BYTES,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  describeZodError,
  errorBody,
  purchaseOrderSchema,
  signBody,
  verifySignature,
} from "../protocol";
import type {
  AcceptedResponse,
  ProtocolErrorCode,
  ProviderEvent,
  PurchaseOrder,
} from "../protocol";

/** SKU substrings that switch the sandbox into a failure mode for the purchase order holding them. */
export const SANDBOX_SKUS = {
  /** Refused synchronously: 422 `rejected`. */
  reject: "SANDBOX-REJECT",
  /** 503 for the first `failTimes` attempts under one idempotency key, then accepted. */
  unavailable: "SANDBOX-5XX",
  /** The request is read and then never answered; the socket is held until close(). */
  timeout: "SANDBOX-TIMEOUT",
  /** Accepted, then an `order.rejected` event instead of a shipment. */
  lateReject: "SANDBOX-LATE-REJECT",
  /** Accepted, then an `order.cancelled` event instead of a shipment. */
  cancel: "SANDBOX-CANCEL",
} as const;

export const SANDBOX_CARRIER = "Sandbox Post";

export type SandboxBehaviour = "accept" | "reject" | "error" | "timeout";

export interface SandboxLogger {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export interface SandboxProviderOptions {
  /** Shared with Orderlane: verifies our purchase orders and signs the events posted back. */
  secret: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Delay between accepting an order and posting its event. Default 30 000 ms. */
  shipDelayMs?: number;
  /** How many times a `SANDBOX-5XX` order is answered 503 before it is accepted. Default 2. */
  failTimes?: number;
  /** Applies to every purchase order; "accept" (the default) leaves the SKU modes in charge. */
  behaviour?: SandboxBehaviour;
  /** First retry delay for an undelivered event; each later retry doubles it. Default 1 000 ms. */
  eventRetryBaseDelayMs?: number;
  /** Per-attempt limit for posting an event. Default 10 000 ms. */
  eventTimeoutMs?: number;
  log?: SandboxLogger;
}

export interface SandboxStats {
  /** Distinct purchase orders accepted; idempotent replays do not count. */
  ordersAccepted: number;
  /** Every POST /orders received, whatever its outcome. */
  requests: number;
  eventsDelivered: number;
  eventsAbandoned: number;
  ordersCancelled: number;
  /** Orders accepted for a PO number that an earlier order (another key) already had. */
  duplicatePurchaseOrders: number;
}

export interface SandboxProvider {
  url: string;
  stats(): SandboxStats;
  close(): Promise<void>;
}

/** Retries after the first attempt, so an event is posted at most six times. */
export const EVENT_MAX_RETRIES = 5;

interface SandboxOrder {
  providerOrderId: string;
  purchaseOrder: PurchaseOrder;
  acceptedAt: Date;
  trackingNumber?: string;
  cancelled?: boolean;
  shipTimer?: NodeJS.Timeout;
}

type Outcome = { kind: "respond"; status: number; body: unknown } | { kind: "hold" };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export async function startSandboxProvider(
  options: SandboxProviderOptions,
): Promise<SandboxProvider> {
  const host = options.host ?? "127.0.0.1";
  const shipDelayMs = options.shipDelayMs ?? 30_000;
  const failTimes = options.failTimes ?? 2;
  const behaviour = options.behaviour ?? "accept";
  const retryBaseDelayMs = options.eventRetryBaseDelayMs ?? 1_000;
  const eventTimeoutMs = options.eventTimeoutMs ?? 10_000;
  const log = options.log ?? console;

  const ordersByKey = new Map<string, SandboxOrder>();
  const ordersByTracking = new Map<string, SandboxOrder>();
  const ordersById = new Map<string, SandboxOrder>();
  const unavailableAttempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  // Aborts event deliveries in flight, so close() does not wait on a slow receiver.
  const shutdown = new AbortController();
  const stats: SandboxStats = {
    ordersAccepted: 0,
    requests: 0,
    eventsDelivered: 0,
    eventsAbandoned: 0,
    ordersCancelled: 0,
    duplicatePurchaseOrders: 0,
  };
  const poNumbersSeen = new Set<string>();
  let closed = false;
  let baseUrl = "";

  function schedule(delayMs: number, task: () => void): NodeJS.Timeout | undefined {
    if (closed) return undefined;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, delayMs);
    timers.add(timer);
    return timer;
  }

  async function handleOrder(req: IncomingMessage): Promise<Outcome> {
    stats.requests += 1;
    const rawBody = await readBody(req, MAX_BODY_BYTES);

    const verification = verifySignature({
      secret: options.secret,
      rawBody,
      timestampHeader: singleHeader(req, TIMESTAMP_HEADER),
      signatureHeader: singleHeader(req, SIGNATURE_HEADER),
    });
    if (!verification.ok) throw new HttpError(401, "invalid_signature", verification.message);

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString("utf8"));
    } catch {
      throw new HttpError(400, "invalid_json", "Body is not valid JSON");
    }
    const parsed = purchaseOrderSchema.safeParse(json);
    if (!parsed.success) {
      throw new HttpError(422, "invalid_request", describeZodError(parsed.error));
    }
    const po = parsed.data;

    const headerKey = singleHeader(req, IDEMPOTENCY_KEY_HEADER)?.trim();
    if (headerKey && headerKey !== po.idempotencyKey) {
      throw new HttpError(
        422,
        "invalid_request",
        `idempotencyKey: does not match the ${IDEMPOTENCY_KEY_HEADER} header`,
      );
    }
    const key = headerKey || po.idempotencyKey;

    const existing = ordersByKey.get(key);
    if (existing) {
      // A reused key on a different PO is a client bug; answering with the old order would
      // silently drop the new one.
      if (existing.purchaseOrder.poNumber !== po.poNumber) {
        throw new HttpError(
          409,
          "idempotency_conflict",
          `Idempotency key already used for PO ${existing.purchaseOrder.poNumber}`,
        );
      }
      return accepted(200, existing);
    }

    const skus = po.items.map((item) => item.sku);
    const hasSku = (marker: string) => skus.some((sku) => sku.includes(marker));

    if (behaviour === "timeout" || hasSku(SANDBOX_SKUS.timeout)) return { kind: "hold" };
    if (behaviour === "reject" || hasSku(SANDBOX_SKUS.reject)) {
      const sku = skus.find((s) => s.includes(SANDBOX_SKUS.reject));
      throw new HttpError(
        422,
        "rejected",
        sku ? `Sandbox cannot produce SKU ${sku}` : "Sandbox is set to reject every order",
      );
    }
    if (behaviour === "error") {
      throw new HttpError(503, "unavailable", "Sandbox is set to fail every order");
    }
    if (hasSku(SANDBOX_SKUS.unavailable)) {
      const attempts = (unavailableAttempts.get(key) ?? 0) + 1;
      unavailableAttempts.set(key, attempts);
      if (attempts <= failTimes) {
        throw new HttpError(
          503,
          "unavailable",
          `Sandbox outage ${attempts} of ${failTimes}; retry with the same idempotency key`,
        );
      }
    }

    const order: SandboxOrder = {
      providerOrderId: `SBX-${randomBytes(5).toString("hex").toUpperCase()}`,
      purchaseOrder: po,
      acceptedAt: new Date(),
    };
    ordersByKey.set(key, order);
    ordersById.set(order.providerOrderId, order);
    if (poNumbersSeen.has(po.poNumber)) stats.duplicatePurchaseOrders += 1;
    poNumbersSeen.add(po.poNumber);
    unavailableAttempts.delete(key);
    stats.ordersAccepted += 1;
    log.info(`[sandbox] accepted PO ${po.poNumber} as ${order.providerOrderId}`);
    order.shipTimer = schedule(shipDelayMs, () => {
      const event = fulfil(order, hasSku);
      void deliver(event, po.callbackUrl, 0);
    });
    return accepted(201, order);
  }

  function fulfil(order: SandboxOrder, hasSku: (marker: string) => boolean): ProviderEvent {
    const { purchaseOrder: po, providerOrderId } = order;
    const base = {
      id: `evt_${randomUUID()}`,
      occurredAt: new Date().toISOString(),
      providerOrderId,
      poNumber: po.poNumber,
    };
    if (hasSku(SANDBOX_SKUS.lateReject)) {
      return {
        ...base,
        type: "order.rejected",
        reason: "Sandbox found a problem with the artwork",
      };
    }
    if (hasSku(SANDBOX_SKUS.cancel)) {
      return { ...base, type: "order.cancelled", reason: "Sandbox cancelled the order" };
    }
    const trackingNumber = `SBX${randomDigits(12)}`;
    order.trackingNumber = trackingNumber;
    ordersByTracking.set(trackingNumber, order);
    return {
      ...base,
      type: "shipment.shipped",
      shipment: {
        carrier: SANDBOX_CARRIER,
        trackingNumber,
        trackingUrl: `${baseUrl}/track/${trackingNumber}`,
        items: po.items.map((item) => ({ lineId: item.lineId, quantity: item.quantity })),
      },
    };
  }

  // The same event (same id) is re-posted on every attempt so the receiver can deduplicate; only
  // the signature is renewed, so a late retry is not refused as stale.
  async function deliver(event: ProviderEvent, callbackUrl: string, attempt: number) {
    if (closed) return;
    const rawBody = JSON.stringify(event);
    let failure: string;
    try {
      const response = await fetch(callbackUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "orderlane-sandbox",
          ...signBody(options.secret, rawBody),
        },
        body: rawBody,
        signal: AbortSignal.any([shutdown.signal, AbortSignal.timeout(eventTimeoutMs)]),
      });
      // Drained so the connection can be reused or closed; the content is of no interest.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        stats.eventsDelivered += 1;
        log.info(`[sandbox] delivered ${event.type} ${event.id} for ${event.poNumber}`);
        return;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      if (closed) return;
      failure = error instanceof Error ? error.message : String(error);
    }

    if (attempt >= EVENT_MAX_RETRIES) {
      stats.eventsAbandoned += 1;
      log.error(
        `[sandbox] gave up on ${event.type} ${event.id} for ${event.poNumber} after ` +
          `${attempt + 1} attempts: ${failure}`,
      );
      return;
    }
    const delayMs = retryBaseDelayMs * 2 ** attempt;
    log.warn(
      `[sandbox] ${event.type} ${event.id} to ${callbackUrl} failed (${failure}); ` +
        `retrying in ${delayMs}ms`,
    );
    schedule(delayMs, () => void deliver(event, callbackUrl, attempt + 1));
  }

  // Cancelling is possible until the parcel has shipped, as with most print-on-demand providers.
  async function handleCancel(req: IncomingMessage, providerOrderId: string): Promise<Outcome> {
    const rawBody = await readBody(req, MAX_BODY_BYTES);
    const verification = verifySignature({
      secret: options.secret,
      rawBody,
      timestampHeader: singleHeader(req, TIMESTAMP_HEADER),
      signatureHeader: singleHeader(req, SIGNATURE_HEADER),
    });
    if (!verification.ok) throw new HttpError(401, "invalid_signature", verification.message);
    const order = ordersById.get(providerOrderId);
    if (!order) throw new HttpError(404, "not_found", `No order ${providerOrderId}`);
    if (order.trackingNumber) {
      throw new HttpError(409, "invalid_request", "The order has already shipped");
    }
    if (!order.cancelled) {
      order.cancelled = true;
      if (order.shipTimer) {
        clearTimeout(order.shipTimer);
        timers.delete(order.shipTimer);
      }
      stats.ordersCancelled += 1;
      log.info(`[sandbox] cancelled ${providerOrderId}`);
    }
    return { kind: "respond", status: 200, body: { providerOrderId, status: "cancelled" } };
  }

  function handleTrack(trackingNumber: string): Outcome {
    const order = ordersByTracking.get(trackingNumber);
    if (!order) {
      return { kind: "respond", status: 404, body: errorBody("not_found", "Unknown tracking") };
    }
    return {
      kind: "respond",
      status: 200,
      body: {
        carrier: SANDBOX_CARRIER,
        trackingNumber,
        poNumber: order.purchaseOrder.poNumber,
        status: "in_transit",
      },
    };
  }

  async function route(req: IncomingMessage): Promise<Outcome> {
    const { pathname } = new URL(req.url ?? "/", "http://sandbox.invalid");
    if (req.method === "POST" && pathname === "/orders") return handleOrder(req);
    if (req.method === "GET" && pathname === "/health") {
      return { kind: "respond", status: 200, body: { ok: true } };
    }
    const cancel = /^\/orders\/([A-Za-z0-9-]+)\/cancel$/.exec(pathname);
    if (req.method === "POST" && cancel?.[1]) return handleCancel(req, cancel[1]);
    const track = /^\/track\/([A-Za-z0-9-]+)$/.exec(pathname);
    if (req.method === "GET" && track?.[1]) return handleTrack(track[1]);
    return {
      kind: "respond",
      status: 404,
      body: errorBody("not_found", `No route for ${req.method ?? "?"} ${pathname}`),
    };
  }

  const server = createServer((req, res) => {
    route(req).then(
      (outcome) => {
        if (outcome.kind === "respond") sendJson(res, outcome.status, outcome.body);
      },
      (error: unknown) => {
        if (error instanceof HttpError) {
          const headers: Record<string, string> = {};
          if (error.status === 503) headers["Retry-After"] = "1";
          // The rest of an oversized body is never read, so the connection cannot be reused.
          if (error.status === 413) headers["Connection"] = "close";
          sendJson(res, error.status, errorBody(error.code, error.message), headers);
          return;
        }
        log.error("[sandbox] request failed", error);
        sendJson(res, 500, errorBody("internal_error", "Sandbox failed to handle the request"));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  baseUrl = urlFor(server, host);

  return {
    url: baseUrl,
    stats: () => ({ ...stats }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      shutdown.abort();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Held (SANDBOX-TIMEOUT) and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
    },
  };
}

function accepted(status: 200 | 201, order: SandboxOrder): Outcome {
  const body: AcceptedResponse = { providerOrderId: order.providerOrderId, status: "accepted" };
  return { kind: "respond", status, body };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `Body exceeds the ${limit}-byte limit`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        // Keep the stream flowing into nothing, so the answer is not stuck behind a full socket.
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

function randomDigits(count: number): string {
  let out = "";
  for (const byte of randomBytes(count)) out += String(byte % 10);
  return out;
}

function urlFor(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; the wildcard itself is not a usable address.
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}`;
}
