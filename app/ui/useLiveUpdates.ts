// Keeps an open page in step with the database: when anything the shop's pages show changes (a
// webhook, a provider event, another tab), the page's loaders run again, without a reload.
//
// The stream (/app/live, Server-Sent Events) is read with fetch rather than EventSource: inside the
// Shopify admin, App Bridge adds the session token to fetch requests only.
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

export const LIVE_PATH = "/app/live";
/** Changes closer together than this cause one reload of the page's data. */
const DEBOUNCE_MS = 200;
const MAX_BACKOFF_MS = 30_000;

export function useLiveUpdates(): void {
  const revalidator = useRevalidator();
  // The latest revalidator, without restarting the stream every time its state changes.
  const latest = useRef(revalidator);
  latest.current = revalidator;

  useEffect(() => {
    const controller = new AbortController();
    let debounce: ReturnType<typeof setTimeout> | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let failures = 0;

    const refresh = () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = null;
        // A reload already under way would return stale data: go again once it settles.
        if (latest.current.state !== "idle") return refresh();
        latest.current.revalidate();
      }, DEBOUNCE_MS);
    };

    const connect = async () => {
      let reconnectedAfterLoss = failures > 0;
      try {
        const response = await fetch(LIVE_PATH, {
          headers: { Accept: "text/event-stream" },
          signal: controller.signal,
          cache: "no-store",
        });
        if (!response.ok || !response.body) throw new Error(`live updates: ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            if (event === "ready") {
              failures = 0;
              // Changes made while disconnected were never announced: read once to catch up.
              if (reconnectedAfterLoss) refresh();
              reconnectedAfterLoss = false;
            } else if (event === "change") {
              refresh();
            }
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      failures++;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures - 1, 5));
      retry = setTimeout(() => void connect(), delay * (0.75 + Math.random() / 2));
    };

    void connect();
    return () => {
      controller.abort();
      if (debounce) clearTimeout(debounce);
      if (retry) clearTimeout(retry);
    };
  }, []);
}
