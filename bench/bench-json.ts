// Every bench prints its figures for a person and, when BENCH_JSON=<file> is set, appends one JSON
// object per bench to that file (one object per line) so runs can be compared by a script. The
// object always says which commit and how busy the machine was, because a figure without those
// cannot be compared with another.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

export interface BenchResult {
  bench: string;
  /** The headline figure divided by its baseline's, measured in the same run. */
  ratio: number;
  lost?: number;
  duplicated?: number;
  [figure: string]: unknown;
}

function currentCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** Appends the bench's result to BENCH_JSON when set; returns what was (or would be) written. */
export function recordBenchResult(result: BenchResult): BenchResult & { commit: string } {
  const [load1, load5, load15] = os.loadavg();
  const written = {
    ...result,
    commit: currentCommit(),
    loadAverage: { load1, load5, load15 },
    cores: os.availableParallelism(),
    at: new Date().toISOString(),
  };
  const file = process.env.BENCH_JSON;
  if (file) fs.appendFileSync(file, `${JSON.stringify(written)}\n`);
  return written;
}
