// What the owner may change on an order with Edit, and the checks any input must pass before the
// providers' own limits are asked.
import { z } from "zod";
import type { Address } from "~/orders/core/model";
import { countryName, isCountryCode } from "~/orders/core/places";

const optionalText = (max: number, label: string) =>
  z
    .string({ message: `${label} must be text` })
    .trim()
    .max(max, `${label} is at most ${max} characters`)
    .nullable()
    .optional();

// Generous caps: the providers' own, tighter limits are checked against the routed provider.
export const addressSchema = z
  .object(
    {
      name: z
        .string({ message: "Enter the recipient's name" })
        .trim()
        .min(1, "Enter the recipient's name")
        .max(255, "The name is at most 255 characters"),
      company: optionalText(255, "The company"),
      address1: z
        .string({ message: "Enter the street address" })
        .trim()
        .min(1, "Enter the street address")
        .max(500, "Address line 1 is at most 500 characters"),
      address2: optionalText(500, "Address line 2"),
      city: z
        .string({ message: "Enter the city" })
        .trim()
        .min(1, "Enter the city")
        .max(255, "The city is at most 255 characters"),
      province: optionalText(255, "The state/province"),
      provinceCode: optionalText(10, "The state/province code"),
      zip: optionalText(20, "The postal code"),
      // The country is chosen by its code; its name is ours, so the two always agree.
      country: z.string({ message: "The country must be text" }).max(100).optional(),
      countryCode: z
        .string({ message: "Choose the country" })
        .trim()
        .transform((code) => code.toUpperCase())
        .refine(isCountryCode, "Choose the country from the list"),
      phone: optionalText(40, "The phone number"),
    },
    { message: "Give the whole address" },
  )
  .transform((address) => ({
    ...address,
    country: countryName(address.countryCode) ?? address.countryCode,
  }));

export const orderEditSchema = z
  .object(
    {
      customerName: z
        .string({ message: "The customer's name must be text" })
        .trim()
        .min(1, "Enter the customer's name")
        .max(255, "The customer's name is at most 255 characters")
        .optional(),
      customerEmail: z
        .email({ message: "Enter a valid email address" })
        .max(320, "The email address is too long")
        .nullable()
        .optional(),
      shippingAddress: addressSchema.optional(),
      billingAddress: addressSchema.nullable().optional(),
      paymentMethod: optionalText(100, "The payment method"),
      shippingMethod: optionalText(100, "The shipping method"),
      note: optionalText(5000, "The note"),
    },
    { message: "Send the fields to change as a JSON object" },
  )
  .strict()
  .refine((edit) => Object.keys(edit).length > 0, { message: "Nothing to change" });

export type OrderEdit = z.infer<typeof orderEditSchema>;

/** Order fields an edit can change, as they are named in manual edits. */
export const EDITABLE_FIELDS = [
  "customerName",
  "customerEmail",
  "shippingAddress",
  "billingAddress",
  "paymentMethod",
  "shippingMethod",
  "note",
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export type ParsedEdit =
  { ok: true; edit: OrderEdit } | { ok: false; fieldErrors: Record<string, string> };

/** Field path (`shippingAddress.name`) → the first problem with it. */
export function parseOrderEdit(input: unknown): ParsedEdit {
  const parsed = orderEditSchema.safeParse(input);
  if (parsed.success) return { ok: true, edit: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key =
      issue.code === "unrecognized_keys"
        ? issue.keys.join(", ")
        : issue.path.map(String).join(".") || "form";
    const message =
      issue.code === "unrecognized_keys"
        ? `Edit cannot change ${issue.keys.join(", ")}; it changes ${EDITABLE_FIELDS.join(", ")}`
        : issue.message;
    fieldErrors[key] ??= message;
  }
  return { ok: false, fieldErrors };
}

/** Stored form of an address: optional parts as null, so comparisons do not trip on undefined. */
export function normaliseAddress(address: Address): Address {
  return {
    name: address.name,
    company: address.company ?? null,
    address1: address.address1,
    address2: address.address2 ?? null,
    city: address.city,
    province: address.province ?? null,
    provinceCode: address.provinceCode ?? null,
    zip: address.zip ?? null,
    country: address.country,
    countryCode: address.countryCode,
    phone: address.phone ?? null,
  };
}

/** Each editable field as the owner reads it in the Edit modal, for messages and the timeline. */
export const EDIT_FIELD_WORDS: Readonly<Record<EditableField, string>> = {
  customerName: "customer name",
  customerEmail: "customer email",
  shippingAddress: "shipping address",
  billingAddress: "billing address",
  paymentMethod: "payment method",
  shippingMethod: "shipping method",
  note: "note",
};

/** "shipping address and note": the edited fields in words, in the modal's order. */
export function editedFieldWords(fields: readonly string[]): string {
  const words = EDITABLE_FIELDS.filter((f) => fields.includes(f)).map((f) => EDIT_FIELD_WORDS[f]);
  const unknown = fields.filter((f) => !(EDITABLE_FIELDS as readonly string[]).includes(f));
  const all = [...words, ...unknown.map(humanizeCode)];
  if (all.length <= 1) return all.join("");
  return `${all.slice(0, -1).join(", ")} and ${all[all.length - 1]}`;
}

/** A code (camelCase, snake_case or kebab-case) as lower-case words: "shippingAddress" → "shipping address". */
export function humanizeCode(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
}
