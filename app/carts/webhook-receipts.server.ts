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

export async function receiveWebhook(
  ctx: Pick<AppContext, "db" | "jobs">,
  webhook: IncomingWebhook,
): Promise<{ duplicate: boolean; receiptId: string | null }> {
  // Topics without a handler yet stay stored and unprocessed, so they can be replayed later.
  if (!hasWebhookHandler(webhook.source, webhook.topic)) {
    const [row] = await ctx.db
      .insert(webhookReceipts)
      .values({
        shopId: shopOf(webhook),
        source: webhook.source,
        shopDomain: webhook.shopDomain,
        deliveryId: webhook.deliveryId,
        topic: webhook.topic,
        payload: webhook.payload,
      })
      .onConflictDoNothing()
      .returning({ id: webhookReceipts.id });
    return row ? { duplicate: false, receiptId: row.id } : { duplicate: true, receiptId: null };
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

interface WaitingDelivery {
  webhook: IncomingWebhook;
  /** Chosen here, so the job can carry it; the job gets the same id. */
  receiptId: string;
  resolve: (stored: { duplicate: boolean; receiptId: string | null }) => void;
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

  store(webhook: IncomingWebhook): Promise<{ duplicate: boolean; receiptId: string | null }> {
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
    try {
      const stored = await storeReceipts(this.ctx, batch);
      for (const d of batch) {
        d.resolve(
          stored.has(d.receiptId)
            ? { duplicate: false, receiptId: d.receiptId }
            : { duplicate: true, receiptId: null },
        );
      }
    } catch (error) {
      // A lost connection or a timeout would fail each delivery alone just the same.
      if (batch.length === 1 || !refusedByData(error)) {
        for (const d of batch) d.reject(error);
        return;
      }
      // One delivery the database refuses must not fail the others that happened to share its
      // statement: each is tried alone, and only the bad one is answered 500 (the cart retries).
      for (const d of batch) {
        await storeReceipts(this.ctx, [d]).then(
          (stored) =>
            d.resolve(
              stored.has(d.receiptId)
                ? { duplicate: false, receiptId: d.receiptId }
                : { duplicate: true, receiptId: null },
            ),
          d.reject,
        );
      }
    }
  }
}

/** PostgreSQL refused the values (data exception, constraint, size limit), not the request. */
function refusedByData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)/.test(code);
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
