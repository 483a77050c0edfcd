// The type rules as rows of a form: a source channel (where the cart says the order came from) and
// the type its orders get. Rows are checked one by one on save, and each message appears beside its
// row. The form sends `typeRules.<row>.sourceChannel` and `typeRules.<row>.type`, rows in order.
import { BlockStack, Box, Button, InlineGrid, Select, Text, TextField } from "@shopify/polaris";
import { useRef, useState } from "react";

export interface TypeRuleValue {
  sourceChannel: string;
  type: string;
}

export function TypeRulesFields({
  initial,
  typeOptions,
  errors,
  maxRules,
}: {
  initial: TypeRuleValue[];
  /** The order types to choose from, in the owner's words. */
  typeOptions: { label: string; value: string }[];
  /** Messages by field name (`typeRules.<row>.sourceChannel`), and `typeRules` for the list. */
  errors: Record<string, string>;
  maxRules: number;
}) {
  // Rows keep a key of their own, so removing one does not hand its neighbour's text to the next.
  const nextKey = useRef(initial.length);
  const [rows, setRows] = useState(() => initial.map((rule, key) => ({ ...rule, key })));
  const firstType = typeOptions[0]?.value ?? "";
  const update = (key: number, change: Partial<TypeRuleValue>) =>
    setRows((current) => current.map((r) => (r.key === key ? { ...r, ...change } : r)));

  return (
    <BlockStack gap="300">
      {rows.length === 0 ? (
        <Text as="p" tone="subdued">
          No rules: orders are In-app when they hold a personalised product, else Other.
        </Text>
      ) : (
        <InlineGrid columns={["twoThirds", "oneThird"]} gap="300">
          <Text as="span" variant="bodySm" tone="subdued">
            Source channel contains
          </Text>
          <Text as="span" variant="bodySm" tone="subdued">
            Type
          </Text>
        </InlineGrid>
      )}
      {rows.map((row, index) => {
        const field = `typeRules.${index}`;
        return (
          <Box key={row.key}>
            <InlineGrid columns={["twoThirds", "oneThird"]} gap="300" alignItems="start">
              <TextField
                label={`Source channel of rule ${index + 1}`}
                labelHidden
                name={`${field}.sourceChannel`}
                value={row.sourceChannel}
                onChange={(sourceChannel) => update(row.key, { sourceChannel })}
                placeholder="amazon"
                autoComplete="off"
                error={errors[`${field}.sourceChannel`]}
                connectedRight={
                  <Button
                    accessibilityLabel={`Remove rule ${index + 1}`}
                    onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}
                  >
                    Remove
                  </Button>
                }
              />
              <Select
                label={`Type of rule ${index + 1}`}
                labelHidden
                name={`${field}.type`}
                options={typeOptions}
                value={row.type}
                onChange={(type) => update(row.key, { type })}
                error={errors[`${field}.type`]}
              />
            </InlineGrid>
          </Box>
        );
      })}
      {errors.typeRules ? (
        <Text as="p" tone="critical">
          {errors.typeRules}
        </Text>
      ) : null}
      <Box>
        <Button
          disabled={rows.length >= maxRules}
          onClick={() =>
            setRows((current) => [
              ...current,
              { sourceChannel: "", type: firstType, key: nextKey.current++ },
            ])
          }
        >
          Add rule
        </Button>
      </Box>
    </BlockStack>
  );
}
