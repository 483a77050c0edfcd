// The benches that claim to measure production start the app the way package.json's scripts do
// (`npm start`, `npm run worker`, `npm run web`): this reads the node flags and arguments from the
// script itself, so a flag changed there is a flag the benches measure. BENCH_NODE_FLAGS adds flags
// after them (the later one wins), to compare, e.g. `BENCH_NODE_FLAGS=--max-semi-space-size=64`.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** `node`'s arguments in `npm run <script>`, e.g. ["--enable-source-maps", "server/start.js", "--role=worker"]. */
export function productionNodeArgs(script: "start" | "worker" | "web"): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts[script] ?? "").trim().split(/\s+/);
  const node = words.indexOf("node");
  const entry = words.indexOf("server/start.js");
  if (node < 0 || entry < node) {
    throw new Error(`package.json's "${script}" script no longer reads "node … server/start.js"`);
  }
  const extra = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  return [...words.slice(node + 1, entry), ...extra, ...words.slice(entry)];
}

/**
 * Spawns a process of the app (or a baseline) in its own group, with the project as its working
 * folder, and resolves with the URL it prints; its stderr is echoed under the label.
 */
export function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  label: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = ready.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => {
      output += d.toString();
      process.stderr.write(`[${label}] ${d}`);
    });
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}:\n${output}`)));
  });
}

/** Stops a process started by startProcess and everything it started: TERM, then KILL after 15 s. */
export async function stopProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}
