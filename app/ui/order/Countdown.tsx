// The countdown to automatic submission. The server sends the deadline and its own clock; the page
// ticks from the difference, so every reload (and every owner's browser, whatever its clock) shows
// the same time the server will act on.
import { useEffect, useRef, useState } from "react";
import { useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, InlineStack, Text } from "@shopify/polaris";
import type { Countdown as CountdownData } from "./types";

export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

export function Countdown({
  countdown,
  serverNow,
}: {
  countdown: CountdownData;
  serverNow: string;
}) {
  const serverMs = Date.parse(serverNow);
  // The first render (server and hydration alike) uses the server's clock, so both agree.
  const [now, setNow] = useState(serverMs);
  const offset = useRef(0);
  const revalidator = useRevalidator();
  const askedAtZero = useRef(false);

  useEffect(() => {
    offset.current = serverMs - Date.now();
    setNow(serverMs);
    askedAtZero.current = false;
    if (countdown.kind !== "running") return;
    const timer = setInterval(() => setNow(Date.now() + offset.current), 1000);
    return () => clearInterval(timer);
  }, [serverMs, countdown.kind]);

  const remaining = countdown.kind === "running" ? Date.parse(countdown.deadline) - now : 0;
  useEffect(() => {
    // At zero the worker submits; look again shortly in case live updates are not flowing.
    if (countdown.kind !== "running" || remaining > 0 || askedAtZero.current) return;
    askedAtZero.current = true;
    const timer = setTimeout(() => revalidator.revalidate(), 3000);
    return () => clearTimeout(timer);
  }, [countdown.kind, remaining, revalidator]);

  if (countdown.kind === "running") {
    return (
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          Submits automatically in
        </Text>
        <div
          role="timer"
          aria-label="Time left before automatic submission"
          data-testid="countdown"
        >
          <Text as="p" variant="heading2xl">
            {remaining > 0 ? formatClock(remaining) : "Submitting now…"}
          </Text>
        </div>
      </BlockStack>
    );
  }
  if (countdown.kind === "paused") {
    return (
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone="warning">Paused</Badge>
        </InlineStack>
        <div role="timer" aria-label="Countdown paused" data-testid="countdown">
          <Text as="p" variant="headingLg">
            {`Paused — ${formatClock(countdown.remainingMs)} left`}
          </Text>
        </div>
      </BlockStack>
    );
  }
  return (
    <BlockStack gap="100">
      <Text as="p" fontWeight="semibold">
        {countdown.title ?? "Not submitted automatically"}
      </Text>
      <div data-testid="countdown">
        <Text as="p" tone="subdued">
          {countdown.reason}
        </Text>
      </div>
    </BlockStack>
  );
}
