import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { orderDropshipSummary } from "~/fulfillment/dropship/order-lines.server";
import { isRouteErrorResponse, Link, useLoaderData, useRouteError } from "@remix-run/react";
import { z } from "zod";
import { runOrderAction } from "~/orders/actions.server";
import { changeOrderStatus } from "~/orders/set-cart-status.server";
import { CANCEL_REASON_LABELS, cancelOrder, previewCancel } from "~/orders/cancel-order.server";
import { CANCEL_REASONS } from "~/carts/connector";
import { formatMoney } from "~/ui/format";
import {
  addOrderNote,
  INVOICE_MAX,
  NOTE_MAX,
  saveInvoiceNumber,
} from "~/orders/invoice-notes.server";
import { chooseOrderStatus } from "~/orders/order-status.server";
import { actingFor } from "~/orders/core/transitions.server";
import { editDesign } from "~/orders/design-edit.server";
import { changeItem, updateShipment } from "~/orders/shipments.server";
import { capturePayment, readPayments, syncPayments } from "~/orders/payments.server";
import { paymentsView } from "~/orders/payments-view";
import { shopSettings } from "~/orders/core/shop-settings";
import { isOrderId, loadOrderPage } from "~/orders/order-page.server";
import { orderDropshipView } from "~/fulfillment/dropship/order-view.server";
import { OUTCOME_STATUS, type ActionOutcome } from "~/orders/outcome.server";
import { requireOwner } from "~/shops/owner.server";
import { catalogUrlWith } from "~/ui/notices";
import { OrderPage } from "~/ui/order/OrderPage";
import { ErrorPage } from "~/ui/PageFrame";
import { Text } from "~/ui/primitives";
import {
  CART_CHANGE_ACTIONS,
  MENU_ACTIONS,
  type CartChangeAction,
  type MenuAction,
  type OrderPageResult,
  type OrderPageView,
} from "~/ui/order/types";

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [
  { title: page ? `Order ${page.number} · Orderlane` : "Order not found · Orderlane" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const page = await loadOrderPage(context, owner, params.orderId ?? "");
  if (!page) throw new Response("This order does not exist in your shop", { status: 404 });
  // Images the cart sent load only from https (and the app's own files) where owners use the app;
  // development and the demo also load http and local addresses, for local carts and tools.
  const { mode } = context.config;
  // Drop-ship: who can ship each item, or why not (only in shops with distributors).
  const dropship = await orderDropshipView(
    context.db,
    owner.shop.id,
    page.id,
    page.totals.currency,
  );
  const payments = await readPayments(context, owner.shop.id, page.id);
  const cancel = await previewCancel(context, owner.shop.id, page.id, actingFor(owner));
  const view: OrderPageView = {
    ...page,
    items: page.items.map((item) => ({ ...item, dropship: dropship?.get(item.id) ?? null })),
    allowHttpImages: mode === "development" || mode === "demo",
    payments: payments
      ? paymentsView(payments, shopSettings(owner.shop).timezone, page.editorUrl)
      : null,
    dropship: await orderDropshipSummary(context.db, owner.shop.id, page.id),
    cancel: cancel
      ? {
          refund: Number(cancel.refund) > 0 ? formatMoney(cancel.refund, cancel.currency) : null,
          release: Number(cancel.void) > 0 ? formatMoney(cancel.void, cancel.currency) : null,
          purchaseOrders: cancel.purchaseOrders.map((po) => ({
            poNumber: po.poNumber,
            provider: po.provider,
            withdrawn: po.outcome === "withdrawn",
          })),
          refusal: cancel.refusal,
          reasons: CANCEL_REASONS.map((value) => ({ value, label: CANCEL_REASON_LABELS[value] })),
        }
      : null,
  };
  return view;
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("submit") }),
  z.object({ intent: z.literal("hold") }),
  z.object({ intent: z.literal("release") }),
  z.object({ intent: z.literal("status"), change: z.enum(["hold", "release"]) }),
  z.object({
    intent: z.literal("cancel_order"),
    reason: z.enum(CANCEL_REASONS),
    notifyCustomer: z.enum(["true", "false"]),
    restock: z.enum(["true", "false"]).default("true"),
  }),
  z.object({ intent: z.literal("order_status"), status: z.string().min(1).max(40) }),
  z.object({ intent: z.literal("invoice"), invoiceNumber: z.string().max(INVOICE_MAX * 2) }),
  z.object({
    intent: z.literal("note"),
    text: z.string().max(NOTE_MAX * 2),
    visibleToCustomer: z.enum(["true", "false"]).default("false"),
  }),
  z.object({
    intent: z.literal("action"),
    action: z.enum(MENU_ACTIONS),
    input: z.string().max(20_000).optional(),
  }),
  z.object({
    intent: z.literal("cart_change"),
    action: z.enum(CART_CHANGE_ACTIONS),
    cancelledWithSupport: z.literal("yes").optional(),
  }),
  z.object({
    intent: z.literal("design"),
    cartLineId: z.string(),
    designUrl: z.string().max(5_000).optional(),
    options: z.string().max(20_000).optional(),
  }),
  z.object({ intent: z.literal("shipment"), input: z.string().max(20_000) }),
  z.object({ intent: z.literal("payments_sync") }),
  z.object({ intent: z.literal("capture"), amount: z.string().max(40) }),
  z.object({ intent: z.literal("item"), lineId: z.string(), input: z.string().max(5_000) }),
]);

function reply(result: OrderPageResult) {
  return data(result, { status: result.ok ? 200 : (result.status ?? 400) });
}

/** Every action's outcome answered alike; `about` says which control the answer belongs to. */
function replyWith(
  outcome: ActionOutcome,
  about: {
    action?: MenuAction | CartChangeAction;
    design?: string;
    shipment?: true;
    payments?: true;
  } = {},
) {
  return reply(
    outcome.ok
      ? { ok: true, message: outcome.message, ...about }
      : {
          ok: false,
          status: OUTCOME_STATUS[outcome.code],
          reason: outcome.reason,
          fieldErrors: outcome.fieldErrors,
          ...about,
        },
  );
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const orderId = params.orderId ?? "";
  const form = Object.fromEntries(
    [...(await request.formData()).entries()].filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
  const parsed = intentSchema.safeParse(form);
  if (!parsed.success) {
    return reply({ ok: false, status: 400, reason: "That request is not one this page makes" });
  }
  if (!isOrderId(orderId)) {
    return reply({ ok: false, status: 404, reason: "This order does not exist in your shop" });
  }
  const shopId = owner.shop.id;
  const acting = actingFor(owner);
  const intent = parsed.data;

  switch (intent.intent) {
    case "submit":
    case "hold":
    case "release":
    case "action": {
      const action = intent.intent === "action" ? intent.action : intent.intent;
      const input = parseJson(intent.intent === "action" ? intent.input : undefined);
      if (!input.ok) return reply({ ok: false, status: 400, reason: "The form data is not valid" });
      const outcome = await runOrderAction(context, shopId, orderId, action, acting, input.value);
      if (outcome.ok && outcome.orderId === null) {
        // The order is gone: its page would only say "not found", so back to the catalog, which
        // says so in its own words (it shows only the notices it knows).
        return owner.redirect(catalogUrlWith("order_deleted", outcome.deletedNumber));
      }
      return replyWith(outcome, intent.intent === "action" ? { action: intent.action } : {});
    }
    case "cart_change": {
      const input = intent.cancelledWithSupport ? { cancelledWithSupport: true } : undefined;
      const outcome = await runOrderAction(context, shopId, orderId, intent.action, acting, input);
      return replyWith(outcome, { action: intent.action });
    }
    case "status":
      return replyWith(await changeOrderStatus(context, shopId, orderId, intent.change, acting));
    case "order_status": {
      const outcome = await chooseOrderStatus(context, shopId, orderId, intent.status, acting);
      if (!outcome.ok && outcome.code === "use_cancel_order") {
        return reply({ ok: false, status: 409, reason: outcome.reason });
      }
      return replyWith(outcome);
    }
    case "invoice": {
      const value = intent.invoiceNumber.trim();
      if (value.length > INVOICE_MAX) {
        return reply({
          ok: false,
          status: 400,
          reason: `An invoice number is at most ${INVOICE_MAX} characters`,
        });
      }
      return replyWith(await saveInvoiceNumber(context, shopId, orderId, value || null, acting));
    }
    case "note": {
      const text = intent.text.trim();
      if (!text || text.length > NOTE_MAX) {
        return reply({
          ok: false,
          status: 400,
          reason: text ? `A note is at most ${NOTE_MAX} characters` : "Write the note first",
        });
      }
      const outcome = await addOrderNote(
        context,
        shopId,
        orderId,
        { text, visibleToCustomer: intent.visibleToCustomer === "true" },
        acting,
      );
      return replyWith(outcome.ok ? { ok: true, message: outcome.message, orderId } : outcome);
    }
    case "design": {
      const options = parseJson(intent.options);
      if (!options.ok)
        return reply({ ok: false, status: 400, reason: "The form data is not valid" });
      const outcome = await editDesign(
        context,
        shopId,
        orderId,
        { cartLineId: intent.cartLineId, designUrl: intent.designUrl, options: options.value },
        acting,
      );
      return replyWith(outcome, { design: intent.cartLineId });
    }
    case "shipment":
    case "item": {
      const input = parseJson(intent.input);
      if (!input.ok) return reply({ ok: false, status: 400, reason: "The form data is not valid" });
      const outcome =
        intent.intent === "shipment"
          ? await updateShipment(context, shopId, orderId, input.value, acting)
          : await changeItem(context, shopId, orderId, intent.lineId, input.value, acting);
      return replyWith(outcome, { shipment: true });
    }
    case "cancel_order": {
      const outcome = await cancelOrder(
        context,
        shopId,
        orderId,
        {
          reason: intent.reason,
          notifyCustomer: intent.notifyCustomer === "true",
          restock: intent.restock === "true",
        },
        acting,
      );
      if (!outcome.ok) return replyWith(outcome);
      const money = (amount: string) => formatMoney(amount, outcome.currency);
      const parts = !outcome.paymentsReadBack
        ? ["the cart's payments could not be read back yet; use Sync Payments to see the refund"]
        : [
            Number(outcome.refunded) > 0
              ? `${money(outcome.refunded)} refunded to the original payment method`
              : "nothing was refunded",
            Number(outcome.voided) > 0
              ? `the ${money(outcome.voided)} authorisation was released`
              : "no authorisation was left to release",
          ];
      const withdrawn = outcome.purchaseOrders.filter((p) => p.outcome === "withdrawn").length;
      const asked = outcome.purchaseOrders.length - withdrawn;
      if (withdrawn > 0) parts.push(`${withdrawn} purchase order(s) withdrawn`);
      if (asked > 0) parts.push(`${asked} provider(s) asked to cancel`);
      return reply({
        ok: true,
        cancelled: true,
        message: `Order cancelled: ${parts.join("; ")}.`,
      });
    }
    case "payments_sync":
      return replyWith(await syncPayments(context, shopId, orderId, acting), { payments: true });
    case "capture":
      return replyWith(
        await capturePayment(context, shopId, orderId, { amount: intent.amount }, acting),
        { payments: true },
      );
  }
}

export default function OrderRoute() {
  const page = useLoaderData<typeof loader>();
  return <OrderPage page={page} />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <ErrorPage
      title={notFound ? "Order not found" : "Order"}
      back={{ label: "Orders", url: "/app" }}
      heading={notFound ? "Order not found" : "This order could not be shown"}
    >
      <Text as="p">
        {notFound
          ? "This order does not exist in your shop. It may have been deleted."
          : "Something went wrong loading this order. Reload the page; if it persists, check the server log."}
      </Text>
      <Link to="/app">Back to orders</Link>
    </ErrorPage>
  );
}
