// The import bench's baseline: the same normalised orders, lines and payments the app just stored,
// written again with COPY, the fastest way PostgreSQL takes rows in. The rows are read out of the
// database once (not timed) with new ids and a scratch shop of their own, then `psql` loads them
// with COPY FROM STDIN in one transaction into the same tables, with the same indexes, constraints
// and triggers the app's inserts meet. What the app does beyond this (reading the cart, parsing,
// normalising, deciding each order's lifecycle, its timeline and countdown) is what the ratio
// prices.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The tables an import writes for each new order, parents first. */
const TABLES = ["order", "line_item", "payment_transaction"] as const;

export interface CopyRound {
  seconds: number;
  orders: number;
  rows: number;
}

function psql(url: string, args: string[], stdin?: string, stdout?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, ...args], {
      stdio: [stdin ? "pipe" : "ignore", stdout ? "pipe" : "ignore", "pipe"],
    });
    let errors = "";
    child.stderr!.on("data", (d: Buffer) => (errors += d.toString()));
    if (stdin) fs.createReadStream(stdin).pipe(child.stdin!);
    // With a file to fill, done once psql has exited and the file is written out.
    const written = stdout
      ? new Promise<void>((done, failed) =>
          child
            .stdout!.pipe(fs.createWriteStream(stdout))
            .once("finish", done)
            .once("error", failed),
        )
      : Promise.resolve();
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) return reject(new Error(`psql exited ${code}: ${errors}`));
      written.then(resolve, reject);
    });
  });
}

/** Columns COPY can write (generated columns are left out), in table order. */
async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `select column_name from information_schema.columns
     where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER'
     order by ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

/**
 * One baseline round: copies the rows of `sourceShopId` (what the app stored) into a scratch shop
 * with COPY, timed from the first row sent to the commit; the scratch rows are removed afterwards.
 */
export async function copyBaselineRound(
  url: string,
  sourceShopId: string,
  round: number,
): Promise<CopyRound> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-copy-"));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let scratch: string | null = null;
  try {
    const { rows: shopRows } = await client.query<{ id: string }>(
      `insert into shop (platform, domain, name, settings)
       select platform, 'copy-baseline-' || $2 || '.' || domain, 'Copy baseline', settings
       from shop where id = $1 returning id`,
      [sourceShopId, String(round)],
    );
    scratch = shopRows[0]!.id;
    const salt = `copy-${round}`;
    const script: string[] = [];
    let rows = 0;
    for (const table of TABLES) {
      const columns = await columnsOf(client, table);
      const select = columns
        .map((c) => {
          if (c === "id" || c === "order_id") return `md5("${c}"::text || '${salt}')::uuid`;
          if (c === "shop_id") return `'${scratch}'::uuid`;
          return `"${c}"`;
        })
        .join(", ");
      const file = path.join(dir, `${table}.csv`);
      await psql(
        url,
        [
          "-c",
          `COPY (select ${select} from "${table}" where shop_id = '${sourceShopId}') TO STDOUT WITH (FORMAT csv)`,
        ],
        undefined,
        file,
      );
      const { rows: counted } = await client.query<{ n: number }>(
        `select count(*)::int as n from "${table}" where shop_id = $1`,
        [sourceShopId],
      );
      rows += counted[0]!.n;
      script.push(
        `\\copy "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) from '${file}' with (format csv)`,
      );
    }
    const scriptFile = path.join(dir, "load.sql");
    fs.writeFileSync(scriptFile, `${script.join("\n")}\n`);
    const { rows: orderCount } = await client.query<{ n: number }>(
      `select count(*)::int as n from "order" where shop_id = $1`,
      [sourceShopId],
    );
    const started = performance.now();
    await psql(url, ["-1", "-f", scriptFile]);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, orders: orderCount[0]!.n, rows };
  } finally {
    if (scratch) await client.query(`delete from shop where id = $1`, [scratch]);
    await client.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
