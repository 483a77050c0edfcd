// Shopify as a cart, through the Admin GraphQL API (version pinned in shopify.server.ts).
import readline from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { parseCartJson } from "../json";
import { CartReadError } from "../connector";
import type {
  CaptureOutcome,
  CancelRequest,
  CaptureRequest,
  CartConnector,
  CartOrderRef,
  CartOutcome,
  CartStatusChange,
  ConnectorContext,
  ConnectorShop,
  FetchOutcome,
  ImportPage,
  ImportRequest,
  NormalizedOrder,
  PushOutcome,
  SentReport,
  TrackingPush,
  UpdatedWindow,
} from "../connector";
import {
  openAdminApi,
  type AdminApi,
  type AdminApiOptions,
  type Graphql,
} from "./admin-api.server";
import {
  ORDER_FIELDS,
  ORDER_LINE_FIELDS,
  graphqlTransaction,
  graphqlTransactionShape,
  normalizeGraphqlOrder,
  gid,
  numericId,
} from "./normalize";
import { DEFAULT_SHOP_SETTINGS, shopSettings } from "~/orders/core/shop-settings";
import { createShopifyStockWriter } from "./stock.server";

const FULFILLMENT_ORDERS = `#graphql
  query OrderlaneFulfillmentOrders($id: ID!) {
    order(id: $id) {
      id
      fulfillmentOrders(first: 50) {
        nodes {
          id
          status
          lineItems(first: 250) {
            nodes { id remainingQuantity lineItem { id } }
          }
        }
      }
    }
  }`;

const FULFILLMENT_CREATE = `#graphql
  mutation OrderlaneFulfillmentCreate($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment { id status }
      userErrors { field message }
    }
  }`;

export const ORDER_QUERY = `#graphql
  query OrderlaneOrder($id: ID!) {
    order(id: $id) {
      ${ORDER_FIELDS}
      lineItems(first: 250) { nodes { ${ORDER_LINE_FIELDS} } }
    }
  }`;

/**
 * Paged reads for Import by range or ids. Shopify refuses a query costing over 1,000 points, and a
 * page's cost grows with orders × (line items + transactions), so a page holds 20 orders with up
 * to 30 lines each; an order with more lines is read again on its own (decision 0014).
 */
export const ORDERS_PAGE_SIZE = 20;
export const ORDERS_QUERY = `#graphql
  query OrderlaneOrders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ${ORDER_FIELDS}
        lineItems(first: 30) { pageInfo { hasNextPage } nodes { ${ORDER_LINE_FIELDS} } }
      }
    }
  }`;

/** Import "All": one bulk operation; Shopify writes every order and line to a JSONL file. */
export const BULK_ORDERS_QUERY = `{
  orders {
    edges {
      node {
        ${ORDER_FIELDS}
        lineItems { edges { node { ${ORDER_LINE_FIELDS} } } }
      }
    }
  }
}`;

export const BULK_RUN = `#graphql
  mutation OrderlaneBulkOrders($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message }
    }
  }`;

export const BULK_STATUS = `#graphql
  query OrderlaneBulkStatus($id: ID!) {
    bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl }
  }`;

const FULFILLMENT_ORDER_HOLD = `#graphql
  mutation OrderlaneHold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
    fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
      fulfillmentOrder { id status }
      userErrors { field message }
    }
  }`;

const FULFILLMENT_ORDER_RELEASE = `#graphql
  mutation OrderlaneReleaseHold($id: ID!) {
    fulfillmentOrderReleaseHold(id: $id) {
      fulfillmentOrder { id status }
      userErrors { field message }
    }
  }`;

/** The invoice number lives in a metafield in the app's reserved namespace (decision 0047). */
export const INVOICE_METAFIELD = { namespace: "$app", key: "invoice_number" } as const;

const METAFIELDS_SET = `#graphql
  mutation OrderlaneInvoiceSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id namespace key value }
      userErrors { field message code }
    }
  }`;

const METAFIELDS_DELETE = `#graphql
  mutation OrderlaneInvoiceDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields { key namespace ownerId }
      userErrors { field message }
    }
  }`;

const ORDER_CANCEL = `#graphql
  mutation OrderlaneCancel(
    $orderId: ID!
    $reason: OrderCancelReason!
    $refundMethod: OrderCancelRefundMethodInput
    $restock: Boolean!
    $notifyCustomer: Boolean
    $staffNote: String
  ) {
    orderCancel(
      orderId: $orderId
      reason: $reason
      refundMethod: $refundMethod
      restock: $restock
      notifyCustomer: $notifyCustomer
      staffNote: $staffNote
    ) {
      job { id done }
      orderCancelUserErrors { field message code }
    }
  }`;

const JOB = `#graphql
  query OrderlaneJob($id: ID!) {
    job(id: $id) { id done }
  }`;

const FULFILLMENT_ORDER_REPORT_PROGRESS = `#graphql
  mutation OrderlaneReportProgress($id: ID!, $report: FulfillmentOrderReportProgressInput) {
    fulfillmentOrderReportProgress(id: $id, progressReport: $report) {
      fulfillmentOrder { id status }
      userErrors { field message code }
    }
  }`;

const FULFILLMENT_ORDER_OF = `#graphql
  query OrderlaneFulfillmentOrderOrder($id: ID!) {
    fulfillmentOrder(id: $id) { id orderId }
  }`;

interface FulfillmentOrdersData {
  order: {
    fulfillmentOrders: {
      nodes: {
        id: string;
        status: string;
        lineItems: {
          nodes: { id: string; remainingQuantity: number; lineItem: { id: string } }[];
        };
      }[];
    };
  } | null;
}

interface FulfillmentCreateData {
  fulfillmentCreate: {
    fulfillment: { id: string } | null;
    userErrors: { field: string[] | null; message: string }[];
  } | null;
}

interface UserError {
  field?: string[] | null;
  message: string;
}

/** Fulfillment orders Shopify lets an app fulfil. */
const FULFILLABLE = new Set(["OPEN", "IN_PROGRESS"]);
/** Fulfillment orders whose progress a merchant-managed app may report (API 2026-04 and later). */
const REPORTABLE = new Set(["OPEN", "IN_PROGRESS"]);
/** Shopify's limit on a progress report's note. */
const REASON_NOTES_MAX = 256;
/** Fulfillment orders a hold can be placed on. */
const HOLDABLE = new Set(["OPEN", "IN_PROGRESS", "SCHEDULED"]);

/** Without read_all_orders, Shopify shows an app only the last 60 days of orders. */
export const SHOPIFY_WINDOW_DAYS = 60;
const WINDOW_NOTICE =
  "Shopify shows Orderlane only the last 60 days of orders, because the app does not have Shopify's “Read all orders” access; older orders were not imported.";

async function run<T>(graphql: Graphql, query: string, variables: Record<string, unknown>) {
  const response = await graphql(query, { variables });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  if (!body.data) throw new Error("Shopify answered without data");
  return body.data;
}

/** Which fulfillment order lines carry the parcel's items, and how many of each. */
export function planFulfillment(
  fulfillmentOrders: NonNullable<FulfillmentOrdersData["order"]>["fulfillmentOrders"]["nodes"],
  items: TrackingPush["items"],
): { fulfillmentOrderId: string; fulfillmentOrderLineItems: { id: string; quantity: number }[] }[] {
  const wanted = new Map(items.map((i) => [gid("LineItem", i.cartLineId), i.quantity]));
  const plan = [];
  for (const fo of fulfillmentOrders) {
    if (!FULFILLABLE.has(fo.status)) continue;
    const lines = [];
    for (const line of fo.lineItems.nodes) {
      const left = wanted.get(line.lineItem.id) ?? 0;
      const quantity = Math.min(left, line.remainingQuantity);
      if (quantity <= 0) continue;
      lines.push({ id: line.id, quantity });
      wanted.set(line.lineItem.id, left - quantity);
    }
    if (lines.length > 0)
      plan.push({ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: lines });
  }
  return plan;
}

/** The Shopify search syntax for Import by ids: long digit strings are ids, others order numbers. */
export function idsSearch(ids: string[]): string {
  return ids
    .map((raw) => {
      const id = raw.trim().replace(/^#/, "");
      if (/^gid:\/\/shopify\/Order\/\d+$/.test(id)) return `id:${numericId(id)}`;
      if (/^\d{10,}$/.test(id)) return `id:${id}`;
      return `name:"#${id.replace(/"/g, "")}"`;
    })
    .join(" OR ");
}

function matchesAsked(order: NormalizedOrder, asked: string): boolean {
  const a = asked.trim().replace(/^#/, "");
  return order.cartOrderId === numericId(a) || order.cartOrderNumber.replace(/^#/, "") === a.trim();
}

interface ShopifyConnectorOptions {
  api?: AdminApiOptions;
  /** Poll delays for a running bulk operation, ms (first, then growing to the last). */
  bulkPollMs?: { first: number; max: number };
  /** How long a bulk operation may run before Import gives up (it can resume later). */
  bulkTimeoutMs?: number;
}

interface BulkCursor {
  bulk: string;
  /** Orders already handed on from the file. */
  done: number;
}

interface PagedCursor {
  after: string | null;
  /** Ids mode: the chunk of ids being read. */
  chunk?: number;
}

type BulkStatusData = {
  bulkOperation: {
    id: string;
    status: string;
    errorCode: string | null;
    objectCount: string | null;
    url: string | null;
    partialDataUrl: string | null;
  } | null;
};

type PersonalizationKeys = ReturnType<typeof shopSettings>["personalizationKeys"];

/** What an import reads with: the shop's Admin API, and what the shop lets the app see. */
interface ShopReader {
  admin: AdminApi;
  keys: PersonalizationKeys;
  /** Granted read_all_orders; without it Shopify shows only the last 60 days of orders. */
  readAllOrders: boolean;
}

export function createShopifyConnector(
  ctx: ConnectorContext,
  shop?: ConnectorShop,
  options: ShopifyConnectorOptions = {},
): CartConnector {
  const keys = (shop ? shopSettings(shop) : DEFAULT_SHOP_SETTINGS).personalizationKeys;
  const readAllOrders = Boolean(shop?.connection?.readAllOrders);
  const openAdmin = () => openShopAdmin(ctx, shop, options.api);

  return {
    stock: createShopifyStockWriter(openAdmin),
    fetchOrder: (cartOrderId) =>
      outcomeOfReadError(async (): Promise<FetchOutcome> => ({
        ok: true,
        order: await readOrder(await openAdmin(), keys, cartOrderId),
      })),
    async *importOrders(request, resumeCursor) {
      const reader: ShopReader = { admin: await openAdmin(), keys, readAllOrders };
      if (request.mode === "all") yield* importAll(reader, resumeCursor, options);
      else if (request.mode === "range") yield* importRange(reader, request, resumeCursor);
      else yield* importIds(reader, request, resumeCursor);
    },
    async *readUpdatedOrders(window, resumeCursor) {
      yield* readUpdated({ admin: await openAdmin(), keys, readAllOrders }, window, resumeCursor);
    },
    setOrderStatus: (order, change) =>
      outcomeOfReadError(async () => writeStatus(await openAdmin(), order, change)),
    writeOrderStatus: (order, write) =>
      outcomeOfReadError(async () => {
        const admin = await openAdmin();
        if (write.kind === "hold") return holdFulfillment(admin, order, write.reason);
        if (write.kind === "release") return releaseFulfillment(admin, order);
        // Shopify shows a fully shipped order as fulfilled already; it has no other order
        // status to write, and a store's own WooCommerce status has no place here.
        if (write.kind === "complete") return { ok: true as const };
        return { ok: false, retryable: false, reason: "Shopify has no order status of that name" };
      }),
    // Shopify's order statuses are its own (financial and fulfillment); a shop adds none.
    listOrderStatuses: async () => ({ ok: true, statuses: [] }),
    setInvoiceNumber: (order, invoiceNumber) =>
      outcomeOfReadError(async () => writeInvoiceNumber(await openAdmin(), order, invoiceNumber)),
    // Shopify has no per-note API: its one order `note` is the customer's checkout note, which
    // must not be overwritten, so notes stay in Orderlane (the service offers internal ones only).
    addOrderNote: async () => ({ ok: true, cartNoteId: null }),
    orderEditorUrl(order) {
      // App Bridge opens shopify:// URLs in the admin's top frame.
      return `shopify://admin/orders/${order.cartOrderId}`;
    },
    pushTracking: (push) => pushTracking(ctx, push, keys),
    cancelOrder: (order, request) =>
      outcomeOfReadError(async () =>
        cancelInShopify(await openAdmin(), order, {
          ...request,
          refund: Number(request.refundAmount) > 0,
        }),
      ),
    capturePayment: (request) =>
      outcomeOfReadError(async () => capturePayment(await openAdmin(), request)).catch(
        (err: unknown): CaptureOutcome => ({
          ok: false,
          retryable: true,
          reason: `Shopify: ${err instanceof Error ? err.message : String(err)}`,
        }),
      ),
    // The app's subscriptions are declared once in shopify.app.toml, and the Admin API does not
    // list those; creating shop subscriptions as well would deliver every event twice.
    checkWebhooks: async () => ({ ok: true, repaired: [], visible: false }),
    reportSent: (report) =>
      outcomeOfReadError(async () => reportSent(await openAdmin(), report)).catch(
        (err: unknown) => ({
          ok: false as const,
          retryable: true,
          reason: `Shopify: ${err instanceof Error ? err.message : String(err)}`,
        }),
      ),
  };
}

async function openShopAdmin(
  ctx: ConnectorContext,
  shop: ConnectorShop | undefined,
  options: AdminApiOptions | undefined,
): Promise<AdminApi> {
  if (!shop) throw new CartReadError("No shop given to the Shopify connector", false);
  return openAdminApi(ctx, shop.domain, options);
}

/** Callers want an outcome when Shopify fails, not a CartReadError; anything else still throws. */
async function outcomeOfReadError<T>(
  work: () => Promise<T>,
): Promise<T | { ok: false; retryable: boolean; reason: string }> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CartReadError) {
      return { ok: false, retryable: err.retryable, reason: err.message };
    }
    throw err;
  }
}

async function readOrder(
  admin: AdminApi,
  keys: PersonalizationKeys,
  cartOrderId: string,
): Promise<NormalizedOrder | null> {
  const data = await admin.request<{ order: unknown }>(ORDER_QUERY, {
    id: gid("Order", cartOrderId),
  });
  if (!data.order) return null;
  const result = normalizeGraphqlOrder(data.order, keys);
  if (!result.ok) throw new CartReadError(result.reason, false);
  return result.value;
}

async function* pagedOrders(
  { admin, keys }: ShopReader,
  search: string,
  cursor: string | null,
): AsyncGenerator<{ orders: NormalizedOrder[]; skipped: string[]; next: string | null }> {
  let after = cursor;
  for (;;) {
    const data = await admin.request<{
      orders: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: (Record<string, unknown> & {
          id: string;
          lineItems?: { pageInfo?: { hasNextPage?: boolean } };
        })[];
      };
    }>(ORDERS_QUERY, { first: ORDERS_PAGE_SIZE, after, query: search });
    const orders: NormalizedOrder[] = [];
    const skipped: string[] = [];
    for (const node of data.orders.nodes) {
      if (node.lineItems?.pageInfo?.hasNextPage) {
        const whole = await readOrder(admin, keys, numericId(node.id));
        if (whole) orders.push(whole);
        continue;
      }
      const result = normalizeGraphqlOrder(node, keys);
      if (result.ok) orders.push(result.value);
      else skipped.push(`${numericId(String(node.id))}: ${result.reason}`);
    }
    const next = data.orders.pageInfo.hasNextPage ? data.orders.pageInfo.endCursor : null;
    yield { orders, skipped, next };
    if (!next) return;
    after = next;
  }
}

async function* importRange(
  reader: ShopReader,
  request: Extract<ImportRequest, { mode: "range" }>,
  resumeCursor: string | null,
): AsyncGenerator<ImportPage> {
  const search = `created_at:>='${request.from.toISOString()}' created_at:<='${request.to.toISOString()}'`;
  const start = resumeCursor ? (JSON.parse(resumeCursor) as PagedCursor).after : null;
  const windowStart = Date.now() - SHOPIFY_WINDOW_DAYS * 86_400_000;
  const limited = !reader.readAllOrders && request.from.getTime() < windowStart;
  for await (const page of pagedOrders(reader, search, start)) {
    yield {
      orders: page.orders,
      resumeCursor: page.next ? JSON.stringify({ after: page.next } satisfies PagedCursor) : null,
      notice: noticeOf(limited, page.skipped),
    };
  }
}

/** Reconciliation: orders Shopify changed in the window, oldest created first (keyset cursor). */
async function* readUpdated(
  reader: ShopReader,
  window: UpdatedWindow,
  resumeCursor: string | null,
): AsyncGenerator<ImportPage> {
  const search = `updated_at:>'${window.since.toISOString()}' updated_at:<='${window.until.toISOString()}'`;
  const start = resumeCursor ? (JSON.parse(resumeCursor) as PagedCursor).after : null;
  for await (const page of pagedOrders(reader, search, start)) {
    yield {
      orders: page.orders,
      resumeCursor: page.next ? JSON.stringify({ after: page.next } satisfies PagedCursor) : null,
      notice: noticeOf(false, page.skipped),
    };
  }
}

async function* importIds(
  reader: ShopReader,
  request: Extract<ImportRequest, { mode: "ids" }>,
  resumeCursor: string | null,
): AsyncGenerator<ImportPage> {
  const asked = [...new Set(request.ids.map((id) => id.trim()).filter(Boolean))];
  const CHUNK = ORDERS_PAGE_SIZE;
  const resume = resumeCursor ? (JSON.parse(resumeCursor) as PagedCursor) : null;
  for (let chunk = resume?.chunk ?? 0; chunk * CHUNK < asked.length; chunk++) {
    const ids = asked.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
    const found: NormalizedOrder[] = [];
    let after = chunk === resume?.chunk ? resume.after : null;
    const pages = pagedOrders(reader, idsSearch(ids), after);
    for await (const page of pages) {
      found.push(...page.orders);
      after = page.next;
      const lastChunk = (chunk + 1) * CHUNK >= asked.length;
      const missing = page.next ? [] : ids.filter((id) => !found.some((o) => matchesAsked(o, id)));
      const nextCursor: PagedCursor | null = page.next
        ? { after: page.next, chunk }
        : lastChunk
          ? null
          : { after: null, chunk: chunk + 1 };
      yield {
        orders: page.orders.filter((o) => ids.some((id) => matchesAsked(o, id))),
        resumeCursor: nextCursor ? JSON.stringify(nextCursor) : null,
        total: asked.length,
        missing,
        notice: noticeOf(!reader.readAllOrders && missing.length > 0, page.skipped),
      };
    }
  }
}

async function* importAll(
  reader: ShopReader,
  resumeCursor: string | null,
  options: ShopifyConnectorOptions,
): AsyncGenerator<ImportPage> {
  let cursor: BulkCursor | null = resumeCursor ? (JSON.parse(resumeCursor) as BulkCursor) : null;
  if (!cursor) cursor = { bulk: await startBulkExport(reader.admin), done: 0 };
  const status = await finishedBulkExport(reader.admin, cursor.bulk, options);
  const notice = reader.readAllOrders ? null : WINDOW_NOTICE;
  if (!status.url) {
    // No orders at all: Shopify gives no file.
    yield { orders: [], resumeCursor: null, total: 0, notice };
    return;
  }
  for await (const page of streamBulkFile(status.url, cursor, reader.keys)) {
    yield { ...page, notice: noticeOf(!reader.readAllOrders, page.skipped) ?? notice };
  }
}

/** Asks Shopify to write every order to a file; the export's id. */
async function startBulkExport(admin: AdminApi): Promise<string> {
  const started = await admin.request<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string; status: string } | null;
      userErrors: UserError[];
    };
  }>(BULK_RUN, { query: BULK_ORDERS_QUERY });
  const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
  if (!bulkOperation) {
    // One bulk query per shop at a time: another export still running is worth waiting for.
    throw new CartReadError(
      `Shopify did not start the export: ${userErrors.map((e) => e.message).join("; ") || "no reason given"}`,
      true,
    );
  }
  return bulkOperation.id;
}

/** Waits, with growing pauses, until the export is done; throws when it failed or took too long. */
async function finishedBulkExport(
  admin: AdminApi,
  bulkId: string,
  options: ShopifyConnectorOptions,
) {
  const poll = options.bulkPollMs ?? { first: 500, max: 5_000 };
  const deadline = Date.now() + (options.bulkTimeoutMs ?? 60 * 60_000);
  let delay = poll.first;
  let status = await bulkStatus(admin, bulkId);
  while (status.status === "CREATED" || status.status === "RUNNING") {
    if (Date.now() > deadline) {
      throw new CartReadError("Shopify's export is taking too long; resume the import later", true);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(poll.max, delay * 2);
    status = await bulkStatus(admin, bulkId);
  }
  if (status.status !== "COMPLETED") {
    throw new CartReadError(
      `Shopify's export ended ${status.status.toLowerCase()}${status.errorCode ? ` (${status.errorCode})` : ""}`,
      status.errorCode === "INTERNAL_SERVER_ERROR" || status.errorCode === "TIMEOUT",
    );
  }
  return status;
}

async function bulkStatus(admin: AdminApi, id: string) {
  const data = await admin.request<BulkStatusData>(BULK_STATUS, { id });
  if (!data.bulkOperation) throw new CartReadError("Shopify no longer has the export", false);
  return data.bulkOperation;
}

function noticeOf(limited: boolean, skipped: string[]): string | null {
  const parts = [];
  if (limited) parts.push(WINDOW_NOTICE);
  if (skipped.length > 0) {
    parts.push(`${skipped.length} order(s) could not be read: ${skipped.slice(0, 3).join("; ")}`);
  }
  return parts.length > 0 ? parts.join(" ") : null;
}

/**
 * Reads the bulk export line by line (it can hold millions of lines; never all in memory). Shopify
 * writes each order followed by its line items, which carry the order's id in `__parentId`.
 */
async function* streamBulkFile(
  url: string,
  cursor: BulkCursor,
  keys: PersonalizationKeys,
): AsyncGenerator<ImportPage & { skipped: string[] }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new CartReadError(
      `Shopify's export file could not be read: ${err instanceof Error ? err.message : String(err)}`,
      true,
    );
  }
  if (!response.ok || !response.body) {
    throw new CartReadError(`Shopify's export file answered ${response.status}`, true);
  }
  const lines = readline.createInterface({
    input: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    crlfDelay: Infinity,
  });
  const PAGE = 250;
  let seen = 0;
  let page: NormalizedOrder[] = [];
  let skipped: string[] = [];
  let current: { node: Record<string, unknown>; lines: unknown[] } | null = null;

  const finish = () => {
    if (!current) return;
    const node: Record<string, unknown> = {
      ...(current as { node: Record<string, unknown> }).node,
      lineItems: { nodes: (current as { lines: unknown[] }).lines },
    };
    current = null;
    seen++;
    if (seen <= cursor.done) return; // handed on by the run that stopped
    const result = normalizeGraphqlOrder(node, keys);
    if (result.ok) page.push(result.value);
    else skipped.push(`${numericId(String(node.id))}: ${result.reason}`);
  };
  const flush = (last: boolean): (ImportPage & { skipped: string[] }) | null => {
    if (!last && page.length + skipped.length < PAGE) return null;
    const out = {
      orders: page,
      skipped,
      resumeCursor: last ? null : JSON.stringify({ bulk: cursor.bulk, done: seen }),
    };
    page = [];
    skipped = [];
    return out;
  };

  try {
    for await (const text of lines) {
      if (!text.trim()) continue;
      let row: Record<string, unknown>;
      try {
        row = parseCartJson(text) as Record<string, unknown>;
      } catch {
        throw new CartReadError(
          `Shopify's export file has a broken line after order ${seen}`,
          false,
        );
      }
      const parent = typeof row.__parentId === "string" ? row.__parentId : null;
      if (parent === null) {
        finish();
        const out = flush(false);
        if (out) yield out;
        current = { node: row, lines: [] };
      } else if (current && current.node.id === parent) {
        const { __parentId: _parent, ...line } = row;
        current.lines.push(line);
      } else {
        skipped.push(`${numericId(parent)}: a line item arrived apart from its order`);
      }
    }
  } finally {
    lines.close();
  }
  finish();
  const out = flush(true);
  if (out) yield out;
}

async function writeStatus(
  admin: AdminApi,
  order: CartOrderRef,
  change: CartStatusChange,
): Promise<CartOutcome> {
  if (change === "cancel") {
    // The old status control's cancel: no refund, restocked, the customer not emailed.
    return cancelInShopify(admin, order, {
      reason: "other",
      notifyCustomer: false,
      restock: true,
      refund: false,
      staffNote: "Cancelled in Orderlane",
    });
  }

  return change === "hold"
    ? holdFulfillment(admin, order, "other")
    : releaseFulfillment(admin, order);
}

/** How long Cancel Order waits for Shopify's cancel job before telling the owner it has not finished. */
const CANCEL_JOB_TIMEOUT_MS = 30_000;
const CANCEL_JOB_POLL_MS = 1_000;

/**
 * orderCancel, then its job followed until Shopify says it is done: the refund and the release of
 * the authorisation happen in that job, so the order is only stored as cancelled once it has run.
 */
async function cancelInShopify(
  admin: AdminApi,
  order: CartOrderRef,
  request: Pick<CancelRequest, "reason" | "notifyCustomer" | "restock" | "staffNote"> & {
    refund: boolean;
  },
  timeoutMs = CANCEL_JOB_TIMEOUT_MS,
): Promise<CartOutcome> {
  const data = await admin.request<{
    orderCancel: {
      job: { id: string; done: boolean } | null;
      orderCancelUserErrors: UserError[];
    } | null;
  }>(ORDER_CANCEL, {
    orderId: gid("Order", order.cartOrderId),
    reason: request.reason.toUpperCase(),
    refundMethod: { originalPaymentMethodsRefund: request.refund },
    restock: request.restock,
    notifyCustomer: request.notifyCustomer,
    staffNote: request.staffNote,
  });
  const errors = data.orderCancel?.orderCancelUserErrors ?? [];
  const job = data.orderCancel?.job;
  if (errors.length > 0 || !job) return refusedBy(errors, "Shopify did not cancel the order");
  const deadline = Date.now() + timeoutMs;
  let done = job.done;
  while (!done) {
    if (Date.now() >= deadline) {
      return {
        ok: false,
        retryable: true,
        reason: `Shopify had not finished cancelling order ${order.cartOrderNumber} after ${Math.round(timeoutMs / 1000)} seconds; Sync Payments shows what it has done`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, CANCEL_JOB_POLL_MS));
    const polled = await admin.request<{ job: { id: string; done: boolean } | null }>(JOB, {
      id: job.id,
    });
    if (!polled.job) {
      return { ok: false, retryable: false, reason: "Shopify lost track of the cancel job" };
    }
    done = polled.job.done;
  }
  return { ok: true };
}

function refusedBy(errors: UserError[], fallback: string): CartOutcome {
  return {
    ok: false,
    retryable: false,
    reason: errors.map((e) => e.message).join("; ") || fallback,
  };
}

async function fulfillmentOrdersOf(
  admin: AdminApi,
  order: CartOrderRef,
): Promise<FulfillmentOrdersData["order"]> {
  const data = await admin.request<FulfillmentOrdersData>(FULFILLMENT_ORDERS, {
    id: gid("Order", order.cartOrderId),
  });
  return data.order;
}

/** Holds every fulfillment order still to fulfil, saying why: suspected fraud or another reason. */
async function holdFulfillment(
  admin: AdminApi,
  order: CartOrderRef,
  reason: "fraud" | "other",
): Promise<CartOutcome> {
  const found = await fulfillmentOrdersOf(admin, order);
  if (!found) return { ok: false, retryable: false, reason: "Shopify no longer has this order" };
  const open = found.fulfillmentOrders.nodes.filter((fo) => HOLDABLE.has(fo.status));
  if (open.length === 0) {
    return {
      ok: false,
      retryable: false,
      reason: "Shopify has nothing left to fulfil on this order, so there is nothing to hold",
    };
  }
  for (const fo of open) {
    const held = await admin.request<{
      fulfillmentOrderHold: { userErrors: UserError[] } | null;
    }>(FULFILLMENT_ORDER_HOLD, {
      id: fo.id,
      hold: {
        reason: reason === "fraud" ? "HIGH_RISK_OF_FRAUD" : "OTHER",
        reasonNotes:
          reason === "fraud" ? "Held in Orderlane as suspected fraud" : "Held in Orderlane",
        handle: "orderlane",
        notifyMerchant: false,
      },
    });
    const errors = held.fulfillmentOrderHold?.userErrors ?? [];
    if (errors.length > 0) return refusedBy(errors, "Shopify did not hold the order");
  }
  return { ok: true };
}

/** Releases every hold on the order's fulfillment orders; nothing held is already released. */
async function releaseFulfillment(admin: AdminApi, order: CartOrderRef): Promise<CartOutcome> {
  const found = await fulfillmentOrdersOf(admin, order);
  if (!found) return { ok: false, retryable: false, reason: "Shopify no longer has this order" };
  const heldOrders = found.fulfillmentOrders.nodes.filter((fo) => fo.status === "ON_HOLD");
  for (const fo of heldOrders) {
    const released = await admin.request<{
      fulfillmentOrderReleaseHold: { userErrors: UserError[] } | null;
    }>(FULFILLMENT_ORDER_RELEASE, { id: fo.id });
    const errors = released.fulfillmentOrderReleaseHold?.userErrors ?? [];
    if (errors.length > 0) return refusedBy(errors, "Shopify did not release the hold");
  }
  return { ok: true };
}

async function writeInvoiceNumber(
  admin: AdminApi,
  order: CartOrderRef,
  invoiceNumber: string | null,
): Promise<CartOutcome> {
  const ownerId = gid("Order", order.cartOrderId);
  if (invoiceNumber === null) {
    const data = await admin.request<{
      metafieldsDelete: { userErrors: UserError[] } | null;
    }>(METAFIELDS_DELETE, { metafields: [{ ownerId, ...INVOICE_METAFIELD }] });
    const errors = data.metafieldsDelete?.userErrors ?? [];
    return errors.length > 0
      ? refusedBy(errors, "Shopify did not remove the invoice number")
      : { ok: true };
  }
  const data = await admin.request<{
    metafieldsSet: { metafields: unknown[] | null; userErrors: UserError[] } | null;
  }>(METAFIELDS_SET, {
    metafields: [
      { ownerId, ...INVOICE_METAFIELD, type: "single_line_text_field", value: invoiceNumber },
    ],
  });
  const errors = data.metafieldsSet?.userErrors ?? [];
  if (errors.length > 0 || !data.metafieldsSet?.metafields?.length) {
    return refusedBy(errors, "Shopify did not store the invoice number");
  }
  return { ok: true };
}

async function pushTracking(
  ctx: ConnectorContext,
  push: TrackingPush,
  keys: PersonalizationKeys,
): Promise<PushOutcome> {
  if (!ctx.shopify) return { ok: false, retryable: false, reason: "Shopify is not configured" };
  let graphql: Graphql;
  try {
    ({
      admin: { graphql },
    } = await ctx.shopify.unauthenticated.admin(push.shopDomain));
  } catch {
    return {
      ok: false,
      retryable: false,
      reason: "Orderlane has no access to this shop any more (was the app uninstalled?)",
    };
  }
  try {
    const pushed = await fulfilParcel(graphql, push);
    if (!pushed.ok) return pushed;
    // The order as Shopify has it now (fulfilled, with its new status), so the catalog says so at
    // once; the orders/updated webhook that follows is then the same version again.
    const admin: AdminApi = {
      request: <T>(query: string, variables: Record<string, unknown> = {}) =>
        run<T>(graphql, query, variables),
    };
    const order = await readOrder(admin, keys, push.cartOrderId).catch(() => null);
    return order ? { ok: true, order } : { ok: true };
  } catch (err) {
    // Throttling, 5xx and network errors: the push job retries with backoff.
    return {
      ok: false,
      retryable: true,
      reason: `Shopify: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** Marks the parcel's items fulfilled in Shopify, with its tracking. */
async function fulfilParcel(graphql: Graphql, push: TrackingPush): Promise<PushOutcome> {
  const data = await run<FulfillmentOrdersData>(graphql, FULFILLMENT_ORDERS, {
    id: gid("Order", push.cartOrderId),
  });
  if (!data.order)
    return { ok: false, retryable: false, reason: "Shopify no longer has this order" };
  const plan = planFulfillment(data.order.fulfillmentOrders.nodes, push.items);
  if (plan.length === 0) {
    // Already fulfilled in Shopify (by hand, or an earlier attempt that timed out after
    // succeeding): the tracking has nowhere left to go, and nothing is lost by stopping.
    return { ok: true };
  }
  const created = await run<FulfillmentCreateData>(graphql, FULFILLMENT_CREATE, {
    fulfillment: {
      lineItemsByFulfillmentOrder: plan,
      notifyCustomer: push.notifyCustomer,
      trackingInfo: {
        company: push.carrier ?? undefined,
        number: push.trackingNumber,
        url: push.trackingUrl ?? undefined,
      },
    },
  });
  const errors = created.fulfillmentCreate?.userErrors ?? [];
  if (errors.length > 0 || !created.fulfillmentCreate?.fulfillment) {
    return {
      ok: false,
      retryable: false,
      reason: `Shopify refused the fulfillment: ${errors.map((e) => e.message).join("; ") || "no reason given"}`,
    };
  }
  return { ok: true };
}

/**
 * Marks the fulfillment orders holding the sent lines as in progress, with a note naming the
 * provider and purchase order: Shopify shows it on the order, so the owner sees it was sent.
 */
const ORDER_CAPTURE = `mutation OrderlaneOrderCapture($input: OrderCaptureInput!) {
  orderCapture(input: $input) {
    transaction { id kind status gateway processedAt errorCode parentTransaction { id } amountSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}`;

/**
 * orderCapture against the authorisation, in the order's currency; `finalCapture` on the last one
 * releases what is left (Shopify Payments multi-capture; other gateways ignore it).
 */
async function capturePayment(admin: AdminApi, request: CaptureRequest): Promise<CaptureOutcome> {
  const data = await admin.request<{
    orderCapture: { transaction: unknown; userErrors: UserError[] } | null;
  }>(ORDER_CAPTURE, {
    input: {
      id: gid("Order", request.cartOrderId),
      parentTransactionId: gid("OrderTransaction", request.parentCartTransactionId),
      amount: request.amount,
      currency: request.currency,
      finalCapture: request.finalCapture,
    },
  });
  const errors = data.orderCapture?.userErrors ?? [];
  if (errors.length > 0) {
    return {
      ok: false,
      retryable: false,
      reason: `Shopify: ${errors.map((e) => e.message).join("; ")}`,
    };
  }
  const parsed = graphqlTransactionShape.safeParse(data.orderCapture?.transaction);
  const transaction = parsed.success ? graphqlTransaction(parsed.data) : null;
  if (!transaction) {
    // Shopify said nothing went wrong but showed no capture: a sync reads what really happened.
    return {
      ok: false,
      retryable: true,
      reason: "Shopify answered without the capture; use Sync Payments to see whether it was made",
    };
  }
  if (transaction.status === "failure" || transaction.status === "error") {
    return {
      ok: false,
      retryable: false,
      reason: `Shopify: the payment gateway declined the capture${transaction.errorMessage ? ` (${transaction.errorMessage})` : ""}`,
    };
  }
  return { ok: true, transaction };
}

async function reportSent(admin: AdminApi, report: SentReport): Promise<CartOutcome> {
  const data = await admin.request<FulfillmentOrdersData>(FULFILLMENT_ORDERS, {
    id: gid("Order", report.cartOrderId),
  });
  if (!data.order)
    return { ok: false, retryable: false, reason: "Shopify no longer has this order" };
  const lines = new Set(report.cartLineIds.map((id) => gid("LineItem", id)));
  const concerned = data.order.fulfillmentOrders.nodes.filter(
    (fo) =>
      REPORTABLE.has(fo.status) &&
      fo.lineItems.nodes.some((l) => lines.has(l.lineItem.id) && l.remainingQuantity > 0),
  );
  const reasonNotes =
    `Sent to ${report.providerName} as purchase order ${report.poNumber} by Orderlane`.slice(
      0,
      REASON_NOTES_MAX,
    );
  for (const fo of concerned) {
    const answer = await admin.request<{
      fulfillmentOrderReportProgress: { userErrors: (UserError & { code?: string })[] } | null;
    }>(FULFILLMENT_ORDER_REPORT_PROGRESS, { id: fo.id, report: { reasonNotes } });
    const errors = answer.fulfillmentOrderReportProgress?.userErrors ?? [];
    // Picked items or a local-pickup order: Shopify keeps its own status, which is no failure.
    const refusal = errors.filter(
      (e) =>
        e.code !== "FULFILLMENT_ORDER_CONTAINS_PICKED_ITEMS" &&
        e.code !== "FULFILLMENT_ORDER_INVALID_DELIVERY_METHOD" &&
        e.code !== "FULFILLMENT_ORDER_STATUS_INVALID",
    );
    if (refusal.length > 0) {
      return {
        ok: false,
        retryable: false,
        reason: `Shopify did not mark the order in progress: ${refusal.map((e) => e.message).join("; ")}`,
      };
    }
  }
  return { ok: true };
}

/** The order a fulfillment order belongs to (fulfillment-order webhooks name only the latter). */
export async function orderOfFulfillmentOrder(
  ctx: ConnectorContext,
  shopDomain: string,
  fulfillmentOrderId: string,
): Promise<string | null> {
  const admin = await openAdminApi(ctx, shopDomain);
  const data = await admin.request<{ fulfillmentOrder: { orderId: string } | null }>(
    FULFILLMENT_ORDER_OF,
    { id: gid("FulfillmentOrder", fulfillmentOrderId) },
  );
  return data.fulfillmentOrder ? numericId(data.fulfillmentOrder.orderId) : null;
}
