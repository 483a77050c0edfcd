// What a bulk action did: counts first, then each order that was not done and why. Shown as a banner
// (it stays until dismissed, so a long list of reasons can be read); inside the Shopify admin a
// toast also says the counts.
import { Banner, BlockStack, List, Text } from "@shopify/polaris";

export interface BulkSummaryView {
  action: string;
  label: string;
  total: number;
  done: number;
  alreadySubmitted: number;
  failed: number;
  results: { orderId: string; number: string | null; outcome: string; message: string }[];
}

export function bulkHeadline(summary: BulkSummaryView): string {
  const parts: string[] = [];
  const orders = (n: number) => `${n} order${n === 1 ? "" : "s"}`;
  if (summary.action === "submit") {
    parts.push(`${orders(summary.done)} submitted`);
    if (summary.alreadySubmitted > 0) {
      parts.push(`${summary.alreadySubmitted} skipped: already submitted`);
    }
    if (summary.failed > 0) parts.push(`${summary.failed} not submitted`);
  } else {
    parts.push(`${summary.label}: ${orders(summary.done)} done`);
    if (summary.failed > 0) parts.push(`${summary.failed} refused`);
  }
  return parts.join(", ");
}

export function BulkSummary({
  summary,
  onDismiss,
}: {
  summary: BulkSummaryView;
  onDismiss: () => void;
}) {
  const problems = summary.results.filter((r) => r.outcome === "failed");
  const skipped = summary.results.filter((r) => r.outcome === "already_submitted");
  return (
    <div role="status" aria-live="polite" data-testid="bulk-summary">
      <Banner
        title={bulkHeadline(summary)}
        tone={problems.length > 0 ? "warning" : "success"}
        onDismiss={onDismiss}
      >
        <BlockStack gap="200">
          {problems.length > 0 ? (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {summary.action === "submit" ? "Not submitted" : "Refused"}
              </Text>
              <List type="bullet">
                {problems.map((r) => (
                  <List.Item key={r.orderId}>
                    <Text as="span" fontWeight="semibold">
                      {r.number ?? "Unknown order"}
                    </Text>
                    : {r.message}
                  </List.Item>
                ))}
              </List>
            </BlockStack>
          ) : null}
          {skipped.length > 0 ? (
            <Text as="p" tone="subdued">
              Already submitted, left alone: {skipped.map((r) => r.number).join(", ")}
            </Text>
          ) : null}
        </BlockStack>
      </Banner>
    </div>
  );
}
