// Proof that this process is alive, for the claims it makes (fulfillment/claims.server.ts).
//
// Every process gets a worker id, written on each submission it claims. On PostgreSQL the process
// holds a session-level advisory lock keyed by that id, on a connection of its own, for as long as
// it lives: PostgreSQL drops the lock the moment the process dies (its socket closes), so "the lock
// is held" means "the claiming worker is still there", whatever the clocks say. On PGlite the
// database lives inside this one process, so a claim is either this process's own or was left by an
// earlier run that is over: no lock is needed to tell which.
//
// If this process can no longer prove it is present (its connection dropped, or stopped answering),
// `signal` aborts: calls in flight are cut and nothing new is claimed, because from that moment
// another worker may take its claims back.
import { randomInt } from "node:crypto";
import pg from "pg";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "~/db/client.server";

/** Key space (the first of the two int4 keys) of the presence locks; any fixed number will do. */
export const PRESENCE_LOCK_SPACE = 804_411_212;
/** How often the presence connection is checked, and how long an answer may take. */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

export interface WorkerPresence {
  /** This process's worker id, recorded on every claim it makes (`submission.claimed_by`). */
  readonly workerId: number;
  /** "lock": PostgreSQL, presence is the advisory lock; "process": PGlite, this process only. */
  readonly kind: "lock" | "process";
  /** Aborted once this process can no longer prove it is present: stop sending, claim nothing. */
  readonly signal: AbortSignal;
  /**
   * A SQL subquery listing the worker ids present right now (one column, `worker_id`). On PGlite it
   * is this process's id alone.
   */
  presentWorkers(): SQL;
  /** Releases the lock (after the jobs have stopped, so no claim of ours is still being sent). */
  close(): Promise<void>;
}

export interface PresenceOptions {
  /** Called once if presence is lost (the server exits: a supervisor starts a fresh process). */
  onLost?: (reason: string) => void;
}

export async function startPresence(
  database: Database,
  options: PresenceOptions = {},
): Promise<WorkerPresence> {
  const lost = new AbortController();
  if (!database.url) {
    const workerId = randomInt(1, 2 ** 31 - 1);
    return {
      workerId,
      kind: "process",
      signal: lost.signal,
      presentWorkers: () => sql`select ${workerId}::int as worker_id`,
      close: async () => {},
    };
  }

  const client = new pg.Client({
    connectionString: database.url,
    application_name: `${database.applicationName}-presence`,
    keepAlive: true,
  });
  await client.connect();
  // The server side notices a vanished host (no FIN: power loss, a cut cable) within ~15 s rather
  // than the system default of hours; this process notices sooner, through its own heartbeat.
  await client.query(
    "set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 4",
  );
  let workerId = 0;
  // Ids are random: taking one that a live worker holds fails, so try another. An id that a dead
  // worker held is free again; its leftover claims are released when this worker starts
  // (releaseOwnLeftovers), since they cannot be this worker's own.
  for (let tries = 0; tries < 20 && workerId === 0; tries++) {
    const candidate = randomInt(1, 2 ** 31 - 1);
    const { rows } = await client.query<{ ok: boolean }>(
      "select pg_try_advisory_lock($1::int, $2::int) as ok",
      [PRESENCE_LOCK_SPACE, candidate],
    );
    if (rows[0]?.ok) workerId = candidate;
  }
  if (workerId === 0) {
    await client.end();
    throw new Error("could not take a worker presence lock");
  }

  let closing = false;
  const loseWith = (reason: string) => {
    if (closing || lost.signal.aborted) return;
    lost.abort(new Error(`worker presence lost: ${reason}`));
    clearInterval(heartbeat);
    client.end().catch(() => {});
    console.error(`[presence] worker ${workerId} lost its presence lock: ${reason}`);
    options.onLost?.(reason);
  };
  client.on("error", (err) => loseWith(err.message));
  client.on("end", () => loseWith("the connection closed"));
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${HEARTBEAT_TIMEOUT_MS} ms`)),
        HEARTBEAT_TIMEOUT_MS,
      );
    });
    Promise.race([client.query("select 1"), timeout])
      .catch((err: unknown) => loseWith(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        clearTimeout(timer);
        beating = false;
      });
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    workerId,
    kind: "lock",
    signal: lost.signal,
    presentWorkers: () =>
      sql`select l.objid::int as worker_id from pg_locks l
          where l.locktype = 'advisory' and l.granted and l.objsubid = 2
            and l.classid = ${PRESENCE_LOCK_SPACE}::int::oid
            and l.database = (select oid from pg_database where datname = current_database())`,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      // Ending the session releases the lock.
      await client.end().catch(() => {});
    },
  };
}
