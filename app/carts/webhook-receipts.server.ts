// Every webhook is stored before it is answered: the receipt is the dedupe key (carts retry and
// sometimes deliver twice) and the durable record the worker acts on. The receipt and its job are
// stored by one statement, so a crash cannot keep one without the other.
import { createHash, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import pg from "pg";
import { fromDrizzle, type Db as BossDb, type DrizzleTransactionLike } from "pg-boss";
import type { AppContext } from "~/context.server";
import { shops, webhookReceipts } from "~/db/schema";
import type { Platform } from "~/orders/model";
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

  // Receipt and job in one statement, one round trip (instead of begin, insert, insert, commit):
  // the receipt insert is a CTE in front of pg-boss's own job insert, and the job's rows are read
  // from the receipt's, so a redelivery (receipt conflict) inserts no job. One statement is atomic,
  // so a crash cannot keep one without the other. The receipt id is chosen here so the job can
  // carry it.
  const receiptId = randomUUID();
  let jobsInserted = -1;
  const pool = (ctx.db as unknown as { $client?: unknown }).$client;
  const inner: BossDb =
    pool instanceof pg.Pool
      ? {
          // A named statement is parsed and planned once per connection, not per delivery.
          async executeSql(text, values) {
            const name = `orderlane_receipt_${statementKey(text)}`;
            return pool.query({ name, text, values });
          },
        }
      : fromDrizzle(ctx.db as unknown as DrizzleTransactionLike, sql);
  const withReceipt: BossDb = {
    async executeSql(text, values = []) {
      const { statement, params } = prependReceipt(text, values, receiptId, webhook);
      const result = await inner.executeSql(statement, params);
      jobsInserted = result.rows.length;
      return result;
    },
  };
  await ctx.jobs.boss.send("process-webhook", { receiptId }, { db: withReceipt });
  if (jobsInserted < 0) throw new Error("pg-boss did not insert the webhook's job");
  // process-webhook has the standard policy and the job a fresh id, so the job insert cannot
  // conflict: no job means the receipt was already there.
  return jobsInserted > 0 ? { duplicate: false, receiptId } : { duplicate: true, receiptId: null };
}

const statementKeys = new Map<string, string>();
/** A short stable name for a statement's text (the same text always gets the same name). */
function statementKey(text: string): string {
  let key = statementKeys.get(text);
  if (!key) {
    key = createHash("sha1").update(text).digest("hex").slice(0, 16);
    statementKeys.set(text, key);
  }
  return key;
}

/** The shop the delivery is for, looked up inside the insert (no round trip of its own). */
function shopOf(webhook: IncomingWebhook) {
  return sql<string | null>`(select ${shops.id} from ${shops}
      where ${shops.platform} = ${webhook.source satisfies Platform}
        and ${shops.domain} = ${webhook.shopDomain} limit 1)`;
}

// pg-boss 12.35 (pinned exactly, STACK.md) reads its jobs from `json_to_recordset($1::text::json)`
// and may itself start with WITH (when the queue notifies). Anything else means pg-boss changed:
// refuse loudly rather than enqueue without the receipt guard.
const JOBS_PARAM = "$1::text::json";

export function prependReceipt(
  text: string,
  values: unknown[],
  receiptId: string,
  webhook: IncomingWebhook,
): { statement: string; params: unknown[] } {
  if (values.length !== 1 || text.split(JOBS_PARAM).length !== 2) {
    throw new Error("pg-boss's job insert is not the one webhook receipts were written against");
  }
  const n = values.length;
  const receipt = `receipt as (
    insert into webhook_receipt (id, shop_id, source, shop_domain, delivery_id, topic, payload)
    values ($${n + 1}::uuid,
      (select s.id from shop s where s.platform = $${n + 2} and s.domain = $${n + 3} limit 1),
      $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}::jsonb)
    on conflict do nothing
    returning id)`;
  const gated = text.replace(
    JOBS_PARAM,
    `(case when exists (select 1 from receipt) then $1::text else '[]' end)::json`,
  );
  const trimmed = gated.trimStart();
  const statement = /^with\s/i.test(trimmed)
    ? `with ${receipt}, ${trimmed.slice(4)}`
    : `with ${receipt} ${trimmed}`;
  return {
    statement,
    params: [
      ...values,
      receiptId,
      webhook.source,
      webhook.shopDomain,
      webhook.deliveryId,
      webhook.topic,
      JSON.stringify(webhook.payload ?? null),
    ],
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
