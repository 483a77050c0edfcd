// "Submit through Orderlane" on Shopify's order list, for the orders the owner selected: one
// confirmation, one request, then the same per-order summary as the catalog's Bulk Submit
// (submitted, skipped as already submitted, refused with reasons, not in Orderlane).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useState } from "preact/hooks";
import {
  BULK_SUBMIT_MAX,
  orderGid,
  type AdminBulkResult,
  type AdminBulkSubmitResponse,
  type AdminResult,
} from "../../shared/admin-api";
import { adminClient, plural, ProblemBanner } from "../../shared/ui";

export default function extension() {
  render(<BulkSubmit />, document.body);
}

type Failure = Extract<AdminResult<unknown>, { ok: false }>;

type Step =
  | { kind: "confirm"; sending: boolean }
  | { kind: "failed"; failure: Failure }
  | { kind: "done"; summary: AdminBulkSubmitResponse };

function BulkSubmit() {
  const gids = [...new Set(shopify.data.selected.map((s) => orderGid(s.id)))];
  const [step, setStep] = useState<Step>({ kind: "confirm", sending: false });
  const close = () => shopify.close();
  const orders = plural(gids.length, "order");

  async function submit() {
    setStep({ kind: "confirm", sending: true });
    const result = await adminClient().bulkSubmit(gids);
    setStep(
      result.ok ? { kind: "done", summary: result.data } : { kind: "failed", failure: result },
    );
  }

  if (gids.length === 0 || gids.length > BULK_SUBMIT_MAX) {
    return (
      <s-admin-action heading="Submit through Orderlane">
        <s-text>
          {gids.length === 0
            ? "Select the orders to submit first."
            : `${orders} are selected; Orderlane submits up to ${BULK_SUBMIT_MAX} at a time. Select fewer and try again.`}
        </s-text>
        <s-button slot="primary-action" onClick={close}>
          Close
        </s-button>
      </s-admin-action>
    );
  }

  if (step.kind === "confirm") {
    return (
      <s-admin-action heading="Submit through Orderlane" loading={step.sending}>
        <s-stack gap="small-200">
          <s-text type="strong">{`Submit ${orders} now?`}</s-text>
          <s-text>
            Orderlane sends each order to its providers right away, without waiting for its
            countdown. Orders already submitted are skipped, and orders Orderlane may not submit are
            listed with the reason.
          </s-text>
        </s-stack>
        <s-button
          slot="primary-action"
          variant="primary"
          loading={step.sending}
          disabled={step.sending}
          onClick={() => void submit()}
        >
          {`Submit ${orders}`}
        </s-button>
        <s-button slot="secondary-actions" disabled={step.sending} onClick={close}>
          Cancel
        </s-button>
      </s-admin-action>
    );
  }

  if (step.kind === "failed") {
    return (
      <s-admin-action heading="Submit through Orderlane">
        <s-stack gap="small-200">
          <ProblemBanner failure={step.failure} />
          {step.failure.status === 0 || step.failure.status >= 500 ? (
            <s-text>
              Trying again is safe: an order Orderlane already submitted is skipped, never sent
              twice.
            </s-text>
          ) : null}
        </s-stack>
        <s-button slot="primary-action" onClick={() => void submit()}>
          Try again
        </s-button>
        <s-button slot="secondary-actions" onClick={close}>
          Cancel
        </s-button>
      </s-admin-action>
    );
  }

  return (
    <s-admin-action heading="Submit through Orderlane">
      <Summary summary={step.summary} />
      <s-button slot="primary-action" onClick={close}>
        Done
      </s-button>
    </s-admin-action>
  );
}

function Summary({ summary }: { summary: AdminBulkSubmitResponse }) {
  const of = (outcome: AdminBulkResult["outcome"]) =>
    summary.results.filter((r) => r.outcome === outcome);
  const submitted = of("submitted");
  const skipped = of("already_submitted");
  const refused = of("refused");
  const unknown = of("not_in_orderlane");
  const numbers = (rows: AdminBulkResult[]) => rows.map((r) => r.number ?? "an order").join(", ");
  return (
    <s-stack gap="base">
      <s-banner
        tone={refused.length + unknown.length > 0 ? "warning" : "success"}
        heading={summary.summary}
      />
      {submitted.length > 0 ? (
        <s-stack gap="small-300">
          <s-text type="strong">Submitted</s-text>
          <s-unordered-list>
            {submitted.map((r) => (
              <s-list-item key={r.gid}>{`${r.number ?? "An order"}: ${r.message}`}</s-list-item>
            ))}
          </s-unordered-list>
        </s-stack>
      ) : null}
      {skipped.length > 0 ? (
        <s-text color="subdued">{`Skipped, already submitted: ${numbers(skipped)}`}</s-text>
      ) : null}
      {refused.length > 0 ? (
        <s-stack gap="small-300">
          <s-text type="strong">Not submitted</s-text>
          <s-unordered-list>
            {refused.map((r) => (
              <s-list-item key={r.gid}>{`${r.number ?? "An order"}: ${r.message}`}</s-list-item>
            ))}
          </s-unordered-list>
        </s-stack>
      ) : null}
      {unknown.length > 0 ? (
        <s-text>
          {`${plural(unknown.length, "order")} ${unknown.length === 1 ? "is" : "are"} not in Orderlane${
            unknown.some((r) => r.number) ? ` (${numbers(unknown)})` : ""
          }: open ${unknown.length === 1 ? "it" : "each"} and use Import this order on the Orderlane card.`}
        </s-text>
      ) : null}
    </s-stack>
  );
}
