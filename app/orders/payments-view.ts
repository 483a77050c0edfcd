// The Payments card's data in the owner's words: amounts in the order's currency, times in the
// shop's zone, each transaction's kind and result as the owner reads them.
import type { PaymentsView } from "~/ui/order/types";
import { formatMoney, formatOrderTime } from "~/ui/format";
import { PAYMENT_STATUS_LABELS } from "./payments";
import type { OrderPayments } from "./payments.server";

const KIND_WORDS: Record<OrderPayments["transactions"][number]["kind"], string> = {
  authorization: "Authorisation",
  capture: "Capture",
  refund: "Refund",
  void: "Void",
};

function resultWords(status: string, error: string | null): string {
  if (status === "success") return "Succeeded";
  if (status === "pending") return "Pending";
  if (status === "failure" || status === "error") {
    return error ? `Failed (${error.toLowerCase().replaceAll("_", " ")})` : "Failed";
  }
  return status.charAt(0).toUpperCase() + status.slice(1);
}

/** A gateway's code as its owner reads it: "shopify_payments" is Shopify Payments. */
function gatewayWords(gateway: string | null): string | null {
  if (!gateway) return null;
  if (!/[_-]/.test(gateway) && gateway !== gateway.toLowerCase()) return gateway;
  return gateway
    .split(/[_-]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

export function paymentsView(
  payments: OrderPayments,
  timezone: string,
  cartOrderUrl: string | null,
): PaymentsView {
  const money = (amount: string) => formatMoney(amount, payments.currency);
  return {
    statusLabel: PAYMENT_STATUS_LABELS[payments.status],
    capturable: money(payments.capturable),
    capturableValue: payments.capturable,
    captured: money(payments.captured),
    refunded: money(payments.refunded),
    canCapture: Number(payments.capturable) > 0,
    captureUnavailable: payments.captureUnavailable,
    cartOrderUrl,
    transactions: payments.transactions.map((t) => ({
      id: t.id,
      kind: KIND_WORDS[t.kind],
      amount: money(t.amount),
      gateway: gatewayWords(t.gateway),
      at: formatOrderTime(t.createdAt, timezone),
      result: resultWords(t.status, t.error),
    })),
  };
}
