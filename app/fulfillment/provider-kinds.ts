// What the Settings page offers for each kind of provider (shared by the page and the server).
import type { ProviderKind } from "./provider";

/**
 * The kinds an owner can add. The sandbox is the demo's own (its secret is the sandbox server's).
 */
export const CONFIGURABLE_KINDS = [
  "http",
  "customcat",
  "shineon",
  "printful",
  "distributor",
] as const;
export type ConfigurableKind = (typeof CONFIGURABLE_KINDS)[number];

export const KIND_LABELS: Record<ProviderKind, string> = {
  http: "Orderlane HTTP protocol",
  customcat: "CustomCat",
  shineon: "ShineOn",
  printful: "Printful",
  sandbox: "Sandbox",
  distributor: "Distributor",
};

/** Whether an owner may pick this kind for a new provider (or switch one to it). */
export function isConfigurableKind(kind: string): kind is ConfigurableKind {
  return (CONFIGURABLE_KINDS as readonly string[]).includes(kind);
}

/**
 * Which secrets each kind needs; labels are what the provider's own dashboard calls them. Every
 * kind has an entry, those an owner cannot add too: their providers are still listed and edited.
 */
export const CREDENTIAL_FIELDS: Record<ProviderKind, { key: string; label: string }[]> = {
  http: [],
  customcat: [{ key: "apiKey", label: "API key" }],
  shineon: [{ key: "token", label: "API token" }],
  printful: [
    { key: "token", label: "API token" },
    { key: "storeId", label: "Store ID (optional)" },
  ],
  // The sandbox's secret is the sandbox server's own.
  sandbox: [],
  // The login to the distributor's feed server (FTP/SFTP/HTTPS); public feeds need none.
  distributor: [
    { key: "username", label: "Feed user name (optional)" },
    { key: "password", label: "Feed password (optional)" },
  ],
};

/**
 * What a routing rule may name as the provider's own product for the SKUs it matches, per kind:
 * the label the provider's dashboard uses, and whether the provider cannot take an item without
 * one (Printful orders catalog variants by number; the others take the store SKU unless told).
 */
export const PRODUCT_FIELDS: Record<
  ProviderKind,
  { label: string; required: boolean; digitsOnly: boolean }
> = {
  http: { label: "Provider's SKU", required: false, digitsOnly: false },
  sandbox: { label: "Sandbox SKU", required: false, digitsOnly: false },
  customcat: { label: "CustomCat catalog SKU", required: false, digitsOnly: false },
  shineon: { label: "ShineOn SKU", required: false, digitsOnly: false },
  printful: { label: "Printful variant id", required: true, digitsOnly: true },
  distributor: { label: "Distributor's SKU", required: false, digitsOnly: false },
};

/**
 * Which kinds have an API call that changes or cancels an order they accepted: an order changed in
 * the cart after it was sent is updated or cancelled there. CustomCat and ShineOn publish a
 * cancellation but no update; distributors take purchase orders by feed, so neither. Our protocol
 * defines both, though a provider may still answer that it does not take them.
 */
export const CHANGE_CALLS: Record<ProviderKind, { update: boolean; cancel: boolean }> = {
  http: { update: true, cancel: true },
  sandbox: { update: true, cancel: true },
  printful: { update: true, cancel: true },
  customcat: { update: false, cancel: true },
  shineon: { update: false, cancel: true },
  distributor: { update: false, cancel: false },
};
