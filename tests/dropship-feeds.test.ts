// Feed runs against real FTP and SFTP servers on loopback (the demo's own, port 0): what a run
// stores in distributor_item, what it reports on the run, and that a run that fails changes no stock
// and raises an alert on the distributor.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppConfig } from "~/config.server";
import type { Database } from "~/db/client.server";
import { distributorFeeds, distributorItems, feedStageRows, providers } from "~/db/schema";
import {
  startFtpFeedServer,
  startSftpFeedServer,
  type RunningFeedServer,
} from "~/demo/feed-servers.server";
import { runFeed, type FeedRunOptions } from "~/fulfillment/dropship/feed-runs.server";
import type { FeedColumns, FeedProtocol } from "~/fulfillment/dropship/feed-settings";
import { sealSecret } from "~/security/encryption.server";
import type { Shop } from "~/shops/shops.server";
import { openTestDatabase } from "./support/db";
import { createShop } from "./support/factories";

const USER = "feeds";
const PASSWORD = "s3cret-feed";
const files = new Map<string, () => Readable | string>();

let database: Database;
let ftp: RunningFeedServer;
let sftp: RunningFeedServer;
let shop: Shop;
let config: AppConfig;

function ctx() {
  return { db: database.db, config };
}

const HEADER = "sku,stock,cost,lead_time_days,warehouse";
const COLUMNS: FeedColumns = {
  sku: "sku",
  stock: "stock",
  cost: "cost",
  leadTimeDays: "lead_time_days",
  warehouse: "warehouse",
};

async function distributor(
  protocol: FeedProtocol,
  path: string,
  overrides: Partial<typeof distributorFeeds.$inferInsert> = {},
  password = PASSWORD,
): Promise<string> {
  const [provider] = await database.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "distributor",
      name: `${protocol} distributor`,
      credentials: sealSecret(config.encryptionKey, JSON.stringify({ username: USER, password })),
    })
    .returning();
  await database.db.insert(distributorFeeds).values({
    providerId: provider!.id,
    shopId: shop.id,
    protocol,
    host: "127.0.0.1",
    port: protocol === "sftp" ? sftp.port : ftp.port,
    path,
    columns: COLUMNS,
    ...overrides,
  });
  return provider!.id;
}

async function stock(providerId: string) {
  const rows = await database.db
    .select()
    .from(distributorItems)
    .where(eq(distributorItems.providerId, providerId))
    .orderBy(asc(distributorItems.sku), asc(distributorItems.warehouse));
  return rows.map((r) => `${r.sku}@${r.warehouse}:${r.stock}/${r.cost}/${r.leadTimeDays}d`);
}

async function alertOf(providerId: string) {
  const [feed] = await database.db
    .select()
    .from(distributorFeeds)
    .where(eq(distributorFeeds.providerId, providerId));
  return feed!.alert?.message ?? null;
}

async function run(providerId: string, options: FeedRunOptions = {}) {
  const result = await runFeed(ctx(), shop.id, providerId, "owner", {
    timeoutMs: 5_000,
    ...options,
  });
  if (!result.ok) throw new Error(`run refused: ${JSON.stringify(result)}`);
  return result.run;
}

/** A file that sends `head`, then never another byte, without closing. */
function stalls(head: string): Readable {
  return new Readable({
    read() {
      if (head) {
        this.push(head);
        head = "";
      }
    },
  });
}

/** An endless feed, generated as it is read: nothing the size of it ever exists. */
function endless(): Readable {
  let n = 0;
  return new Readable({
    read() {
      let chunk = n === 0 ? `${HEADER}\n` : "";
      for (let i = 0; i < 2000; i++) chunk += `GEN-${n++},5,1.00,1,\n`;
      this.push(chunk);
    },
  });
}

/** Sends the first rows, then fails mid-file as a dropped connection does. */
function drops(head: string): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(head);
        return;
      }
      setImmediate(() => this.destroy(new Error("connection reset")));
    },
  });
}

beforeAll(async () => {
  database = await openTestDatabase();
  const serve = (path: string) => files.get(path)?.() ?? null;
  [ftp, sftp] = await Promise.all([
    startFtpFeedServer({ port: 0, user: USER, password: PASSWORD, files: serve }),
    startSftpFeedServer({ port: 0, user: USER, password: PASSWORD, files: serve }),
  ]);
  config = {
    encryptionKey: randomBytes(32),
    allowPrivateOutbound: false,
    demo: {
      feedAddresses: [`ftp://127.0.0.1:${ftp.port}`, `sftp://127.0.0.1:${sftp.port}`],
    },
  } as unknown as AppConfig;
});
afterAll(async () => {
  await Promise.all([ftp?.close(), sftp?.close()]);
  await database?.close();
});
beforeEach(async () => {
  shop = await createShop(database.db);
  files.clear();
});

describe.each(["ftp", "sftp"] as const)("a feed over %s", (protocol) => {
  it("stores every row, updates only what changed, and zeroes what a complete feed no longer lists", async () => {
    files.set(
      "/out/stock.csv",
      () =>
        `${HEADER}\nMUG-11,40,3.10,1,NJ\nMUG-11,12,3.10,1,CA\nLAMP-2,50,18.00,3,NJ\nRUG-9,2,45.5,1,\n`,
    );
    const id = await distributor(protocol, "/out/stock.csv");
    const first = await run(id);
    expect(first).toMatchObject({
      status: "succeeded",
      rowsRead: 4,
      rowsChanged: 4,
      rowsZeroed: 0,
    });
    expect(await stock(id)).toEqual([
      "LAMP-2@NJ:50/18.0000/3d",
      "MUG-11@CA:12/3.1000/1d",
      "MUG-11@NJ:40/3.1000/1d",
      "RUG-9@:2/45.5000/1d",
    ]);

    files.set("/out/stock.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\nMUG-11,9,3.10,1,CA\n`);
    const second = await run(id);
    expect(second).toMatchObject({
      status: "succeeded",
      rowsRead: 2,
      rowsChanged: 1,
      rowsZeroed: 2,
    });
    expect(await stock(id)).toEqual([
      "LAMP-2@NJ:0/18.0000/3d",
      "MUG-11@CA:9/3.1000/1d",
      "MUG-11@NJ:40/3.1000/1d",
      "RUG-9@:0/45.5000/1d",
    ]);
    const staged = await database.db.select().from(feedStageRows);
    expect(staged).toEqual([]);
  });

  it("refuses a wrong password: the run fails with the reason, stock stays, the distributor has an alert", async () => {
    files.set("/stock.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor(protocol, "/stock.csv");
    await run(id);
    await database.db
      .update(providers)
      .set({
        credentials: sealSecret(
          config.encryptionKey,
          JSON.stringify({ username: USER, password: "wrong" }),
        ),
      })
      .where(eq(providers.id, id));
    files.set("/stock.csv", () => `${HEADER}\nMUG-11,0,3.10,1,NJ\n`);
    const failed = await run(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("The feed server refused the user name or password");
    expect(await alertOf(id)).toBe("The feed server refused the user name or password");
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("fails a server that stops sending mid-file, after the timeout, applying nothing", async () => {
    files.set("/slow.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor(protocol, "/slow.csv");
    await run(id);
    files.set("/slow.csv", () => stalls(`${HEADER}\nMUG-11,0,3.10,1,NJ\nLAMP-2,5,1,1,NJ\n`));
    const failed = await run(id, { timeoutMs: 1_000 });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/stopped sending|did not answer in time/);
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("fails a connection dropped mid-file, applying none of the rows that did arrive", async () => {
    files.set("/drop.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor(protocol, "/drop.csv");
    await run(id);
    files.set("/drop.csv", () => drops(`${HEADER}\nMUG-11,1,3.10,1,NJ\nLAMP-2,5,1.00,1,NJ\n`));
    const failed = await run(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBeTruthy();
    expect(await alertOf(id)).toBe(failed.error);
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("says when the file is not there", async () => {
    const id = await distributor(protocol, "/missing.csv");
    const failed = await run(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/no file at \/missing\.csv|connection|answered/);
  });
});

describe("a malformed feed", () => {
  it("reports bad rows with their line and reason, skips them, and applies the rest", async () => {
    files.set("/bad.csv", () =>
      [
        HEADER,
        "MUG-11,40,3.10,1,NJ",
        "LAMP-2,lots,18.00,3,NJ",
        ",4,1.00,1,NJ",
        "RUG-9,2,4,5.5,",
        "TILE-1,-3,1.00,1,",
        "VASE-3,7,€12,1,",
        "STOOL-4,7",
        "BOWL-5,8,2.25,0,",
      ].join("\n"),
    );
    const id = await distributor("ftp", "/bad.csv");
    const result = await run(id);
    expect(result.status).toBe("succeeded");
    expect(result.rowsRead).toBe(8);
    expect(result.rowsRejected).toBe(6);
    expect(result.rejected).toEqual([
      { line: 3, reason: 'Stock "lots" is not a whole number' },
      { line: 4, reason: "The SKU is empty" },
      { line: 5, reason: 'Lead time "5.5" is not a number of days from 0 to 365' },
      { line: 6, reason: 'Stock "-3" is negative' },
      { line: 7, reason: 'Cost "€12" is not an amount like 12.50' },
      { line: 8, reason: "Has 2 fields; the mapped columns need 4" },
    ]);
    expect(await stock(id)).toEqual(["BOWL-5@:8/2.2500/0d", "MUG-11@NJ:40/3.1000/1d"]);
  });

  it("reads a file with a byte-order mark and CRLF line ends", async () => {
    files.set(
      "/bom.csv",
      () => `\uFEFF${HEADER}\r\nMUG-11,40,3.10,1,NJ\r\nLAMP-2,5,18.00,1,NJ\r\n`,
    );
    const id = await distributor("sftp", "/bom.csv");
    const result = await run(id);
    expect(result).toMatchObject({ status: "succeeded", rowsRead: 2, rowsRejected: 0 });
    expect(await stock(id)).toEqual(["LAMP-2@NJ:5/18.0000/1d", "MUG-11@NJ:40/3.1000/1d"]);
  });

  it("names the separator when the file uses another one, and keeps the last good stock", async () => {
    files.set("/stock.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor("ftp", "/stock.csv");
    await run(id);
    files.set("/stock.csv", () => `sku;stock;cost;lead_time_days;warehouse\nMUG-11;0;3.10;1;NJ\n`);
    const failed = await run(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe(
      "The feed's header reads as one column: its columns seem to be separated by semicolons, not commas. Change the separator in the feed settings.",
    );
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("names the mapped columns the file lacks", async () => {
    files.set("/cols.csv", () => `sku,qty,price\nMUG-11,40,3.10\n`);
    const id = await distributor("ftp", "/cols.csv");
    const failed = await run(id);
    expect(failed.error).toBe(
      'The feed has no column "stock" (Stock), "cost" (Cost), "lead_time_days" (Lead time (days)), "warehouse" (Warehouse). Its header has: "sku", "qty", "price".',
    );
  });

  it("refuses a feed larger than the limit as it streams, without reading it whole", async () => {
    files.set("/huge.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor("ftp", "/huge.csv");
    await run(id);
    // Endless: a run that tried to read it whole would never end.
    files.set("/huge.csv", endless);
    const failed = await run(id, { maxBytes: 1024 ** 2 });
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("The feed is larger than 1 MB; it was not read");
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("refuses a complete feed with no rows rather than zeroing every item", async () => {
    files.set("/stock.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\n`);
    const id = await distributor("ftp", "/stock.csv");
    await run(id);
    files.set("/stock.csv", () => `${HEADER}\n`);
    const failed = await run(id);
    expect(failed.error).toBe(
      "The feed has no items (only a header, or nothing at all); your stock was left as it was",
    );
    expect(await stock(id)).toEqual(["MUG-11@NJ:40/3.1000/1d"]);
  });

  it("a delta feed changes only the rows it has", async () => {
    files.set("/stock.csv", () => `${HEADER}\nMUG-11,40,3.10,1,NJ\nLAMP-2,5,18.00,1,NJ\n`);
    const id = await distributor("sftp", "/stock.csv", { mode: "delta" });
    await run(id);
    files.set("/stock.csv", () => `${HEADER}\nLAMP-2,4,18.00,1,NJ\n`);
    const result = await run(id);
    expect(result).toMatchObject({ rowsChanged: 1, rowsZeroed: 0 });
    expect(await stock(id)).toEqual(["LAMP-2@NJ:4/18.0000/1d", "MUG-11@NJ:40/3.1000/1d"]);
  });
});

describe("where a feed may be fetched from", () => {
  it("refuses a private address this process did not start, and a second run at once", async () => {
    const id = await distributor("ftp", "/stock.csv", { port: 1 });
    const failed = await run(id);
    expect(failed.error).toMatch(/private|loopback|not.*public/i);

    files.set("/slow.csv", () => stalls(`${HEADER}\n`));
    const slow = await distributor("ftp", "/slow.csv");
    const first = runFeed(ctx(), shop.id, slow, "owner", { timeoutMs: 1_500 });
    await expect
      .poll(async () => {
        const second = await runFeed(ctx(), shop.id, slow, "owner");
        return second.ok ? "ran" : "busy" in second ? "busy" : "other";
      })
      .toBe("busy");
    await first;
    const other = await createShop(database.db);
    expect(await runFeed(ctx(), other.id, slow, "owner")).toEqual({ ok: false, notFound: true });
    const kept = await database.db
      .select()
      .from(distributorFeeds)
      .where(and(eq(distributorFeeds.providerId, slow)));
    expect(kept[0]!.alert).not.toBeNull();
  });
});
