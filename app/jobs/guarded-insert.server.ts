// A job insert that rides in one statement behind another insert, keeping each job only if its row
// in that insert went in (webhook receipts: a crash can never keep a receipt without its job, nor a
// job without its receipt). This rewrites pg-boss's own job insert, so it lives beside pg-boss.

/**
 * The insert a batch of jobs is guarded by. It runs as a CTE in front of pg-boss's job insert, and
 * each job is kept only if the id its data names under `key` is among the ids the CTE returns.
 */
export interface JobGuard {
  /** The CTE's name (an SQL identifier). */
  name: string;
  /** The CTE's body: a data-modifying statement returning `id` (uuid). Its parameters start at $2. */
  sql: string;
  /** Values for $2, $3, …: $1 carries pg-boss's jobs. */
  params: unknown[];
  /** The field of each job's data that holds the id of its guarding row. */
  key: string;
}

// pg-boss 12.35 (pinned exactly, STACK.md) reads its jobs from `json_to_recordset($1::text::json)`
// and may itself start with WITH (when the queue notifies). Anything else means pg-boss changed:
// refuse loudly rather than enqueue without the guard.
const JOBS_PARAM = "$1::text::json";
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;

/** pg-boss's job insert (`text`, `values`) rewritten to run behind the guard's insert. */
export function guardJobInsert(
  text: string,
  values: unknown[],
  guard: JobGuard,
): { statement: string; params: unknown[] } {
  if (values.length !== 1 || text.split(JOBS_PARAM).length !== 2) {
    throw new Error("pg-boss's job insert is not the one guarded job inserts were written against");
  }
  // Both are spliced into the SQL text, so neither may carry anything but a name.
  if (!IDENTIFIER.test(guard.name) || !IDENTIFIER.test(guard.key)) {
    throw new Error(`A job guard's name and key must be plain names: ${guard.name}, ${guard.key}`);
  }
  // Only the jobs whose guarding row went in.
  const gated = text.replace(
    JOBS_PARAM,
    `(select coalesce(json_agg(j.value), '[]'::json) from json_array_elements($1::text::json) j
      where (j.value->'data'->>'${guard.key}')::uuid in (select id from ${guard.name}))`,
  );
  const trimmed = gated.trimStart();
  const cte = `${guard.name} as (${guard.sql})`;
  const statement = /^with\s/i.test(trimmed)
    ? `with ${cte}, ${trimmed.slice(4)}`
    : `with ${cte} ${trimmed}`;
  return { statement, params: [...values, ...guard.params] };
}
