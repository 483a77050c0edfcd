// The catalog: one shop's orders, newest (or oldest) first, filtered and searched, paged by keyset
// (cart time, id) so a page costs the same at order 50 and at order 500,000, and orders arriving
// meanwhile do not shift the pages. Every filter is an indexed column of the order row; see
// docs/decisions/0010-catalog-search-paging-bulk-live.md for what search matches and why.
import { createHash } from "node:crypto";
import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type DbOrTx } from "~/db/client.server";
import {
  distributorItems,
  distributorSkuMaps,
  dropshipProducts,
  lineItems,
  orders,
  providers,
} from "~/db/schema";
import { maxLeadTimeDaysFor } from "~/fulfillment/dropship/eligibility.server";
import { CART_STATUSES, LIFECYCLE_STATES, ORDER_TYPES, type OrderAlert } from "~/orders/core/model";

export const CATALOG_PAGE_SIZE = 50;
export const CATALOG_MAX_PAGE_SIZE = 250;
export const CATALOG_SORTS = ["newest", "oldest"] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number];

/** The catalog's filters; every one optional, all combinable. */
export interface CatalogFilters {
  /** An order number (with or without "#", or its beginning) or the cart's order id. */
  search?: string;
  type?: (typeof ORDER_TYPES)[number];
  /** The cart's status. */
  status?: (typeof CART_STATUSES)[number];
  /** Our lifecycle state. */
  state?: (typeof LIFECYCLE_STATES)[number];
  /** One of the shop's own order statuses, by key. */
  orderStatus?: string;
  /** An alert code, or `any` for every order carrying an alert. */
  alert?: string;
  /** Only orders with an item some distributor can ship now (the drop-ship eligibility rule). */
  dropshipEligible?: boolean;
  sort?: CatalogSort;
}

export interface CatalogOptions extends CatalogFilters {
  cursor?: string | null;
  limit?: number;
}

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
  | "orderStatusKey"
  | "invoiceNumber"
> & { alert: OrderAlert | null };

export interface CatalogPage {
  orders: CatalogRow[];
  /** Cursor of the page after this one (further along the sort), or null on the last page. */
  nextCursor: string | null;
  /** Cursor of the page before this one, or null on the first page. */
  previousCursor: string | null;
}

// Empty URL parameters (`?type=`) mean "no filter", as a cleared filter leaves them.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    schema.optional(),
  );

const ALERT_CODE = /^[a-z0-9_.-]{1,64}$/;

/**
 * URL search parameters (the catalog page, the JSON API) → catalog options. A value outside the
 * known ones is refused with a message naming the parameter and what it accepts.
 */
export const catalogQuerySchema = z.object({
  search: optional(
    z
      .string()
      .trim()
      .max(100, { error: "search: at most 100 characters" })
      .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20), {
        error: "search: no control characters",
      }),
  ),
  type: optional(z.enum(ORDER_TYPES, { error: `type: one of ${ORDER_TYPES.join(", ")}` })),
  status: optional(z.enum(CART_STATUSES, { error: `status: one of ${CART_STATUSES.join(", ")}` })),
  state: optional(
    z.enum(LIFECYCLE_STATES, { error: `state: one of ${LIFECYCLE_STATES.join(", ")}` }),
  ),
  orderStatus: optional(
    z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,40}$/, {
        error: "orderStatus: the key of one of the shop's order statuses",
      }),
  ),
  alert: optional(
    z.string().trim().regex(ALERT_CODE, {
      error: "alert: an alert code (lower-case letters, digits, _ . -) or any",
    }),
  ),
  dropshipEligible: optional(
    z
      .enum(["true", "false"], { error: "dropshipEligible: true or false" })
      .transform((v) => v === "true"),
  ),
  sort: optional(z.enum(CATALOG_SORTS, { error: `sort: one of ${CATALOG_SORTS.join(", ")}` })),
  cursor: optional(z.string().max(500, { error: "cursor: not a cursor this app made" })),
  limit: optional(
    z.coerce
      .number({ error: "limit: a whole number" })
      .int({ error: "limit: a whole number" })
      .min(1, { error: "limit: at least 1" })
      .max(CATALOG_MAX_PAGE_SIZE, { error: `limit: at most ${CATALOG_MAX_PAGE_SIZE}` }),
  ),
});

export type CatalogQuery = z.infer<typeof catalogQuerySchema>;

export class InvalidCatalogQueryError extends Error {}

/** Parses the catalog's URL parameters; throws InvalidCatalogQueryError with every problem. */
export function parseCatalogQuery(params: URLSearchParams): CatalogOptions {
  const raw: Record<string, string> = {};
  for (const key of catalogQuerySchema.keyof().options) {
    const value = params.get(key);
    if (value !== null) raw[key] = value;
  }
  const parsed = catalogQuerySchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidCatalogQueryError(parsed.error.issues.map((i) => i.message).join("; "));
  }
  return parsed.data;
}

interface Position {
  at: Date;
  id: string;
}

const positionSchema = z.object({ at: z.iso.datetime(), id: z.uuid() });

export class InvalidCursorError extends Error {
  constructor(message = "The page cursor is not valid; start again from the first page") {
    super(message);
  }
}

/**
 * Which filters a cursor belongs to. A cursor made for one filter set and replayed with another
 * would resume at a position that means nothing there, so it is refused instead.
 */
function filterFingerprint(filters: CatalogFilters): string {
  const key = JSON.stringify([
    normaliseSearch(filters.search),
    filters.type ?? null,
    filters.status ?? null,
    filters.state ?? null,
    filters.alert ?? null,
    filters.dropshipEligible ? true : null,
    filters.sort ?? "newest",
  ]);
  return createHash("sha256").update(key).digest("base64url").slice(0, 12);
}

export function encodeCursor(
  direction: "after" | "before",
  position: Position,
  filters: CatalogFilters = {},
): string {
  return encodeWith(direction, position, filterFingerprint(filters));
}

function encodeWith(direction: "after" | "before", position: Position, fingerprint: string) {
  const text = JSON.stringify({
    d: direction,
    at: position.at.toISOString(),
    id: position.id,
    f: fingerprint,
  });
  return Buffer.from(text).toString("base64url");
}

export function decodeCursor(
  cursor: string,
  filters: CatalogFilters = {},
): { direction: "after" | "before"; position: Position } {
  return decodeWith(cursor, filterFingerprint(filters));
}

function decodeWith(
  cursor: string,
  fingerprint: string,
): { direction: "after" | "before"; position: Position } {
  let raw: { d?: unknown; at?: unknown; id?: unknown; f?: unknown };
  let position: Position;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as typeof raw;
    const parsed = positionSchema.parse({ at: raw.at, id: raw.id });
    position = { at: new Date(parsed.at), id: parsed.id };
  } catch {
    throw new InvalidCursorError();
  }
  if (raw.d !== "after" && raw.d !== "before") throw new InvalidCursorError();
  if (raw.f !== fingerprint) {
    throw new InvalidCursorError(
      "The page cursor belongs to other filters or another search; start again from the first page",
    );
  }
  return { direction: raw.d, position };
}

function normaliseSearch(search: string | undefined): string | null {
  const term = search?.trim().replace(/^#+/, "").trim();
  return term ? term : null;
}

/** The smallest string greater than every string that starts with `prefix` (code-point order). */
function prefixUpperBound(prefix: string): string | null {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff && !(last >= 0xd7ff && last < 0xe000)) {
      return chars.join("") + String.fromCodePoint(last + 1);
    }
  }
  return null;
}

// Every value in the statements below is a placeholder, so one statement serves every search,
// shop and cursor of the same shape (see `preparedCatalogQuery`).
const p = (name: string) => sql.placeholder(name);

function startsWith(prefix: string, hasUpperBound: boolean): SQL {
  // The range lets the (shop, number) index find the candidates; `left` keeps only true prefixes
  // whatever the database's collation orders between them.
  return and(
    sql`${orders.cartOrderNumber} >= ${p(`${prefix}`)}`,
    hasUpperBound ? sql`${orders.cartOrderNumber} < ${p(`${prefix}Upper`)}` : undefined,
    sql`left(${orders.cartOrderNumber}, ${p(`${prefix}Length`)}::int) = ${p(`${prefix}`)}`,
  )!;
}

/** The placeholders' values for a search, and the parts of the search that change its SQL. */
function searchValues(search: string) {
  const term = normaliseSearch(search)!;
  const raw = search.trim();
  const hashed = `#${term}`;
  const termUpper = prefixUpperBound(term);
  const hashedUpper = prefixUpperBound(hashed);
  return {
    shape: { termUpper: termUpper !== null, hashedUpper: hashedUpper !== null, raw: raw !== term },
    values: {
      term,
      termUpper,
      termLength: [...term].length,
      hashed,
      hashedUpper,
      hashedLength: [...hashed].length,
      raw,
    },
  };
}

type SearchShape = ReturnType<typeof searchValues>["shape"];

/**
 * Search: the order number, exactly or by its beginning, typed with or without "#" ("#10" finds
 * #10, #104 and #1042), or the cart's own order id, exactly (Shopify's long ids).
 */
function searchCondition(shape: SearchShape): SQL {
  const alternatives = [
    startsWith("term", shape.termUpper),
    startsWith("hashed", shape.hashedUpper),
    eq(orders.cartOrderId, p("raw")),
  ];
  if (shape.raw) alternatives.push(eq(orders.cartOrderId, p("term")));
  return sql`(${sql.join(alternatives, sql` or `)})`;
}

interface FilterShape {
  search: SearchShape | null;
  type: boolean;
  status: boolean;
  state: boolean;
  orderStatus: boolean;
  alert: "none" | "any" | "code";
  dropshipEligible: boolean;
}

function filterShape(filters: CatalogFilters): FilterShape {
  return {
    search: normaliseSearch(filters.search) ? searchValues(filters.search!).shape : null,
    type: Boolean(filters.type),
    status: Boolean(filters.status),
    state: Boolean(filters.state),
    orderStatus: Boolean(filters.orderStatus),
    alert: filters.alert === "any" ? "any" : filters.alert ? "code" : "none",
    dropshipEligible: Boolean(filters.dropshipEligible),
  };
}

/** The placeholders' values; the lead-time threshold is read from the shop only when filtering. */
async function filterValues(
  db: DbOrTx,
  shopId: string,
  filters: CatalogFilters,
): Promise<Record<string, unknown>> {
  return {
    shopId,
    ...(normaliseSearch(filters.search) ? searchValues(filters.search!).values : {}),
    type: filters.type,
    status: filters.status,
    state: filters.state,
    orderStatus: filters.orderStatus,
    alert: filters.alert,
    maxLeadTimeDays: filters.dropshipEligible ? await maxLeadTimeDaysFor(db, shopId) : undefined,
  };
}

/**
 * The drop-ship eligibility rule of `dropshipEligibility` (eligibility.server.ts) as one EXISTS, so
 * the filter pages by keyset like the others: some item with a SKU is carried by an enabled
 * distributor of the shop (the owner's manual map at that distributor; else the same SKU; else,
 * only where that distributor has no item under the same SKU, the product's barcode) in one
 * warehouse with stock for the item's quantity and a lead time within the shop's threshold.
 */
function dropshipEligibleCondition(): SQL {
  return sql`exists (
    select 1 from ${lineItems} li
    join ${distributorItems} di on di.shop_id = li.shop_id
      and di.stock >= li.quantity and di.lead_time_days <= ${p("maxLeadTimeDays")}::int
    join ${providers} pr on pr.id = di.provider_id and pr.shop_id = li.shop_id
      and pr.kind = 'distributor' and pr.enabled
    left join ${distributorSkuMaps} m on m.shop_id = li.shop_id and m.shop_sku = li.sku
      and m.provider_id = di.provider_id
    where li.order_id = ${orders.id} and li.shop_id = ${orders.shopId}
      and li.sku is not null and btrim(li.sku) <> ''
      and (
        (m.id is not null and di.sku = m.distributor_sku)
        or (m.id is null and di.sku = li.sku)
        or (m.id is null and di.barcode is not null
          and di.barcode = (select dp.barcode from ${dropshipProducts} dp
                            where dp.shop_id = li.shop_id and dp.sku = li.sku)
          and not exists (select 1 from ${distributorItems} same
                          where same.provider_id = di.provider_id and same.shop_id = li.shop_id
                            and same.sku = li.sku))
      ))`;
}

/** The WHERE clause for a shop and its filters (as placeholders), without the page position. */
function catalogWhere(shape: FilterShape): SQL {
  return and(
    eq(orders.shopId, p("shopId")),
    shape.search ? searchCondition(shape.search) : undefined,
    shape.type ? eq(orders.type, p("type")) : undefined,
    shape.status ? eq(orders.cartStatus, p("status")) : undefined,
    shape.state ? eq(orders.state, p("state")) : undefined,
    shape.orderStatus ? eq(orders.orderStatusKey, p("orderStatus")) : undefined,
    shape.alert === "any"
      ? isNotNull(orders.alert)
      : shape.alert === "code"
        ? sql`${orders.alert}->>'code' = ${p("alert")}`
        : undefined,
    shape.dropshipEligible ? dropshipEligibleCondition() : undefined,
  )!;
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
  orderStatusKey: orders.orderStatusKey,
  invoiceNumber: orders.invoiceNumber,
  alert: orders.alert,
};

// Spelled exactly as the indexes are built (drizzle's `.desc()` is DESC NULLS LAST): PostgreSQL
// matches an ORDER BY to an index by its NULLS placement too, even on NOT NULL columns, and without
// the match it sorts the whole shop instead of reading the first rows of the index.
const NEWEST_FIRST = [
  sql`${orders.cartCreatedAt} desc nulls last`,
  sql`${orders.id} desc nulls last`,
];
const OLDEST_FIRST = [
  sql`${orders.cartCreatedAt} asc nulls first`,
  sql`${orders.id} asc nulls first`,
];

function catalogPageStatement(
  db: DbOrTx,
  name: string,
  shape: FilterShape,
  hasCursor: boolean,
  descending: boolean,
  rows: number,
) {
  const where = [catalogWhere(shape)];
  if (hasCursor) {
    // A row comparison, so the index walks straight to the position instead of filtering up to it.
    where.push(
      descending
        ? sql`(${orders.cartCreatedAt}, ${orders.id}) < (${p("at")}::timestamptz, ${p("id")}::uuid)`
        : sql`(${orders.cartCreatedAt}, ${orders.id}) > (${p("at")}::timestamptz, ${p("id")}::uuid)`,
    );
  }
  return db
    .select(columns)
    .from(orders)
    .where(and(...where))
    .orderBy(...(descending ? NEWEST_FIRST : OLDEST_FIRST))
    .limit(rows)
    .prepare(name);
}

function matchingIdsStatement(
  db: DbOrTx,
  name: string,
  shape: FilterShape,
  newestFirst: boolean,
  rows: number,
) {
  return db
    .select({ id: orders.id })
    .from(orders)
    .where(catalogWhere(shape))
    .orderBy(...(newestFirst ? NEWEST_FIRST : OLDEST_FIRST))
    .limit(rows)
    .prepare(name);
}

// The catalog is read on every page view and API call, and building its SQL cost as much as
// running it (docs/decisions/0018-prepared-catalog-statements.md). So each shape of query (which
// filters are set, cursor or not, direction, page size) is built once per database handle and
// kept as a named prepared statement: later reads only fill in the values, and PostgreSQL parses
// each shape once per connection. Shapes are few (a few hundred at most), so the cache is bounded
// only as a precaution.
const MAX_SHAPES = 512;
const statements = new WeakMap<DbOrTx, Map<string, unknown>>();

/** The statement for one shape: `build` receives the name it is prepared under. */
function cachedStatement<T>(db: DbOrTx, shape: unknown[], build: (name: string) => T): T {
  const key = JSON.stringify(shape);
  let forDb = statements.get(db);
  if (!forDb) {
    forDb = new Map();
    statements.set(db, forDb);
  }
  let statement = forDb.get(key) as T | undefined;
  if (statement === undefined) {
    if (forDb.size >= MAX_SHAPES) forDb.clear();
    statement = build(`catalog_${createHash("sha1").update(key).digest("hex").slice(0, 16)}`);
    forDb.set(key, statement);
  }
  return statement;
}

export async function listCatalog(
  db: DbOrTx,
  shopId: string,
  options: CatalogOptions = {},
): Promise<CatalogPage> {
  const limit = Math.min(Math.max(1, options.limit ?? CATALOG_PAGE_SIZE), CATALOG_MAX_PAGE_SIZE);
  const filters: CatalogFilters = options;
  // Worked out once: the cursor read and the two cursors written all carry it.
  const fingerprint = filterFingerprint(filters);
  const cursor = options.cursor ? decodeWith(options.cursor, fingerprint) : null;
  const newestFirst = (options.sort ?? "newest") === "newest";
  // Travelling backwards (previous page) reads in the opposite order, then flips the rows.
  const backwards = cursor?.direction === "before";
  const descending = newestFirst !== backwards;

  const shape = filterShape(filters);
  // One extra row tells whether another page exists in the direction of travel.
  const statement = cachedStatement(
    db,
    ["page", shape, cursor !== null, descending, limit + 1],
    (name) => catalogPageStatement(db, name, shape, cursor !== null, descending, limit + 1),
  );
  const fetched = await statement.execute({
    ...(await filterValues(db, shopId, filters)),
    at: cursor?.position.at.toISOString(),
    id: cursor?.position.id,
  });

  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (backwards) rows.reverse();

  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = backwards ? cursor !== null : more;
  const hasPrevious = backwards ? more : cursor !== null;
  return {
    orders: rows,
    nextCursor:
      hasNext && last
        ? encodeWith("after", { at: last.cartCreatedAt, id: last.id }, fingerprint)
        : null,
    previousCursor:
      hasPrevious && first
        ? encodeWith("before", { at: first.cartCreatedAt, id: first.id }, fingerprint)
        : null,
  };
}

/**
 * Ids of the orders matching the filters, in catalog order, at most `cap` + 1 of them so the
 * caller can tell "more than the cap" from "exactly the cap" (bulk actions on "all that match").
 */
export async function matchingOrderIds(
  db: DbOrTx,
  shopId: string,
  filters: CatalogFilters,
  cap: number,
): Promise<string[]> {
  const newestFirst = (filters.sort ?? "newest") === "newest";
  const shape = filterShape(filters);
  const statement = cachedStatement(db, ["ids", shape, newestFirst, cap + 1], (name) =>
    matchingIdsStatement(db, name, shape, newestFirst, cap + 1),
  );
  const rows = await statement.execute(await filterValues(db, shopId, filters));
  return rows.map((r) => r.id);
}

/** Counted up to this many: beyond it the catalog says "more than 10,000". */
export const CATALOG_COUNT_CAP = 10_000;

/**
 * How many orders match the filters, counted up to `cap` (then `cap + 1` means "more"): a shop's
 * page says how many orders it has, and a count that walks half a million rows on every view would
 * cost more than the page itself.
 */
export async function countCatalog(
  db: DbOrTx,
  shopId: string,
  filters: CatalogFilters,
  cap = CATALOG_COUNT_CAP,
): Promise<{ count: number; more: boolean }> {
  const shape = filterShape(filters);
  const statement = cachedStatement(db, ["count", shape, cap + 1], (name) => {
    const matching = db
      .select({ id: orders.id })
      .from(orders)
      .where(catalogWhere(shape))
      .limit(cap + 1)
      .as("matching");
    return db
      .select({ n: sql<number>`count(*)::int` })
      .from(matching)
      .prepare(name);
  });
  const [row] = await statement.execute(await filterValues(db, shopId, filters));
  const n = Number(row?.n ?? 0);
  return n > cap ? { count: cap, more: true } : { count: n, more: false };
}

/** Alert codes on the shop's recent Error orders, for the Alert filter's choices. */
export async function alertCodesInUse(db: DbOrTx, shopId: string): Promise<string[]> {
  // Read on every catalog load, so bounded: the newest 1,000 Error orders through the
  // (shop, state, time) index. On a shop with tens of thousands of Error orders, reading them all
  // took a quarter of a second; an older code is still reached through "Any alert" or the URL.
  const rows = await queryRows<{ code: string | null }>(
    db,
    sql`select distinct code from (
          select ${orders.alert}->>'code' as code from ${orders}
          where ${orders.shopId} = ${shopId} and ${orders.state} = 'error'
          order by ${orders.cartCreatedAt} desc nulls last limit 1000) recent
        where code is not null limit 50`,
  );
  return rows
    .map((r) => r.code)
    .filter((c): c is string => typeof c === "string" && ALERT_CODE.test(c))
    .sort();
}
