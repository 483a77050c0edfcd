// One import run as the owner follows it: what it brings in, its status in words, how far it got,
// what it found, and, when it stopped, why and a button to carry on.
import { Form } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  InlineStack,
  ProgressBar,
  Spinner,
  Text,
} from "@shopify/polaris";
import { SubmitButton } from "./FormFields";

/** "stalled": running on paper, but its worker stopped moving it (the page works that out). */
export type ImportRunStatus = "queued" | "running" | "completed" | "failed" | "stalled";

/** One run, already worded and formatted on the server. */
export interface ImportRunView {
  id: string;
  what: string;
  status: ImportRunStatus;
  done: number;
  total: number | null;
  progress: string;
  created: number;
  updated: number;
  /** Already stored as the cart has them: nothing to change. */
  unchanged: number;
  skipped: number;
  notice: string | null;
  error: string | null;
  missing: string[];
  startedAt: string;
  finishedAt: string | null;
}

// A stalled run reads as stopped, like a failed one: to the owner both need Resume.
const STATUS: Record<
  ImportRunStatus,
  { label: string; tone?: "info" | "success" | "critical" | "attention" }
> = {
  queued: { label: "Waiting to start", tone: "info" },
  running: { label: "Running", tone: "info" },
  completed: { label: "Completed", tone: "success" },
  failed: { label: "Stopped", tone: "critical" },
  stalled: { label: "Stopped", tone: "critical" },
};

/** The run's status in the owner's words (the history table says it without the badge). */
export function importStatusWords(status: ImportRunStatus): string {
  return STATUS[status].label;
}

/** "3 new, 1 updated, 246 unchanged": what the run did, leaving out what it did not find. */
export function importOutcomeWords(
  run: Pick<ImportRunView, "created" | "updated" | "unchanged" | "skipped">,
): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const parts = [`${n(run.created)} new`, `${n(run.updated)} updated`];
  if (run.unchanged > 0) parts.push(`${n(run.unchanged)} unchanged`);
  if (run.skipped > 0)
    parts.push(`${n(run.skipped)} left as they are (archived, or older than ours)`);
  return parts.join(", ");
}

export function isImportActive(run: ImportRunView | undefined): boolean {
  return run?.status === "queued" || run?.status === "running";
}

export function ImportRunCard({ run }: { run: ImportRunView }) {
  const badge = STATUS[run.status];
  const known = run.total != null && run.total > 0;
  const percent = known ? Math.min(100, Math.round((run.done / (run.total ?? 1)) * 100)) : 0;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {run.what}
          </Text>
          <Badge tone={badge.tone}>{badge.label}</Badge>
        </InlineStack>
        {isImportActive(run) && !known ? (
          <InlineStack gap="200" blockAlign="center">
            <Spinner size="small" accessibilityLabel="Importing" />
            <Text as="p">
              {run.status === "queued" ? "Waiting for the cart…" : `${run.progress}; counting…`}
            </Text>
          </InlineStack>
        ) : (
          <BlockStack gap="100">
            <ProgressBar
              progress={run.status === "completed" ? 100 : percent}
              tone={run.status === "failed" || run.status === "stalled" ? "critical" : "primary"}
              ariaLabelledBy={`progress-${run.id}`}
              // A run that has finished is shown where it ended, not filling up again on each visit.
              animated={isImportActive(run)}
            />
            <Text as="p" id={`progress-${run.id}`}>
              {run.progress}
            </Text>
          </BlockStack>
        )}
        <Text as="p" tone="subdued">
          {importOutcomeWords(run)}
        </Text>
        {run.notice ? (
          <Banner tone="info" title="About this import">
            {run.notice}
          </Banner>
        ) : null}
        {run.missing.length > 0 ? (
          <Banner tone="warning" title="Not found in the cart">
            {run.missing.join(", ")}
          </Banner>
        ) : null}
        {run.error ? (
          <Banner tone="critical" title="The import stopped">
            <BlockStack gap="200">
              <p>{run.error}</p>
              <Form method="post">
                <input type="hidden" name="intent" value="resume" />
                <input type="hidden" name="runId" value={run.id} />
                <SubmitButton>Resume</SubmitButton>
              </Form>
            </BlockStack>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}
