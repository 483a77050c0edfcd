// Every webhook is stored before it is answered: the receipt is the dedupe key (carts retry and
// sometimes deliver twice) and the durable record the worker acts on. Receipts and their jobs are
// stored by one statement, so a crash cannot keep one without the other.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { shops, webhookReceipts } from "~/db/schema";
import type { JobGuard } from "~/jobs/jobs.server";
import type { Platform } from "~/orders/core/model";
import { hasWebhookHandler } from "./webhook-handlers.server";

export type WebhookSource = "shopify" | "woocommerce";

export interface IncomingWebhook {
  source: WebhookSource;
  shopDomain: string;
  deliveryId: string;
  topic: string;
  payload: unknown;
}

/** What a webhook door reads of a request's headers (names in lower case); `Headers` is one. */
export interface HeaderLookup {
  get(name: string): string | null | undefined;
}

export type WebhookReceiptRow = typeof webhookReceipts.$inferSelect;

/**
 * What became of a delivery: stored (or found stored already), or refused because the database
 * cannot hold its payload; a refused one is recorded as rejected, without the payload.
 */
export type ReceiveOutcome = { duplicate: boolean; receiptId: string | null } | { refused: string };

/** Identifies a delivery in logs and errors; never its payload, which holds personal data. */
export type DeliveryRef = Pick<IncomingWebhook, "source" | "shopDomain" | "deliveryId" | "topic">;

export async function receiveWebhook(
  ctx: Pick<AppContext, "db" | "jobs">,
  webhook: IncomingWebhook,
): Promise<ReceiveOutcome> {
  // Topics without a handler yet stay stored and unprocessed, so they can be replayed later.
  if (!hasWebhookHandler(webhook.source, webhook.topic)) {
    try {
      const [row] = await ctx.db
        .insert(webhookReceipts)
        .values({ ...receiptOf(webhook), payload: webhook.payload })
        .onConflictDoNothing()
        .returning({ id: webhookReceipts.id });
      return row ? { duplicate: false, receiptId: row.id } : { duplicate: true, receiptId: null };
    } catch (error) {
      if (unstorable(webhook, error)) return refuseUnstorable(ctx, webhook, error);
      throw new WebhookStoreError(webhook, error);
    }
  }

  return receiptWriterFor(ctx).store(webhook);
}

// Carts send in bursts (a sale, an import, a bulk edit in the admin), and each delivery is stored
// before it is answered. Deliveries that arrive while a write is in flight wait for the next one
// and go together: one statement, one round trip and one commit for all of them. A lone delivery
// is written at once, so a quiet shop's latency is one statement's; under a burst, batches grow
// by themselves (docs/decisions/0017-webhook-door.md).
const MAX_WRITES_IN_FLIGHT = 2;
const MAX_BATCH = 200;
// Deliveries waiting while the database is slow hold their bodies in memory. Past this many, a
// delivery is refused at once (503, the cart retries later) rather than piling up.
const MAX_WAITING = 5_000;

/** Too many deliveries are waiting to be stored; the cart should retry later. */
export class WebhookBacklogError extends Error {
  constructor() {
    super("Too many deliveries are waiting to be stored; retry shortly");
  }
}

/**
 * A delivery that could not be stored. Its message names the delivery and the driver's error
 * codes only: a driver's own message can carry the statement's parameters (every payload of the
 * batch, with customers' names and addresses), so neither it nor the driver's error is kept here
 * (not even as `cause`, which loggers print).
 */
export class WebhookStoreError extends Error {
  constructor(delivery: DeliveryRef, error: unknown) {
    super(
      `${delivery.source} delivery ${delivery.deliveryId} (shop ${delivery.shopDomain}, topic ` +
        `${delivery.topic}) could not be stored: ${errorCodes(error)}`,
    );
    this.name = "WebhookStoreError";
  }
}

/**
 * Runs what a door does with a delivery it has identified; a failure is rethrown as a
 * WebhookStoreError naming that delivery (a backlog refusal passes through as it is).
 */
export async function namingDelivery<T>(delivery: DeliveryRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WebhookBacklogError || error instanceof WebhookStoreError) throw error;
    throw new WebhookStoreError(delivery, error);
  }
}

/** A webhook door's failure as it may be logged: ids, shop, topic and error codes, no data. */
export function describeDeliveryFailure(error: unknown): string {
  return error instanceof WebhookStoreError || error instanceof WebhookBacklogError
    ? error.message
    : errorCodes(error);
}

/** The names and codes of an error and its causes, e.g. "DrizzleQueryError < DatabaseError 22P02". */
function errorCodes(error: unknown): string {
  const parts = errorChain(error).map((e) => {
    const { name, code } = e as { name?: unknown; code?: unknown };
    // Only what looks like a class name or an error code: anything else could be data.
    const named = typeof name === "string" && /^\w{1,60}$/.test(name) ? name : "error";
    return typeof code === "string" && /^\w{1,40}$/.test(code) ? `${named} ${code}` : named;
  });
  return parts.length > 0 ? parts.join(" < ") : "unknown error";
}

/** The error, then its causes (drivers wrap theirs: PGlite's code is on `cause`). */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== null && typeof e === "object" && chain.length < 5;) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

interface WaitingDelivery {
  webhook: IncomingWebhook;
  /** Chosen here, so the job can carry it; the job gets the same id. */
  receiptId: string;
  resolve: (outcome: ReceiveOutcome) => void;
  reject: (error: unknown) => void;
}

type ReceiptCtx = Pick<AppContext, "db" | "jobs">;

const writers = new WeakMap<ReceiptCtx["jobs"], ReceiptWriter>();

function receiptWriterFor(ctx: ReceiptCtx): ReceiptWriter {
  let writer = writers.get(ctx.jobs);
  if (!writer) {
    writer = new ReceiptWriter(ctx);
    writers.set(ctx.jobs, writer);
  }
  return writer;
}

class ReceiptWriter {
  #waiting: WaitingDelivery[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(private readonly ctx: ReceiptCtx) {}

  store(webhook: IncomingWebhook): Promise<ReceiveOutcome> {
    if (this.#waiting.length >= MAX_WAITING) return Promise.reject(new WebhookBacklogError());
    return new Promise((resolve, reject) => {
      this.#waiting.push({ webhook, receiptId: randomUUID(), resolve, reject });
      this.#schedule();
    });
  }

  #schedule() {
    if (this.#scheduled || this.#inFlight >= MAX_WRITES_IN_FLIGHT || !this.#waiting.length) return;
    this.#scheduled = true;
    // After the I/O callbacks of this turn, so requests read together are written together.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#inFlight < MAX_WRITES_IN_FLIGHT && this.#waiting.length) {
        const batch = this.#waiting.splice(0, MAX_BATCH);
        this.#inFlight++;
        void this.#write(batch).finally(() => {
          this.#inFlight--;
          this.#schedule();
        });
      }
    });
  }

  async #write(batch: WaitingDelivery[]): Promise<void> {
    let error: unknown;
    try {
      const stored = await storeReceipts(this.ctx, batch);
      for (const d of batch) d.resolve(outcomeOf(d, stored));
      return;
    } catch (e) {
      error = e;
    }
    // A lost connection or a timeout would fail each delivery alone just the same.
    if (!refusedByData(error)) {
      for (const d of batch) d.reject(new WebhookStoreError(d.webhook, error));
      return;
    }
    // One delivery the database refuses must not fail the others that happened to share its
    // statement: each is tried alone (a lone one already was), and one still refused is a bad
    // payload, refused for good. A 500 would have the cart send it again until it gave up.
    for (const d of batch) {
      let refusal = error;
      if (batch.length > 1) {
        try {
          d.resolve(outcomeOf(d, await storeReceipts(this.ctx, [d])));
          continue;
        } catch (alone) {
          refusal = alone;
        }
      }
      if (unstorable(d.webhook, refusal)) {
        await refuseUnstorable(this.ctx, d.webhook, refusal).then(d.resolve, d.reject);
      } else {
        d.reject(new WebhookStoreError(d.webhook, refusal));
      }
    }
  }
}

function outcomeOf(d: WaitingDelivery, stored: Set<string>): ReceiveOutcome {
  return stored.has(d.receiptId)
    ? { duplicate: false, receiptId: d.receiptId }
    : { duplicate: true, receiptId: null };
}

/** The driver's SQLSTATE, on the error or on one of its causes. */
function sqlState(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const isRangeError = (error: unknown) =>
  errorChain(error).some((e) => (e as { name?: unknown }).name === "RangeError");

/**
 * The values were refused (data exception, constraint, size limit), not the request; or a
 * RangeError, which serialising a payload nested too deeply throws before any statement is sent.
 */
function refusedByData(error: unknown): boolean {
  return /^(22|23|54)/.test(sqlState(error) ?? "") || isRangeError(error);
}

/**
 * Whether this delivery, stored on its own, failed because of what its payload holds: a data
 * exception (class 22, e.g. an unpaired surrogate jsonb refuses) or a size limit (class 54). A
 * constraint (class 23) is left out: it is about the receipt's other values (a shop erased
 * meanwhile), which a retry can get past.
 */
function unstorable(webhook: IncomingWebhook, error: unknown): boolean {
  if (/^(22|54)/.test(sqlState(error) ?? "")) return true;
  // A RangeError could come from elsewhere; it is the payload's when the payload cannot be
  // serialised at all.
  if (!isRangeError(error)) return false;
  try {
    JSON.stringify(webhook.payload);
    return false;
  } catch {
    return true;
  }
}

/**
 * Records a delivery whose payload the database cannot hold as rejected, without the payload,
 * and says why. The why names the kind of problem and its code; the driver's message is not
 * used, as it can quote the payload.
 */
async function refuseUnstorable(
  ctx: Pick<AppContext, "db">,
  webhook: IncomingWebhook,
  error: unknown,
): Promise<ReceiveOutcome> {
  const code = sqlState(error);
  const why = code?.startsWith("22")
    ? `it holds text the database refuses, such as an unpaired surrogate escape (${code})`
    : `it is nested too deeply or too large${code ? ` (${code})` : ""}`;
  const reason = `The payload cannot be stored: ${why}`;
  await namingDelivery(webhook, () =>
    ctx.db
      .insert(webhookReceipts)
      .values({
        ...receiptOf(webhook),
        // Never the payload: the database refused it, and it may hold anything.
        payload: null,
        error: `Rejected: ${reason}`.slice(0, 2000),
      })
      .onConflictDoNothing(),
  );
  return { refused: reason };
}

/**
 * Stores the receipts and their jobs in one statement and returns the ids of the receipts that
 * were new (a redelivery's receipt conflicts and gets no job). The receipts' insert guards the
 * job insert: each job is kept only if its receipt was inserted, so a crash can never keep one
 * without the other.
 */
async function storeReceipts(
  ctx: ReceiptCtx,
  batch: readonly Pick<WaitingDelivery, "webhook" | "receiptId">[],
): Promise<Set<string>> {
  // process-webhook has the standard policy and each job a fresh id (its receipt's), so a job
  // insert cannot conflict: a missing job means its receipt was already there.
  return ctx.jobs.sendManyGuarded(
    "process-webhook",
    batch.map((d) => ({ id: d.receiptId, data: { receiptId: d.receiptId } })),
    receiptGuard(batch),
  );
}

/** The shop the delivery is for, looked up inside the insert (no round trip of its own). */
/** Who sent a delivery and what it is: the columns every receipt row starts from. */
function receiptOf(webhook: IncomingWebhook) {
  return {
    shopId: shopOf(webhook),
    source: webhook.source,
    shopDomain: webhook.shopDomain,
    deliveryId: webhook.deliveryId,
    topic: webhook.topic,
  };
}

function shopOf(webhook: IncomingWebhook) {
  return sql<string | null>`(select ${shops.id} from ${shops}
      where ${shops.platform} = ${webhook.source satisfies Platform}
        and ${shops.domain} = ${webhook.shopDomain} limit 1)`;
}

/** The receipts' insert, which each delivery's job is kept behind (its data names its receipt). */
export function receiptGuard(
  batch: readonly { webhook: IncomingWebhook; receiptId: string }[],
): JobGuard {
  return {
    name: "receipt",
    sql: `
    insert into webhook_receipt (id, shop_id, source, shop_domain, delivery_id, topic, payload)
    select r.id,
      (select s.id from shop s where s.platform = r.source::platform and s.domain = r.shop_domain
        limit 1),
      r.source, r.shop_domain, r.delivery_id, r.topic, r.payload
    from json_to_recordset($2::text::json)
      as r (id uuid, source text, shop_domain text, delivery_id text, topic text, payload jsonb)
    on conflict do nothing
    returning id`,
    params: [
      JSON.stringify(
        batch.map(({ webhook, receiptId }) => ({
          id: receiptId,
          source: webhook.source,
          shop_domain: webhook.shopDomain,
          delivery_id: webhook.deliveryId,
          topic: webhook.topic,
          payload: webhook.payload ?? null,
        })),
      ),
    ],
    key: "receiptId",
  };
}

export async function getReceipt(
  ctx: Pick<AppContext, "db">,
  receiptId: string,
): Promise<WebhookReceiptRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(webhookReceipts)
    .where(eq(webhookReceipts.id, receiptId))
    .limit(1);
  return row;
}

export async function markReceipt(
  ctx: Pick<AppContext, "db">,
  receipt: Pick<WebhookReceiptRow, "id" | "shopDomain">,
  outcome: { processed: true } | { error: string },
): Promise<void> {
  await ctx.db
    .update(webhookReceipts)
    .set(
      "processed" in outcome
        ? { processedAt: new Date(), error: null }
        : { error: outcome.error.slice(0, 2000) },
    )
    .where(
      and(eq(webhookReceipts.id, receipt.id), eq(webhookReceipts.shopDomain, receipt.shopDomain)),
    );
}

/** Marks receipts of one batch processed, in one statement. */
export async function markReceiptsProcessed(
  ctx: Pick<AppContext, "db">,
  receipts: readonly Pick<WebhookReceiptRow, "id">[],
): Promise<void> {
  if (receipts.length === 0) return;
  await ctx.db
    .update(webhookReceipts)
    .set({ processedAt: new Date(), error: null })
    .where(
      inArray(
        webhookReceipts.id,
        receipts.map((r) => r.id),
      ),
    );
}
