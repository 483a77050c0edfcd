// What the three admin extensions show alike: the client to the app's backend, badges in the
// contract's tones, the countdown counted from the server's clock, and the "Orderlane is not
// answering" banner with its retry. Preact and Polaris web components only (no app code: the
// extensions are bundled on their own).
import { useEffect, useRef, useState } from "preact/hooks";
import {
  createAdminClient,
  type AdminClient,
  type AdminCountdown,
  type AdminResult,
  type Tone,
} from "./admin-api";

/**
 * The client on the admin's `fetch`, which resolves relative paths against the app's URL and adds
 * the session token. Read at call time, so a stand-in installed by a test is the one used.
 */
export function adminClient(): AdminClient {
  return createAdminClient({ fetch: (input, init) => fetch(input, init) });
}

/** Why a button is not offered, led by its label unless the reason already starts with it. */
export function whyNot(label: string, reason: string): string {
  return reason.toLowerCase().startsWith(label.toLowerCase()) ? reason : `${label}: ${reason}`;
}

export type BadgeTone = "success" | "critical" | "info" | "warning" | "neutral";

/** The contract's tones, as the admin's badges and banners name them. */
export function badgeTone(tone: Tone): BadgeTone {
  return tone === "attention" ? "warning" : tone;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Time left as the order page shows it: "1:04:09", or "04:09" under an hour. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/**
 * Milliseconds left on a running countdown, ticking each second against the server's clock: the
 * difference between `serverNow` and this browser's clock is taken once, when the order arrives, so
 * a wrong clock on the owner's computer shows the same time the server will act on.
 */
export function useTimeLeft(countdown: AdminCountdown, serverNow: string): number | null {
  const deadline = countdown.kind === "running" ? Date.parse(countdown.deadline) : null;
  const offset = useRef(0);
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    offset.current = Date.parse(serverNow) - Date.now();
    setNow(Date.parse(serverNow));
    if (deadline === null) return;
    const timer = setInterval(() => setNow(Date.now() + offset.current), 1000);
    return () => clearInterval(timer);
  }, [serverNow, deadline]);
  return deadline === null ? null : Math.max(0, deadline - now);
}

/** One line for the countdown, for a collapsed block or a modal's summary. */
export function countdownLine(countdown: AdminCountdown, timeLeft: number | null): string {
  if (countdown.kind === "running") {
    return timeLeft !== null && timeLeft > 0
      ? `Submits automatically in ${formatClock(timeLeft)}`
      : "Submitting now";
  }
  if (countdown.kind === "paused") return `Paused with ${formatClock(countdown.remainingMs)} left`;
  return countdown.title ?? "Not submitted automatically";
}

export function CountdownView({
  countdown,
  serverNow,
}: {
  countdown: AdminCountdown;
  serverNow: string;
}) {
  const timeLeft = useTimeLeft(countdown, serverNow);
  if (countdown.kind === "running") {
    return (
      <s-stack gap="small-300">
        <s-text color="subdued">Submits automatically in</s-text>
        <s-heading>
          <span role="timer" data-testid="countdown">
            {timeLeft !== null && timeLeft > 0 ? formatClock(timeLeft) : "Submitting now…"}
          </span>
        </s-heading>
      </s-stack>
    );
  }
  if (countdown.kind === "paused") {
    return (
      <s-stack gap="small-300">
        <s-stack direction="inline" gap="small-200">
          <s-badge tone="warning">Paused</s-badge>
        </s-stack>
        <s-text data-testid="countdown">
          {`Paused — ${formatClock(countdown.remainingMs)} left. Release continues the countdown.`}
        </s-text>
      </s-stack>
    );
  }
  return (
    <s-stack gap="small-300">
      <s-text type="strong">{countdown.title ?? "Not submitted automatically"}</s-text>
      <s-text color="subdued">{countdown.reason}</s-text>
    </s-stack>
  );
}

type Failure = Extract<AdminResult<unknown>, { ok: false }>;

/** The backend did not answer, or refused: say so in its words, and offer to try again. */
export function ProblemBanner({
  failure,
  onRetry,
  retryLabel = "Try again",
}: {
  failure: Failure;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  const heading =
    failure.status === 0 || failure.status >= 500
      ? "Orderlane is not answering"
      : failure.status === 401
        ? "Not signed in to Orderlane"
        : "Orderlane could not do that";
  return (
    <s-banner tone="critical" heading={heading}>
      <s-text>{failure.message}</s-text>
      {onRetry ? (
        <s-button slot="secondary-actions" onClick={onRetry}>
          {retryLabel}
        </s-button>
      ) : null}
    </s-banner>
  );
}
