// The cart's own status words as the owner reads them in the cart's admin. Carts hand us codes
// ("paid, on_hold", "on-hold", "checkout-draft"); we keep the code as it came (cartStatusRaw, the
// API) and show these words on pages. A code we do not know yet is still shown as words.
import type { Platform } from "~/orders/core/model";

const SHOPIFY_WORDS: Record<string, string> = {
  // Payment (financial status)
  pending: "Payment pending",
  authorized: "Payment authorized",
  partially_paid: "Partially paid",
  paid: "Paid",
  partially_refunded: "Partially refunded",
  refunded: "Refunded",
  voided: "Voided",
  expired: "Payment expired",
  // Fulfilment, and fulfillment-order holds
  unfulfilled: "Unfulfilled",
  partial: "Partially fulfilled",
  partially_fulfilled: "Partially fulfilled",
  fulfilled: "Fulfilled",
  in_progress: "In progress",
  on_hold: "On hold",
  scheduled: "Scheduled",
  restocked: "Restocked",
  pending_fulfillment: "Fulfillment pending",
  request_declined: "Fulfillment declined",
  open: "Open",
  cancelled: "Cancelled",
};

const WOOCOMMERCE_WORDS: Record<string, string> = {
  pending: "Pending payment",
  processing: "Processing",
  "on-hold": "On hold",
  completed: "Completed",
  cancelled: "Cancelled",
  refunded: "Refunded",
  failed: "Failed",
  "checkout-draft": "Draft",
  trash: "Trash",
};

/** A code nobody mapped, as words with a capital: "awaiting_pickup" → "Awaiting pickup". */
export function codeAsWords(code: string): string {
  const words = code
    .replace(/^wc-/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The cart's status code in the words its admin uses: "paid, on_hold" → "Paid · On hold",
 * "on-hold" → "On hold". Shopify's status is several parts (payment, fulfilment, cancelled).
 */
export function cartStatusWords(platform: Platform | string, raw: string): string {
  const table = platform === "woocommerce" ? WOOCOMMERCE_WORDS : SHOPIFY_WORDS;
  const parts = raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return "No status";
  return parts
    .map((part) => {
      const key = part.toLowerCase();
      return table[key] ?? SHOPIFY_WORDS[key] ?? WOOCOMMERCE_WORDS[key] ?? codeAsWords(part);
    })
    .join(" · ");
}

/** Where the cart's status is kept, for "In Shopify: Paid · On hold" ("the cart" for the demo's). */
export function cartName(platform: Platform | string): string {
  if (platform === "shopify") return "Shopify";
  if (platform === "woocommerce") return "WooCommerce";
  return "the cart";
}

/** "In Shopify: Paid · On hold": the cart's status as its admin says it. */
export function cartStatusLine(platform: Platform | string, raw: string): string {
  return `In ${cartName(platform)}: ${cartStatusWords(platform, raw)}`;
}
