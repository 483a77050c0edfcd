// Edit Design: the option values the customer chose and the final design file, before submission.
import { useState } from "react";
import { FormLayout, Modal, Text, TextField } from "@shopify/polaris";
import type { OrderPageItem } from "./types";

export interface DesignSubmit {
  cartLineId: string;
  designUrl: string;
  options: Record<string, string>;
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
  const [options, setOptions] = useState<Record<string, string>>(
    Object.fromEntries(item.options.map((o) => [o.name, o.value])),
  );
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
          {item.options.map((option) => (
            <TextField
              key={option.name}
              label={option.name}
              value={options[option.name] ?? ""}
              onChange={(value) => setOptions((prev) => ({ ...prev, [option.name]: value }))}
              error={fieldErrors[`options.${option.name}`]}
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
