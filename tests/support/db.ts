// A fresh, migrated database for each test file: a clone of one migrated PGlite template (fast), or
// a throwaway PostgreSQL database when TEST_DATABASE_URL is set (the suite's second pass).
import { randomUUID } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openDatabase, wrapPglite, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";

let template: Promise<Database> | null = null;

export const testDatabaseKind = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";

export async function openTestDatabase(): Promise<Database> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) return openPostgresTestDatabase(adminUrl);
  template ??= openDatabase({ kind: "pglite", dataDir: null }).then(async (db) => {
    await applyMigrations(db);
    return db;
  });
  const base = await template;
  const clone = (await (base.pglite as PGlite).clone()) as PGlite;
  return wrapPglite(clone);
}

async function openPostgresTestDatabase(adminUrl: string): Promise<Database> {
  const throwaway = await createPostgresTestDatabase(adminUrl);
  const database = await openDatabase({ kind: "postgres", url: throwaway.url, poolSize: 5 });
  await applyMigrations(database);
  return {
    ...database,
    close: async () => {
      await database.close();
      await throwaway.drop();
    },
  };
}

/** An empty PostgreSQL database of its own (for a child process to migrate), and its removal. */
export async function createPostgresTestDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `orderlane_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
