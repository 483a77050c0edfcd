// What Orderlane's admin extensions (Shopify's order page and order list) read and do, by the
// order's Shopify GID, for the shop of the verified session token. Each answer comes from the
// service the app's own pages use (the order-page read, runOrderAction, the bulk run, import),
// reshaped into the extensions' contract (extensions/shared/admin-api.ts), so no rule is decided
// twice: the lifecycle table says what is allowed, here as everywhere.
import { and, eq, inArray } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders } from "~/db/schema";
import type { Shop } from "~/shops/shops.server";
import type { ActingAs } from "~/orders/core/transitions.server";
import type { OrderPageData } from "~/ui/order/types";
import { runOrderAction } from "./actions.server";
import { BULK_CAP, runBulkAction } from "./bulk.server";
import { loadOrderPage } from "./order-page.server";
import { startImport } from "./import.server";
import type {
  AdminAction,
  AdminActionChoice,
  AdminBulkResult,
  AdminBulkSubmitResponse,
  AdminCountdown,
  AdminOrder,
  AdminSubmitStatus,
  AdminTrackingLink,
  Tone,
} from "../../extensions/shared/admin-api";

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "presence" | "shopify" | "demo">;

export interface AdminScope {
  shop: Shop;
  acting: ActingAs;
}

/** "gid://shopify/Order/123" → "123"; anything else is not an order GID. */
export function orderIdOfGid(gid: string): string | null {
  const match = /^gid:\/\/shopify\/Order\/([1-9]\d{0,19})$/.exec(gid.trim());
  return match?.[1] ?? null;
}

export function gidOfOrderId(cartOrderId: string): string {
  return `gid://shopify/Order/${cartOrderId}`;
}

/** Orderlane's ids of the shop's orders with these Shopify ids. */
async function orderIdsByCartId(
  ctx: Pick<Ctx, "db">,
  shopId: string,
  cartOrderIds: string[],
): Promise<Map<string, { id: string; number: string }>> {
  if (cartOrderIds.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: orders.id, cartOrderId: orders.cartOrderId, number: orders.cartOrderNumber })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.cartOrderId, cartOrderIds)));
  return new Map(rows.map((r) => [r.cartOrderId, { id: r.id, number: r.number }]));
}

export const NOT_IN_ORDERLANE =
  "This order is not in Orderlane yet. Import it to see its countdown and submit it.";

/** The order as the block shows it, or null when Orderlane has no such order in this shop. */
export async function loadAdminOrder(
  ctx: Ctx,
  scope: AdminScope,
  gid: string,
): Promise<AdminOrder | null> {
  const cartOrderId = orderIdOfGid(gid);
  if (!cartOrderId) return null;
  const found = (await orderIdsByCartId(ctx, scope.shop.id, [cartOrderId])).get(cartOrderId);
  if (!found) return null;
  const page = await loadOrderPage(
    ctx,
    {
      shop: scope.shop,
      embedded: true,
      name: scope.acting.name ?? "Shopify admin",
      isAccountAdmin: scope.acting.isAccountAdmin ?? false,
      redirect: (to) => new Response(null, { status: 302, headers: { Location: to } }),
    },
    found.id,
  );
  return page ? adminOrderOf(page, gidOfOrderId(cartOrderId), ctx.config) : null;
}

function toneOf(tone: string | undefined): Tone {
  return tone === "success" || tone === "critical" || tone === "info" || tone === "attention"
    ? tone
    : "neutral";
}

/** The app's own addresses (the demo's previews) made absolute: the admin is on another host. */
function absolute(url: string | null, base: string): string | null {
  if (!url) return null;
  try {
    return new URL(url, base).toString();
  } catch {
    return null;
  }
}

function appBase(config: Ctx["config"]): string {
  return config.shopify?.appUrl ?? config.publicUrl;
}

function countdownOf(page: OrderPageData): AdminCountdown {
  const c = page.countdown;
  if (c.kind === "none") return { kind: "none", reason: c.reason, title: c.title ?? null };
  return c;
}

function submitStatusOf(page: OrderPageData): AdminSubmitStatus {
  const alert = page.alert
    ? { code: page.alert.code, message: page.alert.message, fix: page.alert.fix }
    : null;
  const live = page.submissions.filter((s) => s.state !== "cancelled");
  const failed = live.filter((s) => s.state === "failed");
  const sending = live.filter((s) => s.state === "pending" || s.state === "submitting");
  if (failed.length > 0 || (page.state === "error" && alert)) {
    const reasons = failed
      .map((s) => (s.lastError ? `${s.providerName}: ${s.lastError}` : null))
      .filter((r): r is string => r !== null);
    return {
      kind: "failed",
      label: "Submission failed",
      tone: "critical",
      reason: reasons.length > 0 ? reasons.join("; ") : (alert?.message ?? null),
      alert,
    };
  }
  if (sending.length > 0) {
    return { kind: "sending", label: "Sending to providers", tone: "info", reason: null, alert };
  }
  if (live.length > 0) {
    const n = live.length;
    return {
      kind: "submitted",
      label: `Submitted to ${n} provider${n === 1 ? "" : "s"}`,
      tone: "success",
      reason: null,
      alert,
    };
  }
  return { kind: "not_submitted", label: "Not submitted", tone: "neutral", reason: null, alert };
}

function trackingOf(s: OrderPageData["shipments"][number]): AdminTrackingLink {
  return {
    carrier: s.carrier,
    number: s.trackingNumber,
    url: s.trackingUrl && /^https?:/i.test(s.trackingUrl) ? s.trackingUrl : null,
    shippedAt: s.shippedAt,
  };
}

function choice(
  decision: { allowed: boolean; reason: string | null },
  label: string,
): AdminActionChoice {
  return {
    allowed: decision.allowed,
    reason: decision.allowed ? null : decision.reason,
    label,
  };
}

export function adminOrderOf(page: OrderPageData, gid: string, config: Ctx["config"]): AdminOrder {
  const base = appBase(config);
  const poIds = new Set(page.submissions.map((s) => s.id));
  return {
    id: page.id,
    gid,
    number: page.number,
    state: page.state,
    stateLabel: page.stateLabel,
    shopStatus: {
      label: page.orderStatus.label,
      tone: page.orderStatus.pausesCountdown ? "attention" : "info",
    },
    countdown: countdownOf(page),
    serverNow: page.serverNow,
    submit: submitStatusOf(page),
    items: page.items.map((item) => {
      const personalised =
        item.previewUrl !== null ||
        item.designUrl !== null ||
        item.clientImages.length > 0 ||
        item.options.length > 0;
      return {
        id: item.id,
        title: item.title,
        quantity: item.quantity,
        sku: item.sku,
        personalised,
        thumbnailUrl: absolute(item.previewUrl ?? item.mockupUrl, base),
        options: item.options,
        providerName: item.providerName,
      };
    }),
    purchaseOrders: page.submissions.map((s) => ({
      id: s.id,
      providerName: s.providerName,
      poNumber: s.poNumber,
      statusLabel: s.statusLabel,
      tone: toneOf(s.tone),
      lastError: s.lastError,
      submittedAt: s.submittedAt,
      tracking: page.shipments.filter((p) => p.purchaseOrderId === s.id).map(trackingOf),
    })),
    otherTracking: page.shipments
      .filter((p) => p.purchaseOrderId === null || !poIds.has(p.purchaseOrderId))
      .map(trackingOf),
    actions: {
      submit: choice(page.submit, "Submit now"),
      hold: choice(
        page.hold,
        page.statusLabels.hold === "On hold" ? "Hold" : page.statusLabels.hold,
      ),
      release: choice(page.release, "Release"),
    },
    openHref: `app:app/orders/${page.id}`,
    openUrl: `${base.replace(/\/+$/, "")}/app/orders/${page.id}`,
  };
}

export type AdminActionOutcome =
  | { ok: true; message: string; order: AdminOrder }
  | {
      ok: false;
      status: 404 | 409 | 400;
      code: "not_in_orderlane" | "refused" | "already_submitted" | "invalid_request";
      message: string;
    };

/** Submit now, Hold or Release on one order, as the lifecycle allows; answers the order after. */
export async function runAdminAction(
  ctx: Ctx,
  scope: AdminScope,
  gid: string,
  action: AdminAction,
): Promise<AdminActionOutcome> {
  const cartOrderId = orderIdOfGid(gid);
  const found = cartOrderId
    ? (await orderIdsByCartId(ctx, scope.shop.id, [cartOrderId])).get(cartOrderId)
    : undefined;
  if (!found) {
    return { ok: false, status: 404, code: "not_in_orderlane", message: NOT_IN_ORDERLANE };
  }
  const outcome = await runOrderAction(ctx, scope.shop.id, found.id, action, scope.acting);
  if (!outcome.ok) {
    if (outcome.code === "not_found") {
      return { ok: false, status: 404, code: "not_in_orderlane", message: NOT_IN_ORDERLANE };
    }
    if (outcome.code === "invalid") {
      return { ok: false, status: 400, code: "invalid_request", message: outcome.reason };
    }
    return {
      ok: false,
      status: 409,
      code: outcome.alreadyDone ? "already_submitted" : "refused",
      message: outcome.reason,
    };
  }
  const order = await loadAdminOrder(ctx, scope, gid);
  if (!order) {
    return { ok: false, status: 404, code: "not_in_orderlane", message: NOT_IN_ORDERLANE };
  }
  return { ok: true, message: outcome.message, order };
}

export type AdminBulkOutcome =
  | { ok: true; response: AdminBulkSubmitResponse }
  | { ok: false; status: 400; code: "invalid_request" | "too_many"; message: string };

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The catalog's Bulk Submit for the orders selected on Shopify's order list. */
export async function bulkSubmitByGid(
  ctx: Ctx,
  scope: AdminScope,
  gids: string[],
): Promise<AdminBulkOutcome> {
  const unique = [...new Set(gids.map((g) => g.trim()))];
  if (unique.length === 0) {
    return {
      ok: false,
      status: 400,
      message: "Select at least one order.",
      code: "invalid_request",
    };
  }
  if (unique.length > BULK_CAP) {
    return {
      ok: false,
      status: 400,
      message: `Select at most ${BULK_CAP} orders at a time.`,
      code: "too_many",
    };
  }
  const bad = unique.filter((g) => orderIdOfGid(g) === null);
  if (bad.length > 0) {
    const shown = bad.slice(0, 3).map((g) => (g.length > 40 ? `${g.slice(0, 40)}…` : g));
    return {
      ok: false,
      status: 400,
      message: `Not Shopify order ids: ${shown.join(", ")}${bad.length > 3 ? " and more" : ""}`,
      code: "invalid_request",
    };
  }
  const cartIds = unique.map((g) => orderIdOfGid(g)!);
  const known = await orderIdsByCartId(ctx, scope.shop.id, cartIds);
  const ids = cartIds.flatMap((c) => {
    const found = known.get(c);
    return found ? [found.id] : [];
  });
  const byOrderId = new Map<string, AdminBulkResult>();
  if (ids.length > 0) {
    const run = await runBulkAction(ctx, scope.shop.id, "submit", { ids }, scope.acting);
    if (!run.ok) {
      return { ok: false, status: 400, code: "invalid_request", message: run.reason };
    }
    for (const r of run.summary.results) {
      byOrderId.set(r.orderId, {
        gid: "",
        number: r.number,
        outcome:
          r.outcome === "done"
            ? "submitted"
            : r.outcome === "already_submitted"
              ? "already_submitted"
              : "refused",
        message: r.outcome === "already_submitted" ? `Already submitted: ${r.message}` : r.message,
      });
    }
  }
  const results: AdminBulkResult[] = unique.map((gid, i) => {
    const found = known.get(cartIds[i]!);
    const result = found ? byOrderId.get(found.id) : undefined;
    if (!found || !result) {
      return { gid, number: null, outcome: "not_in_orderlane", message: NOT_IN_ORDERLANE };
    }
    return { ...result, gid };
  });
  const count = (o: AdminBulkResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const submitted = count("submitted");
  const alreadySubmitted = count("already_submitted");
  const refused = count("refused");
  const notInOrderlane = count("not_in_orderlane");
  const parts = [
    submitted > 0 ? `${plural(submitted, "order", "orders")} submitted` : null,
    alreadySubmitted > 0 ? `${alreadySubmitted} skipped as already submitted` : null,
    refused > 0 ? `${refused} refused` : null,
    notInOrderlane > 0 ? `${notInOrderlane} not in Orderlane` : null,
  ].filter((p): p is string => p !== null);
  return {
    ok: true,
    response: {
      total: results.length,
      submitted,
      alreadySubmitted,
      refused,
      notInOrderlane,
      summary: parts.join(", "),
      results,
    },
  };
}

export type AdminImportOutcome =
  | { ok: true; runId: string; message: string }
  | { ok: false; status: 400 | 409; code: "invalid_request" | "import_busy"; message: string };

/** Import this one order from Shopify (the block's "Import this order"): an Import run by id. */
export async function importByGid(
  ctx: Ctx,
  scope: AdminScope,
  gid: string,
): Promise<AdminImportOutcome> {
  const cartOrderId = orderIdOfGid(gid);
  if (!cartOrderId) {
    return {
      ok: false,
      status: 400,
      message: "That is not a Shopify order id.",
      code: "invalid_request",
    };
  }
  const started = await startImport(
    ctx,
    scope.shop.id,
    { mode: "ids", ids: [cartOrderId] },
    scope.acting,
  );
  if (!started.ok) {
    return { ok: false, status: 409, code: "import_busy", message: started.message };
  }
  return {
    ok: true,
    runId: started.run.id,
    message: "Importing this order from Shopify; it appears here in a few seconds.",
  };
}
