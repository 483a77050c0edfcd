// The durable floor for the webhook bench: the least a server can do and still keep every delivery
// it acknowledges. node:http, the Shopify HMAC check on the raw body (constant time), the raw body
// stored in a `jsonb` column (the type of webhook_receipt.payload) with its delivery id unique,
// batched (up to 200 bodies per INSERT, at most two INSERTs in flight), answered 200 only after
// the INSERT committed. No job, no parsing in JavaScript, no framework. What Orderlane's door does
// beyond this (finding the shop, queueing the work) is what the bench's ratio prices.
//
// Run by bench/webhooks.ts as a process of its own:
//   FLOOR_DATABASE_URL=postgres://… FLOOR_SECRET=… node --import tsx bench/durable-floor.ts
// It prints "floor at http://127.0.0.1:<port>" once it listens (port 0: any free port).
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import pg from "pg";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_BATCH = 200;
const MAX_IN_FLIGHT = 2;
export const FLOOR_TABLE = "bench_floor_receipt";

interface Pending {
  deliveryId: string;
  body: string;
  res: http.ServerResponse;
}

async function main(): Promise<void> {
  const url = process.env.FLOOR_DATABASE_URL;
  const secret = process.env.FLOOR_SECRET;
  if (!url || !secret) throw new Error("FLOOR_DATABASE_URL and FLOOR_SECRET are required");
  const pool = new pg.Pool({
    connectionString: url,
    max: MAX_IN_FLIGHT,
    application_name: "orderlane-bench-floor",
  });
  await pool.query(`create table if not exists ${FLOOR_TABLE} (
    id bigint generated always as identity primary key,
    delivery_id text not null unique,
    payload jsonb not null,
    received_at timestamptz not null default now())`);

  const queue: Pending[] = [];
  let inFlight = 0;
  const flush = () => {
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      inFlight++;
      pool
        .query(
          `insert into ${FLOOR_TABLE} (delivery_id, payload)
           select d, b::jsonb from unnest($1::text[], $2::text[]) as t(d, b)
           on conflict (delivery_id) do nothing`,
          [batch.map((p) => p.deliveryId), batch.map((p) => p.body)],
        )
        .then(
          () => {
            for (const p of batch) p.res.writeHead(200).end();
          },
          (err: unknown) => {
            console.error(`floor: insert failed: ${String(err)}`);
            for (const p of batch) p.res.writeHead(500).end();
          },
        )
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return void res.writeHead(413).end();
      const raw = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
      const expected = createHmac("sha256", secret).update(raw).digest();
      const deliveryId = req.headers["x-shopify-webhook-id"];
      if (
        given.length !== expected.length ||
        !timingSafeEqual(given, expected) ||
        typeof deliveryId !== "string"
      ) {
        return void res.writeHead(401).end();
      }
      queue.push({ deliveryId, body: raw.toString("utf8"), res });
      flush();
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address && typeof address === "object") {
      console.log(`floor at http://127.0.0.1:${address.port}`);
    }
  });
  process.on("SIGTERM", () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
  });
}

if (import.meta.filename === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
