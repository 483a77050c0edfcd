// The catalog: one shop's orders, newest first, paged by keyset (cart time, id) so a page costs the
// same at order 50 and at order 50,000, and new orders arriving do not shift the pages.
import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "~/db/client.server";
import { orders } from "~/db/schema";

export const CATALOG_PAGE_SIZE = 50;

export type CatalogRow = Pick<
  typeof orders.$inferSelect,
  | "id"
  | "cartOrderId"
  | "cartOrderNumber"
  | "cartCreatedAt"
  | "cartStatus"
  | "cartStatusRaw"
  | "state"
  | "type"
  | "customerName"
  | "customerCity"
  | "customerProvince"
  | "customerCountry"
  | "total"
  | "currency"
  | "paymentMethod"
  | "itemCount"
  | "submitStatus"
  | "submitFailureReason"
  | "autoSubmitAt"
>;

export interface CatalogPage {
  orders: CatalogRow[];
  /** Cursor of the page after this one (older orders), or null on the last page. */
  nextCursor: string | null;
  /** Cursor of the page before this one (newer orders), or null on the first page. */
  previousCursor: string | null;
}

interface Position {
  at: Date;
  id: string;
}

const positionSchema = z.object({ at: z.iso.datetime(), id: z.uuid() });

export class InvalidCursorError extends Error {
  constructor() {
    super("The page cursor is not valid; start again from the first page");
  }
}

export function encodeCursor(direction: "after" | "before", position: Position): string {
  const text = JSON.stringify({ d: direction, at: position.at.toISOString(), id: position.id });
  return Buffer.from(text).toString("base64url");
}

export function decodeCursor(cursor: string): {
  direction: "after" | "before";
  position: Position;
} {
  try {
    const raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      d?: unknown;
      at?: unknown;
      id?: unknown;
    };
    const parsed = positionSchema.parse({ at: raw.at, id: raw.id });
    if (raw.d !== "after" && raw.d !== "before") throw new InvalidCursorError();
    return { direction: raw.d, position: { at: new Date(parsed.at), id: parsed.id } };
  } catch {
    throw new InvalidCursorError();
  }
}

const columns = {
  id: orders.id,
  cartOrderId: orders.cartOrderId,
  cartOrderNumber: orders.cartOrderNumber,
  cartCreatedAt: orders.cartCreatedAt,
  cartStatus: orders.cartStatus,
  cartStatusRaw: orders.cartStatusRaw,
  state: orders.state,
  type: orders.type,
  customerName: orders.customerName,
  customerCity: orders.customerCity,
  customerProvince: orders.customerProvince,
  customerCountry: orders.customerCountry,
  total: orders.total,
  currency: orders.currency,
  paymentMethod: orders.paymentMethod,
  itemCount: orders.itemCount,
  submitStatus: orders.submitStatus,
  submitFailureReason: orders.submitFailureReason,
  autoSubmitAt: orders.autoSubmitAt,
};

export async function listCatalog(
  db: DbOrTx,
  shopId: string,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<CatalogPage> {
  const limit = options.limit ?? CATALOG_PAGE_SIZE;
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  const older = (p: Position): SQL =>
    or(lt(orders.cartCreatedAt, p.at), and(eq(orders.cartCreatedAt, p.at), lt(orders.id, p.id)))!;
  const newer = (p: Position): SQL =>
    or(gt(orders.cartCreatedAt, p.at), and(eq(orders.cartCreatedAt, p.at), gt(orders.id, p.id)))!;

  const backwards = cursor?.direction === "before";
  const conditions = [eq(orders.shopId, shopId)];
  if (cursor) conditions.push(backwards ? newer(cursor.position) : older(cursor.position));

  // One extra row tells whether another page exists in the direction of travel.
  const fetched = await db
    .select(columns)
    .from(orders)
    .where(and(...conditions))
    .orderBy(
      ...(backwards
        ? [asc(orders.cartCreatedAt), asc(orders.id)]
        : [desc(orders.cartCreatedAt), desc(orders.id)]),
    )
    .limit(limit + 1);

  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (backwards) rows.reverse();

  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasOlder = backwards ? cursor !== null : more;
  const hasNewer = backwards ? more : cursor !== null;
  return {
    orders: rows,
    nextCursor:
      hasOlder && last ? encodeCursor("after", { at: last.cartCreatedAt, id: last.id }) : null,
    previousCursor:
      hasNewer && first ? encodeCursor("before", { at: first.cartCreatedAt, id: first.id }) : null,
  };
}
