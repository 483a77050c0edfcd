// Bench: a distributor feed of 1,000,000 rows fetched over FTP from a local server and imported
// into PostgreSQL by a feed run (stream, check, stage, apply in one transaction), beside a baseline
// in the same run: the same file fetched over the same FTP, parsed by csv-parse and written with
// COPY (psql's \copy from stdin) into a bare table, by a minimal script. Each side runs in a process
// of its own, so its peak RSS is its own.
//
//   npm run bench feed
//   BENCH_FEED_ROWS=200000 npm run bench feed
//
// Goal: the feed run's rows/s at least 0.5 of the baseline's, and its peak RSS under 300 MB.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client as FtpClient } from "basic-ftp";
import { parse } from "csv-parse";
import { PassThrough } from "node:stream";
import { openDatabase } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { distributorFeeds, providers } from "~/db/schema";
import { startFtpFeedServer } from "~/demo/feed-servers.server";
import { runFeed } from "~/fulfillment/dropship/feed-runs.server";
import { ensureShop } from "~/shops/shops.server";
import type { AppConfig } from "~/config.server";
import { recordBenchResult } from "./bench-json";
import { createBenchDatabase } from "./database";

const ROWS = Number(process.env.BENCH_FEED_ROWS ?? 1_000_000);
const GOAL_RATIO = 0.5;
const GOAL_RSS_MB = 300;
const USER = "bench";
const PASSWORD = "bench-feed";

interface SideResult {
  rows: number;
  seconds: number;
  peakRssMb: number;
}

function writeFeedFile(file: string): void {
  const out = fs.openSync(file, "w");
  fs.writeSync(out, "sku,stock,cost,lead_time_days,warehouse,name\n");
  let chunk = "";
  for (let n = 0; n < ROWS; n++) {
    chunk += `SKU-${String(n).padStart(7, "0")},${n % 500},${(n % 9000) / 100 + 1},${n % 5},${n % 3 === 0 ? "NJ" : "CA"},Item ${n}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = "";
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
}

/** Child: the feed run, as the worker does it. */
async function childFeedRun(url: string, port: number): Promise<SideResult> {
  const database = await openDatabase({ kind: "postgres", url, poolSize: 2 });
  const shop = await ensureShop(database.db, {
    platform: "demo",
    domain: "bench-feed.local",
    name: "Bench",
  });
  const config = {
    encryptionKey: Buffer.alloc(32, 7),
    allowPrivateOutbound: false,
    demo: { feedAddresses: [`ftp://127.0.0.1:${port}`] },
  } as unknown as AppConfig;
  const { sealSecret } = await import("~/security/encryption.server");
  const [provider] = await database.db
    .insert(providers)
    .values({
      shopId: shop.id,
      kind: "distributor",
      name: "Bench Distributor",
      credentials: sealSecret(
        config.encryptionKey,
        JSON.stringify({ username: USER, password: PASSWORD }),
      ),
    })
    .returning();
  await database.db.insert(distributorFeeds).values({
    providerId: provider!.id,
    shopId: shop.id,
    protocol: "ftp",
    host: "127.0.0.1",
    port,
    path: "/feed.csv",
    columns: {
      sku: "sku",
      stock: "stock",
      cost: "cost",
      leadTimeDays: "lead_time_days",
      warehouse: "warehouse",
      productName: "name",
    },
  });
  const started = performance.now();
  const result = await runFeed({ db: database.db, config }, shop.id, provider!.id, "owner");
  const seconds = (performance.now() - started) / 1000;
  await database.close();
  if (!result.ok || result.run.status !== "succeeded") {
    throw new Error(`feed run did not succeed: ${JSON.stringify(result)}`);
  }
  return {
    rows: result.run.rowsRead,
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Child: the baseline, the least a script can do: FTP, csv-parse, COPY. */
async function childBaseline(url: string, port: number): Promise<SideResult> {
  const psql = spawnSync("psql", [url, "-c", BASELINE_TABLE], { encoding: "utf8" });
  if (psql.status !== 0) throw new Error(psql.stderr);
  const started = performance.now();
  const copy = spawn(
    "psql",
    [url, "-q", "-c", "\\copy baseline_item from stdin with (format csv)"],
    {
      stdio: ["pipe", "inherit", "inherit"],
    },
  );
  const exited = new Promise<number>((resolve) => copy.on("close", (code) => resolve(code ?? 1)));
  const client = new FtpClient(30_000);
  await client.access({ host: "127.0.0.1", port, user: USER, password: PASSWORD });
  const sink = new PassThrough();
  const download = client.downloadTo(sink, "/feed.csv");
  let rows = 0;
  const parser = sink.pipe(parse({ from_line: 2 }));
  for await (const record of parser as AsyncIterable<string[]>) {
    rows++;
    const line = `${record[0]},${record[1]},${record[2]},${record[3]},${record[4]},"${(record[5] ?? "").replace(/"/g, '""')}"\n`;
    if (!copy.stdin.write(line)) await new Promise((r) => copy.stdin.once("drain", r));
  }
  await download;
  client.close();
  copy.stdin.end();
  if ((await exited) !== 0) throw new Error("COPY failed");
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

const BASELINE_TABLE = `create table if not exists baseline_item (
  sku text not null, stock integer not null, cost numeric(14,4) not null,
  lead_time_days integer not null, warehouse text not null, product_name text)`;

function runChild(mode: "feed" | "baseline", url: string, port: number): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, import.meta.filename, `--${mode}`, url, String(port)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${mode} child exited ${code}: ${out}`));
      resolve(JSON.parse(line) as SideResult);
    });
  });
}

export async function benchFeed(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-bench-feed-"));
  const file = path.join(dir, "feed.csv");
  writeFeedFile(file);
  const size = fs.statSync(file).size;
  const server = await startFtpFeedServer({
    port: 0,
    user: USER,
    password: PASSWORD,
    files: (p) => (p === "/feed.csv" ? fs.createReadStream(file) : null),
  });
  const db = await createBenchDatabase("orderlane_bench_feed");
  try {
    const database = await openDatabase({ kind: "postgres", url: db.url, poolSize: 2 });
    await applyMigrations(database);
    await database.close();
    console.log(
      `feed bench: ${ROWS.toLocaleString("en-US")} rows (${(size / 1024 ** 2).toFixed(0)} MB) over FTP on 127.0.0.1 into PostgreSQL`,
    );
    // Baseline first, then the feed run; each in its own process.
    const baseline = await runChild("baseline", db.url, server.port);
    const feed = await runChild("feed", db.url, server.port);
    const baseRate = baseline.rows / baseline.seconds;
    const feedRate = feed.rows / feed.seconds;
    const ratio = feedRate / baseRate;
    console.log(
      `  baseline (csv-parse + COPY): ${baseline.rows.toLocaleString("en-US")} rows in ${baseline.seconds.toFixed(1)} s = ${Math.round(baseRate).toLocaleString("en-US")} rows/s, peak RSS ${baseline.peakRssMb.toFixed(0)} MB`,
    );
    console.log(
      `  feed run (stage + one-transaction apply): ${feed.rows.toLocaleString("en-US")} rows in ${feed.seconds.toFixed(1)} s = ${Math.round(feedRate).toLocaleString("en-US")} rows/s, peak RSS ${feed.peakRssMb.toFixed(0)} MB`,
    );
    console.log(
      `  ratio ${ratio.toFixed(2)} (goal ≥ ${GOAL_RATIO}) ${ratio >= GOAL_RATIO ? "met" : "NOT met"}; ` +
        `peak RSS ${feed.peakRssMb.toFixed(0)} MB (goal < ${GOAL_RSS_MB}) ${feed.peakRssMb < GOAL_RSS_MB ? "met" : "NOT met"}`,
    );
    recordBenchResult({
      bench: "feed",
      ratio,
      rows: ROWS,
      fileMb: size / 1024 ** 2,
      feedRowsPerSecond: feedRate,
      baselineRowsPerSecond: baseRate,
      feedPeakRssMb: feed.peakRssMb,
      baselinePeakRssMb: baseline.peakRssMb,
      goalRatio: GOAL_RATIO,
      goalPeakRssMb: GOAL_RSS_MB,
    });
  } finally {
    await server.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (mode === "--feed" || mode === "--baseline") {
  const [url, port] = process.argv.slice(3) as [string, string];
  const result =
    mode === "--feed"
      ? await childFeedRun(url, Number(port))
      : await childBaseline(url, Number(port));
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}
