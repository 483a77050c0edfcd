// Many rows in one statement from one JSON parameter, which PostgreSQL expands into the table's own
// row type (jsonb_populate_recordset). Drizzle's builder spends more time on a page's hundreds of
// values and thousands of placeholders than the database spends storing them; here the rows go as
// one JSON text. Keys are the schema's property names.
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/** A multi-row INSERT; columns no row names keep their defaults. */
export function recordsetInsert<T extends PgTable>(
  table: T,
  rows: readonly Partial<T["$inferInsert"]>[],
): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k in columns);
  const names = keys.map((k) => columns[k]!.name);
  const records = rows.map((r) => {
    const record: Record<string, unknown> = {};
    const values = r as Record<string, unknown>;
    keys.forEach((k, i) => {
      record[names[i]!] = values[k] ?? null;
    });
    return record;
  });
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  return sql`insert into ${table} (${list})
    select ${list} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(records)}::jsonb)`;
}

/**
 * Many rows of one shop updated in one statement, each to its own values, by id. Every row names
 * the same columns (the caller builds them alike).
 */
export function recordsetUpdate<T extends PgTable>(
  table: T,
  shopId: string,
  rows: readonly ({ id: string } & Partial<T["$inferSelect"]>)[],
): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = Object.keys(rows[0] ?? {}).filter((k) => k in columns && k !== "id");
  const records = rows.map((r) => {
    const values = r as Record<string, unknown>;
    const record: Record<string, unknown> = { id: r.id };
    for (const k of keys) {
      if (!(k in values)) throw new Error(`recordsetUpdate: a row lacks ${k}`);
      record[columns[k]!.name] = values[k] ?? null;
    }
    return record;
  });
  const list = sql.join(
    keys.map((k) => sql.identifier(columns[k]!.name)),
    sql`, `,
  );
  const from = sql.join(
    keys.map((k) => sql`r.${sql.identifier(columns[k]!.name)}`),
    sql`, `,
  );
  return sql`update ${table} as t set (${list}) = row(${from})
    from jsonb_populate_recordset(null::${table}, ${JSON.stringify(records)}::jsonb) as r
    where t.id = r.id and t.shop_id = ${shopId}`;
}
