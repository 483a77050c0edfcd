// Orderlane's Shopify Flow triggers: their handles (as the flow_trigger extensions under
// extensions/ name them) and the payload each sends, keyed by the fields those extensions declare.
// A test reads the extensions' toml files and checks they declare exactly these keys.

export const FLOW_TRIGGERS = {
  /** A provider accepted a purchase order. */
  order_submitted: "orderlane-order-submitted",
  /** Sending failed: a provider refused it, gave no answer for too long, or validation failed. */
  submission_failed: "orderlane-submission-failed",
  /** A parcel shipped and its tracking is in Shopify. */
  order_shipped: "orderlane-order-shipped",
  /** A provider has not shipped a purchase order by when it should have. */
  purchase_order_overdue: "orderlane-po-overdue",
} as const;

export type FlowTrigger = keyof typeof FLOW_TRIGGERS;

/** The custom fields (their keys, exactly as the toml declares them) each trigger sends. */
export const FLOW_TRIGGER_FIELDS: Record<FlowTrigger, readonly string[]> = {
  order_submitted: ["Order number", "Provider", "Purchase order number"],
  submission_failed: ["Order number", "Provider", "Reason", "Alert code"],
  order_shipped: ["Order number", "Provider", "Carrier", "Tracking number", "Tracking URL"],
  purchase_order_overdue: ["Order number", "Provider", "Purchase order number", "Days overdue"],
};

interface AboutOrder {
  /** Orderlane's id of the order (the payload carries Shopify's). */
  orderId: string;
  /** The provider involved, when there is one; its name goes into the payload. */
  providerId?: string | null;
}

/** What a caller tells each trigger, beyond the order (which is looked up). */
export interface FlowTriggerFields {
  order_submitted: AboutOrder & { poNumber: string };
  submission_failed: AboutOrder & {
    /** Why, in the owner's words. */
    reason: string;
    /** The alert's code (e.g. provider_rejected), for conditions in the workflow. */
    alertCode: string;
  };
  order_shipped: AboutOrder & {
    carrier: string | null;
    trackingNumber: string;
    trackingUrl: string | null;
  };
  purchase_order_overdue: AboutOrder & { poNumber: string; daysOverdue: number };
}

/**
 * Flow's order reference travels as `order_id`, Shopify's numeric id. JSON numbers lose digits past
 * 2^53, so an id that large (none is today) is sent as its digits in a string rather than rounded.
 */
export function flowOrderId(cartOrderId: string): number | string {
  const n = Number(cartOrderId);
  return Number.isSafeInteger(n) ? n : cartOrderId;
}

/** The payload flowTriggerReceive sends, keyed as the trigger's extension declares its fields. */
export function flowPayload<T extends FlowTrigger>(
  trigger: T,
  order: { cartOrderId: string; number: string; providerName: string | null },
  fields: FlowTriggerFields[T],
): Record<string, string | number> {
  const common = {
    order_id: flowOrderId(order.cartOrderId),
    "Order number": order.number,
    // Flow requires every declared field; an empty text says "none".
    Provider: order.providerName ?? "",
  };
  switch (trigger) {
    case "order_submitted": {
      const f = fields as FlowTriggerFields["order_submitted"];
      return { ...common, "Purchase order number": f.poNumber };
    }
    case "submission_failed": {
      const f = fields as FlowTriggerFields["submission_failed"];
      return { ...common, Reason: f.reason, "Alert code": f.alertCode };
    }
    case "order_shipped": {
      const f = fields as FlowTriggerFields["order_shipped"];
      return {
        ...common,
        Carrier: f.carrier ?? "",
        "Tracking number": f.trackingNumber,
        "Tracking URL": f.trackingUrl ?? "",
      };
    }
    default: {
      const f = fields as FlowTriggerFields["purchase_order_overdue"];
      return {
        ...common,
        "Purchase order number": f.poNumber,
        "Days overdue": Math.max(0, Math.floor(f.daysOverdue)),
      };
    }
  }
}

export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation OrderlaneFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;
