// Distributors as the owner manages them: the feed's settings (validated, the server checked under
// the outbound policy when saved), a preview of its first rows for the column mapping, Run now,
// the daily schedule in the shop's time zone, and the list the API and the page show.
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { parse } from "csv-parse";
import type { AppContext } from "~/context.server";
import { distributorFeeds, feedRuns, providers, shops } from "~/db/schema";
import { shopSettings } from "~/orders/core/shop-settings";
import { outboundPolicy } from "~/security/outbound.server";
import { providerConfig } from "../providers.server";
import { fieldErrors } from "../provider-settings.server";
import { FeedFetchError, openFeed, type FeedSource } from "./feed-fetch.server";
import { FEED_DEFAULTS, runFeed, type FeedRunOptions, type FeedRunRow } from "./feed-runs.server";
import { pushStockAfterRun } from "./stock-push.server";
import { feedInputSchema, type FeedColumns, type FeedProtocol } from "./feed-settings";

type Ctx = Pick<AppContext, "db" | "config">;
type DistributorFeedRow = typeof distributorFeeds.$inferSelect;

export interface FeedRunSummary {
  id: string;
  trigger: "schedule" | "owner";
  status: "running" | "succeeded" | "failed";
  startedAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsChanged: number;
  rowsZeroed: number;
  rowsRejected: number;
  rejected: { line: number; reason: string }[];
  error: string | null;
  stockPush: FeedRunRow["stockPush"];
}

export interface DistributorSummary {
  id: string;
  name: string;
  enabled: boolean;
  feed: {
    protocol: FeedProtocol;
    host: string;
    port: number | null;
    path: string;
    mode: "complete" | "delta";
    delimiter: string;
    columns: FeedColumns;
    enabled: boolean;
    schedule: { hour: number; timezone: string };
    lastRun: FeedRunSummary | null;
    lastSuccessAt: string | null;
    alert: { message: string; at: string } | null;
  } | null;
}

export function runSummary(run: FeedRunRow): FeedRunSummary {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    rowsRead: run.rowsRead,
    rowsChanged: run.rowsChanged,
    rowsZeroed: run.rowsZeroed,
    rowsRejected: run.rowsRejected,
    rejected: run.rejected,
    error: run.error,
    stockPush: run.stockPush,
  };
}

/** The shop's distributors with their feed and last run, by name. */
export async function listDistributors(
  ctx: Pick<Ctx, "db">,
  shopId: string,
): Promise<DistributorSummary[]> {
  const [shop] = await ctx.db.select().from(shops).where(eq(shops.id, shopId)).limit(1);
  const timezone = shopSettings(shop ?? { settings: null }).timezone;
  const rows = await ctx.db
    .select({ provider: providers, feed: distributorFeeds })
    .from(providers)
    .leftJoin(distributorFeeds, eq(distributorFeeds.providerId, providers.id))
    .where(and(eq(providers.shopId, shopId), eq(providers.kind, "distributor")))
    .orderBy(providers.name);
  const ids = rows.map((r) => r.provider.id);
  const latest =
    ids.length === 0
      ? []
      : await ctx.db
          .selectDistinctOn([feedRuns.providerId])
          .from(feedRuns)
          .where(and(eq(feedRuns.shopId, shopId), inArray(feedRuns.providerId, ids)))
          .orderBy(feedRuns.providerId, desc(feedRuns.startedAt));
  const lastRun = new Map(latest.map((r) => [r.providerId, r]));
  return rows.map(({ provider, feed }) => ({
    id: provider.id,
    name: provider.name,
    enabled: provider.enabled,
    feed: feed ? feedSummary(feed, timezone, lastRun.get(provider.id)) : null,
  }));
}

function feedSummary(
  feed: DistributorFeedRow,
  timezone: string,
  last: FeedRunRow | undefined,
): NonNullable<DistributorSummary["feed"]> {
  return {
    protocol: feed.protocol,
    host: feed.host,
    port: feed.port,
    path: feed.path,
    mode: feed.mode,
    delimiter: feed.delimiter,
    columns: feed.columns,
    enabled: feed.enabled,
    schedule: { hour: feed.scheduleHour, timezone },
    lastRun: last ? runSummary(last) : null,
    lastSuccessAt: feed.lastSuccessAt?.toISOString() ?? null,
    alert: feed.alert ? { message: feed.alert.message, at: feed.alert.at } : null,
  };
}

export type SaveFeedResult =
  { ok: true } | { ok: false; errors: Record<string, string> } | { ok: false; notFound: true };

/** Creates or replaces a distributor's feed settings. */
export async function saveFeed(
  ctx: Ctx,
  shopId: string,
  providerId: string,
  raw: unknown,
): Promise<SaveFeedResult> {
  const parsed = feedInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const input = parsed.data;
  const [provider] = await ctx.db
    .select({ id: providers.id })
    .from(providers)
    .where(
      and(
        eq(providers.id, providerId),
        eq(providers.shopId, shopId),
        eq(providers.kind, "distributor"),
      ),
    )
    .limit(1);
  if (!provider) return { ok: false, notFound: true };
  const values = {
    protocol: input.protocol,
    host: input.host,
    port: input.port ?? null,
    path: input.path,
    scheduleHour: input.scheduleHour,
    mode: input.mode,
    delimiter: input.delimiter,
    columns: input.columns,
    enabled: input.enabled,
    updatedAt: new Date(),
  };
  await ctx.db
    .insert(distributorFeeds)
    .values({ ...values, providerId, shopId })
    .onConflictDoUpdate({ target: distributorFeeds.providerId, set: values });
  return { ok: true };
}

export interface FeedPreview {
  header: string[];
  rows: string[][];
}

/**
 * The first rows of the feed as the saved settings fetch it, for the column-mapping form. Reads
 * only as far as it needs, then hangs up.
 */
export async function previewFeed(
  ctx: Ctx,
  shopId: string,
  providerId: string,
  rowCount = 5,
): Promise<{ ok: true; preview: FeedPreview } | { ok: false; error: string } | null> {
  const [row] = await ctx.db
    .select({ provider: providers, feed: distributorFeeds })
    .from(providers)
    .innerJoin(distributorFeeds, eq(distributorFeeds.providerId, providers.id))
    .where(and(eq(providers.id, providerId), eq(providers.shopId, shopId)))
    .limit(1);
  if (!row) return null;
  const credentials = providerConfig(row.provider, ctx.config.encryptionKey).credentials;
  const source: FeedSource = {
    protocol: row.feed.protocol,
    host: row.feed.host,
    port: row.feed.port,
    path: row.feed.path,
    username: credentials.username,
    password: credentials.password,
  };
  let opened;
  try {
    opened = await openFeed(source, {
      policy: outboundPolicy(ctx.config),
      trustedAddresses: ctx.config.demo?.feedAddresses ?? [],
      timeoutMs: 15_000,
      maxBytes: FEED_DEFAULTS.maxBytes,
    });
  } catch (error) {
    return { ok: false, error: errorWords(error) };
  }
  const records: string[][] = [];
  try {
    const parser = opened.stream.pipe(
      parse({
        delimiter: row.feed.delimiter,
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
        to_line: rowCount + 1,
        max_record_size: 64 * 1024,
      }),
    );
    for await (const record of parser as AsyncIterable<string[]>) {
      records.push(record);
      if (records.length > rowCount) break;
    }
  } catch (error) {
    return { ok: false, error: errorWords(error) };
  } finally {
    await opened.close().catch(() => undefined);
  }
  const [header = [], ...rows] = records;
  return { ok: true, preview: { header, rows } };
}

function errorWords(error: unknown): string {
  if (error instanceof FeedFetchError) return error.message;
  return `The feed could not be read: ${(error as Error).message}`;
}

/** Run now: queues a run of this distributor's feed (one waiting per distributor). */
export async function queueFeedRun(
  ctx: Pick<AppContext, "db" | "jobs">,
  shopId: string,
  providerId: string,
): Promise<"queued" | "not_found"> {
  const [feed] = await ctx.db
    .select({ providerId: distributorFeeds.providerId })
    .from(distributorFeeds)
    .where(and(eq(distributorFeeds.providerId, providerId), eq(distributorFeeds.shopId, shopId)))
    .limit(1);
  if (!feed) return "not_found";
  await ctx.jobs.send(
    "run-feed",
    { shopId, providerId, trigger: "owner" },
    { singletonKey: providerId },
  );
  return "queued";
}

/** The calendar day and hour at `now` in a time zone ("2026-12-07", 6). */
export function localDayAndHour(now: Date, timezone: string): { day: string; hour: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
  } catch {
    return localDayAndHour(now, "UTC");
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return { day: `${get("year")}-${get("month")}-${get("day")}`, hour: Number(get("hour")) };
}

/**
 * The schedule's tick: every enabled feed whose hour has come today, in its shop's time zone, and
 * that has not been queued today, is queued once. A tick missed (the app was down at that hour)
 * is made up by the next one the same day.
 */
export async function queueDueFeeds(
  ctx: Pick<AppContext, "db" | "jobs">,
  now = new Date(),
): Promise<number> {
  const rows = await ctx.db
    .select({ feed: distributorFeeds, settings: shops.settings })
    .from(distributorFeeds)
    .innerJoin(shops, eq(shops.id, distributorFeeds.shopId))
    .innerJoin(providers, eq(providers.id, distributorFeeds.providerId))
    .where(
      and(
        eq(distributorFeeds.enabled, true),
        eq(providers.enabled, true),
        isNull(shops.uninstalledAt),
      ),
    );
  let queued = 0;
  for (const { feed, settings } of rows) {
    const { day, hour } = localDayAndHour(now, shopSettings({ settings }).timezone);
    if (hour < feed.scheduleHour || feed.lastScheduledDay === day) continue;
    // Claimed by a conditional update, so two workers ticking at once queue it once.
    const claimed = await ctx.db
      .update(distributorFeeds)
      .set({ lastScheduledDay: day })
      .where(
        and(
          eq(distributorFeeds.providerId, feed.providerId),
          or(
            isNull(distributorFeeds.lastScheduledDay),
            sql`${distributorFeeds.lastScheduledDay} <> ${day}`,
          ),
        ),
      )
      .returning({ id: distributorFeeds.providerId });
    if (claimed.length === 0) continue;
    await ctx.jobs.send(
      "run-feed",
      { shopId: feed.shopId, providerId: feed.providerId, trigger: "schedule" },
      { singletonKey: feed.providerId },
    );
    queued += 1;
  }
  return queued;
}

/** The run-feed job: runs the feed, then whatever follows a good run (stock to the cart). */
export async function runFeedJob(
  ctx: Pick<AppContext, "db" | "config" | "shopify">,
  data: { shopId: string; providerId: string; trigger: "schedule" | "owner" },
  options: FeedRunOptions = {},
): Promise<void> {
  await runFeed(ctx, data.shopId, data.providerId, data.trigger, {
    afterSuccess: (run) => pushStockAfterRun(ctx, run).then(() => undefined),
    ...options,
  });
}
