// Edit Design: the option values the customer chose and the final design file, before submission.
import { useState } from "react";
import { FormLayout, Modal, Text, TextField } from "@shopify/polaris";
import type { OrderPageItem } from "./types";

export interface DesignSubmit {
  cartLineId: string;
  designUrl: string;
  /** Every option in the item's order (a name may repeat), with its new value. */
  options: { name: string; value: string }[];
}

export function DesignModal({
  item,
  busy,
  fieldErrors,
  reason,
  onClose,
  onSave,
}: {
  item: OrderPageItem;
  busy: boolean;
  fieldErrors: Record<string, string>;
  reason: string | null;
  onClose: () => void;
  onSave: (edit: DesignSubmit) => void;
}) {
  const [designUrl, setDesignUrl] = useState(item.designUrl ?? "");
  const [options, setOptions] = useState(item.options.map((o) => ({ ...o })));
  // Repeated names are told apart by their place: "Initials (2 of 3)".
  const label = (name: string, i: number) => {
    const same = item.options.filter((o) => o.name === name);
    if (same.length < 2) return name;
    const nth = item.options.slice(0, i + 1).filter((o) => o.name === name).length;
    return `${name} (${nth} of ${same.length})`;
  };
  return (
    <Modal
      open
      onClose={onClose}
      title={`Edit Design: ${item.title}`}
      primaryAction={{
        content: "Save design",
        loading: busy,
        onAction: () => onSave({ cartLineId: item.cartLineId, designUrl, options }),
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
          {options.map((option, i) => (
            <TextField
              key={i}
              label={label(option.name, i)}
              value={option.value}
              onChange={(value) =>
                setOptions((prev) => prev.map((o, j) => (j === i ? { ...o, value } : o)))
              }
              error={fieldErrors[`options.${i}`]}
              autoComplete="off"
              maxLength={500}
            />
          ))}
          <TextField
            label="Final design file (URL)"
            helpText="The production file the provider prints from; it must be an https:// link."
            type="url"
            value={designUrl}
            onChange={setDesignUrl}
            error={fieldErrors.designUrl}
            autoComplete="off"
          />
        </FormLayout>
      </Modal.Section>
    </Modal>
  );
}
