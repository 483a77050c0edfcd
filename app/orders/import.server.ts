// Import: the owner asks for orders the webhooks never brought (all, a date range, or named ids).
// A run is a row (import_run) and a job (import-orders), created in one transaction. The job reads
// the cart page by page through its connector and hands each page to ingest, which creates or
// updates each order exactly once per cart id; after each page one conditional statement records
// the progress and where to carry on. A failure leaves the run "failed" with where it stopped, and
// Resume carries on from that page.
//
// Two workers may hold the same run (pg-boss redelivers a job whose worker looks dead). Progress is
// recorded only by the worker whose starting cursor is still the stored one, so pages are never
// counted twice, and while a run's heartbeat is fresh a second worker waits instead of reading.
import { and, desc, DrizzleQueryError, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { ImportPage, ImportRequest } from "~/carts/connector";
import { CartReadError } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import type { AppContext } from "~/context.server";
import { queryRows, type Tx } from "~/db/client.server";
import { importRuns, shops } from "~/db/schema";
import { RetryLater } from "~/jobs/queues";
import { ingestCartOrders, type IngestOutcome } from "./ingest.server";
import type { ActingAs } from "~/orders/core/transitions.server";

export type ImportRunRow = typeof importRuns.$inferSelect;
type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

/** More ids than this in one request is a paste gone wrong, not an import. */
export const MAX_IMPORT_IDS = 1000;
/** A running import touches its row at least this often while its worker lives. */
export const HEARTBEAT_SECONDS = 20;
/** A running import whose row has not moved for this long lost its worker. */
export const IMPORT_LEASE_SECONDS = 120;
const MAX_ID_LENGTH = 64;
const EARLIEST_DATE = "2000-01-01";

// ---------------------------------------------------------------------------------------------
// Reading what the owner asked for

export type ImportInput =
  | { ok: true; request: ImportRequest }
  | { ok: false; field: "mode" | "ids" | "from" | "to"; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(value: string): Date | null {
  if (!DATE.test(value)) return null;
  const day = new Date(`${value}T00:00:00.000Z`);
  // Date accepts 2026-02-31 and rolls it into March; a real day reads back the same.
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value ? null : day;
}

/** Splits a pasted list of order numbers or ids (commas, spaces or lines), in order, once each. */
export function parseOrderIds(
  text: string,
): { ok: true; ids: string[] } | { ok: false; message: string } {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const token of text.split(/[\s,;]+/)) {
    // "#1001" is how both carts show an order number; the number is what they look up.
    const id = token.replace(/^#/, "");
    if (id === "") continue;
    if (id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/.test(id)) {
      const shown = id.length > 24 ? `${id.slice(0, 24)}…` : id;
      return {
        ok: false,
        message: `"${shown}" is not an order number or id (letters, digits and - _ . only)`,
      };
    }
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
    if (ids.length > MAX_IMPORT_IDS) {
      return {
        ok: false,
        message: `Import up to ${MAX_IMPORT_IDS.toLocaleString("en-US")} orders by id at a time; split the list, or import a date range instead`,
      };
    }
  }
  if (ids.length === 0) {
    return { ok: false, message: "Enter at least one order number or id" };
  }
  return { ok: true, ids };
}

const inputSchema = z.object({
  mode: z.string().optional(),
  ids: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

/** The Import form, checked: what to import, or which field is wrong and why. */
export function parseImportInput(raw: unknown, today = new Date()): ImportInput {
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, field: "mode", message: "Choose what to import" };
  const { mode, ids, from, to } = parsed.data;
  switch (mode) {
    case "all":
      return { ok: true, request: { mode: "all" } };
    case "ids": {
      const list = parseOrderIds(ids ?? "");
      return list.ok
        ? { ok: true, request: { mode: "ids", ids: list.ids } }
        : { ok: false, field: "ids", message: list.message };
    }
    case "range": {
      const fromDay = parseDay((from ?? "").trim());
      if (!fromDay)
        return { ok: false, field: "from", message: "Enter the first day as YYYY-MM-DD" };
      const toDay = parseDay((to ?? "").trim());
      if (!toDay) return { ok: false, field: "to", message: "Enter the last day as YYYY-MM-DD" };
      if (fromDay.getTime() < Date.parse(`${EARLIEST_DATE}T00:00:00Z`)) {
        return { ok: false, field: "from", message: `Start on ${EARLIEST_DATE} or later` };
      }
      if (fromDay > toDay) {
        return { ok: false, field: "to", message: "The last day comes before the first day" };
      }
      if (fromDay > today) {
        return { ok: false, field: "from", message: "The first day is in the future" };
      }
      // Both days count in full: the range ends at the last millisecond of its last day (UTC).
      const end = new Date(toDay.getTime() + 86_400_000 - 1);
      return { ok: true, request: { mode: "range", from: fromDay, to: end } };
    }
    default:
      return { ok: false, field: "mode", message: "Choose All, By range or By IDs" };
  }
}

function requestParams(request: ImportRequest): Record<string, unknown> {
  switch (request.mode) {
    case "all":
      return {};
    case "range":
      return { from: request.from.toISOString(), to: request.to.toISOString() };
    case "ids":
      return { ids: request.ids };
  }
}

/** The request a stored run was started with (the job reads it back from the row). */
export function requestOfRun(run: Pick<ImportRunRow, "mode" | "params">): ImportRequest {
  const params = run.params;
  switch (run.mode) {
    case "all":
      return { mode: "all" };
    case "range":
      return {
        mode: "range",
        from: new Date(String(params.from)),
        to: new Date(String(params.to)),
      };
    case "ids":
      return { mode: "ids", ids: Array.isArray(params.ids) ? params.ids.map(String) : [] };
  }
}

// ---------------------------------------------------------------------------------------------
// Starting and resuming

export type StartOutcome =
  | { ok: true; run: ImportRunRow }
  | { ok: false; reason: "busy" | "not_found" | "not_resumable"; message: string };

/**
 * Takes the shop's import lock for the rest of the transaction, and answers the run already under
 * way, if any. A run whose worker stopped beating is marked failed here, so it can be resumed.
 */
async function lockShopImports(tx: Tx, shopId: string): Promise<ImportRunRow | null> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`import:${shopId}`}, 0))`);
  const [active] = await tx
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.shopId, shopId), inArray(importRuns.status, ["queued", "running"])))
    .orderBy(desc(importRuns.createdAt))
    .limit(1);
  if (!active) return null;
  if (active.status === "running" && isStale(active)) {
    await tx
      .update(importRuns)
      .set({
        status: "failed",
        error: stoppedMessage(active, "the import stopped responding (the worker was restarted)"),
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(importRuns.id, active.id), eq(importRuns.status, "running")));
    return null;
  }
  return active;
}

function isStale(run: Pick<ImportRunRow, "updatedAt">): boolean {
  return Date.now() - run.updatedAt.getTime() > IMPORT_LEASE_SECONDS * 1000;
}

function busyMessage(run: ImportRunRow): string {
  return `An import is already ${run.status === "queued" ? "waiting to start" : "running"} (${progressText(run)}); wait for it to finish before starting another`;
}

export async function startImport(
  ctx: Ctx,
  shopId: string,
  request: ImportRequest,
  acting: ActingAs,
): Promise<StartOutcome> {
  return ctx.db.transaction(async (tx) => {
    const active = await lockShopImports(tx, shopId);
    if (active) return { ok: false, reason: "busy", message: busyMessage(active) };
    const [run] = await tx
      .insert(importRuns)
      .values({
        shopId,
        mode: request.mode,
        params: { ...requestParams(request), startedBy: acting.name ?? acting.actor },
        status: "queued",
        // By ids, the count is known before the cart is asked.
        total: request.mode === "ids" ? request.ids.length : null,
      })
      .returning();
    if (!run) throw new Error("import run not created");
    await ctx.jobs.send("import-orders", { shopId, runId: run.id }, { tx });
    return { ok: true, run };
  });
}

/** Carries a failed run on from the page where it stopped. */
export async function resumeImport(ctx: Ctx, shopId: string, runId: string): Promise<StartOutcome> {
  return ctx.db.transaction(async (tx) => {
    const active = await lockShopImports(tx, shopId);
    const [run] = await tx
      .select()
      .from(importRuns)
      .where(and(eq(importRuns.id, runId), eq(importRuns.shopId, shopId)));
    if (!run) return { ok: false, reason: "not_found", message: "That import does not exist" };
    if (active) return { ok: false, reason: "busy", message: busyMessage(active) };
    if (run.status !== "failed") {
      return {
        ok: false,
        reason: "not_resumable",
        message: `That import ${run.status === "completed" ? "has finished" : "is under way"}; only a stopped import can be resumed`,
      };
    }
    const [resumed] = await tx
      .update(importRuns)
      .set({ status: "queued", error: null, finishedAt: null, updatedAt: new Date() })
      .where(and(eq(importRuns.id, run.id), eq(importRuns.shopId, shopId)))
      .returning();
    if (!resumed) throw new Error("import run vanished");
    await ctx.jobs.send("import-orders", { shopId, runId: run.id }, { tx });
    return { ok: true, run: resumed };
  });
}

export async function listImportRuns(
  ctx: Pick<Ctx, "db">,
  shopId: string,
  limit = 10,
): Promise<ImportRunRow[]> {
  return ctx.db
    .select()
    .from(importRuns)
    .where(eq(importRuns.shopId, shopId))
    .orderBy(desc(importRuns.createdAt))
    .limit(limit);
}

// ---------------------------------------------------------------------------------------------
// The job

function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function progressText(run: Pick<ImportRunRow, "done" | "total" | "status">): string {
  if (run.total != null) return `${count(run.done)} of ${count(run.total)} orders`;
  // A run that ended without a total (Shopify's bulk reads count as they go) found what it found.
  if (run.status === "completed")
    return `${count(run.done)} order${run.done === 1 ? "" : "s"} found`;
  return `${count(run.done)} orders so far`;
}

function stoppedMessage(run: Pick<ImportRunRow, "done" | "total">, reason: string): string {
  const where =
    run.total != null
      ? `${count(run.done)} of ${count(run.total)} orders`
      : `${count(run.done)} orders`;
  return `Stopped after ${where}: ${reason}`;
}

function reasonOf(err: unknown): string {
  if (err instanceof CartReadError) return err.message;
  // Drizzle's message is the whole statement with its parameters (a page of orders): the owner
  // needs the database's own words, which it keeps as the cause.
  if (err instanceof DrizzleQueryError && err.cause instanceof Error && err.cause.message) {
    return `storing the orders failed: ${err.cause.message}`;
  }
  if (err instanceof Error && err.message) return err.message.slice(0, 500);
  return "an unexpected error";
}

/** Claims the run for this worker: queued, or running with a heartbeat that stopped. */
async function claimRun(ctx: Ctx, shopId: string, runId: string): Promise<ImportRunRow | null> {
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`update ${importRuns}
        set status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
        where id = ${runId} and shop_id = ${shopId}
          and (status = 'queued'
            or (status = 'running' and updated_at < now() - make_interval(secs => ${IMPORT_LEASE_SECONDS})))
        returning id`,
  );
  if (rows.length === 0) return null;
  const [run] = await ctx.db.select().from(importRuns).where(eq(importRuns.id, runId));
  return run ?? null;
}

interface PageTally {
  created: number;
  updated: number;
  /** The cart has the version we already store: counted apart from updates (nothing changed). */
  unchanged: number;
  skipped: number;
}

function tally(outcomes: IngestOutcome[]): PageTally {
  const t = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const o of outcomes) {
    if (o.outcome === "created") t.created++;
    else if (o.outcome === "updated") t.updated++;
    else if (o.outcome === "unchanged") t.unchanged++;
    else t.skipped++;
  }
  return t;
}

/** Orders a run found unchanged (kept in its params: the run's columns predate the count). */
export function unchangedCount(run: Pick<ImportRunRow, "params">): number {
  const n = Number(run.params.unchanged ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Records one page in one statement, only if the run is still this worker's: running, and its
 * cursor still where this worker started the page. Answers the run as stored, or null when another
 * worker has taken it over.
 */
async function recordPage(
  ctx: Ctx,
  run: ImportRunRow,
  page: ImportPage,
  counts: PageTally,
): Promise<ImportRunRow | null> {
  const last = page.resumeCursor === null;
  const missing = page.missing?.length ? page.missing : null;
  const [row] = await ctx.db
    .update(importRuns)
    .set({
      done: sql`${importRuns.done} + ${page.orders.length}`,
      created: sql`${importRuns.created} + ${counts.created}`,
      updated: sql`${importRuns.updated} + ${counts.updated}`,
      skipped: sql`${importRuns.skipped} + ${counts.skipped}`,
      total: page.total != null ? page.total : sql`${importRuns.total}`,
      resumeCursor: page.resumeCursor,
      notice: page.notice ? page.notice : sql`${importRuns.notice}`,
      params: sql`jsonb_set(${
        missing
          ? sql`jsonb_set(${importRuns.params}, '{missing}', coalesce(${importRuns.params}->'missing', '[]'::jsonb) || ${JSON.stringify(missing)}::jsonb)`
          : sql`${importRuns.params}`
      }, '{unchanged}', to_jsonb(coalesce((${importRuns.params}->>'unchanged')::int, 0) + ${counts.unchanged}::int))`,
      status: last ? "completed" : "running",
      finishedAt: last ? new Date() : null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(importRuns.id, run.id),
        eq(importRuns.shopId, run.shopId),
        eq(importRuns.status, "running"),
        run.resumeCursor === null
          ? sql`${importRuns.resumeCursor} is null`
          : eq(importRuns.resumeCursor, run.resumeCursor),
      ),
    )
    .returning();
  return row ?? null;
}

async function failRun(ctx: Ctx, run: ImportRunRow, reason: string): Promise<void> {
  await ctx.db
    .update(importRuns)
    .set({
      status: "failed",
      error: stoppedMessage(run, reason),
      finishedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(importRuns.id, run.id),
        eq(importRuns.shopId, run.shopId),
        eq(importRuns.status, "running"),
      ),
    );
}

/**
 * The pages, with the next one already being read while the caller stores this one: the cart's
 * answer and the database's work overlap instead of adding up. At most one page is held ahead, and
 * a read that fails surfaces when the caller asks for that page, after the pages before it are in.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      // Held, not dropped: a failure is rethrown by the await above on the next turn.
      pending.catch(() => {});
      yield current.value;
    }
  } finally {
    // Stopped early (taken over, or storing failed): let the connector close what it opened.
    await pending.then(
      () => iterator.return?.(),
      () => undefined,
    );
  }
}

/** The import-orders job: reads the cart from where the run stands and stores each page. */
export async function runImportJob(
  ctx: Ctx,
  data: { shopId: string; runId: string },
  attempt: { lastAttempt: boolean },
): Promise<void> {
  let run = await claimRun(ctx, data.shopId, data.runId);
  if (!run) {
    const [current] = await ctx.db
      .select({ status: importRuns.status })
      .from(importRuns)
      .where(and(eq(importRuns.id, data.runId), eq(importRuns.shopId, data.shopId)));
    // Another worker holds it and still beats: look again later, in case that worker dies.
    if (current?.status === "running" && !attempt.lastAttempt) {
      throw new RetryLater("Another worker is importing this run");
    }
    return;
  }
  const [shop] = await ctx.db.select().from(shops).where(eq(shops.id, data.shopId));
  if (!shop || shop.uninstalledAt) {
    await failRun(ctx, run, "the store is no longer connected");
    return;
  }

  // The heartbeat keeps the claim while a page takes long (a Shopify bulk operation being built).
  const runId = run.id;
  const heartbeat = setInterval(() => {
    ctx.db
      .update(importRuns)
      .set({ updatedAt: new Date() })
      .where(and(eq(importRuns.id, runId), eq(importRuns.status, "running")))
      .catch((err: unknown) => console.error(`[import] heartbeat ${runId}: ${reasonOf(err)}`));
  }, HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();

  try {
    const pages = connectorFor(ctx, shop).importOrders(requestOfRun(run), run.resumeCursor);
    for await (const page of readAhead(pages)) {
      const outcomes = page.orders.length
        ? await ingestCartOrders(ctx, shop, page.orders, { source: "import" })
        : [];
      const next = await recordPage(ctx, run, page, tally(outcomes));
      // Taken over by another worker (whose pages count instead), or finished.
      if (!next || next.status !== "running") return;
      run = next;
    }
    // The cart ran out of pages without saying which was the last.
    await ctx.db
      .update(importRuns)
      .set({
        status: "completed",
        resumeCursor: null,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(importRuns.id, run.id),
          eq(importRuns.status, "running"),
          run.resumeCursor === null
            ? sql`${importRuns.resumeCursor} is null`
            : eq(importRuns.resumeCursor, run.resumeCursor),
        ),
      );
  } catch (err) {
    console.error(`[import] run ${run.id} stopped: ${reasonOf(err)}`);
    await failRun(ctx, run, reasonOf(err));
  } finally {
    clearInterval(heartbeat);
  }
}

/** Ids the cart did not have, as the run recorded them. */
export function missingIds(run: Pick<ImportRunRow, "params">): string[] {
  const missing = run.params.missing;
  return Array.isArray(missing) ? missing.map(String) : [];
}
