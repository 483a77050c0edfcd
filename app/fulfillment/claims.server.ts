// Taking back the claims of workers that died (decision 20).
//
// A worker claims a submission before calling its provider and records its worker id on the claim
// (jobs/presence.server.ts). While that worker is present, its claim stands, however old. Once it
// is gone, the claim is put back to pending and a send job is queued for it: another worker sends
// the same purchase order with the same idempotency key, within seconds rather than after a lease.
//
// These statements run for the whole database, not for one shop: a dead worker's claims may belong
// to any shop. Each row keeps its own shop id, and the job queued for it carries that shop id, so
// everything that happens next is scoped to the row's shop as usual.
import { sql, type SQL } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "presence">;

/** How often a worker looks for claims whose worker has gone. */
export const SWEEP_INTERVAL_MS = 2_000;
/**
 * A worker must be seen gone by two looks at least this far apart before its claims are taken:
 * time for a process whose presence was cut to notice and abort its own calls first.
 */
export const ABSENCE_CONFIRM_MS = 1_500;
/** Claims put back per statement. */
const TAKE_BACK_LIMIT = 500;

export interface ClaimRecovery {
  /** One look now (the timer does this every SWEEP_INTERVAL_MS); answers how many were taken back. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the sweep in a worker process. First releases what cannot belong to anyone alive: on
 * PGlite, every claim but this process's own (an earlier run's); on PostgreSQL, claims under this
 * worker's id, which a dead worker that once had the same id left behind.
 */
export async function startClaimRecovery(
  ctx: Ctx,
  options: { intervalMs?: number } = {},
): Promise<ClaimRecovery> {
  const released = await releaseLeftoverClaims(ctx);
  if (released > 0) {
    console.log(`[claims] ${released} submission(s) claimed by a stopped worker sent again`);
  }
  const suspects = new Map<number, number>();
  let running: Promise<number> | null = null;
  const sweep = () =>
    (running ??= takeBackDeadClaims(ctx, suspects).finally(() => {
      running = null;
    }));
  const timer = setInterval(() => {
    sweep()
      .then((n) => {
        if (n > 0) console.log(`[claims] ${n} submission(s) of a stopped worker sent again`);
      })
      .catch((err: unknown) =>
        console.error(`[claims] sweep failed: ${err instanceof Error ? err.message : String(err)}`),
      );
  }, options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

/**
 * One sweep. `suspects` remembers, between sweeps, since when each absent worker has been seen
 * absent; only workers absent at two looks ABSENCE_CONFIRM_MS apart lose their claims.
 */
export async function takeBackDeadClaims(
  ctx: Ctx,
  suspects: Map<number, number>,
  now = Date.now(),
): Promise<number> {
  if (ctx.presence.signal.aborted) return 0; // this process is the one that may be gone
  const present = ctx.presence.presentWorkers();
  const absent = await queryRows<{ worker_id: number }>(
    ctx.db,
    sql`select distinct claimed_by as worker_id from submission
        where state = 'submitting' and claimed_by is not null
          and claimed_by not in (${present})`,
  );
  const seen = new Set(absent.map((row) => Number(row.worker_id)));
  for (const id of suspects.keys()) if (!seen.has(id)) suspects.delete(id);
  const confirmed: number[] = [];
  for (const id of seen) {
    const since = suspects.get(id);
    if (since === undefined) suspects.set(id, now);
    else if (now - since >= ABSENCE_CONFIRM_MS) confirmed.push(id);
  }
  if (confirmed.length === 0) return 0;
  const ids = sql.raw(`array[${confirmed.map((id) => String(Math.trunc(id))).join(",")}]::int[]`);
  // Still absent as the rows are taken: an id a new worker has just taken is left to that worker.
  const taken = await requeue(
    ctx,
    sql`claimed_by = any(${ids}) and claimed_by not in (${ctx.presence.presentWorkers()})`,
  );
  for (const id of confirmed) suspects.delete(id);
  return taken;
}

/** The start-up release (see startClaimRecovery). */
export async function releaseLeftoverClaims(ctx: Ctx): Promise<number> {
  const mine = ctx.presence.workerId;
  return requeue(
    ctx,
    ctx.presence.kind === "process"
      ? sql`claimed_by is distinct from ${mine}::int`
      : sql`claimed_by = ${mine}::int`,
  );
}

/**
 * Puts claims matching `which` back to pending and queues a send job for each, in one transaction:
 * the next worker to run the job claims it afresh and sends the same idempotency key. The claim's
 * old holder can no longer record anything under it (it is no longer its claim, see ownClaim).
 */
async function requeue(ctx: Ctx, which: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await ctx.db.transaction(async (tx) => {
      const taken = await queryRows<{ id: string; shop_id: string }>(
        tx,
        sql`update submission s set state = 'pending', claimed_by = null, claimed_at = null,
              updated_at = now()
            where s.id in (
              select id from submission
              where state = 'submitting' and ${which}
              order by id limit ${TAKE_BACK_LIMIT}
              for update skip locked)
            and s.state = 'submitting' and ${which}
            returning s.id, s.shop_id`,
      );
      await ctx.jobs.sendMany(
        "send-submission",
        taken.map((row) => ({ data: { shopId: row.shop_id, submissionId: row.id } })),
        { tx },
      );
      return taken;
    });
    total += rows.length;
    if (rows.length < TAKE_BACK_LIMIT) return total;
  }
}
