// Orderlane's card on Shopify's own order page: where the order stands in Orderlane, its countdown,
// how its submission went, what each item carries, its purchase orders with tracking, and the
// owner's buttons. Every rule is the backend's: the buttons are offered as its answer says, and a
// refusal shows its reason.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import {
  orderGid,
  type AdminAction,
  type AdminOrder,
  type AdminResult,
  type AdminTrackingLink,
} from "../../shared/admin-api";
import {
  adminClient,
  badgeTone,
  countdownLine,
  CountdownView,
  ProblemBanner,
  useTimeLeft,
  whyNot,
} from "../../shared/ui";

export default function extension() {
  render(<OrderBlock />, document.body);
}

type Failure = Extract<AdminResult<unknown>, { ok: false }>;

type Load =
  | { kind: "loading" }
  | { kind: "order"; order: AdminOrder }
  | { kind: "unknown"; message: string }
  | { kind: "failed"; failure: Failure };

/** What the last button did, shown above the buttons until the next one. */
type Outcome = { tone: "success" | "info" | "critical"; heading: string; text: string } | null;

/** After Import, look again this often (a single order imports in seconds) and this many times. */
const IMPORT_RECHECK_MS = 3000;
const IMPORT_RECHECKS = 5;
/** At zero the worker submits: look again shortly after, a few times, to show what it did. */
const DUE_RECHECK_MS = 3000;
const DUE_RECHECKS = 5;
/** While purchase orders are being sent, look again this often, for a minute. */
const SENDING_RECHECK_MS = 5000;
const SENDING_RECHECKS = 12;

function OrderBlock() {
  const selected = shopify.data.selected[0]?.id;
  const gid = selected ? orderGid(selected) : null;
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState<AdminAction | "import" | null>(null);
  const [confirmSubmit, setConfirmSubmit] = useState(false);
  const [importing, setImporting] = useState(0);
  const [dueChecks, setDueChecks] = useState(0);
  const [sendingChecks, setSendingChecks] = useState(0);

  const fetchOrder = useCallback(
    async (options: { quiet?: boolean } = {}) => {
      if (!gid) return;
      // A quiet look again keeps the card on screen until the answer comes.
      if (!options.quiet) setLoad({ kind: "loading" });
      const result = await adminClient().getOrder(gid);
      if (result.ok) setLoad({ kind: "order", order: result.data.order });
      else if (result.code === "not_in_orderlane")
        setLoad({ kind: "unknown", message: result.message });
      else setLoad({ kind: "failed", failure: result });
    },
    [gid],
  );

  useEffect(() => {
    void fetchOrder();
  }, [fetchOrder]);

  // After Import, the order arrives a few seconds later: look again until it is there.
  useEffect(() => {
    if (importing === 0 || load.kind !== "unknown") return;
    if (importing > IMPORT_RECHECKS) return;
    const timer = setTimeout(() => {
      setImporting((n) => n + 1);
      void fetchOrder({ quiet: true });
    }, IMPORT_RECHECK_MS);
    return () => clearTimeout(timer);
  }, [importing, load.kind, fetchOrder]);

  // Submitted: the providers answer within seconds; show their answer without a reload.
  const sending = load.kind === "order" && load.order.submit.kind === "sending";
  useEffect(() => {
    if (!sending || sendingChecks >= SENDING_RECHECKS) return;
    const timer = setTimeout(() => {
      setSendingChecks((n) => n + 1);
      void fetchOrder({ quiet: true });
    }, SENDING_RECHECK_MS);
    return () => clearTimeout(timer);
  }, [sending, sendingChecks, load, fetchOrder]);

  useEffect(() => {
    if (importing === 0 || load.kind !== "order") return;
    setImporting(0);
    setOutcome({ tone: "success", heading: "Imported into Orderlane", text: "" });
  }, [importing, load.kind]);

  if (!gid) {
    return (
      <s-admin-block heading="Orderlane">
        <s-text>Open an order to see it in Orderlane.</s-text>
      </s-admin-block>
    );
  }

  async function runAction(action: AdminAction) {
    if (!gid) return;
    setBusy(action);
    setOutcome(null);
    const result = await adminClient().runAction(gid, action);
    setBusy(null);
    setConfirmSubmit(false);
    if (result.ok) {
      setLoad({ kind: "order", order: result.data.order });
      setOutcome({ tone: "success", heading: result.data.message, text: "" });
      return;
    }
    if (result.code === "already_submitted") {
      setOutcome({ tone: "info", heading: "Already submitted", text: result.message });
      void fetchOrder({ quiet: true });
      return;
    }
    setOutcome({
      tone: "critical",
      heading:
        result.status === 0 || result.status >= 500 ? "Orderlane is not answering" : "Not done",
      text: result.message,
    });
    // A refusal means the order moved on since the block read it: show it as it is now.
    if (result.status === 409) void fetchOrder({ quiet: true });
  }

  async function importOrder() {
    if (!gid) return;
    setBusy("import");
    setOutcome(null);
    const result = await adminClient().importOrder(gid);
    setBusy(null);
    if (result.ok) {
      setOutcome({ tone: "info", heading: "Importing this order", text: result.data.message });
      setImporting(1);
    } else {
      setOutcome({ tone: "critical", heading: "Not imported", text: result.message });
    }
  }

  const outcomeBanner = outcome ? (
    <s-banner tone={outcome.tone} heading={outcome.heading}>
      {outcome.text ? <s-text>{outcome.text}</s-text> : null}
    </s-banner>
  ) : null;

  if (load.kind === "loading") {
    return (
      <s-admin-block heading="Orderlane">
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-spinner accessibilityLabel="Loading" />
          <s-text>Loading the order from Orderlane…</s-text>
        </s-stack>
      </s-admin-block>
    );
  }

  if (load.kind === "failed") {
    return (
      <s-admin-block heading="Orderlane">
        <ProblemBanner failure={load.failure} onRetry={() => void fetchOrder()} />
      </s-admin-block>
    );
  }

  if (load.kind === "unknown") {
    return (
      <s-admin-block heading="Orderlane" collapsedSummary="Not in Orderlane">
        <s-stack gap="base">
          <s-heading>This order is not in Orderlane</s-heading>
          <s-text>{load.message}</s-text>
          {outcomeBanner}
          <s-stack direction="inline" gap="small-200">
            <s-button
              variant="primary"
              loading={busy === "import"}
              disabled={busy !== null || importing > 0}
              onClick={() => void importOrder()}
            >
              Import this order
            </s-button>
            {importing > 0 ? (
              <s-button onClick={() => void fetchOrder({ quiet: true })}>Check again</s-button>
            ) : null}
          </s-stack>
        </s-stack>
      </s-admin-block>
    );
  }

  return (
    <OrderCard
      order={load.order}
      outcomeBanner={outcomeBanner}
      busy={busy}
      confirmSubmit={confirmSubmit}
      onAskSubmit={() => {
        setOutcome(null);
        setConfirmSubmit(true);
      }}
      onCancelSubmit={() => setConfirmSubmit(false)}
      onAction={(action) => void runAction(action)}
      onDue={() => {
        if (dueChecks >= DUE_RECHECKS) return;
        setDueChecks((n) => n + 1);
        void fetchOrder({ quiet: true });
      }}
    />
  );
}

function OrderCard({
  order,
  outcomeBanner,
  busy,
  confirmSubmit,
  onAskSubmit,
  onCancelSubmit,
  onAction,
  onDue,
}: {
  order: AdminOrder;
  outcomeBanner: preact.ComponentChildren;
  busy: AdminAction | "import" | null;
  confirmSubmit: boolean;
  onAskSubmit: () => void;
  onCancelSubmit: () => void;
  onAction: (action: AdminAction) => void;
  onDue: () => void;
}) {
  const timeLeft = useTimeLeft(order.countdown, order.serverNow);
  const due = timeLeft === 0;
  useEffect(() => {
    if (!due) return;
    const timer = setTimeout(onDue, DUE_RECHECK_MS);
    return () => clearTimeout(timer);
    // onDue changes every render; the look again is for reaching zero, once per answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [due, order.serverNow]);
  const { submit, hold, release } = order.actions;
  const status = order.submit;
  // Hold and Release are one control: whichever the lifecycle allows now (Hold when neither).
  const holdOrRelease: AdminAction = release.allowed && !hold.allowed ? "release" : "hold";
  const toggle = order.actions[holdOrRelease];

  return (
    <s-admin-block
      heading="Orderlane"
      collapsedSummary={`${order.stateLabel} · ${countdownLine(order.countdown, timeLeft)}`}
    >
      <s-stack gap="base">
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-text type="strong">Order {order.number}</s-text>
          <s-badge tone="info">{order.stateLabel}</s-badge>
          {order.shopStatus ? (
            <s-badge tone={badgeTone(order.shopStatus.tone)}>{order.shopStatus.label}</s-badge>
          ) : null}
        </s-stack>

        <CountdownView countdown={order.countdown} serverNow={order.serverNow} />

        <s-stack gap="small-200">
          <s-stack direction="inline" gap="small-200" alignItems="center">
            <s-text>Submission</s-text>
            <s-badge tone={badgeTone(status.tone)}>{status.label}</s-badge>
          </s-stack>
          {status.reason ? <s-text>{status.reason}</s-text> : null}
          {status.alert ? (
            <s-banner tone="critical" heading={status.alert.message}>
              <s-text>{`To fix: ${status.alert.fix}`}</s-text>
            </s-banner>
          ) : null}
        </s-stack>

        {order.items.length > 0 ? (
          <s-section heading="Items">
            <s-stack gap="small-200">
              {order.items.map((item) => (
                <s-stack key={item.id} direction="inline" gap="small-200">
                  {item.thumbnailUrl ? (
                    <s-thumbnail
                      src={item.thumbnailUrl}
                      alt={`Preview of ${item.title}`}
                      size="small"
                    />
                  ) : null}
                  <s-stack gap="small-400">
                    <s-text type="strong">{`${item.quantity} × ${item.title}`}</s-text>
                    {item.options.map((option, i) => (
                      <s-text key={i} color="subdued">{`${option.name}: ${option.value}`}</s-text>
                    ))}
                    {item.providerName ? (
                      <s-text color="subdued">{`Made by ${item.providerName}`}</s-text>
                    ) : null}
                  </s-stack>
                </s-stack>
              ))}
            </s-stack>
          </s-section>
        ) : null}

        {order.purchaseOrders.length > 0 || order.otherTracking.length > 0 ? (
          <s-section heading="Purchase orders">
            <s-stack gap="small-200">
              {order.purchaseOrders.map((po) => (
                <s-stack key={po.id} gap="small-400">
                  <s-stack direction="inline" gap="small-200" alignItems="center">
                    <s-text type="strong">{`${po.providerName} · ${po.poNumber}`}</s-text>
                    <s-badge tone={badgeTone(po.tone)}>{po.statusLabel}</s-badge>
                  </s-stack>
                  {po.submittedAt ? (
                    <s-text color="subdued">{`Sent ${po.submittedAt}`}</s-text>
                  ) : null}
                  {po.lastError ? <s-text tone="critical">{po.lastError}</s-text> : null}
                  {po.tracking.map((t, i) => (
                    <Tracking key={i} tracking={t} />
                  ))}
                </s-stack>
              ))}
              {order.otherTracking.map((t, i) => (
                <Tracking key={`other-${i}`} tracking={t} />
              ))}
            </s-stack>
          </s-section>
        ) : null}

        {outcomeBanner}

        {confirmSubmit ? (
          <s-banner tone="warning" heading={`Submit order ${order.number} now?`}>
            <s-text>
              Orderlane sends it to its providers right away, without waiting for the countdown. It
              cannot be taken back.
            </s-text>
            <s-button
              slot="secondary-actions"
              variant="primary"
              loading={busy === "submit"}
              disabled={busy !== null}
              onClick={() => onAction("submit")}
            >
              Yes, submit now
            </s-button>
            <s-button slot="secondary-actions" disabled={busy !== null} onClick={onCancelSubmit}>
              Cancel
            </s-button>
          </s-banner>
        ) : null}

        <s-stack direction="inline" gap="small-200">
          <s-button
            variant="primary"
            disabled={!submit.allowed || busy !== null || confirmSubmit}
            onClick={onAskSubmit}
          >
            {submit.label}
          </s-button>
          <s-button
            loading={busy === holdOrRelease}
            disabled={!toggle.allowed || busy !== null}
            onClick={() => onAction(holdOrRelease)}
          >
            {toggle.label}
          </s-button>
          <s-button href={order.openHref}>Open in Orderlane</s-button>
        </s-stack>
        {!submit.allowed && submit.reason ? (
          <s-text color="subdued">{whyNot(submit.label, submit.reason)}</s-text>
        ) : null}
        {!toggle.allowed && toggle.reason ? (
          <s-text color="subdued">{whyNot(toggle.label, toggle.reason)}</s-text>
        ) : null}
      </s-stack>
    </s-admin-block>
  );
}

function Tracking({ tracking }: { tracking: AdminTrackingLink }) {
  const label = `${tracking.carrier ? `${tracking.carrier} ` : ""}${tracking.number}`;
  return (
    <s-stack direction="inline" gap="small-200">
      {tracking.url ? (
        <s-link href={tracking.url} target="_blank">
          {label}
        </s-link>
      ) : (
        <s-text>{label}</s-text>
      )}
      <s-text color="subdued">{`shipped ${tracking.shippedAt}`}</s-text>
    </s-stack>
  );
}
