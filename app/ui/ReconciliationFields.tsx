// Settings' "Orders missed by webhooks" group: when the cart was last asked for what its webhooks
// did not bring, what that found, and how often to ask.
import { Banner, BlockStack, Text, TextField } from "./primitives";

export interface ReconciliationView {
  /** Whether this shop's cart is asked at all (a demo shop's simulated cart is not). */
  applies: boolean;
  /** When the last sweep finished, in the shop's time zone; null before the first. */
  lastReconciled: string | null;
  lastRecovered: number;
  totalRecovered: number;
  /** Why the last sweep stopped part-way, in the owner's words. */
  problem: string | null;
  /** What the webhook check found or put back. */
  webhookNotice: string | null;
}

const orders = (n: number) => `${n} ${n === 1 ? "order" : "orders"}`;

export function ReconciliationFields({
  view,
  value,
  onChange,
  min,
  max,
  error,
}: {
  view: ReconciliationView;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  error?: string;
}) {
  return (
    <BlockStack gap="300">
      {view.applies ? (
        <Text as="p">
          {view.lastReconciled
            ? `Last reconciled ${view.lastReconciled}: ${orders(view.lastRecovered)} found that no webhook had brought (${orders(view.totalRecovered)} in all).`
            : "Not reconciled yet: the first check runs within a few minutes."}
        </Text>
      ) : (
        <Text as="p">This shop's cart delivers every change as it happens; it is not checked.</Text>
      )}
      {view.problem ? <Banner tone="warning" title={view.problem} /> : null}
      {view.webhookNotice ? <Banner tone="info" title={view.webhookNotice} /> : null}
      {/* A cart that is not checked has no interval to set; the shop keeps what it had. */}
      {view.applies ? (
        <TextField
          label="Check the cart every (minutes)"
          name="reconcileEveryMinutes"
          type="number"
          min={min}
          max={max}
          value={value}
          onChange={onChange}
          helpText="Carts give up on a webhook they could not deliver. Orderlane asks the cart this often for orders it changed, and brings in any it missed."
          autoComplete="off"
          error={error}
        />
      ) : null}
    </BlockStack>
  );
}
