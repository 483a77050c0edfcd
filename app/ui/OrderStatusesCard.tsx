// Settings → Order statuses (decision 0046): the shop's own statuses in dropdown order, each saying
// what it writes to the cart and whether it pauses the countdown; rename, move, retire, and delete
// the owner's own ones no order has. New statuses are added at the bottom.
import { Form, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Checkbox,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { SectionCard } from "./SectionCard";

export interface StatusSettingsRow {
  key: string;
  label: string;
  builtin: boolean;
  retired: boolean;
  pausesCountdown: boolean;
  /** What it does, in one line. */
  does: string;
  /** `effect` or `woo:<slug>`, the value of the "writes to the cart" choice. */
  writes: string;
  inUse: number;
}

export interface WriteChoice {
  label: string;
  value: string;
}

function Hidden({ values }: { values: Record<string, string> }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

function StatusRow({
  row,
  first,
  last,
  writeChoices,
  error,
}: {
  row: StatusSettingsRow;
  first: boolean;
  last: boolean;
  writeChoices: WriteChoice[];
  error: string | undefined;
}) {
  const [label, setLabel] = useState(row.label);
  const [writes, setWrites] = useState(row.writes);
  const [pauses, setPauses] = useState(row.pausesCountdown);
  const small = (
    intent: string,
    text: string,
    extra: { disabled?: boolean; tone?: "critical" } = {},
  ) => (
    <Form method="post">
      <Hidden values={{ intent, statusKey: row.key }} />
      <Button
        submit
        size="slim"
        variant="plain"
        disabled={extra.disabled}
        tone={extra.tone}
        accessibilityLabel={`${text} ${row.label}`}
      >
        {text}
      </Button>
    </Form>
  );
  return (
    <Box paddingBlockEnd="300" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {row.label}
          </Text>
          {row.retired ? <Badge>Retired</Badge> : null}
          {row.pausesCountdown ? <Badge tone="attention">Pauses the countdown</Badge> : null}
          <Text as="span" tone="subdued">
            {row.inUse === 0
              ? "On no orders"
              : `On ${row.inUse} order${row.inUse === 1 ? "" : "s"}`}
          </Text>
        </InlineStack>
        <Text as="p" tone="subdued">
          {row.does}
        </Text>
        <Form method="post">
          <Hidden values={{ intent: "status_save", statusKey: row.key }} />
          <InlineStack gap="200" blockAlign="end" wrap>
            <div style={{ minWidth: "12rem" }}>
              <TextField
                label="Name"
                name="label"
                value={label}
                onChange={setLabel}
                autoComplete="off"
                error={error}
              />
            </div>
            {row.builtin ? null : (
              <>
                <Select
                  label="Writes to the cart"
                  name="writes"
                  options={writeChoices}
                  value={writes}
                  onChange={setWrites}
                />
                <Checkbox
                  label="Pauses the countdown"
                  name="pausesCountdown"
                  checked={pauses}
                  onChange={setPauses}
                />
              </>
            )}
            <Button submit accessibilityLabel={`Save ${row.label}`}>
              Save
            </Button>
          </InlineStack>
        </Form>
        <InlineStack gap="300">
          {small("status_move_up", "Move up", { disabled: first })}
          {small("status_move_down", "Move down", { disabled: last })}
          {row.retired ? small("status_restore", "Offer again") : small("status_retire", "Retire")}
          {!row.builtin && row.inUse === 0
            ? small("status_delete", "Delete", { tone: "critical" })
            : null}
        </InlineStack>
      </BlockStack>
    </Box>
  );
}

export function OrderStatusesCard({
  rows,
  writeChoices,
  storeProblem,
  message,
  errors,
}: {
  rows: StatusSettingsRow[];
  writeChoices: WriteChoice[];
  /** The store's own statuses could not be read (WooCommerce), in words. */
  storeProblem: string | null;
  message: string | null;
  errors: Record<string, string>;
}) {
  const navigation = useNavigation();
  const [label, setLabel] = useState("");
  const [writes, setWrites] = useState(writeChoices[0]?.value ?? "none");
  const [pauses, setPauses] = useState(false);
  const adding =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "status_add";
  return (
    <SectionCard
      title="Order statuses"
      help="Your words for where an order stands, in the order the order page's dropdown lists them. Each says what choosing it writes to the cart and whether it pauses the countdown. A status some order has can only be retired: it leaves the dropdown, and those orders keep it."
    >
      <div data-testid="order-statuses">
        <BlockStack gap="300">
          {message ? (
            <Text as="p" tone="success">
              {message}
            </Text>
          ) : null}
          {errors.statuses ? (
            <Text as="p" tone="critical">
              {errors.statuses}
            </Text>
          ) : null}
          {storeProblem ? (
            <Text as="p" tone="caution">
              {storeProblem}
            </Text>
          ) : null}
          {rows.map((row, index) => (
            <StatusRow
              // A save gives the row its new values; a new key remounts it.
              key={`${row.key}:${row.label}:${row.writes}:${row.pausesCountdown}`}
              row={row}
              first={index === 0}
              last={index === rows.length - 1}
              writeChoices={writeChoices}
              error={errors[`status.${row.key}`]}
            />
          ))}
          <Form method="post" onSubmit={() => setLabel("")}>
            <Hidden values={{ intent: "status_add" }} />
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Add a status
              </Text>
              <InlineStack gap="200" blockAlign="end" wrap>
                <div style={{ minWidth: "12rem" }}>
                  <TextField
                    label="Name"
                    name="label"
                    value={label}
                    onChange={setLabel}
                    placeholder="Awaiting artwork"
                    autoComplete="off"
                    error={errors.statusAdd}
                  />
                </div>
                <Select
                  label="Writes to the cart"
                  name="writes"
                  options={writeChoices}
                  value={writes}
                  onChange={setWrites}
                />
                <Checkbox
                  label="Pauses the countdown"
                  name="pausesCountdown"
                  checked={pauses}
                  onChange={setPauses}
                />
                <Button submit loading={adding}>
                  Add status
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </BlockStack>
      </div>
    </SectionCard>
  );
}
