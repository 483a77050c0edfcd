// The order page's management cards (DESIGN §9): the shop's own status, the invoice number and the
// notes. Every choice is posted to the page's action, which writes it to the cart first; the page
// shows the answer (the cart's own words when it refuses) as it does for every action.
import { useState } from "react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { OrderPageView } from "./types";

type Send = (fields: Record<string, string>) => void;

export function OrderStatusCard({
  page,
  busy,
  send,
  onCancelOrder,
}: {
  page: OrderPageView;
  busy: boolean;
  send: Send;
  /** Cancelled runs Cancel Order: the page opens its confirmation instead of posting. */
  onCancelOrder: () => void;
}) {
  const blocked = page.statusChoices.filter((c) => c.key !== page.orderStatus.key && c.refusal);
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Status
        </Text>
        <div data-testid="order-status">
          <Select
            label="Order status"
            options={page.statusChoices.map((choice) => ({
              label: choice.key === page.orderStatus.key ? `${choice.label} (now)` : choice.label,
              value: choice.key,
              // Cancelled stays choosable: it leads to Cancel Order's confirmation.
              disabled:
                choice.key !== page.orderStatus.key &&
                choice.refusal !== null &&
                !choice.runsCancelOrder,
            }))}
            value={page.orderStatus.key}
            disabled={busy}
            helpText={`${page.orderStatus.does}. Changes are written to the cart first.`}
            onChange={(value) => {
              const choice = page.statusChoices.find((c) => c.key === value);
              if (!choice || value === page.orderStatus.key) return;
              if (choice.runsCancelOrder) onCancelOrder();
              else send({ intent: "order_status", status: value });
            }}
          />
        </div>
        <Text as="p" tone="subdued">
          {page.cartStatusWords}.
        </Text>
        {blocked.filter((c) => !c.runsCancelOrder).length > 0 ? (
          <BlockStack gap="050">
            {blocked
              .filter((c) => !c.runsCancelOrder)
              .map((c) => (
                <Text key={c.key} as="p" tone="subdued" variant="bodySm">
                  {c.refusal}
                </Text>
              ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function InvoiceCard({
  page,
  busy,
  send,
}: {
  page: OrderPageView;
  busy: boolean;
  send: Send;
}) {
  const [value, setValue] = useState(page.invoiceNumber ?? "");
  const unchanged = value.trim() === (page.invoiceNumber ?? "");
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Invoice
        </Text>
        <TextField
          label="Invoice number"
          value={value}
          onChange={setValue}
          autoComplete="off"
          maxLength={64}
          helpText="Each order's own; it is written to the cart too."
        />
        <InlineStack align="end">
          <Button
            onClick={() => send({ intent: "invoice", invoiceNumber: value })}
            disabled={busy || unchanged}
          >
            Save Invoice
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

export function NotesCard({
  page,
  busy,
  send,
}: {
  page: OrderPageView;
  busy: boolean;
  send: Send;
}) {
  const [text, setText] = useState("");
  const [forCustomer, setForCustomer] = useState(false);
  const [sentCount, setSentCount] = useState(page.notes.length);
  // A saved note arrives with the reloaded page: the field is emptied for the next one.
  if (page.notes.length !== sentCount) {
    setSentCount(page.notes.length);
    setText("");
    setForCustomer(false);
  }
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Notes
        </Text>
        {page.notes.length === 0 ? (
          <Text as="p" tone="subdued">
            No notes yet.
          </Text>
        ) : (
          <BlockStack gap="200">
            {page.notes.map((note) => (
              <Box
                key={note.id}
                paddingBlockEnd="200"
                borderBlockEndWidth="025"
                borderColor="border-secondary"
              >
                <BlockStack gap="100">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="span" variant="bodySm" fontWeight="semibold">
                      {note.author}
                    </Text>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {note.at}
                    </Text>
                    {note.visibleToCustomer ? (
                      <Badge tone="info">For the customer</Badge>
                    ) : (
                      <Badge>Internal</Badge>
                    )}
                  </InlineStack>
                  <Text as="p">{note.text}</Text>
                </BlockStack>
              </Box>
            ))}
          </BlockStack>
        )}
        <TextField
          label="New note"
          value={text}
          onChange={setText}
          multiline={3}
          maxLength={2000}
          autoComplete="off"
        />
        <Checkbox
          label="For the customer"
          checked={forCustomer}
          onChange={setForCustomer}
          disabled={page.customerNotesRefusal !== null}
          helpText={
            page.customerNotesRefusal ??
            (page.platform === "woocommerce"
              ? "WooCommerce emails a note for the customer to them; an internal note stays private in the store."
              : "An internal note stays in Orderlane.")
          }
        />
        <InlineStack align="end">
          <Button
            onClick={() =>
              send({ intent: "note", text, visibleToCustomer: forCustomer ? "true" : "false" })
            }
            disabled={busy || !text.trim()}
          >
            Save
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
