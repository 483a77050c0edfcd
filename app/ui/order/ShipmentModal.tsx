// Update Shipment: which items, the shop's shipment method, and a tracking number when the parcel
// has one. Opened for one item (its own Change), it also sets that item's delivery state.
import { useState } from "react";
import { BlockStack, Checkbox, FormLayout, Modal, Select, Text, TextField } from "@shopify/polaris";
import type { DeliveryState } from "~/orders/core/model";
import type { OrderPageItem, ShipmentControls } from "./types";

export type ShipmentSubmit =
  | {
      kind: "shipment";
      input: { lineIds: string[] | "all"; shipmentMethod: string; trackingNumber?: string };
    }
  | {
      kind: "item";
      lineId: string;
      input: { deliveryState?: DeliveryState; shipmentMethod?: string; trackingNumber?: string };
    };

export function ShipmentModal({
  items,
  only,
  controls,
  busy,
  fieldErrors,
  reason,
  onClose,
  onSave,
}: {
  items: OrderPageItem[];
  /** One item's own change; otherwise Update Shipment for the items the owner picks. */
  only: OrderPageItem | null;
  controls: ShipmentControls;
  busy: boolean;
  fieldErrors: Record<string, string>;
  reason: string | null;
  onClose: () => void;
  onSave: (submit: ShipmentSubmit) => void;
}) {
  const [chosen, setChosen] = useState<Set<string>>(
    () => new Set(only ? [only.id] : items.map((i) => i.id)),
  );
  const [method, setMethod] = useState(
    only?.shipmentMethod ?? items[0]?.shipmentMethod ?? controls.methods[0] ?? "",
  );
  const [tracking, setTracking] = useState("");
  const [delivery, setDelivery] = useState<DeliveryState>(only?.deliveryState ?? "pending");
  const allChosen = chosen.size === items.length;
  const methodOptions = controls.methods.includes(method)
    ? controls.methods
    : method
      ? [method, ...controls.methods]
      : controls.methods;

  const save = () => {
    const trackingNumber = tracking.trim() === "" ? undefined : tracking.trim();
    if (only) {
      onSave({
        kind: "item",
        lineId: only.id,
        input: {
          ...(method !== (only.shipmentMethod ?? "") ? { shipmentMethod: method } : {}),
          ...(delivery !== only.deliveryState ? { deliveryState: delivery } : {}),
          ...(trackingNumber ? { trackingNumber } : {}),
        },
      });
      return;
    }
    onSave({
      kind: "shipment",
      input: {
        lineIds: allChosen ? "all" : items.filter((i) => chosen.has(i.id)).map((i) => i.id),
        shipmentMethod: method,
        ...(trackingNumber ? { trackingNumber } : {}),
      },
    });
  };

  return (
    <Modal
      open
      onClose={onClose}
      title={only ? `Shipment of ${only.title}` : "Update Shipment"}
      primaryAction={{
        content: "Update",
        loading: busy,
        disabled: chosen.size === 0 || method === "",
        onAction: save,
      }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <FormLayout>
          {reason ? (
            <Text as="p" tone="critical">
              {reason}
            </Text>
          ) : null}
          {only ? null : (
            <BlockStack gap="100">
              <Checkbox
                label="All items"
                checked={allChosen}
                onChange={(on) => setChosen(new Set(on ? items.map((i) => i.id) : []))}
              />
              {items.map((item) => (
                <Checkbox
                  key={item.id}
                  label={`${item.quantity} × ${item.title}${item.shipmentMethod ? ` (now ${item.shipmentMethod})` : ""}`}
                  checked={chosen.has(item.id)}
                  onChange={(on) =>
                    setChosen((prev) => {
                      const next = new Set(prev);
                      if (on) next.add(item.id);
                      else next.delete(item.id);
                      return next;
                    })
                  }
                />
              ))}
              {fieldErrors.lineIds ? (
                <Text as="p" tone="critical">
                  {fieldErrors.lineIds}
                </Text>
              ) : null}
            </BlockStack>
          )}
          <Select
            label="Shipment method"
            options={methodOptions.map((m) => ({ label: m, value: m }))}
            value={method}
            onChange={setMethod}
            error={fieldErrors.shipmentMethod}
            helpText="The shop's methods, as listed in Settings. Items sent by a different method go in a parcel of their own."
          />
          {only ? (
            <Select
              label="Delivery state"
              options={controls.deliveryStates}
              value={delivery}
              onChange={(value) => setDelivery(value as DeliveryState)}
              error={fieldErrors.deliveryState}
            />
          ) : null}
          <TextField
            label="Tracking number (optional)"
            value={tracking}
            onChange={setTracking}
            error={fieldErrors.trackingNumber}
            autoComplete="off"
            maxLength={100}
            helpText="Marks these items shipped and sends the tracking to the cart, which tells the customer as your notification setting says."
          />
        </FormLayout>
      </Modal.Section>
    </Modal>
  );
}
