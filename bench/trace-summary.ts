// Where a traced interaction's main-thread time went (traces from BENCH_VITALS_TRACE=<dir>):
// `node --import tsx bench/trace-summary.ts <trace.json>...`. Per file, the renderer's main thread
// between the first input event and the end: time by task kind, each layout (how many objects it
// had to lay out, and the script that forced it), and each style recalculation (elements touched).
import fs from "node:fs";

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    beginData?: {
      dirtyObjects?: number;
      totalObjects?: number;
      stackTrace?: { functionName: string; url: string; lineNumber: number }[];
    };
    elementCount?: number;
    data?: { type?: string };
  };
}

for (const file of process.argv.slice(2)) {
  const { traceEvents } = JSON.parse(fs.readFileSync(file, "utf8")) as {
    traceEvents: TraceEvent[];
  };
  const main = traceEvents.find(
    (e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain",
  );
  if (!main) {
    console.log(`${file}: no renderer main thread`);
    continue;
  }
  const onMain = traceEvents.filter(
    (e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X",
  );
  const totals = new Map<string, { ms: number; count: number }>();
  for (const e of onMain) {
    const t = totals.get(e.name) ?? { ms: 0, count: 0 };
    t.ms += (e.dur ?? 0) / 1000;
    t.count += 1;
    totals.set(e.name, t);
  }
  const tasks = onMain.filter((e) => e.name === "RunTask");
  const long = tasks.filter((e) => (e.dur ?? 0) > 16_000);
  console.log(`\n${file}`);
  console.log(
    `  tasks over 16 ms: ${long.map((t) => ((t.dur ?? 0) / 1000).toFixed(0)).join(", ")} ms`,
  );
  // The input events inside each task over 50 ms, with their handlers' time (React renders a
  // discrete event's updates in the same task, so a slow render shows under its event).
  for (const task of long.filter((t) => (t.dur ?? 0) > 50_000)) {
    const end = task.ts + (task.dur ?? 0);
    const events = onMain.filter(
      (e) => e.name === "EventDispatch" && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end,
    );
    const slow = events.filter((e) => (e.dur ?? 0) > 5_000);
    if (slow.length === 0) continue;
    console.log(
      `  task of ${((task.dur ?? 0) / 1000).toFixed(0)} ms: ` +
        slow.map((e) => `${e.args?.data?.type} ${((e.dur ?? 0) / 1000).toFixed(0)} ms`).join(", "),
    );
  }
  const kinds = [
    "EventDispatch",
    "FunctionCall",
    "TimerFire",
    "FireAnimationFrame",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "ParseHTML",
    "MinorGC",
    "MajorGC",
  ];
  console.log(
    "  " +
      kinds
        .filter((k) => totals.has(k))
        .map((k) => `${k} ${totals.get(k)!.ms.toFixed(0)} ms (${totals.get(k)!.count})`)
        .join(", "),
  );
  for (const e of onMain.filter((e) => e.name === "Layout" && (e.dur ?? 0) > 2000)) {
    const b = e.args?.beginData;
    const by = b?.stackTrace?.[0];
    console.log(
      `  layout ${((e.dur ?? 0) / 1000).toFixed(1)} ms, ${b?.dirtyObjects}/${b?.totalObjects} objects` +
        (by
          ? `, forced by ${by.functionName || "(anonymous)"} ${by.url.split("/").pop()}:${by.lineNumber}`
          : ""),
    );
  }
  for (const e of onMain.filter((e) => e.name === "UpdateLayoutTree" && (e.dur ?? 0) > 2000)) {
    const b = e.args?.beginData;
    const by = b?.stackTrace?.[0];
    console.log(
      `  style ${((e.dur ?? 0) / 1000).toFixed(1)} ms, ${e.args?.elementCount ?? "?"} elements` +
        (by
          ? `, forced by ${by.functionName || "(anonymous)"} ${by.url.split("/").pop()}:${by.lineNumber}`
          : ""),
    );
  }
}
