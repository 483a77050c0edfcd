// The shop's settings as the kernel reads them: the lifecycle decides by some of them (processing
// mode, the countdown's delay), so their type, defaults and parser live on the kernel's floor;
// `shops/` reads and writes them through these.
import type { LifecycleState, OrderType, ProcessingMode } from "./model";

export interface RoutingRule {
  /** A SKU, or a prefix ending in `*`. */
  match: string;
  providerId: string;
  /**
   * What the provider calls the product for the SKUs matched (Printful's variant id, a provider's
   * own SKU); absent means the store SKU is sent, as rules saved before this existed do.
   */
  product?: string;
}

export interface ShopSettings {
  /** Minutes between an in-app order arriving and its automatic submission. */
  autoSubmitDelayMinutes: number;
  /**
   * Days an Open order may go with nothing shipped after it was sent before it is Abandoned: its
   * providers stop being asked about it and the owner gets an alert (decision 0032).
   */
  abandonAfterDays: number;
  processingMode: ProcessingMode;
  /** Custom labels the shop gives the base lifecycle states. */
  stateLabels: Partial<Record<LifecycleState, string>>;
  notifyCustomerOnShipment: boolean;
  /** IANA time zone the owner reads order times in. */
  timezone: string;
  /**
   * Where `timezone` came from: our default (UTC), the cart (the shop's own zone, read when the
   * shop connects or Settings is opened), or the owner. Only an owner's choice is never replaced.
   */
  timezoneSource: "default" | "cart" | "owner";
  /**
   * Which provider makes which SKU, first match wins. Items no rule matches go to the shop's
   * default provider.
   */
  routingRules: RoutingRule[];
  /**
   * Line-item property (Shopify) or meta_data (WooCommerce) keys that carry personalisation, by what
   * they hold; the first key present wins. Option values are every other property whose key does not
   * start with `_` (carts hide those from the customer).
   */
  personalizationKeys: { preview: string[]; design: string[]; clientImages: string[] };
  /** Cart product ids of the shop's personalised products: an order with one of them is In-app. */
  personalizedProducts: string[];
  /** The order's source channel (lower-cased, substring match) → type; first match wins, else Other. */
  typeRules: { sourceChannel: string; type: OrderType }[];
  /** Minutes between reconciliation sweeps, which ask the cart for what no webhook brought. */
  reconcileEveryMinutes: number;
  /**
   * Drop-ship: the longest lead time, in days, a distributor may quote for an item to count as
   * eligible (decision 0051).
   */
  dropshipMaxLeadTimeDays: number;
  /**
   * Drop-ship stock to the cart: the cart location the summed distributor stock is written to
   * (Shopify location GID; WooCommerce has one stock per product, so null there).
   */
  dropshipStockLocationId: string | null;
}

export const DEFAULT_SHOP_SETTINGS: ShopSettings = {
  autoSubmitDelayMinutes: 60,
  abandonAfterDays: 45,
  processingMode: "automatic",
  stateLabels: {},
  notifyCustomerOnShipment: true,
  timezone: "UTC",
  timezoneSource: "default",
  routingRules: [],
  personalizationKeys: {
    preview: ["_preview", "_preview_url", "Preview"],
    design: ["_design", "_final_design", "_design_url"],
    clientImages: ["_client_image", "_upload", "_uploaded_image"],
  },
  personalizedProducts: [],
  typeRules: [
    { sourceChannel: "amazon", type: "amazon" },
    { sourceChannel: "shineon", type: "shineon" },
  ],
  reconcileEveryMinutes: 15,
  dropshipMaxLeadTimeDays: 1,
  dropshipStockLocationId: null,
};

/** The range the owner may set the sweep's interval in: often enough to matter, rarely enough to be cheap. */
export const RECONCILE_MINUTES = { min: 5, max: 1440 } as const;

/** The settings a shop row holds, with defaults for keys added after the shop was created. */
export function shopSettings(shop: { settings: Partial<ShopSettings> | null }): ShopSettings {
  return { ...DEFAULT_SHOP_SETTINGS, ...shop.settings };
}
