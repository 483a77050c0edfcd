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
  orderUpdateSchema,
  purchaseOrderSchema,
  signBody,
  stockQuerySchema,
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
  /** Accepted and put straight into production: updates and cancellations are refused. */
  inProduction: "SANDBOX-IN-PRODUCTION",
  /** The stock query answers 0 available. */
  outOfStock: "SANDBOX-OUT-OF-STOCK",
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
  /**
   * What the stock query (`POST /stock`) answers, by SKU. A SKU not listed has `defaultStock`
   * units (100 unless set); a SKU holding SANDBOX-OUT-OF-STOCK has none.
   */
  stock?: Record<string, number>;
  defaultStock?: number;
}

export interface SandboxStats {
  /** Distinct purchase orders accepted; idempotent replays do not count. */
  ordersAccepted: number;
  /** Every POST /orders received, whatever its outcome. */
  requests: number;
  /**
   * Signed, well-formed POST /orders by idempotency key, whatever the outcome. `requests` counts
   * every caller of a shared sandbox; this tells how often one purchase order was sent.
   */
  requestsByKey: Record<string, number>;
  /**
   * Distinct orders accepted by PO number: more than one means a PO was ordered twice (PO numbers
   * are unique within a shop; a sandbox that several shops share may see one number from each).
   */
  ordersByPoNumber: Record<string, number>;
  eventsDelivered: number;
  eventsAbandoned: number;
  ordersCancelled: number;
  /** Distinct updates applied (a replayed update key does not count). */
  ordersUpdated: number;
  /** Orders accepted for a PO number that an earlier order (another key) already had. */
  duplicatePurchaseOrders: number;
}

export interface SandboxProvider {
  url: string;
  stats(): SandboxStats;
  /** The purchase order as the sandbox now holds it (after any update), by its order id. */
  purchaseOrder(providerOrderId: string): PurchaseOrder | null;
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
  /** Update keys applied, with the body each carried (a replay must carry the same). */
  updates: Map<string, string>;
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

/** The options with their defaults filled in. */
interface SandboxSettings {
  secret: string;
  shipDelayMs: number;
  failTimes: number;
  behaviour: SandboxBehaviour;
  retryBaseDelayMs: number;
  eventTimeoutMs: number;
  log: SandboxLogger;
  stock: ReadonlyMap<string, number>;
  defaultStock: number;
}

/** One running sandbox: its settings, the orders it holds and what is still scheduled. */
interface Sandbox {
  settings: SandboxSettings;
  ordersByKey: Map<string, SandboxOrder>;
  ordersByTracking: Map<string, SandboxOrder>;
  ordersById: Map<string, SandboxOrder>;
  unavailableAttempts: Map<string, number>;
  poNumbersSeen: Set<string>;
  // Keys come from requests: kept in maps, never as property names of a live object.
  requestsByKey: Map<string, number>;
  ordersByPoNumber: Map<string, number>;
  timers: Set<NodeJS.Timeout>;
  // Aborts event deliveries in flight, so close() does not wait on a slow receiver.
  shutdown: AbortController;
  stats: Omit<SandboxStats, "requestsByKey" | "ordersByPoNumber">;
  closed: boolean;
  /** Known once the server listens; tracking URLs start with it. */
  baseUrl: string;
}

function newSandbox(options: SandboxProviderOptions): Sandbox {
  return {
    settings: {
      secret: options.secret,
      shipDelayMs: options.shipDelayMs ?? 30_000,
      failTimes: options.failTimes ?? 2,
      behaviour: options.behaviour ?? "accept",
      retryBaseDelayMs: options.eventRetryBaseDelayMs ?? 1_000,
      eventTimeoutMs: options.eventTimeoutMs ?? 10_000,
      log: options.log ?? console,
      stock: new Map(Object.entries(options.stock ?? {})),
      defaultStock: options.defaultStock ?? 100,
    },
    ordersByKey: new Map(),
    ordersByTracking: new Map(),
    ordersById: new Map(),
    unavailableAttempts: new Map(),
    poNumbersSeen: new Set(),
    requestsByKey: new Map(),
    ordersByPoNumber: new Map(),
    timers: new Set(),
    shutdown: new AbortController(),
    stats: {
      ordersAccepted: 0,
      requests: 0,
      eventsDelivered: 0,
      eventsAbandoned: 0,
      ordersCancelled: 0,
      ordersUpdated: 0,
      duplicatePurchaseOrders: 0,
    },
    closed: false,
    baseUrl: "",
  };
}

export async function startSandboxProvider(
  options: SandboxProviderOptions,
): Promise<SandboxProvider> {
  const host = options.host ?? "127.0.0.1";
  const sandbox = newSandbox(options);
  const server = createServer((req, res) => serve(sandbox, req, res));
  await listen(server, options.port ?? 0, host);
  sandbox.baseUrl = urlFor(server, host);
  return {
    url: sandbox.baseUrl,
    stats: () => ({
      ...sandbox.stats,
      requestsByKey: Object.fromEntries(sandbox.requestsByKey),
      ordersByPoNumber: Object.fromEntries(sandbox.ordersByPoNumber),
    }),
    purchaseOrder: (id) => sandbox.ordersById.get(id)?.purchaseOrder ?? null,
    close: () => closeSandbox(sandbox, server),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function closeSandbox(sandbox: Sandbox, server: Server): Promise<void> {
  if (sandbox.closed) return;
  sandbox.closed = true;
  for (const timer of sandbox.timers) clearTimeout(timer);
  sandbox.timers.clear();
  sandbox.shutdown.abort();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Held (SANDBOX-TIMEOUT) and keep-alive sockets would otherwise keep close() waiting.
    server.closeAllConnections();
  });
}

function schedule(sandbox: Sandbox, delayMs: number, task: () => void): NodeJS.Timeout | undefined {
  if (sandbox.closed) return undefined;
  const timer = setTimeout(() => {
    sandbox.timers.delete(timer);
    task();
  }, delayMs);
  sandbox.timers.add(timer);
  return timer;
}

function serve(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): void {
  route(sandbox, req).then(
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
      sandbox.settings.log.error("[sandbox] request failed", error);
      sendJson(res, 500, errorBody("internal_error", "Sandbox failed to handle the request"));
    },
  );
}

async function route(sandbox: Sandbox, req: IncomingMessage): Promise<Outcome> {
  const { pathname } = new URL(req.url ?? "/", "http://sandbox.invalid");
  if (req.method === "POST" && pathname === "/orders") return handleOrder(sandbox, req);
  if (req.method === "POST" && pathname === "/stock") return handleStock(sandbox, req);
  if (req.method === "GET" && pathname === "/health") {
    return { kind: "respond", status: 200, body: { ok: true } };
  }
  const cancel = /^\/orders\/([A-Za-z0-9-]+)\/cancel$/.exec(pathname);
  if (req.method === "POST" && cancel?.[1]) return handleCancel(sandbox, req, cancel[1]);
  const update = /^\/orders\/([A-Za-z0-9-]+)\/update$/.exec(pathname);
  if (req.method === "POST" && update?.[1]) return handleUpdate(sandbox, req, update[1]);
  const track = /^\/track\/([A-Za-z0-9-]+)$/.exec(pathname);
  if (req.method === "GET" && track?.[1]) return handleTrack(sandbox, track[1]);
  return {
    kind: "respond",
    status: 404,
    body: errorBody("not_found", `No route for ${req.method ?? "?"} ${pathname}`),
  };
}

/** The body of a request signed with the shared secret; a 401 for anything else. */
async function signedBody(sandbox: Sandbox, req: IncomingMessage): Promise<Buffer> {
  const rawBody = await readBody(req, MAX_BODY_BYTES);
  const verification = verifySignature({
    secret: sandbox.settings.secret,
    rawBody,
    timestampHeader: singleHeader(req, TIMESTAMP_HEADER),
    signatureHeader: singleHeader(req, SIGNATURE_HEADER),
  });
  if (!verification.ok) throw new HttpError(401, "invalid_signature", verification.message);
  return rawBody;
}

/** The purchase order a POST /orders carries, with the idempotency key it goes by. */
function readPurchaseOrder(
  req: IncomingMessage,
  rawBody: Buffer,
): { po: PurchaseOrder; key: string } {
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
  return { po, key: headerKey || po.idempotencyKey };
}

async function handleOrder(sandbox: Sandbox, req: IncomingMessage): Promise<Outcome> {
  sandbox.stats.requests += 1;
  const rawBody = await signedBody(sandbox, req);
  const { po, key } = readPurchaseOrder(req, rawBody);
  sandbox.requestsByKey.set(key, (sandbox.requestsByKey.get(key) ?? 0) + 1);

  const existing = sandbox.ordersByKey.get(key);
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
  if (holds(sandbox, po)) return { kind: "hold" };
  refuseOnPurpose(sandbox, po, key);
  return accepted(201, acceptOrder(sandbox, po, key));
}

function hasSku(po: PurchaseOrder, marker: string): boolean {
  return po.items.some((item) => item.sku.includes(marker));
}

/** Never answered: the caller's timeout is what is being tested. */
function holds(sandbox: Sandbox, po: PurchaseOrder): boolean {
  return sandbox.settings.behaviour === "timeout" || hasSku(po, SANDBOX_SKUS.timeout);
}

/** Throws the failure the behaviour or a SANDBOX-* SKU asks for; returns when there is none. */
function refuseOnPurpose(sandbox: Sandbox, po: PurchaseOrder, key: string): void {
  const { behaviour, failTimes } = sandbox.settings;
  if (behaviour === "reject" || hasSku(po, SANDBOX_SKUS.reject)) {
    const sku = po.items.map((item) => item.sku).find((s) => s.includes(SANDBOX_SKUS.reject));
    throw new HttpError(
      422,
      "rejected",
      sku ? `Sandbox cannot produce SKU ${sku}` : "Sandbox is set to reject every order",
    );
  }
  if (behaviour === "error") {
    throw new HttpError(503, "unavailable", "Sandbox is set to fail every order");
  }
  if (hasSku(po, SANDBOX_SKUS.unavailable)) {
    const attempts = (sandbox.unavailableAttempts.get(key) ?? 0) + 1;
    sandbox.unavailableAttempts.set(key, attempts);
    if (attempts <= failTimes) {
      throw new HttpError(
        503,
        "unavailable",
        `Sandbox outage ${attempts} of ${failTimes}; retry with the same idempotency key`,
      );
    }
  }
}

/** Records a new order and starts its shipping timer. */
function acceptOrder(sandbox: Sandbox, po: PurchaseOrder, key: string): SandboxOrder {
  const { stats } = sandbox;
  const order: SandboxOrder = {
    providerOrderId: `SBX-${randomBytes(5).toString("hex").toUpperCase()}`,
    purchaseOrder: po,
    acceptedAt: new Date(),
    updates: new Map(),
  };
  sandbox.ordersByKey.set(key, order);
  sandbox.ordersById.set(order.providerOrderId, order);
  if (sandbox.poNumbersSeen.has(po.poNumber)) stats.duplicatePurchaseOrders += 1;
  sandbox.poNumbersSeen.add(po.poNumber);
  sandbox.ordersByPoNumber.set(po.poNumber, (sandbox.ordersByPoNumber.get(po.poNumber) ?? 0) + 1);
  sandbox.unavailableAttempts.delete(key);
  stats.ordersAccepted += 1;
  sandbox.settings.log.info(`[sandbox] accepted PO ${po.poNumber} as ${order.providerOrderId}`);
  order.shipTimer = schedule(sandbox, sandbox.settings.shipDelayMs, () => {
    const event = fulfil(sandbox, order);
    void deliver(sandbox, event, po.callbackUrl, 0);
  });
  return order;
}

function fulfil(sandbox: Sandbox, order: SandboxOrder): ProviderEvent {
  const { purchaseOrder: po, providerOrderId } = order;
  const base = {
    id: `evt_${randomUUID()}`,
    occurredAt: new Date().toISOString(),
    providerOrderId,
    poNumber: po.poNumber,
  };
  if (hasSku(po, SANDBOX_SKUS.lateReject)) {
    return {
      ...base,
      type: "order.rejected",
      reason: "Sandbox found a problem with the artwork",
    };
  }
  if (hasSku(po, SANDBOX_SKUS.cancel)) {
    return { ...base, type: "order.cancelled", reason: "Sandbox cancelled the order" };
  }
  const trackingNumber = `SBX${randomDigits(12)}`;
  order.trackingNumber = trackingNumber;
  sandbox.ordersByTracking.set(trackingNumber, order);
  return {
    ...base,
    type: "shipment.shipped",
    shipment: {
      carrier: SANDBOX_CARRIER,
      trackingNumber,
      trackingUrl: `${sandbox.baseUrl}/track/${trackingNumber}`,
      items: po.items.map((item) => ({ lineId: item.lineId, quantity: item.quantity })),
    },
  };
}

// The same event (same id) is re-posted on every attempt so the receiver can deduplicate; only
// the signature is renewed, so a late retry is not refused as stale.
async function deliver(
  sandbox: Sandbox,
  event: ProviderEvent,
  callbackUrl: string,
  attempt: number,
): Promise<void> {
  if (sandbox.closed) return;
  const failure = await postEvent(sandbox, event, callbackUrl);
  if (failure === null) return;
  const { log, retryBaseDelayMs } = sandbox.settings;
  if (attempt >= EVENT_MAX_RETRIES) {
    sandbox.stats.eventsAbandoned += 1;
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
  schedule(sandbox, delayMs, () => void deliver(sandbox, event, callbackUrl, attempt + 1));
}

/**
 * One attempt at posting an event: null when it was delivered, or when the sandbox closed
 * meanwhile and nothing more should happen; else why it failed.
 */
async function postEvent(
  sandbox: Sandbox,
  event: ProviderEvent,
  callbackUrl: string,
): Promise<string | null> {
  const rawBody = JSON.stringify(event);
  try {
    const response = await fetch(callbackUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "orderlane-sandbox",
        ...signBody(sandbox.settings.secret, rawBody),
      },
      body: rawBody,
      signal: AbortSignal.any([
        sandbox.shutdown.signal,
        AbortSignal.timeout(sandbox.settings.eventTimeoutMs),
      ]),
    });
    // Drained so the connection can be reused or closed; the content is of no interest.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) {
      sandbox.stats.eventsDelivered += 1;
      sandbox.settings.log.info(
        `[sandbox] delivered ${event.type} ${event.id} for ${event.poNumber}`,
      );
      return null;
    }
    return `HTTP ${response.status}`;
  } catch (error) {
    if (sandbox.closed) return null;
    return error instanceof Error ? error.message : String(error);
  }
}

// Cancelling is possible until the parcel has shipped, as with most print-on-demand providers.
async function handleCancel(
  sandbox: Sandbox,
  req: IncomingMessage,
  providerOrderId: string,
): Promise<Outcome> {
  await signedBody(sandbox, req);
  const order = sandbox.ordersById.get(providerOrderId);
  if (!order) throw new HttpError(404, "not_found", `No order ${providerOrderId}`);
  if (order.trackingNumber) {
    throw new HttpError(409, "invalid_request", "The order has already shipped");
  }
  if (hasSku(order.purchaseOrder, SANDBOX_SKUS.inProduction) && !order.cancelled) {
    throw new HttpError(409, "too_late", "The order is already in production");
  }
  if (!order.cancelled) {
    order.cancelled = true;
    if (order.shipTimer) {
      clearTimeout(order.shipTimer);
      sandbox.timers.delete(order.shipTimer);
    }
    sandbox.stats.ordersCancelled += 1;
    sandbox.settings.log.info(`[sandbox] cancelled ${providerOrderId}`);
  }
  return { kind: "respond", status: 200, body: { providerOrderId, status: "cancelled" } };
}

// An update is taken while the order is neither in production nor shipped, as most
// print-on-demand providers do; the parcel then carries the new version.
async function handleUpdate(
  sandbox: Sandbox,
  req: IncomingMessage,
  providerOrderId: string,
): Promise<Outcome> {
  const rawBody = await signedBody(sandbox, req);
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid JSON");
  }
  const parsed = orderUpdateSchema.safeParse(json);
  if (!parsed.success) throw new HttpError(422, "invalid_request", describeZodError(parsed.error));
  const { updateKey, purchaseOrder } = parsed.data;
  const headerKey = singleHeader(req, IDEMPOTENCY_KEY_HEADER)?.trim();
  if (headerKey && headerKey !== updateKey) {
    throw new HttpError(
      422,
      "invalid_request",
      `updateKey: does not match the ${IDEMPOTENCY_KEY_HEADER} header`,
    );
  }
  const order = sandbox.ordersById.get(providerOrderId);
  if (!order) throw new HttpError(404, "not_found", `No order ${providerOrderId}`);
  if (purchaseOrder.poNumber !== order.purchaseOrder.poNumber) {
    throw new HttpError(
      422,
      "invalid_request",
      `purchaseOrder.poNumber: ${providerOrderId} is PO ${order.purchaseOrder.poNumber}`,
    );
  }
  const body = JSON.stringify(purchaseOrder);
  const applied = order.updates.get(updateKey);
  if (applied !== undefined) {
    if (applied !== body) {
      throw new HttpError(
        409,
        "idempotency_conflict",
        "Update key already used for another change",
      );
    }
    return { kind: "respond", status: 200, body: { providerOrderId, status: "updated" } };
  }
  if (order.cancelled) throw new HttpError(409, "too_late", "The order was cancelled");
  if (order.trackingNumber) throw new HttpError(409, "too_late", "The order has already shipped");
  if (hasSku(order.purchaseOrder, SANDBOX_SKUS.inProduction)) {
    throw new HttpError(409, "too_late", "The order is already in production");
  }
  order.purchaseOrder = purchaseOrder;
  order.updates.set(updateKey, body);
  sandbox.stats.ordersUpdated += 1;
  sandbox.settings.log.info(`[sandbox] updated ${providerOrderId} (PO ${purchaseOrder.poNumber})`);
  return { kind: "respond", status: 200, body: { providerOrderId, status: "updated" } };
}

/** The stock query: signed like a purchase order, answered from the sandbox's stock settings. */
async function handleStock(sandbox: Sandbox, req: IncomingMessage): Promise<Outcome> {
  const rawBody = await signedBody(sandbox, req);
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid JSON");
  }
  const parsed = stockQuerySchema.safeParse(json);
  if (!parsed.success) throw new HttpError(422, "invalid_request", describeZodError(parsed.error));
  const { stock, defaultStock } = sandbox.settings;
  return {
    kind: "respond",
    status: 200,
    body: {
      stock: [...new Set(parsed.data.skus)].map((sku) => ({
        sku,
        available: sku.includes(SANDBOX_SKUS.outOfStock) ? 0 : (stock.get(sku) ?? defaultStock),
        leadTimeDays: 1,
      })),
    },
  };
}

function handleTrack(sandbox: Sandbox, trackingNumber: string): Outcome {
  const order = sandbox.ordersByTracking.get(trackingNumber);
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
