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
