// Settings → Providers → Routing rules: which provider makes which SKUs, as rows the owner adds,
// removes and puts in order (the first rule that matches an item wins). Each row names the SKU or
// the start of SKUs, the provider, and the provider's own product where it needs one. The button
// and heading names are the ones alert fixes use (alerts.ts), so a fix always names this card.
import { Form } from "@remix-run/react";
import {
  BlockStack,
  Button,
  Card,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { ADD_RULE_LABEL, ROUTING_RULES_TITLE } from "~/orders/core/alerts";
import { SubmitButton } from "./FormFields";

export interface RoutingRuleValue {
  match: string;
  providerId: string;
  product: string;
}

export interface RoutingProviderOption {
  id: string;
  name: string;
  enabled: boolean;
  isDefault: boolean;
  /** What the provider calls its product ("Printful variant id"). */
  productLabel: string;
  /** The provider cannot take an item without it. */
  productRequired: boolean;
}

type Row = RoutingRuleValue & { key: number };

export function RoutingRulesForm({
  rules,
  providers,
  errors,
  busy,
}: {
  rules: RoutingRuleValue[];
  providers: RoutingProviderOption[];
  /**
   * `rules.<row>.<field>` → what is wrong with it, as the server answered the last save; a new
   * object only for a new answer (it replaces what the rows show).
   */
  errors: Record<string, string>;
  busy: boolean;
}) {
  const nextKey = useRef(rules.length);
  const [rows, setRows] = useState<Row[]>(() => rules.map((r, key) => ({ ...r, key })));
  // The server names rows by position in what was sent; held here by row, so an error stays with
  // its row when rows move, and goes once the owner changes that row.
  const [rowErrors, setRowErrors] = useState<Map<number, Record<string, string>>>(new Map());
  const rowsNow = useRef(rows);
  rowsNow.current = rows;
  useEffect(() => {
    const byRow = new Map<number, Record<string, string>>();
    for (const [name, message] of Object.entries(errors)) {
      const found = /^rules\.(\d+)\.(\w+)$/.exec(name);
      const row = found ? rowsNow.current[Number(found[1])] : undefined;
      if (row) byRow.set(row.key, { ...byRow.get(row.key), [found![2]!]: message });
    }
    setRowErrors(byRow);
  }, [errors]);
  const clearErrors = (key: number) =>
    setRowErrors((all) => {
      if (!all.has(key)) return all;
      const next = new Map(all);
      next.delete(key);
      return next;
    });
  const byId = new Map(providers.map((p) => [p.id, p]));
  const choosable = providers.filter((p) => p.enabled);
  const fallback = providers.find((p) => p.enabled && p.isDefault);

  const change = (key: number, patch: Partial<RoutingRuleValue>) => {
    clearErrors(key);
    setRows((all) => all.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  };
  const move = (index: number, by: -1 | 1) =>
    setRows((all) => {
      const next = [...all];
      const [row] = next.splice(index, 1);
      next.splice(index + by, 0, row!);
      return next;
    });
  const add = () =>
    setRows((all) => [
      ...all,
      { key: nextKey.current++, match: "", providerId: choosable[0]?.id ?? "", product: "" },
    ]);

  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="routing" />
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {ROUTING_RULES_TITLE}
          </Text>
          <Text as="p" tone="subdued">
            Which provider makes which items, by SKU. The first rule that matches an item wins;
            items no rule matches go to{" "}
            {fallback
              ? `the default provider, ${fallback.name}`
              : "the default provider (none is set)"}
            . End a rule with * to match every SKU that starts with it, e.g. CASE-*.
          </Text>
          {rows.length === 0 ? (
            <Text as="p">No rules yet.</Text>
          ) : (
            rows.map((row, index) => {
              const provider = byId.get(row.providerId);
              const error = (field: keyof RoutingRuleValue) => rowErrors.get(row.key)?.[field];
              // A rule saved for a provider that was disabled since still shows which one it was.
              const options = [
                ...(provider && !provider.enabled
                  ? [{ label: `${provider.name} (disabled)`, value: provider.id }]
                  : []),
                ...(!row.providerId ? [{ label: "Choose a provider", value: "" }] : []),
                ...choosable.map((p) => ({ label: p.name, value: p.id })),
              ];
              const number = index + 1;
              return (
                <BlockStack key={row.key} gap="200">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">
                      Rule {number}
                    </Text>
                    <InlineStack gap="200">
                      <Button
                        variant="plain"
                        disabled={index === 0}
                        onClick={() => move(index, -1)}
                        accessibilityLabel={`Move rule ${number} up`}
                      >
                        Move up
                      </Button>
                      <Button
                        variant="plain"
                        disabled={index === rows.length - 1}
                        onClick={() => move(index, 1)}
                        accessibilityLabel={`Move rule ${number} down`}
                      >
                        Move down
                      </Button>
                      <Button
                        variant="plain"
                        tone="critical"
                        onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}
                        accessibilityLabel={`Remove rule ${number}`}
                      >
                        Remove
                      </Button>
                    </InlineStack>
                  </InlineStack>
                  <FormLayout>
                    <FormLayout.Group condensed>
                      <TextField
                        label="SKU, or its start followed by *"
                        name="match"
                        value={row.match}
                        onChange={(match) => change(row.key, { match })}
                        placeholder="CASE-PIX8 or CASE-*"
                        autoComplete="off"
                        monospaced
                        error={error("match")}
                      />
                      <Select
                        label="Provider"
                        name="providerId"
                        options={options}
                        value={row.providerId}
                        onChange={(providerId) => change(row.key, { providerId })}
                        error={error("providerId")}
                      />
                      <TextField
                        label={provider?.productLabel ?? "Provider's product"}
                        name="product"
                        value={row.product}
                        onChange={(product) => change(row.key, { product })}
                        helpText={
                          provider?.productRequired
                            ? "Required by this provider"
                            : "Optional: blank sends your SKU as it is"
                        }
                        autoComplete="off"
                        monospaced
                        error={error("product")}
                      />
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              );
            })
          )}
          {errors.form ? (
            <Text as="p" tone="critical">
              {errors.form}
            </Text>
          ) : null}
          <InlineStack gap="200">
            <Button onClick={add} disabled={choosable.length === 0}>
              {ADD_RULE_LABEL}
            </Button>
            <SubmitButton busy={busy}>Save rules</SubmitButton>
          </InlineStack>
          {choosable.length === 0 ? (
            <Text as="p" tone="subdued">
              Add a provider first: a rule sends items to one of your providers.
            </Text>
          ) : null}
        </BlockStack>
      </Form>
    </Card>
  );
}
