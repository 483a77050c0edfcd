// What the Settings page offers for each kind of provider (shared by the page and the server).
import type { ProviderKind } from "./provider";

/**
 * The kinds an owner can add. The sandbox is the demo's own (its secret is the sandbox server's);
 * distributors come with drop-shipping.
 */
export const CONFIGURABLE_KINDS = ["http", "customcat", "shineon", "printful"] as const;
export type ConfigurableKind = (typeof CONFIGURABLE_KINDS)[number];

export const KIND_LABELS: Record<ProviderKind, string> = {
  http: "Orderlane HTTP protocol",
  customcat: "CustomCat",
  shineon: "ShineOn",
  printful: "Printful",
  sandbox: "Sandbox",
  distributor: "Distributor",
};

/** Which secrets each kind needs; labels are what the provider's own dashboard calls them. */
export const CREDENTIAL_FIELDS: Record<ConfigurableKind, { key: string; label: string }[]> = {
  http: [],
  customcat: [{ key: "apiKey", label: "API key" }],
  shineon: [{ key: "token", label: "API token" }],
  printful: [
    { key: "token", label: "API token" },
    { key: "storeId", label: "Store ID (optional)" },
  ],
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
