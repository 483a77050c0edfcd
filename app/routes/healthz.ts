import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";

// For load balancers and uptime checks: answers 200 only when the database answers.
export async function loader({ context }: LoaderFunctionArgs) {
  try {
    await context.db.execute(sql`select 1`);
    return Response.json({ ok: true, database: context.database.kind });
  } catch {
    return Response.json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
}
