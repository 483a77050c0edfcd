// A feed run: fetch a distributor's CSV as a stream, check each row, stage the good ones, and apply
// the whole file to distributor_item in one transaction once every byte arrived (decision 0050).
// Bad rows are reported with their line and skipped; a run that fails (login refused, timeout,
// connection dropped, a file that is not the feed we expect) changes no stock and raises an alert
// on the distributor, cleared by the next run that succeeds.
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse, CsvError } from "csv-parse";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";
import {
  distributorFeeds,
  feedRuns,
  feedStageRows,
  providers,
  type FeedRejectedLine,
} from "~/db/schema";
import { outboundPolicy } from "~/security/outbound.server";
import { providerConfig } from "../providers.server";
import { openFeed, type OpenedFeed, FeedFetchError, formatBytes } from "./feed-fetch.server";
import { COLUMN_LABELS, type FeedColumns } from "./feed-settings";

type Ctx = Pick<AppContext, "db" | "config">;
export type FeedRunRow = typeof feedRuns.$inferSelect;
export type DistributorFeedRow = typeof distributorFeeds.$inferSelect;

export interface FeedRunOptions {
  /** Silence longer than this, connecting or mid-file, fails the run. */
  timeoutMs?: number;
  /** A feed larger than this is refused as it streams. */
  maxBytes?: number;
  /** Parsed rows staged per statement. */
  batchSize?: number;
  /** Called after a run that succeeded (stock to the cart); its failure never fails the run. */
  afterSuccess?: (run: FeedRunRow) => Promise<void>;
}

export const FEED_DEFAULTS = {
  timeoutMs: 30_000,
  maxBytes: 1024 ** 3,
  batchSize: 5_000,
} as const;

/** Rejected lines kept on the run for the owner to read; the count covers all of them. */
const REJECTED_KEPT = 200;
/** A run still "running" this long after it started belonged to a worker that died. */
const STALE_RUN_MS = 3 * 3600_000;

export type RunFeedResult =
  { ok: true; run: FeedRunRow } | { ok: false; notFound: true } | { ok: false; busy: true };

/** The feed of one of the shop's distributors, with its provider row; undefined when not the shop's. */
export async function loadDistributorFeed(
  ctx: Pick<Ctx, "db">,
  shopId: string,
  providerId: string,
) {
  const [row] = await ctx.db
    .select({ provider: providers, feed: distributorFeeds })
    .from(providers)
    .leftJoin(distributorFeeds, eq(distributorFeeds.providerId, providers.id))
    .where(
      and(
        eq(providers.id, providerId),
        eq(providers.shopId, shopId),
        eq(providers.kind, "distributor"),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Runs a distributor's feed now. One run per distributor at a time: the database refuses a second
 * running row, and a caller finding one gets `busy`.
 */
export async function runFeed(
  ctx: Ctx,
  shopId: string,
  providerId: string,
  trigger: "schedule" | "owner",
  options: FeedRunOptions = {},
): Promise<RunFeedResult> {
  const found = await loadDistributorFeed(ctx, shopId, providerId);
  if (!found?.feed) return { ok: false, notFound: true };
  const { provider, feed } = found;

  // A run left "running" by a worker that died would block every later run.
  await ctx.db
    .update(feedRuns)
    .set({
      status: "failed",
      finishedAt: new Date(),
      error: "The run stopped part-way (the app was restarted); nothing it read was applied",
    })
    .where(
      and(
        eq(feedRuns.providerId, providerId),
        eq(feedRuns.status, "running"),
        lt(feedRuns.startedAt, new Date(Date.now() - STALE_RUN_MS)),
      ),
    );
  let run: FeedRunRow;
  try {
    [run] = (await ctx.db.insert(feedRuns).values({ shopId, providerId, trigger }).returning()) as [
      FeedRunRow,
    ];
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, busy: true };
    throw error;
  }

  const settings = { ...FEED_DEFAULTS, ...options };
  const credentials = providerConfig(provider, ctx.config.encryptionKey).credentials;
  const counts = { read: 0, rejected: 0 };
  const rejected: FeedRejectedLine[] = [];
  let opened: OpenedFeed | null = null;
  try {
    opened = await openFeed(
      {
        protocol: feed.protocol,
        host: feed.host,
        port: feed.port,
        path: feed.path,
        username: credentials.username,
        password: credentials.password,
      },
      {
        policy: outboundPolicy(ctx.config),
        trustedAddresses: ctx.config.demo?.feedAddresses ?? [],
        timeoutMs: settings.timeoutMs,
        maxBytes: settings.maxBytes,
      },
    );
    await stageFeed(ctx, run, feed, opened.stream, settings.batchSize, counts, rejected);
    // Every row was read; only the server's word that the file is whole lets them count.
    await opened.done;
    if (counts.read - counts.rejected === 0) {
      throw new FeedProblem(
        counts.read === 0
          ? "The feed has no items (only a header, or nothing at all); your stock was left as it was"
          : "Every row of the feed was rejected; your stock was left as it was",
      );
    }
    // Fresh statistics, so the apply's joins are planned for the rows just staged.
    await ctx.db.execute(sql`analyze feed_stage_row`);
    const applied = await applyStaged(ctx, run, feed);
    const [done] = await ctx.db
      .update(feedRuns)
      .set({
        status: "succeeded",
        finishedAt: new Date(),
        rowsRead: counts.read,
        rowsRejected: counts.rejected,
        rejected,
        rowsChanged: applied.changed,
        rowsZeroed: applied.zeroed,
      })
      .where(eq(feedRuns.id, run.id))
      .returning();
    if (options.afterSuccess) {
      await options.afterSuccess(done!).catch((error: unknown) => {
        console.error(`[feeds] after run ${run.id}: ${(error as Error).message}`);
      });
    }
    const [final] = await ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    return { ok: true, run: final! };
  } catch (error) {
    const message = failureWords(error);
    const finishedAt = new Date();
    await ctx.db.delete(feedStageRows).where(eq(feedStageRows.runId, run.id));
    const [failed] = await ctx.db
      .update(feedRuns)
      .set({
        status: "failed",
        finishedAt,
        rowsRead: counts.read,
        rowsRejected: counts.rejected,
        rejected,
        error: message,
      })
      .where(eq(feedRuns.id, run.id))
      .returning();
    await ctx.db
      .update(distributorFeeds)
      .set({ alert: { message, at: finishedAt.toISOString(), runId: run.id } })
      .where(eq(distributorFeeds.providerId, providerId));
    if (!(error instanceof FeedFetchError || error instanceof FeedProblem)) {
      console.error(`[feeds] run ${run.id} failed: ${(error as Error).stack ?? String(error)}`);
    }
    return { ok: true, run: failed! };
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

/** A problem with the feed's content that fails the whole run (not one row). */
export class FeedProblem extends Error {}

function failureWords(error: unknown): string {
  if (error instanceof FeedFetchError || error instanceof FeedProblem) return error.message;
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return `The feed could not be read as CSV${line ? ` at line ${line}` : ""}: ${error.message.replace(/^Invalid [^:]*: /, "")}`;
  }
  return "The feed run failed unexpectedly; the error was logged";
}

function isUniqueViolation(error: unknown): boolean {
  const code =
    (error as { code?: string } | null)?.code ??
    (error as { cause?: { code?: string } } | null)?.cause?.code;
  return code === "23505";
}

interface StagedRow {
  line: number;
  sku: string;
  warehouse: string;
  stock: number;
  cost: string;
  lead: number;
  name: string | null;
  barcode: string | null;
}

const WHOLE = /^[+]?\d{1,9}$/;
const DECIMAL = /^[+]?\d{1,10}(\.\d{1,4})?$/;

/** Which field index each mapped column is at; throws FeedProblem naming what is missing. */
function locateColumns(header: string[], columns: FeedColumns, delimiter: string) {
  const names = header.map((h) => h.trim().toLowerCase());
  const at = (key: keyof FeedColumns): number | undefined => {
    const wanted = columns[key];
    if (!wanted) return undefined;
    const index = names.indexOf(wanted.trim().toLowerCase());
    return index >= 0 ? index : -1;
  };
  const missing = (Object.keys(COLUMN_LABELS) as (keyof FeedColumns)[]).filter(
    (key) => columns[key] && at(key) === -1,
  );
  if (missing.length > 0) {
    const other = [",", ";", "\t", "|"].find(
      (d) => d !== delimiter && header.length === 1 && (header[0] ?? "").includes(d),
    );
    if (other) {
      throw new FeedProblem(
        `The feed's header reads as one column: its columns seem to be separated by ${delimiterWords(other)}, not ${delimiterWords(delimiter)}. Change the separator in the feed settings.`,
      );
    }
    const list = missing.map((k) => `"${columns[k]}" (${COLUMN_LABELS[k]})`).join(", ");
    const shown = header
      .slice(0, 12)
      .map((h) => `"${h}"`)
      .join(", ");
    throw new FeedProblem(`The feed has no column ${list}. Its header has: ${shown}.`);
  }
  return {
    sku: at("sku")!,
    stock: at("stock")!,
    cost: at("cost")!,
    lead: at("leadTimeDays")!,
    warehouse: at("warehouse"),
    name: at("productName"),
    barcode: at("barcode"),
  };
}

export function delimiterWords(d: string): string {
  return d === "," ? "commas" : d === ";" ? "semicolons" : d === "\t" ? "tabs" : `"${d}"`;
}

/** Checks one row; a string is the reason it is rejected. */
function readRow(
  record: string[],
  line: number,
  at: ReturnType<typeof locateColumns>,
): StagedRow | string {
  const field = (i: number | undefined) => (i === undefined ? "" : (record[i] ?? "").trim());
  const highest = Math.max(at.sku, at.stock, at.cost, at.lead);
  if (record.length <= highest) {
    return `Has ${record.length} field${record.length === 1 ? "" : "s"}; the mapped columns need ${highest + 1}`;
  }
  const sku = field(at.sku);
  if (!sku) return "The SKU is empty";
  if (sku.length > 200) return "The SKU is longer than 200 characters";
  const stock = field(at.stock);
  if (!WHOLE.test(stock)) {
    return /^-\d+$/.test(stock)
      ? `Stock "${stock}" is negative`
      : `Stock "${clip(stock)}" is not a whole number`;
  }
  const cost = field(at.cost).replace(/^\$/, "");
  if (!DECIMAL.test(cost)) return `Cost "${clip(field(at.cost))}" is not an amount like 12.50`;
  const lead = field(at.lead);
  if (!WHOLE.test(lead) || Number(lead) > 365) {
    return `Lead time "${clip(lead)}" is not a number of days from 0 to 365`;
  }
  return {
    line,
    sku,
    warehouse: field(at.warehouse).slice(0, 100),
    stock: Number(stock),
    cost,
    lead: Number(lead),
    name: field(at.name).slice(0, 300) || null,
    barcode: field(at.barcode).replace(/\s+/g, "").slice(0, 50) || null,
  };
}

function clip(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

/** Parses the stream and stages its good rows in batches; never holds more than a batch. */
async function stageFeed(
  ctx: Ctx,
  run: FeedRunRow,
  feed: DistributorFeedRow,
  stream: Readable,
  batchSize: number,
  counts: { read: number; rejected: number },
  rejected: FeedRejectedLine[],
): Promise<void> {
  const parser = parse({
    delimiter: feed.delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // A quoted field that never closes would otherwise swallow the rest of the file.
    max_record_size: 64 * 1024,
  });
  let at: ReturnType<typeof locateColumns> | null = null;
  let batch: StagedRow[] = [];
  // One batch is written while the next is parsed; never more than two are held.
  let writing: Promise<void> = Promise.resolve();
  const write = async (rows: StagedRow[]) => {
    await ctx.db.execute(sql`
      insert into feed_stage_row
        (run_id, line, sku, warehouse, stock, cost, lead_time_days, product_name, barcode)
      select ${run.id}::uuid, r.line, r.sku, r.warehouse, r.stock, r.cost, r.lead, r.name, r.barcode
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(
        line int, sku text, warehouse text, stock int, cost numeric, lead int, name text, barcode text
      )`);
  };
  const flush = async () => {
    await writing;
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    writing = write(rows);
    // A failed write fails the run at the next flush or at the end, whichever comes first.
    writing.catch(() => undefined);
  };
  const finish = async () => {
    await flush();
    await writing;
  };
  const sink = new Transform({
    objectMode: true,
    transform(entry: { record: string[]; info: { lines: number } }, _encoding, callback) {
      const line = entry.info.lines;
      if (!at) {
        try {
          at = locateColumns(entry.record, feed.columns, feed.delimiter);
          callback();
        } catch (error) {
          callback(error as Error);
        }
        return;
      }
      counts.read += 1;
      const row = readRow(entry.record, line, at);
      if (typeof row === "string") {
        counts.rejected += 1;
        if (rejected.length < REJECTED_KEPT) rejected.push({ line, reason: row });
        callback();
        return;
      }
      batch.push(row);
      if (batch.length >= batchSize) flush().then(() => callback(), callback);
      else callback();
    },
    flush(callback) {
      if (!at) {
        callback(new FeedProblem("The feed is empty: it has no header row"));
        return;
      }
      finish().then(() => callback(), callback);
    },
  });
  await pipeline(stream, parser, sink);
}

/**
 * Applies the staged rows in one transaction: upserts what changed (the last row wins when a SKU
 * and warehouse appear twice), and for a complete feed puts what it no longer lists at stock 0.
 */
async function applyStaged(
  ctx: Ctx,
  run: FeedRunRow,
  feed: DistributorFeedRow,
): Promise<{ changed: number; zeroed: number }> {
  return ctx.db.transaction(async (tx) => {
    const [upserted] = await queryRows<{ n: number }>(
      tx,
      sql`
      with src as (
        select distinct on (sku, warehouse) *
        from feed_stage_row where run_id = ${run.id}
        order by sku, warehouse, line desc
      ), written as (
        insert into distributor_item as di
          (shop_id, provider_id, sku, warehouse, stock, cost, lead_time_days, product_name, barcode, updated_at)
        select ${run.shopId}::uuid, ${run.providerId}::uuid, sku, warehouse, stock, cost, lead_time_days,
               product_name, barcode, now()
        from src
        on conflict (provider_id, sku, warehouse) do update set
          stock = excluded.stock, cost = excluded.cost, lead_time_days = excluded.lead_time_days,
          product_name = excluded.product_name, barcode = excluded.barcode, updated_at = now()
        where (di.stock, di.cost, di.lead_time_days, di.product_name, di.barcode)
          is distinct from
          (excluded.stock, excluded.cost, excluded.lead_time_days, excluded.product_name, excluded.barcode)
        returning 1
      )
      select count(*)::int as n from written`,
    );
    let zeroed = 0;
    if (feed.mode === "complete") {
      const [gone] = await queryRows<{ n: number }>(
        tx,
        sql`
        with gone as (
          update distributor_item di set stock = 0, updated_at = now()
          where di.provider_id = ${run.providerId} and di.shop_id = ${run.shopId} and di.stock <> 0
            and not exists (
              select 1 from feed_stage_row s
              where s.run_id = ${run.id} and s.sku = di.sku and s.warehouse = di.warehouse
            )
          returning 1
        )
        select count(*)::int as n from gone`,
      );
      zeroed = gone?.n ?? 0;
    }
    await tx.delete(feedStageRows).where(eq(feedStageRows.runId, run.id));
    await tx
      .update(distributorFeeds)
      .set({ alert: null, lastSuccessAt: new Date() })
      .where(eq(distributorFeeds.providerId, run.providerId));
    return { changed: upserted?.n ?? 0, zeroed };
  });
}

/** The distributor's latest runs, newest first. */
export async function listFeedRuns(
  ctx: Pick<Ctx, "db">,
  shopId: string,
  providerId: string,
  limit = 20,
): Promise<FeedRunRow[]> {
  return ctx.db
    .select()
    .from(feedRuns)
    .where(and(eq(feedRuns.shopId, shopId), eq(feedRuns.providerId, providerId)))
    .orderBy(desc(feedRuns.startedAt))
    .limit(limit);
}

export { formatBytes };
