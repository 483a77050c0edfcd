// A purchase order's shipped status: shared by the list's query and the pages that show it.
export const SHIPPED_STATUSES = [
  "not_shipped",
  "partly_shipped",
  "shipped",
  "overdue",
  "cancelled",
] as const;
export type ShippedStatus = (typeof SHIPPED_STATUSES)[number];

export const SHIPPED_LABELS: Record<ShippedStatus, string> = {
  not_shipped: "Not shipped",
  partly_shipped: "Partly shipped",
  shipped: "Shipped",
  overdue: "Overdue",
  cancelled: "Cancelled",
};
