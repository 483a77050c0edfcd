// "Submit or hold in Orderlane", in the More actions menu of Shopify's order page: a modal that
// says where the order stands, asks the owner to confirm Submit now or Hold / Release, and then says
// what happened in the owner's words. What is allowed is the backend's answer (the lifecycle table).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import {
  orderGid,
  type AdminAction,
  type AdminOrder,
  type AdminResult,
} from "../../shared/admin-api";
import { adminClient, countdownLine, ProblemBanner, useTimeLeft, whyNot } from "../../shared/ui";

export default function extension() {
  render(<OrderAction />, document.body);
}

type Failure = Extract<AdminResult<unknown>, { ok: false }>;

type Step =
  | { kind: "loading" }
  | { kind: "failed"; failure: Failure }
  | { kind: "unknown"; message: string }
  | { kind: "choose"; order: AdminOrder }
  | { kind: "confirm"; order: AdminOrder; action: AdminAction; sending: boolean }
  | { kind: "done"; order: AdminOrder; message: string }
  | { kind: "refused"; order: AdminOrder; action: AdminAction; failure: Failure };

/** The question, with the button's own label (the shop may word Hold its own way). */
function question(action: AdminAction, label: string, number: string): string {
  return action === "submit" ? `Submit order ${number} now?` : `${label} order ${number}?`;
}

const CONFIRM_TEXT: Record<AdminAction, (number: string) => string> = {
  submit: (n) =>
    `Orderlane sends order ${n} to its providers right away, without waiting for the countdown. It cannot be taken back.`,
  hold: (n) =>
    `Order ${n} stays in Orderlane and is not submitted until you release it; its countdown pauses.`,
  release: (n) => `Order ${n} continues: its countdown resumes where it paused.`,
};

function OrderAction() {
  const selected = shopify.data.selected[0]?.id;
  const gid = selected ? orderGid(selected) : null;
  const [step, setStep] = useState<Step>({ kind: "loading" });

  const fetchOrder = useCallback(async () => {
    if (!gid) return;
    setStep({ kind: "loading" });
    const result = await adminClient().getOrder(gid);
    if (result.ok) setStep({ kind: "choose", order: result.data.order });
    else if (result.code === "not_in_orderlane")
      setStep({ kind: "unknown", message: result.message });
    else setStep({ kind: "failed", failure: result });
  }, [gid]);

  useEffect(() => {
    void fetchOrder();
  }, [fetchOrder]);

  async function run(order: AdminOrder, action: AdminAction) {
    setStep({ kind: "confirm", order, action, sending: true });
    const result = await adminClient().runAction(order.gid, action);
    if (result.ok) {
      setStep({ kind: "done", order: result.data.order, message: result.data.message });
    } else {
      setStep({ kind: "refused", order, action, failure: result });
    }
  }

  const close = () => shopify.close();
  const closeButton = (label: string, slot: "primary-action" | "secondary-actions") => (
    <s-button slot={slot} onClick={close}>
      {label}
    </s-button>
  );

  if (!gid) {
    return (
      <s-admin-action heading="Orderlane">
        <s-text>Open an order to submit or hold it in Orderlane.</s-text>
        {closeButton("Close", "primary-action")}
      </s-admin-action>
    );
  }

  switch (step.kind) {
    case "loading":
      return (
        <s-admin-action heading="Orderlane" loading>
          <s-text>Loading the order from Orderlane…</s-text>
          {closeButton("Cancel", "secondary-actions")}
        </s-admin-action>
      );
    case "failed":
      return (
        <s-admin-action heading="Orderlane">
          <ProblemBanner failure={step.failure} />
          <s-button slot="primary-action" onClick={() => void fetchOrder()}>
            Try again
          </s-button>
          {closeButton("Cancel", "secondary-actions")}
        </s-admin-action>
      );
    case "unknown":
      return (
        <s-admin-action heading="Orderlane">
          <s-stack gap="small-200">
            <s-heading>This order is not in Orderlane</s-heading>
            <s-text>{step.message}</s-text>
            <s-text>Import it from the Orderlane card on this page, then submit or hold it.</s-text>
          </s-stack>
          {closeButton("Close", "primary-action")}
        </s-admin-action>
      );
    case "choose":
      return (
        <Choose
          order={step.order}
          onPick={(action) =>
            setStep({ kind: "confirm", order: step.order, action, sending: false })
          }
          onCancel={close}
        />
      );
    case "confirm": {
      const { order, action, sending } = step;
      const label = order.actions[action].label;
      return (
        <s-admin-action heading={`Order ${order.number}`} loading={sending}>
          <s-stack gap="small-200">
            <s-text type="strong">{question(action, label, order.number)}</s-text>
            <s-text>{CONFIRM_TEXT[action](order.number)}</s-text>
          </s-stack>
          <s-button
            slot="primary-action"
            variant="primary"
            loading={sending}
            disabled={sending}
            onClick={() => void run(order, action)}
          >
            {`Yes, ${label.toLowerCase()}`}
          </s-button>
          <s-button
            slot="secondary-actions"
            disabled={sending}
            onClick={() => setStep({ kind: "choose", order })}
          >
            Back
          </s-button>
        </s-admin-action>
      );
    }
    case "done":
      return (
        <s-admin-action heading={`Order ${step.order.number}`}>
          <s-stack gap="small-200">
            <s-banner tone="success" heading={step.message} />
            <Summary order={step.order} />
          </s-stack>
          {closeButton("Done", "primary-action")}
        </s-admin-action>
      );
    case "refused": {
      const { order, action, failure } = step;
      const noAnswer = failure.status === 0 || failure.status >= 500;
      return (
        <s-admin-action heading={`Order ${order.number}`}>
          <s-banner
            tone="critical"
            heading={
              noAnswer
                ? "Orderlane is not answering"
                : failure.code === "already_submitted"
                  ? "Already submitted"
                  : `${order.actions[action].label} refused`
            }
          >
            <s-text>{failure.message}</s-text>
            {noAnswer && action === "submit" ? (
              <s-text>
                Trying again is safe: an order Orderlane already submitted is never sent twice.
              </s-text>
            ) : null}
          </s-banner>
          {noAnswer ? (
            <s-button slot="primary-action" onClick={() => void run(order, action)}>
              Try again
            </s-button>
          ) : (
            closeButton("Close", "primary-action")
          )}
          {noAnswer ? closeButton("Cancel", "secondary-actions") : null}
        </s-admin-action>
      );
    }
  }
}

function Summary({ order }: { order: AdminOrder }) {
  const timeLeft = useTimeLeft(order.countdown, order.serverNow);
  return (
    <s-stack gap="small-300">
      <s-stack direction="inline" gap="small-200">
        <s-badge tone="info">{order.stateLabel}</s-badge>
        <s-badge>{order.submit.label}</s-badge>
      </s-stack>
      <s-text>{countdownLine(order.countdown, timeLeft)}</s-text>
      {order.countdown.kind === "none" ? (
        <s-text color="subdued">{order.countdown.reason}</s-text>
      ) : null}
    </s-stack>
  );
}

function Choose({
  order,
  onPick,
  onCancel,
}: {
  order: AdminOrder;
  onPick: (action: AdminAction) => void;
  onCancel: () => void;
}) {
  const { submit, hold, release } = order.actions;
  const toggleAction: AdminAction = release.allowed && !hold.allowed ? "release" : "hold";
  const toggle = order.actions[toggleAction];
  const reasons = [submit, toggle].filter((a) => !a.allowed && a.reason);
  return (
    <s-admin-action heading={`Order ${order.number} in Orderlane`}>
      <s-stack gap="base">
        <Summary order={order} />
        {reasons.map((a) => (
          <s-text key={a.label} color="subdued">
            {whyNot(a.label, a.reason ?? "")}
          </s-text>
        ))}
        {!submit.allowed && !toggle.allowed ? (
          <s-text>There is nothing to submit or hold on this order now.</s-text>
        ) : null}
      </s-stack>
      <s-button
        slot="primary-action"
        variant="primary"
        disabled={!submit.allowed}
        onClick={() => onPick("submit")}
      >
        {submit.label}
      </s-button>
      <s-button
        slot="secondary-actions"
        disabled={!toggle.allowed}
        onClick={() => onPick(toggleAction)}
      >
        {toggle.label}
      </s-button>
      <s-button slot="secondary-actions" onClick={onCancel}>
        Cancel
      </s-button>
    </s-admin-action>
  );
}
