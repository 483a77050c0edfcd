import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { isRouteErrorResponse, Link, useLoaderData, useRouteError } from "@remix-run/react";
import { Banner, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { submitOrder } from "~/fulfillment/submit.server";
import { runOrderAction } from "~/orders/actions.server";
import { changeOrderStatus } from "~/orders/cart-status.server";
import { holdOrder, releaseOrder } from "~/orders/countdown.server";
import { editDesign } from "~/orders/design-edit.server";
import { actingFor, isOrderId, loadOrderPage } from "~/orders/order-page.server";
import { requireOwner } from "~/shops/owner.server";
import { catalogUrlWith } from "~/ui/notices";
import { OrderPage } from "~/ui/order/OrderPage";
import { MENU_ACTIONS, type OrderPageResult } from "~/ui/order/types";

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [
  { title: page ? `Order ${page.number} · Orderlane` : "Order not found · Orderlane" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const page = await loadOrderPage(context, owner, params.orderId ?? "");
  if (!page) throw new Response("This order does not exist in your shop", { status: 404 });
  return page;
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("submit") }),
  z.object({ intent: z.literal("hold") }),
  z.object({ intent: z.literal("release") }),
  z.object({ intent: z.literal("status"), change: z.enum(["hold", "release", "cancel"]) }),
  z.object({
    intent: z.literal("action"),
    action: z.enum(MENU_ACTIONS),
    input: z.string().max(20_000).optional(),
  }),
  z.object({
    intent: z.literal("design"),
    cartLineId: z.string(),
    designUrl: z.string().max(5_000).optional(),
    options: z.string().max(20_000).optional(),
  }),
]);

const STATUS_FOR = { not_found: 404, refused: 409, invalid: 400 } as const;

function reply(result: OrderPageResult) {
  return data(result, { status: result.ok ? 200 : (result.status ?? 400) });
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
    case "submit": {
      const result = await submitOrder(context, shopId, orderId, acting);
      switch (result.outcome) {
        case "submitted":
          return reply({
            ok: true,
            message: `Order submitted to ${result.submissions} provider${result.submissions === 1 ? "" : "s"}`,
          });
        case "not_found":
          return reply({
            ok: false,
            status: 404,
            reason: "This order does not exist in your shop",
          });
        case "already_submitted":
        case "refused":
          return reply({ ok: false, status: 409, reason: result.reason });
        case "invalid":
          return reply({
            ok: false,
            status: 422,
            reason: `Not submitted: ${result.problems.map((p) => p.message).join("; ")}`,
          });
      }
      break;
    }
    case "hold":
    case "release": {
      const run = intent.intent === "hold" ? holdOrder : releaseOrder;
      const result = await run(context, shopId, orderId, acting);
      if (result.ok) {
        return reply({
          ok: true,
          message: intent.intent === "hold" ? "Countdown paused" : "Countdown resumed",
        });
      }
      return "notFound" in result
        ? reply({ ok: false, status: 404, reason: "This order does not exist in your shop" })
        : reply({ ok: false, status: 409, reason: result.reason });
    }
    case "status": {
      const outcome = await changeOrderStatus(context, shopId, orderId, intent.change, acting);
      return outcome.ok
        ? reply({ ok: true, message: outcome.message })
        : reply({ ok: false, status: STATUS_FOR[outcome.code], reason: outcome.reason });
    }
    case "action": {
      const input = parseJson(intent.input);
      if (!input.ok) return reply({ ok: false, status: 400, reason: "The form data is not valid" });
      const outcome = await runOrderAction(
        context,
        shopId,
        orderId,
        intent.action,
        acting,
        input.value,
      );
      if (outcome.ok && outcome.orderId === null) {
        // The order is gone: its page would only say "not found", so back to the catalog, which
        // says so in its own words (it shows only the notices it knows).
        return owner.redirect(catalogUrlWith("order_deleted"));
      }
      return outcome.ok
        ? reply({ ok: true, message: outcome.message, action: intent.action })
        : reply({
            ok: false,
            status: STATUS_FOR[outcome.code],
            reason: outcome.reason,
            fieldErrors: outcome.fieldErrors,
            action: intent.action,
          });
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
      return outcome.ok
        ? reply({ ok: true, message: outcome.message, design: intent.cartLineId })
        : reply({
            ok: false,
            status: STATUS_FOR[outcome.code],
            reason: outcome.reason,
            fieldErrors: outcome.fieldErrors,
            design: intent.cartLineId,
          });
    }
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
    <Page
      title={notFound ? "Order not found" : "Order"}
      backAction={{ content: "Orders", url: "/app" }}
    >
      <Banner
        tone="critical"
        title={notFound ? "Order not found" : "This order could not be shown"}
      >
        <Text as="p">
          {notFound
            ? "This order does not exist in your shop. It may have been deleted."
            : "Something went wrong loading this order. Reload the page; if it persists, check the server log."}
        </Text>
        <Link to="/app">Back to orders</Link>
      </Banner>
    </Page>
  );
}
