// One database handle for the whole process: PostgreSQL when DATABASE_URL is set, otherwise PGlite
// (Postgres in WASM) stored in a folder. Both speak the same SQL, so schema, migrations and queries
// are identical; only the driver differs.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; services accept `Db | Tx` so callers can compose them in one transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type DatabaseTarget =
  | {
      kind: "postgres";
      url: string;
      poolSize?: number;
      /** Shown in pg_stat_activity, so an operator can tell the web process's connections apart. */
      applicationName?: string;
    }
  | { kind: "pglite"; dataDir: string | null };

export interface Database {
  kind: DatabaseTarget["kind"];
  db: Db;
  /** The PGlite instance, for pg-boss's adapter; null on PostgreSQL. */
  pglite: PGlite | null;
  /** The pg pool, for migrations under an advisory lock; null on PGlite. */
  pool: pg.Pool | null;
  /** The PostgreSQL URL (pg-boss opens its own small pool); null on PGlite. */
  url: string | null;
  /** The name this process's connections show in pg_stat_activity (PostgreSQL). */
  applicationName: string;
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {}

/** Raw SQL rows. Both drivers answer `execute` with `{ rows }`; Drizzle's shared type does not say so. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "postgres") {
    const applicationName = target.applicationName ?? "orderlane";
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      application_name: applicationName,
    });
    // A pool error (a dropped idle connection) must not crash the process; the next query reconnects.
    pool.on("error", (err) => console.error(`[db] idle connection error: ${err.message}`));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      kind: "postgres",
      db,
      pglite: null,
      pool,
      url: target.url,
      applicationName,
      close: () => pool.end(),
    };
  }

  const release = target.dataDir ? lockDataDir(target.dataDir) : () => {};
  try {
    const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
    await pglite.waitReady;
    const database = wrapPglite(pglite);
    return {
      ...database,
      close: async () => {
        await database.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Opens a database over an existing PGlite instance (tests clone a migrated template). */
export function wrapPglite(pglite: PGlite): Database {
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    pglite,
    pool: null,
    url: null,
    applicationName: "orderlane",
    close: () => pglite.close(),
  };
}

/**
 * PGlite belongs to one process: two processes writing one folder corrupt it. A lock file names the
 * owner (pid and start time) and refuses a second opener while that owner lives; it is taken over
 * when the owner died without cleaning up, even if its pid now belongs to another process (as after
 * a container restart).
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, "orderlane.pid");
  const me = `${process.pid} ${processStart(process.pid) ?? ""}`.trim();
  let recorded = "";
  try {
    recorded = fs.readFileSync(lockFile, "utf8").trim();
  } catch {
    // no lock yet
  }
  const [pidText, startedText] = recorded.split(" ");
  const owner = Number(pidText);
  if (owner && owner !== process.pid && isAlive(owner, startedText)) {
    throw new DatabaseLockedError(
      `DATA_DIR ${dataDir} is in use by process ${owner}; the embedded database serves one process (set DATABASE_URL to run several)`,
    );
  }
  fs.writeFileSync(lockFile, me);
  return () => {
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === me) fs.unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
}

/** Linux: the process's start time in clock ticks since boot (stat field 22); null elsewhere. */
function processStart(pid: number): string | null {
  const fields = procStat(pid);
  return fields?.[19] ?? null;
}

/** /proc/<pid>/stat fields after the command name (which may itself contain spaces). */
function procStat(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

function isAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const fields = procStat(pid);
  if (!fields) return true; // no /proc: trust kill(0)
  // A killed process nobody has reaped yet (a zombie) still answers kill(0) but owns nothing.
  if (fields[0] === "Z") return false;
  // Same pid, different start time: the owner is gone and its pid was given to someone else.
  return !started || fields[19] === started;
}
