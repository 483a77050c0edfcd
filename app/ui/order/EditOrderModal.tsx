// The Edit action: order fields the owner may correct before submission. Only changed fields are
// sent, so an edit records exactly what the owner changed (each is kept until Reset).
import { useState } from "react";
import { BlockStack, FormLayout, Modal, Select, Text, TextField } from "@shopify/polaris";
import type { Address } from "~/orders/core/model";
import type { OrderPageData } from "./types";

type AddressForm = Record<AddressField, string>;
type AddressField =
  | "name"
  | "company"
  | "address1"
  | "address2"
  | "city"
  | "province"
  | "zip"
  | "countryCode"
  | "phone";

const ADDRESS_FIELDS: { field: AddressField; label: string; autoComplete: string }[] = [
  { field: "name", label: "Name", autoComplete: "name" },
  { field: "company", label: "Company", autoComplete: "organization" },
  { field: "address1", label: "Address", autoComplete: "address-line1" },
  { field: "address2", label: "Apartment, suite, etc.", autoComplete: "address-line2" },
  { field: "city", label: "City", autoComplete: "address-level2" },
  { field: "province", label: "State / province", autoComplete: "address-level1" },
  { field: "zip", label: "Postal code", autoComplete: "postal-code" },
  // One picker: the owner chooses a country by name; its code is what is stored with it.
  { field: "countryCode", label: "Country", autoComplete: "country" },
  { field: "phone", label: "Phone", autoComplete: "tel" },
];

// How the fields sit side by side, as in the carts' own address forms.
const ADDRESS_ROWS: AddressField[][] = [
  ["name", "company"],
  ["address1", "address2"],
  ["city", "province", "zip"],
  ["countryCode", "phone"],
];

function toForm(address: Address | null, known: Set<string>): AddressForm {
  const form = {} as AddressForm;
  for (const { field } of ADDRESS_FIELDS) form[field] = (address?.[field] as string | null) ?? "";
  // A code the list does not know (or none) leaves the picker asking for a choice.
  const code = form.countryCode.trim().toUpperCase();
  form.countryCode = known.has(code) ? code : "";
  return form;
}

function toAddress(
  form: AddressForm,
  original: Address | null,
  countries: OrderPageData["countries"],
): Address {
  const code = form.countryCode.trim().toUpperCase();
  const optional = (value: string) => (value.trim() === "" ? null : value.trim());
  return {
    ...original,
    name: form.name.trim(),
    company: optional(form.company),
    address1: form.address1.trim(),
    address2: optional(form.address2),
    city: form.city.trim(),
    province: optional(form.province),
    zip: optional(form.zip),
    country: countries.find((c) => c.code === code)?.name ?? code,
    countryCode: code,
    phone: optional(form.phone),
  };
}

const same = (a: AddressForm, b: AddressForm) =>
  ADDRESS_FIELDS.every(({ field }) => a[field].trim() === b[field].trim());

export interface OrderEditInput {
  customerName?: string;
  customerEmail?: string | null;
  shippingAddress?: Address;
  billingAddress?: Address;
  paymentMethod?: string | null;
  shippingMethod?: string | null;
  note?: string | null;
}

export function EditOrderModal({
  page,
  busy,
  fieldErrors,
  reason,
  onClose,
  onSave,
}: {
  page: OrderPageData;
  busy: boolean;
  fieldErrors: Record<string, string>;
  reason: string | null;
  onClose: () => void;
  onSave: (input: OrderEditInput) => void;
}) {
  const initial = page.editValues;
  const [fields, setFields] = useState(initial);
  const known = new Set(page.countries.map((c) => c.code));
  const startShipping = toForm(page.shippingAddress, known);
  const startBilling = toForm(page.billingAddress, known);
  const [shipping, setShipping] = useState(startShipping);
  const [billing, setBilling] = useState(startBilling);
  const [nothing, setNothing] = useState(false);
  const countryOptions = page.countries.map((c) => ({ label: c.name, value: c.code }));

  const save = () => {
    const input: OrderEditInput = {};
    const nullable = (value: string) => (value.trim() === "" ? null : value.trim());
    if (fields.customerName.trim() !== initial.customerName) {
      input.customerName = fields.customerName.trim();
    }
    if (fields.customerEmail.trim() !== initial.customerEmail) {
      input.customerEmail = nullable(fields.customerEmail);
    }
    if (fields.paymentMethod.trim() !== initial.paymentMethod) {
      input.paymentMethod = nullable(fields.paymentMethod);
    }
    if (fields.shippingMethod.trim() !== initial.shippingMethod) {
      input.shippingMethod = nullable(fields.shippingMethod);
    }
    if (fields.note.trim() !== initial.note.trim()) input.note = nullable(fields.note);
    if (!same(shipping, startShipping)) {
      input.shippingAddress = toAddress(shipping, page.shippingAddress, page.countries);
    }
    if (!same(billing, startBilling))
      input.billingAddress = toAddress(billing, page.billingAddress, page.countries);
    if (Object.keys(input).length === 0) {
      setNothing(true);
      return;
    }
    setNothing(false);
    onSave(input);
  };

  const text = (
    key: keyof typeof fields,
    label: string,
    extra: { autoComplete: string; type?: "email" },
  ) => (
    <TextField
      label={label}
      value={fields[key]}
      onChange={(value) => setFields((prev) => ({ ...prev, [key]: value }))}
      error={fieldErrors[key]}
      autoComplete={extra.autoComplete}
      type={extra.type}
    />
  );

  const address = (
    prefix: "shippingAddress" | "billingAddress",
    value: AddressForm,
    set: (next: AddressForm) => void,
  ) => (
    <FormLayout>
      {fieldErrors[prefix] ? (
        <Text as="p" tone="critical">
          {fieldErrors[prefix]}
        </Text>
      ) : null}
      {ADDRESS_ROWS.map((row) => (
        <FormLayout.Group key={row.join("-")} condensed={row.length > 2}>
          {row.map((field) => {
            const { label, autoComplete } = ADDRESS_FIELDS.find((f) => f.field === field)!;
            if (field === "countryCode") {
              return (
                <Select
                  key={field}
                  label={label}
                  options={countryOptions}
                  placeholder="Choose a country"
                  value={value.countryCode}
                  onChange={(next) => set({ ...value, countryCode: next })}
                  error={fieldErrors[`${prefix}.countryCode`] ?? fieldErrors[`${prefix}.country`]}
                />
              );
            }
            return (
              <TextField
                key={field}
                label={label}
                value={value[field]}
                onChange={(next) => set({ ...value, [field]: next })}
                error={fieldErrors[`${prefix}.${field}`]}
                autoComplete={`${prefix === "shippingAddress" ? "shipping" : "billing"} ${autoComplete}`}
              />
            );
          })}
        </FormLayout.Group>
      ))}
    </FormLayout>
  );

  return (
    <Modal
      open
      onClose={onClose}
      title={`Edit order ${page.number}`}
      primaryAction={{ content: "Save changes", loading: busy, onAction: save }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
      size="large"
    >
      <Modal.Section>
        <BlockStack gap="300">
          {reason ? (
            <Text as="p" tone="critical">
              {reason}
            </Text>
          ) : null}
          {nothing ? (
            <Text as="p" tone="subdued">
              Nothing changed yet.
            </Text>
          ) : null}
          <Text as="p" tone="subdued">
            Your changes are kept even when the cart updates the order, until Reset.
          </Text>
          <FormLayout>
            <FormLayout.Group>
              {text("customerName", "Customer name", { autoComplete: "off" })}
              {text("customerEmail", "Customer email", { autoComplete: "off", type: "email" })}
            </FormLayout.Group>
            <FormLayout.Group>
              {text("paymentMethod", "Payment method", { autoComplete: "off" })}
              {text("shippingMethod", "Shipping method", { autoComplete: "off" })}
            </FormLayout.Group>
            <TextField
              label="Note"
              value={fields.note}
              onChange={(value) => setFields((prev) => ({ ...prev, note: value }))}
              error={fieldErrors.note}
              autoComplete="off"
              multiline={3}
            />
          </FormLayout>
        </BlockStack>
      </Modal.Section>
      <Modal.Section>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Shipping address
          </Text>
          {address("shippingAddress", shipping, setShipping)}
        </BlockStack>
      </Modal.Section>
      <Modal.Section>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Billing address
          </Text>
          {address("billingAddress", billing, setBilling)}
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
