// Cancel Order's confirmation: what the cart will refund and release and what becomes of each
// purchase order, worked out on the server from the same data the cancel uses; then the owner's
// choices (the reason, whether the customer is emailed, whether items go back to stock).
import { useState } from "react";
import { BlockStack, Checkbox, List, Modal, Select, Text } from "@shopify/polaris";
import type { CancelPreviewView } from "./types";

export function CancelOrderModal({
  cancel,
  busy,
  cart,
  onClose,
  onConfirm,
}: {
  cancel: CancelPreviewView | null;
  busy: boolean;
  cart: string;
  onClose: () => void;
  onConfirm: (fields: { reason: string; notifyCustomer: string; restock: string }) => void;
}) {
  const [reason, setReason] = useState("customer");
  const [notifyCustomer, setNotifyCustomer] = useState(true);
  const [restock, setRestock] = useState(true);
  const refusal = cancel?.refusal ?? "This order cannot be cancelled here.";
  const canCancel = cancel !== null && cancel.refusal === null;
  const Cart = cart.charAt(0).toUpperCase() + cart.slice(1);
  return (
    <Modal
      open
      onClose={onClose}
      title="Cancel this order?"
      primaryAction={{
        content: "Cancel order",
        destructive: true,
        loading: busy,
        disabled: !canCancel,
        onAction: () =>
          onConfirm({
            reason,
            notifyCustomer: String(notifyCustomer),
            restock: String(restock),
          }),
      }}
      secondaryActions={[{ content: "Keep the order", onAction: onClose }]}
    >
      <Modal.Section>
        {!canCancel || !cancel ? (
          <Text as="p">{refusal}</Text>
        ) : (
          <BlockStack gap="300">
            <Text as="p">
              {Cart} cancels the order first; Orderlane changes nothing unless {cart} accepts.
            </Text>
            <List type="bullet">
              <List.Item>
                {cancel.refund
                  ? `${cancel.refund} is refunded to the customer's original payment method.`
                  : "No money was taken, so nothing is refunded."}
              </List.Item>
              <List.Item>
                {cancel.release
                  ? `The ${cancel.release} authorisation not yet captured is released.`
                  : "No authorisation is waiting to be released."}
              </List.Item>
              {cancel.purchaseOrders.length === 0 ? (
                <List.Item>Nothing was sent to a provider.</List.Item>
              ) : (
                cancel.purchaseOrders.map((po) => (
                  <List.Item key={po.poNumber}>
                    {po.withdrawn
                      ? `Purchase order ${po.poNumber} to ${po.provider} is withdrawn: it was not sent yet.`
                      : `${po.provider} is asked to cancel purchase order ${po.poNumber}; if it refuses, the order says so.`}
                  </List.Item>
                ))
              )}
            </List>
            <Select label="Reason" options={cancel.reasons} value={reason} onChange={setReason} />
            <Checkbox
              label="Email the customer that the order is cancelled"
              checked={notifyCustomer}
              onChange={setNotifyCustomer}
            />
            <Checkbox label="Put the items back in stock" checked={restock} onChange={setRestock} />
          </BlockStack>
        )}
      </Modal.Section>
    </Modal>
  );
}
