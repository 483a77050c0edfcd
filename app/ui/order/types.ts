// The order page's data, as the server hands it to the page: already formatted, in the owner's
// words. Shared by the loader (orders/order-page.server.ts) and the components.
import type { OrderAction } from "~/orders/core/lifecycle";
import type {
  Address,
  CartStatus,
  DeliveryState,
  LifecycleState,
  OrderAlert,
  Platform,
} from "~/orders/core/model";

/** The owner actions of the Actions menu, in the order the menu lists them. */
export const MENU_ACTIONS = [
  "reprocess",
  "edit",
  "reset",
  "archive",
  "schedule_process",
  "revalidate",
  "delete",
  "force_delete",
] as const satisfies readonly OrderAction[];
export type MenuAction = (typeof MENU_ACTIONS)[number];

/** The owner's answers to "Changed in the cart after it was sent", in the order they are offered. */
export const CART_CHANGE_ACTIONS = [
  "update_at_provider",
  "cancel_and_resend",
  "keep_as_sent",
] as const satisfies readonly OrderAction[];
export type CartChangeAction = (typeof CART_CHANGE_ACTIONS)[number];

/** What the cart changed after the order was sent, and what the owner can do about it. */
export interface CartChangeView {
  changes: { what: string; sent: string; now: string }[];
  purchaseOrders: {
    providerName: string;
    poNumber: string;
    lastAnswer: string | null;
    updated: boolean;
  }[];
  choices: { action: CartChangeAction; label: string; allowed: boolean; reason: string | null }[];
  /** Some provider can only be cancelled through its support: the owner confirms it was. */
  cancelThroughSupport: boolean;
}

export type Countdown =
  /** Counting down to `deadline` (ISO). */
  | { kind: "running"; deadline: string }
  | { kind: "paused"; remainingMs: number }
  /**
   * Not counting down; `reason` says why in the owner's words. `title` heads it when the order is
   * past its countdown (already submitted); otherwise the card says it is not submitted automatically.
   */
  | { kind: "none"; reason: string; title?: string };

export interface ActionChoice {
  action: MenuAction;
  label: string;
  allowed: boolean;
  reason: string | null;
}

export interface OrderPageItem {
  id: string;
  cartLineId: string;
  title: string;
  sku: string | null;
  style: string | null;
  quantity: number;
  price: string;
  mockupUrl: string | null;
  productUrl: string | null;
  defineDesignUrl: string | null;
  previewUrl: string | null;
  designUrl: string | null;
  clientImages: string[];
  options: { name: string; value: string }[];
  /** The owner edited this item's personalisation (kept until Reset). */
  edited: boolean;
  providerName: string | null;
  deliveryState: DeliveryState;
  /** The delivery state in the owner's words ("Not shipped"). */
  deliveryLabel: string;
  shipmentMethod: string | null;
  trackingNumber: string | null;
  /** Drop-ship: which distributors can ship it, or why none can; absent when the shop has none. */
  dropship?: ItemDropship | null;
}

/** One item's drop-ship eligibility in the owner's words (fulfillment/dropship/order-view.server.ts). */
export interface ItemDropship {
  eligible: boolean;
  /** Why no distributor can ship it; null when one can. */
  reason: string | null;
  offers: {
    distributorName: string;
    sku: string;
    warehouse: string;
    stock: number;
    cost: string;
    leadTime: string;
    feedAge: string;
    /** Why this one cannot ship it; null when it can. */
    problem: string | null;
  }[];
}

/** Update Shipment and an item's own change: allowed or why not, and the shop's methods. */
export interface ShipmentControls {
  allowed: boolean;
  reason: string | null;
  methods: string[];
  deliveryStates: { value: DeliveryState; label: string }[];
}

export interface OrderPageData {
  id: string;
  number: string;
  placedAt: string;
  state: LifecycleState;
  stateLabel: string;
  cartStatus: CartStatus;
  cartStatusLabel: string;
  /** What the cart's own admin says, in its words: "Shopify: Paid · On hold". */
  cartStatusWords: string;
  typeLabel: string;
  platform: Platform;
  embedded: boolean;
  customer: { name: string; email: string | null; place: string };
  /** As the cart sent them (with our country names), for the Edit modal. */
  shippingAddress: Address | null;
  billingAddress: Address | null;
  /** The addresses laid out as their countries write them, ready to print. */
  addressLines: { shipping: string[] | null; billing: string[] | null };
  /** The Edit modal's country picker, by name. */
  countries: readonly { code: string; name: string }[];
  shippingMethod: string | null;
  paymentMethod: string | null;
  note: string | null;
  totals: { subtotal: string; shipping: string; tax: string; total: string; currency: string };
  items: OrderPageItem[];
  shipment: ShipmentControls;
  countdown: Countdown;
  /** The server's clock when this was read, so the page counts from the server's time. */
  serverNow: string;
  /** The owner may pause the countdown (hold in the app) or resume it. */
  canHold: boolean;
  canRelease: boolean;
  /** Hold and Release as the lifecycle table decides them, with its reason when it refuses. */
  hold: { allowed: boolean; reason: string | null };
  release: { allowed: boolean; reason: string | null };
  submit: { allowed: boolean; reason: string | null };
  canEdit: { allowed: boolean; reason: string | null };
  actions: ActionChoice[];
  /** The cart's own order editor (Edit Order); null when the cart has none we can open. */
  editorUrl: string | null;
  alert: OrderAlert | null;
  cartChange: CartChangeView | null;
  submissions: {
    id: string;
    providerName: string;
    poNumber: string;
    state: string;
    /** The badge: its state in words, or what became of its items once sent ("Shipped"). */
    statusLabel: string;
    tone: "success" | "critical" | "info" | "attention" | undefined;
    lastError: string | null;
    submittedAt: string | null;
  }[];
  shipments: {
    id: string;
    carrier: string | null;
    trackingNumber: string;
    trackingUrl: string | null;
    /** The purchase order this parcel belongs to, when the provider said which. */
    purchaseOrderId: string | null;
    shippedAt: string;
    shipmentMethod: string | null;
    pushedAt: string | null;
    pushError: string | null;
  }[];
  timeline: {
    id: string;
    at: string;
    actor: string;
    actorName: string | null;
    action: string;
    from: string | null;
    to: string | null;
    message: string | null;
  }[];
  /** Labels for the cart's Cancel confirmation. */
  statusLabels: { hold: string; release: string; cancel: string };
  /** The shop's own status of the order (decision 0046) and what each other one would do. */
  orderStatus: { key: string; label: string; pausesCountdown: boolean; does: string };
  statusChoices: {
    key: string;
    label: string;
    /** Why it cannot be chosen now; null when it can. */
    refusal: string | null;
    /** Choosing it runs Cancel Order instead of setting it directly. */
    runsCancelOrder: boolean;
    does: string;
    pausesCountdown: boolean;
  }[];
  invoiceNumber: string | null;
  notes: {
    id: string;
    text: string;
    author: string;
    at: string;
    visibleToCustomer: boolean;
    /** Written to the cart's own order notes (WooCommerce), or kept in Orderlane only. */
    inCart: boolean;
  }[];
  /** Why notes for the customer cannot be added to this order; null when they can. */
  customerNotesRefusal: string | null;
  /** The values the Edit modal starts from. */
  editValues: {
    customerName: string;
    customerEmail: string;
    paymentMethod: string;
    shippingMethod: string;
    note: string;
  };
}

/**
 * What the order route hands the page: the order as loaded, and how the cart's image addresses may
 * load (the route knows the app's mode; see ~/ui/image-source).
 */
/** The Payments card: amounts already in the order's currency, times in the shop's zone. */
export interface PaymentsView {
  statusLabel: string;
  capturable: string;
  /** The capture field's default: what can be captured, as a plain decimal. */
  capturableValue: string;
  captured: string;
  refunded: string;
  canCapture: boolean;
  /** Why nothing can be captured here although money is authorised. */
  captureUnavailable: string | null;
  /** The order in the cart's own admin, where the gateway's capture is. */
  cartOrderUrl: string | null;
  transactions: {
    id: string;
    kind: string;
    amount: string;
    gateway: string | null;
    at: string;
    result: string;
  }[];
}

export interface OrderPageView extends OrderPageData {
  payments: PaymentsView | null;
  /** Development and the demo: http and local addresses load as images too, for local tools. */
  allowHttpImages: boolean;
  /** Drop-ship: whether some item can be drop-shipped now, and the order's drop-ship POs. */
  dropship?: { available: boolean; purchaseOrders: { id: string; poNumber: string }[] };
  /** Cancel Order's confirmation: what the cancel will refund, release and withdraw. */
  cancel: CancelPreviewView | null;
}

export interface CancelPreviewView {
  /** Formatted in the order's currency; null when nothing is to be refunded or released. */
  refund: string | null;
  release: string | null;
  purchaseOrders: { poNumber: string; provider: string; withdrawn: boolean }[];
  /** Why the order cannot be cancelled here now; null when it can. */
  refusal: string | null;
  reasons: { value: string; label: string }[];
}

/** What the page's action answered. */
export type OrderPageResult =
  | {
      ok: true;
      message: string;
      action?: MenuAction | CartChangeAction;
      design?: string;
      shipment?: true;
      payments?: true;
      /** Cancel Order: the banner stays on the page, whatever the admin's toast does. */
      cancelled?: true;
    }
  | {
      ok: false;
      status?: number;
      reason: string;
      fieldErrors?: Record<string, string>;
      action?: MenuAction | CartChangeAction;
      design?: string;
      /** The answer belongs to the shipment modal. */
      shipment?: true;
      /** The answer belongs to the Payments card. */
      payments?: true;
    };
