// WooCommerce as a cart, through its REST API v3 (the official client, which uses axios).
import { setTimeout as sleep } from "node:timers/promises";
import WooCommerceModule from "@woocommerce/woocommerce-rest-api";
import { openSecret } from "~/security/encryption.server";
import {
  outboundAxiosConfig,
  outboundPolicy,
  outboundRefusal,
  type OutboundPolicy,
} from "~/security/outbound.server";
import { CartReadError } from "../connector";
import type {
  CancelRequest,
  CaptureOutcome,
  CaptureRequest,
  CartConnector,
  CartOrderRef,
  CartOutcome,
  CartOrderStatus,
  CartStatusChange,
  ConnectorContext,
  ConnectorShop,
  FetchOutcome,
  ImportPage,
  ImportRequest,
  NormalizedOrder,
  PushOutcome,
  SentReport,
  UpdatedWindow,
  TrackingPush,
} from "../connector";
import { readWooOrder, stripeCapture, stripeCharge, wooOrderSchema } from "./normalize";
import { ensureStoreWebhooks, wooDeliveryUrl } from "./webhook-setup.server";
import { shopSettings } from "~/orders/core/shop-settings";
import { createWooStockWriter } from "./stock.server";

// From Node's ESM the package can arrive as `{ default: Class }` instead of the class itself.
const WooCommerceRestApi = ((WooCommerceModule as unknown as { default?: typeof WooCommerceModule })
  .default ?? WooCommerceModule) as typeof WooCommerceModule;
export type WooClient = InstanceType<typeof WooCommerceRestApi>;

export interface WooCommerceCredentials {
  consumerKey: string;
  consumerSecret: string;
  /** The store's base URL; https://<shop domain> when absent. */
  url?: string;
  /** Signs the webhooks the app created on the store (X-WC-Webhook-Signature). */
  webhookSecret?: string;
}

const TIMEOUT_MS = 30_000;
/** WooCommerce's largest page. */
export const PAGE_SIZE = 100;

export function wooCredentials(
  ctx: Pick<ConnectorContext, "config">,
  shop: { domain: string; credentials: string | null },
): WooCommerceCredentials | null {
  if (!shop.credentials) return null;
  try {
    const parsed = JSON.parse(
      openSecret(ctx.config.encryptionKey, shop.credentials),
    ) as Partial<WooCommerceCredentials>;
    return parsed.consumerKey && parsed.consumerSecret
      ? {
          consumerKey: parsed.consumerKey,
          consumerSecret: parsed.consumerSecret,
          url: parsed.url,
          webhookSecret: parsed.webhookSecret,
        }
      : null;
  } catch {
    return null;
  }
}

/** The store's base URL, without a trailing slash. */
export function storeBaseUrl(
  shop: Pick<ConnectorShop, "domain" | "connection">,
  credentials?: WooCommerceCredentials | null,
): string {
  return (credentials?.url ?? shop.connection.storeUrl ?? `https://${shop.domain}`).replace(
    /\/+$/,
    "",
  );
}

/**
 * The REST client for one store. Every request it makes is held to the outbound policy: the
 * store's address is checked when the request is made and again when its socket connects.
 */
export function wooClient(
  credentials: Pick<WooCommerceCredentials, "consumerKey" | "consumerSecret">,
  url: string,
  policy: OutboundPolicy,
  version = "wc/v3",
): WooClient {
  return new WooCommerceRestApi({
    url,
    consumerKey: credentials.consumerKey,
    consumerSecret: credentials.consumerSecret,
    // The client builds `<wp-json>/<version>/<path>`, so an extension's namespace works here too.
    version: version as "wc/v3",
    timeout: TIMEOUT_MS,
    // A redirect could lead anywhere (another host, a private address): the store answers directly
    // (outboundAxiosConfig sets maxRedirects: 0).
    axiosConfig: { ...outboundAxiosConfig(policy), maxContentLength: 64 * 1024 * 1024 },
  });
}

interface AxiosLikeError {
  response?: {
    status: number;
    data?: { code?: string; message?: string } | string;
    headers?: Record<string, string | undefined>;
  };
  code?: string;
  message?: string;
}

export function httpStatusOf(err: unknown): number | undefined {
  return (err as AxiosLikeError).response?.status;
}

/** The store's own words for a failed call ("Invalid parameter(s): status"). */
export function wooMessage(err: unknown): string {
  const e = err as AxiosLikeError;
  const data = e.response?.data;
  if (data && typeof data === "object" && data.message) return stripTags(data.message);
  if (typeof data === "string" && data.trim() && data.length < 300) return stripTags(data);
  if (e.response) return `HTTP ${e.response.status}`;
  return e.message ?? String(err);
}

function wooCode(err: unknown): string | undefined {
  const data = (err as AxiosLikeError).response?.data;
  return data && typeof data === "object" ? data.code : undefined;
}

const stripTags = (s: string) => s.replace(/<[^>]*>/g, "").trim();

export function failure(err: unknown): { ok: false; retryable: boolean; reason: string } {
  const refused = outboundRefusal(err);
  if (refused) {
    // Retrying cannot help: the store's address has to change (or the operator's setting).
    return {
      ok: false,
      retryable: false,
      reason: `WooCommerce was not called: ${refused.message}`,
    };
  }
  const status = httpStatusOf(err);
  const retryable = status === undefined || status === 429 || status >= 500;
  return {
    ok: false,
    retryable,
    reason: `WooCommerce${status ? ` (HTTP ${status})` : ""}: ${wooMessage(err)}`,
  };
}

const MISSING_KEYS = "The store's API keys are missing or unreadable: connect the store again";

export interface WooConnectorOptions {
  /** Attempts per page read before an import stops (429, 5xx and network errors are retried). */
  maxAttempts?: number;
  /** First back-off wait; doubles each retry, capped at maxDelayMs. Retry-After wins when sent. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const DEFAULTS: Required<WooConnectorOptions> = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
};

const STATUS_FOR: Record<CartStatusChange, string> = {
  hold: "on-hold",
  release: "processing",
  cancel: "cancelled",
};

type PersonalizationKeys = ReturnType<typeof shopSettings>["personalizationKeys"];

/** What an import reads with: the store's API, the shop's personalization keys, the retry policy. */
interface StoreReader {
  wc: WooClient;
  keys: PersonalizationKeys;
  retry: Required<WooConnectorOptions>;
}

export function createWooCommerceConnector(
  ctx: ConnectorContext,
  shop: ConnectorShop,
  options: WooConnectorOptions = {},
): CartConnector {
  const retry = { ...DEFAULTS, ...options };
  const keys = shopSettings(shop).personalizationKeys;
  const policy = outboundPolicy(ctx.config);
  const openStore = () => {
    const creds = wooCredentials(ctx, shop);
    return creds ? wooClient(creds, storeBaseUrl(shop, creds), policy) : null;
  };

  return {
    stock: createWooStockWriter(openStore, MISSING_KEYS),
    fetchOrder: async (cartOrderId) => fetchOrder(openStore(), keys, cartOrderId),
    async *importOrders(request: ImportRequest, resumeCursor: string | null) {
      const wc = openStore();
      if (!wc) throw new CartReadError(MISSING_KEYS, false);
      yield* importOrders({ wc, keys, retry }, request, resumeCursor);
    },
    async *readUpdatedOrders(window: UpdatedWindow, resumeCursor: string | null) {
      const wc = openStore();
      if (!wc) throw new CartReadError(MISSING_KEYS, false);
      // By id, oldest first: an order changed again while the sweep reads leaves the window, and
      // the next sweep, whose window starts before this one's end, reads it.
      yield* pages(
        { wc, keys, retry },
        {
          orderby: "id",
          order: "asc",
          modified_after: window.since.toISOString(),
          modified_before: window.until.toISOString(),
          dates_are_gmt: "true",
        },
        parseCursor(resumeCursor).page,
      );
    },
    setOrderStatus: async (ref: CartOrderRef, change: CartStatusChange) =>
      setOrderStatus(openStore(), ref, change),
    writeOrderStatus: async (ref, write) =>
      putStatus(
        openStore(),
        ref,
        write.kind === "hold"
          ? "on-hold"
          : write.kind === "release"
            ? "processing"
            : write.kind === "complete"
              ? "completed"
              : write.status,
      ),
    cancelOrder: async (ref, request) => cancelOrder(openStore(), ref, request),
    capturePayment: async (request) => captureStripeCharge(openStore(), request),
    capturesInFullOnly: true,
    listOrderStatuses: async () => listOrderStatuses(openStore()),
    setInvoiceNumber: async (ref, invoiceNumber) =>
      setInvoiceNumber(openStore(), ref, invoiceNumber),
    addOrderNote: async (ref, note) => addOrderNote(openStore(), ref, note),
    orderEditorUrl: (ref: CartOrderRef) => orderEditorUrl(shop, ref),
    pushTracking: (push) => pushTracking(shop, wooCredentials(ctx, shop), policy, push, keys),
    reportSent: async (report) => reportSent(openStore(), report),
    async checkWebhooks() {
      const creds = wooCredentials(ctx, shop);
      const wc = openStore();
      if (!wc || !creds?.webhookSecret)
        return { ok: false, retryable: false, reason: MISSING_KEYS };
      try {
        const { repaired } = await ensureStoreWebhooks(
          wc,
          {
            deliveryUrl: wooDeliveryUrl(ctx.config.publicUrl, shop.id),
            secret: creds.webhookSecret,
          },
          { refresh: false },
        );
        return { ok: true, repaired, visible: true };
      } catch (err) {
        return failure(err);
      }
    },
  };
}

async function fetchOrder(
  wc: WooClient | null,
  keys: PersonalizationKeys,
  cartOrderId: string,
): Promise<FetchOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  try {
    const res = await wc.get(`orders/${encodeURIComponent(cartOrderId)}`);
    const read = readWooOrder(res.data, keys);
    if (read.kind === "invalid") return { ok: false, retryable: false, reason: read.message };
    return { ok: true, order: read.kind === "order" ? read.order : null };
  } catch (err) {
    if (httpStatusOf(err) === 404) return { ok: true, order: null };
    return failure(err);
  }
}

async function* importOrders(
  reader: StoreReader,
  request: ImportRequest,
  resumeCursor: string | null,
): AsyncGenerator<ImportPage> {
  const start = parseCursor(resumeCursor);
  // Oldest first by id: orders placed while the import runs join the end instead of shifting
  // the pages still to read.
  const order = { orderby: "id", order: "asc" };
  if (request.mode === "all") {
    yield* pages(reader, order, start.page);
  } else if (request.mode === "range") {
    yield* pages(
      reader,
      {
        ...order,
        after: request.from.toISOString(),
        before: request.to.toISOString(),
        dates_are_gmt: "true",
      },
      start.page,
    );
  } else {
    yield* importByIds(reader, request.ids, start.page);
  }
}

/** One GET with bounded back-off on 429, 5xx and network failures. */
async function getWithRetry(
  { wc, retry }: StoreReader,
  path: string,
  params: Record<string, string | number>,
  where: string,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await wc.get(path, params)) as {
        data: unknown;
        headers: Record<string, string | undefined>;
      };
    } catch (err) {
      const status = httpStatusOf(err);
      // Asking past the last page (the orders were fewer when the import resumed) ends the list.
      if (status === 400 && wooCode(err) === "rest_post_invalid_page_number") return null;
      // A refused address stays refused: no attempt after the first can help.
      const retryable =
        !outboundRefusal(err) && (status === undefined || status === 429 || status >= 500);
      if (!retryable || attempt >= retry.maxAttempts) {
        const tries = retryable ? ` after ${attempt} attempts` : "";
        throw new CartReadError(
          `WooCommerce${status ? ` (HTTP ${status})` : ""} stopped the import at ${where}${tries}: ${wooMessage(err)}`,
          retryable,
        );
      }
      await sleep(backoff(err, attempt, retry));
    }
  }
}

function readPage(data: unknown, where: string, keys: PersonalizationKeys): NormalizedOrder[] {
  if (!Array.isArray(data)) {
    throw new CartReadError(
      `WooCommerce answered ${where} with something that is not a list of orders`,
      false,
    );
  }
  const orders: NormalizedOrder[] = [];
  for (const raw of data) {
    const read = readWooOrder(raw, keys);
    if (read.kind === "order") orders.push(read.order);
    else if (read.kind === "invalid") {
      const id = (raw as { id?: unknown } | null)?.id;
      throw new CartReadError(`Order ${String(id ?? "?")} at ${where}: ${read.message}`, false);
    }
    // Drafts and trashed orders are not orders the owner keeps: an import skips them.
  }
  return orders;
}

async function* pages(
  reader: StoreReader,
  base: Record<string, string | number>,
  firstPage: number,
): AsyncGenerator<ImportPage> {
  let page = firstPage;
  for (;;) {
    const where = `page ${page}`;
    const res = await getWithRetry(reader, "orders", { ...base, page, per_page: PAGE_SIZE }, where);
    if (!res) {
      yield { orders: [], resumeCursor: null };
      return;
    }
    const totalPages = Number(res.headers["x-wp-totalpages"] ?? "0");
    const total = res.headers["x-wp-total"];
    const orders = readPage(res.data, where, reader.keys);
    const last = !Array.isArray(res.data) || res.data.length === 0 || page >= totalPages;
    yield {
      orders,
      resumeCursor: last ? null : cursor({ page: page + 1 }),
      total: total !== undefined && /^\d+$/.test(total) ? Number(total) : null,
    };
    if (last) return;
    page++;
  }
}

// By IDs: the owner may type order ids or order numbers (a sequential-numbers plugin makes them
// differ). Numeric tokens are asked for as ids (`include`, a page of 100 at a time); a token no
// id matched is then searched for and kept only when an order's number is exactly that token.
async function* importByIds(
  reader: StoreReader,
  tokens: string[],
  firstPage: number,
): AsyncGenerator<ImportPage> {
  const wanted = [...new Set(tokens.map((t) => t.trim().replace(/^#/, "")).filter(Boolean))];
  const numeric = wanted.filter((t) => /^\d+$/.test(t));
  const idChunks = chunk(numeric, PAGE_SIZE);
  const found = new Set<string>();
  // Pages 1..idChunks.length read ids; the search for what is left follows as one more page.
  for (let page = firstPage; page <= idChunks.length; page++) {
    const ids = idChunks[page - 1]!;
    const where = `ids page ${page} of ${idChunks.length}`;
    const res = await getWithRetry(
      reader,
      "orders",
      { include: ids.join(","), per_page: PAGE_SIZE, orderby: "id", order: "asc" },
      where,
    );
    const orders = res ? readPage(res.data, where, reader.keys) : [];
    for (const o of orders) found.add(o.cartOrderId);
    yield {
      orders,
      resumeCursor: cursor({ page: page + 1 }),
      total: wanted.length,
    };
  }
  // After a resume past the id pages, what they found is no longer known, so numeric tokens are
  // searched again: slower, never wrong (importing an order twice updates it).
  const left = wanted.filter((t) => !found.has(t));
  const byNumber: NormalizedOrder[] = [];
  const missing: string[] = [];
  for (const token of left) {
    const res = await getWithRetry(
      reader,
      "orders",
      { search: token, per_page: 20 },
      `the search for order ${token}`,
    );
    const match = (
      res ? readPage(res.data, `the search for order ${token}`, reader.keys) : []
    ).find((o) => o.cartOrderNumber === token || o.cartOrderId === token);
    if (match && !found.has(match.cartOrderId)) {
      found.add(match.cartOrderId);
      byNumber.push(match);
    } else if (!match) missing.push(token);
  }
  yield { orders: byNumber, resumeCursor: null, total: wanted.length, missing };
}

async function setOrderStatus(
  wc: WooClient | null,
  ref: CartOrderRef,
  change: CartStatusChange,
): Promise<CartOutcome> {
  return putStatus(wc, ref, STATUS_FOR[change]);
}

/** The order meta key the invoice number is written to (decision 0047). */
export const INVOICE_META_KEY = "_orderlane_invoice_number";

/**
 * Every order status the store offers, custom ones that plugins register included: the order
 * totals report lists each status by slug and name.
 */
async function listOrderStatuses(
  wc: WooClient | null,
): Promise<
  { ok: true; statuses: CartOrderStatus[] } | { ok: false; retryable: boolean; reason: string }
> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  try {
    const res = await wc.get("reports/orders/totals");
    const rows = Array.isArray(res.data) ? (res.data as unknown[]) : [];
    const statuses: CartOrderStatus[] = [];
    for (const row of rows) {
      const { slug, name } = (row ?? {}) as { slug?: unknown; name?: unknown };
      if (typeof slug !== "string" || !slug) continue;
      statuses.push({
        slug: slug.replace(/^wc-/, ""),
        name: typeof name === "string" && name ? name : slug,
      });
    }
    return { ok: true, statuses };
  } catch (err) {
    return failure(err);
  }
}

async function setInvoiceNumber(
  wc: WooClient | null,
  ref: CartOrderRef,
  invoiceNumber: string | null,
): Promise<CartOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  // The REST API updates meta by key and has no delete: an empty value clears it.
  const value = invoiceNumber ?? "";
  try {
    const res = await wc.put(`orders/${encodeURIComponent(ref.cartOrderId)}`, {
      meta_data: [{ key: INVOICE_META_KEY, value }],
    });
    const meta = (res.data as { meta_data?: { key?: string; value?: unknown }[] } | null)
      ?.meta_data;
    const stored = Array.isArray(meta) ? meta.find((m) => m.key === INVOICE_META_KEY) : undefined;
    // A store that answers without the meta (a plugin filtering it) has not kept it.
    if (Array.isArray(meta) && (stored ? String(stored.value ?? "") : "") !== value) {
      return {
        ok: false,
        retryable: false,
        reason: `WooCommerce did not keep the invoice number on order ${ref.cartOrderNumber}`,
      };
    }
    return { ok: true };
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return { ok: false, retryable: false, reason: "WooCommerce no longer has this order" };
    }
    return failure(err);
  }
}

/** An order note: private, or `customer_note`, which WooCommerce emails to the customer. */
async function addOrderNote(
  wc: WooClient | null,
  ref: CartOrderRef,
  note: { text: string; visibleToCustomer: boolean },
): Promise<
  { ok: true; cartNoteId: string | null } | { ok: false; retryable: boolean; reason: string }
> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  try {
    const res = await wc.post(`orders/${encodeURIComponent(ref.cartOrderId)}/notes`, {
      note: note.text,
      customer_note: note.visibleToCustomer,
    });
    const id = (res.data as { id?: unknown } | null)?.id;
    if (typeof id !== "number" && typeof id !== "string") {
      return { ok: false, retryable: false, reason: "WooCommerce did not say it kept the note" };
    }
    return { ok: true, cartNoteId: String(id) };
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return { ok: false, retryable: false, reason: "WooCommerce no longer has this order" };
    }
    return failure(err);
  }
}

const CANCEL_REASON_WORDS: Record<CancelRequest["reason"], string> = {
  customer: "the customer asked",
  inventory: "items are out of stock",
  fraud: "suspected fraud",
  declined: "the payment was declined",
  staff: "a staff decision",
  other: "another reason",
};

/**
 * Cancel Order in WooCommerce: captured money back through the payment gateway (`api_refund`), so a
 * gateway that cannot refund refuses before the order is touched; then status cancelled (which
 * lets the gateway release an authorisation it holds), and a customer note only when asked.
 */
async function cancelOrder(
  wc: WooClient | null,
  ref: CartOrderRef,
  request: CancelRequest,
): Promise<CartOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  const orderPath = `orders/${encodeURIComponent(ref.cartOrderId)}`;
  try {
    if (Number(request.refundAmount) > 0) {
      await wc.post(`${orderPath}/refunds`, {
        amount: request.refundAmount,
        reason: `Cancelled in Orderlane: ${CANCEL_REASON_WORDS[request.reason]}`,
        api_refund: true,
        // A refund of the order as a whole: nothing goes back to stock here; the cancel restocks.
        restock_items: false,
      });
    }
    const cancelled = await putStatus(wc, ref, "cancelled");
    if (!cancelled.ok) {
      return Number(request.refundAmount) > 0
        ? {
            ...cancelled,
            reason: `WooCommerce refunded ${request.refundAmount} ${request.currency} but did not cancel the order: ${cancelled.reason}`,
          }
        : cancelled;
    }
    if (request.notifyCustomer) {
      await wc.post(`${orderPath}/notes`, {
        note: "Your order has been cancelled. Any payment taken has been refunded to your original payment method.",
        customer_note: true,
      });
    }
    return { ok: true };
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return { ok: false, retryable: false, reason: "WooCommerce no longer has this order" };
    }
    return failure(err);
  }
}

const STRIPE_ONLY =
  "Only a WooCommerce Stripe charge that is waiting to be captured can be captured from Orderlane; capture this payment in WooCommerce's own order page.";

/**
 * Capture of a WooCommerce Stripe authorise-only charge. The extension captures the whole charge
 * when the order moves from on-hold to processing and then sets `_stripe_charge_captured` to "yes";
 * WooCommerce's REST API has no capture of its own, so that move is the capture and the flag read
 * back is the proof. The whole amount only: the extension captures nothing less.
 */
async function captureStripeCharge(
  wc: WooClient | null,
  request: CaptureRequest,
): Promise<CaptureOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  const path = `orders/${encodeURIComponent(request.cartOrderId)}`;
  try {
    const before = wooOrderSchema.safeParse((await wc.get(path)).data);
    if (!before.success) {
      return {
        ok: false,
        retryable: false,
        reason: "WooCommerce answered with an unreadable order",
      };
    }
    const charge = stripeCharge(before.data);
    if (!charge || charge.chargeId !== request.parentCartTransactionId) {
      return { ok: false, retryable: false, reason: STRIPE_ONLY };
    }
    // Captured already (in WooCommerce, or by an earlier try whose answer was lost): the same capture.
    if (charge.captured)
      return { ok: true, transaction: stripeCapture(before.data, charge.chargeId) };
    if (Number(request.amount) !== Number(before.data.total)) {
      return {
        ok: false,
        retryable: false,
        reason: `WooCommerce Stripe captures the whole charge only: capture ${before.data.total} ${request.currency}`,
      };
    }
    if (before.data.status !== "on-hold" && before.data.status !== "pending") {
      return {
        ok: false,
        retryable: false,
        reason: `WooCommerce Stripe captures the charge when the order moves to processing, and this order is already "${before.data.status}"; capture it in the Stripe dashboard`,
      };
    }
    const after = wooOrderSchema.safeParse((await wc.put(path, { status: "processing" })).data);
    const now = after.success ? stripeCharge(after.data) : null;
    if (!after.success || !now?.captured) {
      return {
        ok: false,
        retryable: false,
        reason:
          "WooCommerce moved the order to processing but Stripe did not capture the charge; see the order's notes in WooCommerce, then use Sync Payments",
      };
    }
    return { ok: true, transaction: stripeCapture(after.data, now.chargeId) };
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return { ok: false, retryable: false, reason: "WooCommerce no longer has this order" };
    }
    return failure(err);
  }
}

async function putStatus(
  wc: WooClient | null,
  ref: CartOrderRef,
  wanted: string,
): Promise<CartOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  try {
    const res = await wc.put(`orders/${encodeURIComponent(ref.cartOrderId)}`, {
      status: wanted,
    });
    const now = (res.data as { status?: string } | null)?.status;
    // A plugin can veto the change and still answer 200 with the order as it was.
    if (now && now !== wanted) {
      return {
        ok: false,
        retryable: false,
        reason: `WooCommerce kept order ${ref.cartOrderNumber} as "${now}" instead of "${wanted}"`,
      };
    }
    return { ok: true };
  } catch (err) {
    return failure(err);
  }
}

function orderEditorUrl(
  shop: Pick<ConnectorShop, "domain" | "connection">,
  ref: CartOrderRef,
): string | null {
  const base = storeBaseUrl(shop);
  const id = encodeURIComponent(ref.cartOrderId);
  return shop.connection.wooOrderEditor === "hpos"
    ? `${base}/wp-admin/admin.php?page=wc-orders&action=edit&id=${id}`
    : `${base}/wp-admin/post.php?post=${id}&action=edit`;
}

async function pushTracking(
  shop: Pick<ConnectorShop, "domain" | "connection">,
  creds: WooCommerceCredentials | null,
  policy: OutboundPolicy,
  push: TrackingPush,
  keys: PersonalizationKeys,
): Promise<PushOutcome> {
  if (!creds) return { ok: false, retryable: false, reason: MISSING_KEYS };
  const storeUrl = storeBaseUrl(shop, creds);
  const wc = wooClient(creds, storeUrl, policy);
  const orderPath = `orders/${encodeURIComponent(push.cartOrderId)}`;
  try {
    // A retry after a partial success must not post the note twice: look for it first.
    const notes = (await wc.get(`${orderPath}/notes`)).data as { note?: string }[];
    const noted = notes.some((n) => n.note?.includes(push.trackingNumber));
    if (!noted) await tellCustomer(wc, creds, storeUrl, policy, orderPath, push);
    if (!push.completesOrder) return { ok: true };
    // WooCommerce answers with the order as it now is: stored at once, so the catalog says
    // Completed without waiting for the order.updated webhook.
    const res = await wc.put(orderPath, { status: "completed" });
    const read = readWooOrder(res.data, keys);
    return read.kind === "order" ? { ok: true, order: read.order } : { ok: true };
  } catch (err) {
    return failure(err);
  }
}

/**
 * A private note (the customer is not emailed) naming the provider and purchase order, once: a
 * retry finds the note already there.
 */
async function reportSent(wc: WooClient | null, report: SentReport): Promise<CartOutcome> {
  if (!wc) return { ok: false, retryable: false, reason: MISSING_KEYS };
  const orderPath = `orders/${encodeURIComponent(report.cartOrderId)}`;
  try {
    const notes = (await wc.get(`${orderPath}/notes`)).data;
    const noted =
      Array.isArray(notes) &&
      notes.some(
        (n: unknown) =>
          typeof (n as { note?: unknown }).note === "string" &&
          (n as { note: string }).note.includes(report.poNumber),
      );
    if (!noted) {
      await wc.post(`${orderPath}/notes`, {
        note: `Orderlane sent this order to ${report.providerName} as purchase order ${report.poNumber}.`,
        customer_note: false,
      });
    }
    return { ok: true };
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return { ok: false, retryable: false, reason: "WooCommerce no longer has this order" };
    }
    return failure(err);
  }
}

/** Adds the tracking to the order where the customer sees it, and a note that says so. */
async function tellCustomer(
  wc: WooClient,
  creds: WooCommerceCredentials,
  storeUrl: string,
  policy: OutboundPolicy,
  orderPath: string,
  push: TrackingPush,
): Promise<void> {
  // The Shipment Tracking extension shows tracking in the customer's account and emails;
  // a store without it answers 404 (no such route) and the customer note carries it alone.
  const tracking = wooClient(creds, storeUrl, policy, "wc-shipment-tracking/v3");
  await tracking
    .post(`${orderPath}/shipment-trackings`, {
      custom_tracking_provider: push.carrier ?? "Carrier",
      tracking_number: push.trackingNumber,
      custom_tracking_link: push.trackingUrl ?? "",
    })
    .catch((err: unknown) => {
      if (httpStatusOf(err) !== 404) throw err;
    });
  const link = push.trackingUrl ? `: ${push.trackingUrl}` : "";
  await wc.post(`${orderPath}/notes`, {
    note: `Your order has shipped with ${push.carrier ?? "our carrier"}. Tracking number ${push.trackingNumber}${link}`,
    customer_note: push.notifyCustomer,
  });
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function cursor(c: { page: number }): string {
  return `page:${c.page}`;
}

function parseCursor(c: string | null): { page: number } {
  if (!c) return { page: 1 };
  const m = /^page:(\d+)$/.exec(c);
  if (!m) throw new CartReadError(`Cannot resume a WooCommerce import from "${c}"`, false);
  return { page: Math.max(1, Number(m[1])) };
}

function backoff(err: unknown, attempt: number, retry: Required<WooConnectorOptions>): number {
  const header = (err as AxiosLikeError).response?.headers?.["retry-after"];
  const seconds = header !== undefined ? Number(header) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, retry.maxDelayMs);
  const exp = retry.baseDelayMs * 2 ** (attempt - 1);
  // A little jitter so many shops' imports do not retry in step.
  return Math.min(exp + Math.random() * retry.baseDelayMs * 0.2, retry.maxDelayMs);
}
