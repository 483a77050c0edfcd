// What fulfillment needs from a cart, one implementation per platform (DESIGN §3). The order sync
// adds reading and status changes to this contract; tracking is what the fulfillment side needs.
import type { AppContext } from "~/context.server";

export interface TrackingPush {
  shopDomain: string;
  cartOrderId: string;
  carrier: string | null;
  trackingNumber: string;
  trackingUrl: string | null;
  /** Cart line ids and how many of each are in this parcel. */
  items: { cartLineId: string; quantity: number }[];
  notifyCustomer: boolean;
  /** This parcel completes the order. */
  completesOrder: boolean;
}

export type PushOutcome =
  | { ok: true }
  /** retryable: the cart was down or busy; otherwise it refused and says why. */
  | { ok: false; retryable: boolean; reason: string };

export interface CartConnector {
  pushTracking(push: TrackingPush): Promise<PushOutcome>;
}

export type ConnectorContext = Pick<AppContext, "shopify" | "config">;
