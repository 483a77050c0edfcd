// The submit bench's provider: the built-in sandbox in a process of its own, so the CPU it spends
// accepting purchase orders is not taken from the bench's own process (which also measures the
// provider floor), and its pace is that of a separate service. Talks to the bench over IPC: it
// sends { url } once listening, and answers "stats" with { stats }.
import { startSandboxProvider } from "~/fulfillment/sandbox/sandbox-provider.server";

const secret = process.env.SANDBOX_SECRET;
if (!secret || !process.send) {
  console.error("run by bench/submit-orders.ts, with SANDBOX_SECRET and an IPC channel");
  process.exit(2);
}
const sandbox = await startSandboxProvider({
  secret,
  port: 0,
  // Nothing ships during a bench: only acceptance is measured.
  shipDelayMs: 3_600_000,
  log: { info: () => {}, warn: () => {}, error: console.error },
});
process.on("message", (message) => {
  if (message === "stats") process.send!({ stats: sandbox.stats() });
});
process.on("SIGTERM", () => void sandbox.close().finally(() => process.exit(0)));
process.send({ url: sandbox.url });
