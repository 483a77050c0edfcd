// Import: the owner brings in orders from the cart (all, a date range, or a list of ids) and
// watches the run's progress; a stopped run says where it stopped and can be resumed.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import {
  IMPORT_LEASE_SECONDS,
  MAX_IMPORT_IDS,
  listImportRuns,
  missingIds,
  parseImportInput,
  progressText,
  resumeImport,
  startImport,
  unchangedCount,
  type ImportRunRow,
} from "~/orders/import.server";
import { requireOwner } from "~/shops/owner.server";
import { formatOrderTime } from "~/ui/format";
import { SubmitButton } from "~/ui/FormFields";
import {
  ImportRunCard,
  importOutcomeWords,
  importStatusWords,
  isImportActive,
  type ImportRunView,
} from "~/ui/ImportRunCard";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Banner, ChoiceList, InlineStack, Text, TextField } from "~/ui/primitives";
import { RecordTable } from "~/ui/RecordTable";
import { ListCard, SectionCard } from "~/ui/SectionCard";
import { useLiveUpdates } from "~/ui/useLiveUpdates";
import { shopSettings } from "~/orders/core/shop-settings";

export const meta: MetaFunction = () => [{ title: "Import orders · Orderlane" }];

function describe(run: ImportRunRow): string {
  const p = run.params;
  switch (run.mode) {
    case "all":
      return "All orders";
    case "range":
      return `Created ${dayWords(p.from)} to ${dayWords(p.to)}`;
    case "ids": {
      const ids = Array.isArray(p.ids) ? p.ids.map(String) : [];
      const shown = ids.slice(0, 5).join(", ");
      return `By IDs: ${shown}${ids.length > 5 ? ` and ${ids.length - 5} more` : ""}`;
    }
  }
}

/** A day the owner picked ("2026-11-01"), as the page writes dates ("Nov 1, 2026"). */
function dayWords(value: unknown): string {
  const day = String(value).slice(0, 10);
  const at = new Date(`${day}T12:00:00Z`);
  return Number.isNaN(at.getTime())
    ? day
    : new Intl.DateTimeFormat("en-US", {
        timeZone: "UTC",
        month: "short",
        day: "numeric",
        year: "numeric",
      }).format(at);
}

function view(run: ImportRunRow, timeZone: string, now: number): ImportRunView {
  // A running import whose row stopped moving lost its worker; Resume carries it on.
  const stalled =
    run.status === "running" && now - run.updatedAt.getTime() > IMPORT_LEASE_SECONDS * 1000;
  return {
    id: run.id,
    what: describe(run),
    status: stalled ? "stalled" : run.status,
    done: run.done,
    total: run.total,
    progress: progressText(run),
    created: run.created,
    updated: run.updated,
    unchanged: unchangedCount(run),
    skipped: run.skipped,
    notice: run.notice,
    error: stalled
      ? `Stopped after ${progressText(run)}: the import stopped responding (the worker was restarted)`
      : run.error,
    missing: missingIds(run),
    startedAt: formatOrderTime(run.createdAt, timeZone),
    finishedAt: run.finishedAt ? formatOrderTime(run.finishedAt, timeZone) : null,
  };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const runs = await listImportRuns(context, owner.shop.id, 10);
  const now = Date.now();
  return {
    shopName: owner.shop.name,
    maxIds: MAX_IMPORT_IDS,
    runs: runs.map((run) => view(run, shopSettings(owner.shop).timezone, now)),
  };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start") }),
  z.object({ intent: z.literal("resume"), runId: z.string().uuid() }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  const intent = intentSchema.safeParse({
    intent: text("intent") ?? "start",
    runId: text("runId"),
  });
  if (!intent.success) {
    return Response.json(
      { ok: false, field: "form", message: "Unknown action, or no import named" },
      { status: 400 },
    );
  }
  if (intent.data.intent === "resume") {
    const outcome = await resumeImport(context, owner.shop.id, intent.data.runId);
    if (!outcome.ok) {
      const status = outcome.reason === "not_found" ? 404 : 409;
      return Response.json({ ok: false, field: "form", message: outcome.message }, { status });
    }
    return Response.json({ ok: true, runId: outcome.run.id });
  }
  const input = parseImportInput({
    mode: text("mode"),
    ids: text("ids"),
    from: text("from"),
    to: text("to"),
  });
  if (!input.ok) {
    return Response.json(
      { ok: false, field: input.field, message: input.message },
      { status: 400 },
    );
  }
  const outcome = await startImport(context, owner.shop.id, input.request, {
    actor: "owner",
    name: owner.name,
    isAccountAdmin: owner.isAccountAdmin,
  });
  if (!outcome.ok) {
    return Response.json({ ok: false, field: "form", message: outcome.message }, { status: 409 });
  }
  return Response.json({ ok: true, runId: outcome.run.id });
}

type ActionData = { ok: true; runId: string } | { ok: false; field: string; message: string };

export default function ImportOrders() {
  const { runs, maxIds } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  useLiveUpdates();
  const [mode, setMode] = useState<"all" | "range" | "ids">("all");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [ids, setIds] = useState("");

  const latest = runs[0];
  const active = isImportActive(latest);
  // While a run is under way the page asks again every second; live updates make it sooner.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  const error = result && !result.ok ? result : null;
  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  const submitting = navigation.state === "submitting";

  return (
    <PageFrame title="Import orders" back={{ label: "Orders", url: "/app" }}>
      <PageColumns
        below={
          runs.length > 1 ? (
            <ListCard>
              <RecordTable
                columns={[
                  { heading: "Started" },
                  { heading: "What" },
                  { heading: "Status" },
                  { heading: "Progress" },
                  { heading: "Outcome" },
                ]}
                rows={runs
                  .slice(1)
                  .map((run) => [
                    run.startedAt,
                    run.what,
                    importStatusWords(run.status),
                    run.progress,
                    run.error ?? importOutcomeWords(run),
                  ])}
              />
            </ListCard>
          ) : null
        }
      >
        {error?.field === "form" || error?.field === "mode" ? (
          <Banner tone="critical" title={error.message} />
        ) : null}
        <SectionCard post={{ intent: "start", mode }}>
          <ChoiceList
            title="Which orders"
            choices={[
              { label: "All orders the cart has", value: "all" },
              { label: "By range: created between two days", value: "range" },
              { label: "By IDs: order numbers or ids", value: "ids" },
            ]}
            selected={[mode]}
            onChange={(selected) => setMode((selected[0] as typeof mode) ?? "all")}
          />
          {mode === "range" ? (
            <InlineStack gap="400">
              <TextField
                label="From"
                type="date"
                name="from"
                value={from}
                onChange={setFrom}
                autoComplete="off"
                error={fieldError("from")}
              />
              <TextField
                label="To"
                type="date"
                name="to"
                value={to}
                onChange={setTo}
                autoComplete="off"
                helpText="Both days included (UTC)"
                error={fieldError("to")}
              />
            </InlineStack>
          ) : null}
          {mode === "ids" ? (
            <TextField
              label="Order numbers or ids"
              name="ids"
              value={ids}
              onChange={setIds}
              multiline={4}
              autoComplete="off"
              helpText={`Separated by commas, spaces or new lines; up to ${maxIds.toLocaleString("en-US")}`}
              error={fieldError("ids")}
            />
          ) : null}
          <Text as="p" tone="subdued">
            Importing again updates orders already here and never duplicates them. Archived orders
            stay archived; deleted ones come back.
          </Text>
          <InlineStack>
            <SubmitButton busy={submitting} disabled={active}>
              Start import
            </SubmitButton>
          </InlineStack>
        </SectionCard>
        {latest ? <ImportRunCard run={latest} /> : null}
      </PageColumns>
    </PageFrame>
  );
}
