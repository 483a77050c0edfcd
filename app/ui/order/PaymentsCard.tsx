// Payments: where the money stands (from the cart's transactions), Sync Payments, and Capture with
// the amount defaulting to what can be captured. The server checks the amount; the field only helps.
import { useEffect, useState } from "react";
import { BlockStack, Button, Card, InlineStack, Link, Text, TextField } from "@shopify/polaris";
import type { PaymentsView } from "./types";

export function PaymentsCard({
  payments,
  busy,
  error,
  linkTarget,
  onSync,
  onCapture,
}: {
  payments: PaymentsView;
  busy: boolean;
  /** The server's refusal of the last capture, shown at the field. */
  error: string | null;
  linkTarget: "_top" | "_blank";
  onSync: () => void;
  onCapture: (amount: string) => void;
}) {
  const [amount, setAmount] = useState(payments.capturableValue);
  // After a capture or a sync, the field starts again from what is left.
  useEffect(() => setAmount(payments.capturableValue), [payments.capturableValue]);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Payments
          </Text>
          <Button onClick={onSync} disabled={busy} variant="plain">
            Sync Payments
          </Button>
        </InlineStack>
        <Text as="p" variant="headingSm">
          {payments.statusLabel}
        </Text>
        <BlockStack gap="050">
          <Line label="Capturable" value={payments.capturable} />
          <Line label="Captured" value={payments.captured} />
          <Line label="Refunded" value={payments.refunded} />
        </BlockStack>
        {payments.canCapture ? (
          <BlockStack gap="200">
            <TextField
              label="Capture Value"
              value={amount}
              onChange={setAmount}
              autoComplete="off"
              inputMode="decimal"
              error={error ?? undefined}
            />
            <Button onClick={() => onCapture(amount)} disabled={busy} variant="primary">
              Capture Transaction
            </Button>
          </BlockStack>
        ) : payments.captureUnavailable ? (
          <Text as="p" tone="subdued">
            {payments.captureUnavailable}{" "}
            {payments.cartOrderUrl ? (
              <Link url={payments.cartOrderUrl} target={linkTarget}>
                Open the order in the store
              </Link>
            ) : null}
          </Text>
        ) : null}
        {payments.transactions.length > 0 ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              Transactions
            </Text>
            {payments.transactions.map((t) => (
              <BlockStack key={t.id} gap="025">
                <InlineStack align="space-between" wrap={false}>
                  <Text as="span">{t.kind}</Text>
                  <Text as="span">{t.amount}</Text>
                </InlineStack>
                <Text as="p" tone="subdued" variant="bodySm">
                  {[t.gateway, t.at, t.result].filter(Boolean).join(" · ")}
                </Text>
              </BlockStack>
            ))}
          </BlockStack>
        ) : (
          <Text as="p" tone="subdued">
            The cart shows no payment transactions for this order.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

function Line({ label, value }: { label: string; value: string }) {
  return (
    <InlineStack align="space-between">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value}</Text>
    </InlineStack>
  );
}
