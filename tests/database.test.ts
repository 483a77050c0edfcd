import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseLockedError, openDatabase, queryRows, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { orders } from "~/db/schema";
import { createOrder, createShop } from "./support/factories";
import { openTestDatabase, testDatabaseKind } from "./support/db";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

describe(`migrations (${testDatabaseKind})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await database?.close();
  });

  async function schemaFingerprint() {
    const columns = await queryRows(
      database.db,
      sql`select table_name, column_name, data_type from information_schema.columns
          where table_schema = 'public' order by table_name, column_name`,
    );
    const applied = await queryRows(
      database.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    return { columns, applied };
  }

  it("creates every table of the data model", async () => {
    const rows = await queryRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    const tables = rows.map((r) => r.table_name).sort();
    expect(tables).toEqual(
      [
        "api_token",
        "cart_reconciliation",
        "customer_data_request",
        "distributor_feed",
        "distributor_item",
        "distributor_sku_map",
        "dropship_product",
        "feed_run",
        "feed_stage_row",
        "flow_action_run",
        "flow_trigger_event",
        "import_run",
        "line_item",
        "order",
        "order_event",
        "order_note",
        "order_status",
        "payment_transaction",
        "provider",
        "rate_limit",
        "session",
        "shipment",
        "shop",
        "submission",
        "webhook_receipt",
        "woo_connect_request",
      ].sort(),
    );
  });

  it("applying the migrations again changes nothing and keeps the data", async () => {
    const shop = await createShop(database.db);
    await createOrder(database.db, shop);
    const before = await schemaFingerprint();
    await applyMigrations(database);
    await applyMigrations(database);
    expect(await schemaFingerprint()).toEqual(before);
    expect(await database.db.select().from(orders)).toHaveLength(1);
  });

  it("refuses a second order for the same cart order in the same shop", async () => {
    const shop = await createShop(database.db);
    await createOrder(database.db, shop, { cartOrderId: "1001" });
    await expect(createOrder(database.db, shop, { cartOrderId: "1001" })).rejects.toThrow();
    const other = await createShop(database.db);
    await expect(createOrder(database.db, other, { cartOrderId: "1001" })).resolves.toBeTruthy();
  });
});

describe.skipIf(testDatabaseKind !== "pglite")("the embedded database folder", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-db-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("keeps every committed order after the process is killed mid-work", async () => {
    const dataDir = tempDir();
    // A child process migrates, commits 25 orders one by one, reports, then keeps writing until it is
    // killed with SIGKILL: no shutdown, no close.
    const script = `
      import { openDatabase } from "~/db/client.server";
      import { applyMigrations } from "~/db/migrate.server";
      import { createOrder, createShop } from "./tests/support/factories";
      const database = await openDatabase({ kind: "pglite", dataDir: ${JSON.stringify(dataDir)} });
      await applyMigrations(database);
      const shop = await createShop(database.db, { domain: "crash.myshopify.com" });
      for (let i = 0; i < 25; i++) await createOrder(database.db, shop, { cartOrderId: "c" + i });
      process.stdout.write("committed\\n");
      for (let i = 25; ; i++) await createOrder(database.db, shop, { cartOrderId: "c" + i });
    `;
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      ["--input-type=module", "-e", script],
      {
        stdio: ["ignore", "pipe", "inherit"],
        // Its own process group, so SIGKILL reaches the node process tsx starts, not only tsx.
        detached: true,
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("committed") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    // The database's owner is whichever process wrote the lock: make sure that one is gone.
    const owner = Number(
      fs.readFileSync(path.join(dataDir, "orderlane.pid"), "utf8").split(" ")[0],
    );
    process.kill(-child.pid!, "SIGKILL");
    process.kill(owner, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    for (let i = 0; i < 100 && isRunning(owner); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(owner)).toBe(false);

    const reopened = await openDatabase({ kind: "pglite", dataDir });
    try {
      await applyMigrations(reopened);
      const rows = await reopened.db.select({ id: orders.cartOrderId }).from(orders);
      const ids = new Set(rows.map((r) => r.id));
      for (let i = 0; i < 25; i++) expect(ids.has(`c${i}`)).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it("refuses a second process on the same folder with a clear message", async () => {
    const dataDir = tempDir();
    const first = await openDatabase({ kind: "pglite", dataDir });
    try {
      // Another live process (our parent) owns the folder.
      fs.writeFileSync(path.join(dataDir, "orderlane.pid"), String(process.ppid));
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toThrow(DatabaseLockedError);
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toThrow(/set DATABASE_URL/);
    } finally {
      fs.writeFileSync(path.join(dataDir, "orderlane.pid"), String(process.pid));
      await first.close();
    }
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
