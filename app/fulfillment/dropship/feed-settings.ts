// A distributor's feed as the owner sets it (shared by the distributor page and the server): where
// the file is, when it is fetched, and which of its columns hold what.
import { z } from "zod";

export const FEED_PROTOCOLS = ["ftp", "ftps", "sftp", "https"] as const;
export type FeedProtocol = (typeof FEED_PROTOCOLS)[number];

export const PROTOCOL_LABELS: Record<FeedProtocol, string> = {
  ftp: "FTP",
  ftps: "FTPS (FTP over TLS)",
  sftp: "SFTP",
  https: "HTTPS",
};

export const DEFAULT_PORTS: Record<FeedProtocol, number> = {
  ftp: 21,
  ftps: 21,
  sftp: 22,
  https: 443,
};

/** The feed's column header for each field; the optional ones may be left out. */
export interface FeedColumns {
  sku: string;
  stock: string;
  cost: string;
  leadTimeDays: string;
  warehouse?: string;
  productName?: string;
  barcode?: string;
}

export const COLUMN_LABELS: Record<keyof FeedColumns, string> = {
  sku: "SKU",
  stock: "Stock",
  cost: "Cost",
  leadTimeDays: "Lead time (days)",
  warehouse: "Warehouse",
  productName: "Distributor's product name",
  barcode: "Barcode (UPC/EAN/GTIN)",
};

export const REQUIRED_COLUMNS = ["sku", "stock", "cost", "leadTimeDays"] as const;

export const DEFAULT_COLUMNS: FeedColumns = {
  sku: "sku",
  stock: "stock",
  cost: "cost",
  leadTimeDays: "lead_time_days",
};

/** What was written to the cart's inventory after a feed run. */
export interface StockPushSummary {
  /** Products whose cart quantity changed and was written. */
  written: number;
  /** Products opted in whose quantity was already right. */
  unchanged: number;
  failed: number;
  /** Why writes failed, in the owner's words (the first few). */
  errors: string[];
  /** Set when nothing was tried: the cart or its location is not set up. */
  skipped?: string;
}

const blankToUndefined = (v: unknown) =>
  v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? undefined : v;

const columnName = z.string().trim().min(1).max(100);

export const feedInputSchema = z.object({
  protocol: z.enum(FEED_PROTOCOLS, { message: "Choose how the feed is fetched" }),
  host: z
    .string()
    .trim()
    .min(1, "Enter the feed server's host name")
    .max(253)
    .regex(
      /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/,
      "Enter a host name only, without ftp:// or a path",
    ),
  port: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: "Enter a port number" })
      .int("Enter a port number")
      .min(1, "Enter a port from 1 to 65535")
      .max(65535, "Enter a port from 1 to 65535")
      .optional(),
  ),
  path: z
    .string()
    .trim()
    .min(1, "Enter the file's path on the server")
    .max(1000)
    .refine((p) => !/[\r\n\0]/.test(p), "The path cannot contain line breaks"),
  scheduleHour: z.coerce
    .number({ message: "Choose an hour" })
    .int()
    .min(0, "Choose an hour from 0 to 23")
    .max(23, "Choose an hour from 0 to 23"),
  mode: z.enum(["complete", "delta"], { message: "Say whether the feed lists every item" }),
  delimiter: z.enum([",", ";", "\t", "|"], { message: "Choose the column separator" }),
  columns: z.object({
    sku: columnName,
    stock: columnName,
    cost: columnName,
    leadTimeDays: columnName,
    warehouse: z.preprocess(blankToUndefined, columnName.optional()),
    productName: z.preprocess(blankToUndefined, columnName.optional()),
    barcode: z.preprocess(blankToUndefined, columnName.optional()),
  }),
  enabled: z.boolean().default(true),
});

export type FeedInput = z.infer<typeof feedInputSchema>;

/** "Daily at 6:00 (Europe/Berlin)" style wording for the schedule. */
export function scheduleWords(hour: number, timezone: string): string {
  return `Daily at ${hour}:00 (${timezone.replace(/_/g, " ")})`;
}
