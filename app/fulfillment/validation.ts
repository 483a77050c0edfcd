// The checks every provider needs before an order leaves: required address fields, field lengths,
// supported countries, a design file for made-to-order items. Each adapter states its limits; the
// wording of the problems (what is wrong, how to fix it) is the same for all of them.
import { ADD_ROUTING_RULE } from "~/orders/core/alerts";
import type { PurchaseOrder, ValidationProblem } from "./provider";

export type AddressField =
  | "name"
  | "company"
  | "address1"
  | "address2"
  | "city"
  | "province"
  | "provinceCode"
  | "zip"
  | "countryCode"
  | "phone"
  | "email";

export interface ProviderLimits {
  providerName: string;
  required: AddressField[];
  maxLength: Partial<Record<AddressField, number>>;
  /** ISO 3166-1 alpha-2 codes the provider ships to; null means everywhere. */
  countries: readonly string[] | null;
  /** Countries where the provider needs a state/province code. */
  provinceRequiredIn?: readonly string[];
  /** Personalised items must carry a final design file URL. */
  designFileRequired: boolean;
  maxQuantityPerItem?: number;
}

const FIELD_LABELS: Record<AddressField, string> = {
  name: "recipient name",
  company: "company",
  address1: "address line 1",
  address2: "address line 2",
  city: "city",
  province: "state/province",
  provinceCode: "state/province code",
  zip: "postal code",
  countryCode: "country",
  phone: "phone number",
  email: "email address",
};

function fieldValue(po: PurchaseOrder, field: AddressField): string {
  const value = po.recipient[field];
  return typeof value === "string" ? value.trim() : "";
}

export function checkLimits(po: PurchaseOrder, limits: ProviderLimits): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const who = limits.providerName;

  for (const field of limits.required) {
    if (!fieldValue(po, field)) {
      problems.push({
        code: "address_missing_field",
        field,
        message: `The shipping address has no ${FIELD_LABELS[field]}, which ${who} requires`,
        fix: `Edit the order's shipping address to add the ${FIELD_LABELS[field]}, then Reprocess`,
      });
    }
  }

  for (const [field, max] of Object.entries(limits.maxLength) as [AddressField, number][]) {
    const value = fieldValue(po, field);
    if (value.length > max) {
      problems.push({
        code: "address_field_too_long",
        field,
        message: `The ${FIELD_LABELS[field]} "${value}" is ${value.length} characters; ${who} accepts at most ${max}`,
        fix: `Edit the order to shorten the ${FIELD_LABELS[field]} to ${max} characters or fewer, then Reprocess`,
      });
    }
  }

  const country = fieldValue(po, "countryCode").toUpperCase();
  if (country && limits.countries && !limits.countries.includes(country)) {
    problems.push({
      code: "country_not_supported",
      field: "countryCode",
      message: `${who} does not ship to ${country}`,
      fix: `Send this order's items to a provider that ships to ${country} (${ADD_ROUTING_RULE})`,
      recheck: true,
    });
  }
  if (country && limits.provinceRequiredIn?.includes(country) && !fieldValue(po, "provinceCode")) {
    problems.push({
      code: "address_missing_field",
      field: "provinceCode",
      message: `${who} needs a state/province code for addresses in ${country}`,
      fix: "Edit the shipping address to add the state/province code, then Reprocess",
    });
  }

  for (const item of po.items) {
    if (limits.designFileRequired && item.personalised && !item.personalization?.designUrl) {
      problems.push({
        code: "design_file_missing",
        lineId: item.lineId,
        message: `${item.title} (${item.sku}) is personalised but has no final design file`,
        fix: "Open the item's personalisation, attach the final design file (Edit Design), then Reprocess",
      });
    }
    if (limits.maxQuantityPerItem && item.quantity > limits.maxQuantityPerItem) {
      problems.push({
        code: "quantity_too_large",
        lineId: item.lineId,
        message: `${item.title} (${item.sku}) has quantity ${item.quantity}; ${who} accepts at most ${limits.maxQuantityPerItem} per line`,
        fix: "Split the line or lower the quantity in the cart, then Reprocess",
      });
    }
  }
  return problems;
}
