// A plain, read-only table of records, one row each (tokens, past imports, data requests). No
// sorting, selection or paging: the catalog's order table (OrderTable) is the one that has those.
import { DataTable } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface RecordColumn {
  heading: string;
  /** Numbers line up on the right. */
  numeric?: boolean;
}

export function RecordTable({ columns, rows }: { columns: RecordColumn[]; rows: ReactNode[][] }) {
  return (
    <DataTable
      columnContentTypes={columns.map((c) => (c.numeric ? "numeric" : "text"))}
      headings={columns.map((c) => c.heading)}
      rows={rows}
    />
  );
}
