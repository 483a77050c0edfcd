// A purchase order's shipped status, as a badge in the owner's words.
import { Badge } from "@shopify/polaris";

const WORDS = {
  not_shipped: { label: "Not shipped", tone: undefined },
  partly_shipped: { label: "Partly shipped", tone: "attention" },
  shipped: { label: "Shipped", tone: "success" },
  overdue: { label: "Overdue", tone: "critical" },
  cancelled: { label: "Cancelled", tone: undefined },
} as const;

export function ShippedBadge({ status }: { status: keyof typeof WORDS }) {
  const { label, tone } = WORDS[status];
  return <Badge tone={tone}>{label}</Badge>;
}
