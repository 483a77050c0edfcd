import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import {
  listDistributors,
  previewFeed,
  queueFeedRun,
  runSummary,
  saveFeed,
} from "~/fulfillment/dropship/distributors.server";
import { listFeedRuns } from "~/fulfillment/dropship/feed-runs.server";
import {
  saveStockChoice,
  saveStockLocation,
  stockChoiceSchema,
  stockLocations,
  stockProductsFor,
} from "~/fulfillment/dropship/stock-products.server";
import {
  COLUMN_LABELS,
  DEFAULT_COLUMNS,
  DEFAULT_PORTS,
  FEED_PROTOCOLS,
  PROTOCOL_LABELS,
  scheduleWords,
  type FeedColumns,
  type FeedProtocol,
} from "~/fulfillment/dropship/feed-settings";
import { HttpError } from "~/http.server";
import { shopSettings } from "~/orders/core/shop-settings";
import { requireOwner } from "~/shops/owner.server";
import { formatOrderTime } from "~/ui/format";
import { FieldRow, SubmitButton } from "~/ui/FormFields";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import {
  Banner,
  BlockStack,
  Button,
  Checkbox,
  InlineStack,
  Select,
  Text,
  TextField,
} from "~/ui/primitives";
import { RecordTable } from "~/ui/RecordTable";
import { SectionCard } from "~/ui/SectionCard";

export const meta: MetaFunction = () => [{ title: "Distributor · Settings · Orderlane" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const distributor = (await listDistributors(context, owner.shop.id)).find(
    (d) => d.id === params.providerId,
  );
  if (!distributor) throw new HttpError(404, "not_found", "No such distributor");
  const timezone = shopSettings(owner.shop).timezone;
  const [runs, stockProducts, location] = await Promise.all([
    listFeedRuns(context, owner.shop.id, distributor.id),
    stockProductsFor(context.db, owner.shop.id, distributor.id),
    stockLocations(context, owner.shop),
  ]);
  return {
    distributor,
    stockProducts,
    location,
    timezone,
    runs: runs.map((run) => ({
      ...runSummary(run),
      startedWords: formatOrderTime(run.startedAt, timezone),
    })),
    alertAt: distributor.feed?.alert ? formatOrderTime(distributor.feed.alert.at, timezone) : null,
    lastSuccessWords: distributor.feed?.lastSuccessAt
      ? formatOrderTime(distributor.feed.lastSuccessAt, timezone)
      : null,
  };
}

const intentSchema = z.enum(["feed", "preview", "run", "stock", "location"]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const intent = intentSchema.safeParse(form.get("intent"));
  const providerId = params.providerId ?? "";
  if (!intent.success) {
    return Response.json({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  }
  if (intent.data === "run") {
    const queued = await queueFeedRun(context, owner.shop.id, providerId);
    return queued === "queued"
      ? Response.json({ ok: true, queued: true })
      : Response.json(
          { ok: false, errors: { form: "Save the feed's settings first" } },
          { status: 404 },
        );
  }
  if (intent.data === "stock") {
    const choice = stockChoiceSchema.safeParse(Object.fromEntries(form));
    if (!choice.success) {
      const errors: Record<string, string> = {};
      for (const issue of choice.error.issues)
        errors[issue.path.join(".") || "form"] ??= issue.message;
      return Response.json({ ok: false, errors }, { status: 400 });
    }
    const saved = await saveStockChoice(context.db, owner.shop.id, providerId, choice.data);
    return saved === "saved"
      ? Response.json({ ok: true, stockSaved: choice.data.sku })
      : Response.json(
          { ok: false, errors: { form: "This distributor does not carry that product" } },
          { status: 404 },
        );
  }
  if (intent.data === "location") {
    const locationId = form.get("locationId");
    const saved = await saveStockLocation(
      context,
      owner.shop,
      typeof locationId === "string" ? locationId : "",
    );
    return saved.ok
      ? Response.json({ ok: true, locationSaved: true })
      : Response.json({ ok: false, errors: { locationId: saved.error } }, { status: 400 });
  }
  if (intent.data === "preview") {
    const preview = await previewFeed(context, owner.shop.id, providerId);
    if (!preview) {
      return Response.json(
        { ok: false, errors: { form: "Save the feed's settings first" } },
        { status: 404 },
      );
    }
    return preview.ok
      ? Response.json({ ok: true, preview: preview.preview })
      : Response.json({ ok: false, errors: { form: preview.error } }, { status: 400 });
  }
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const saved = await saveFeed(context, owner.shop.id, providerId, {
    protocol: text("protocol"),
    host: text("host"),
    port: text("port"),
    path: text("path"),
    scheduleHour: text("scheduleHour"),
    mode: text("mode"),
    delimiter: text("delimiter") === "tab" ? "\t" : text("delimiter"),
    columns: Object.fromEntries(
      (Object.keys(COLUMN_LABELS) as (keyof FeedColumns)[]).map((k) => [k, text(`columns.${k}`)]),
    ),
    enabled: true,
  });
  if (!saved.ok) {
    return "notFound" in saved
      ? Response.json({ ok: false, errors: { form: "No such distributor" } }, { status: 404 })
      : Response.json({ ok: false, errors: saved.errors }, { status: 400 });
  }
  return Response.json({ ok: true, saved: true });
}

type ActionData =
  | { ok: false; errors: Record<string, string> }
  | {
      ok: true;
      saved?: boolean;
      queued?: boolean;
      stockSaved?: string;
      locationSaved?: boolean;
      preview?: { header: string[]; rows: string[][] };
    };

const RUN_STATUS: Record<string, string> = {
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
};

export default function DistributorPage() {
  const { distributor, timezone, runs, alertAt, lastSuccessWords, stockProducts, location } =
    useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const sending = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const errors = result && !result.ok ? result.errors : {};
  const feed = distributor.feed;

  return (
    <PageFrame
      title={distributor.name}
      subtitle="Distributor: its price and stock feed"
      back={{ label: "Providers", url: "/app/settings/providers" }}
    >
      <PageColumns
        aside={
          <FeedForm feed={feed} timezone={timezone} errors={errors} busy={sending === "feed"} />
        }
      >
        {feed?.alert ? (
          <Banner tone="critical" title="The last feed run failed; stock was left as it was">
            <p>
              {feed.alert.message} ({alertAt})
            </p>
          </Banner>
        ) : null}
        {result?.ok && result.saved ? <Banner tone="success" title="Feed settings saved" /> : null}
        {result?.ok && result.queued ? (
          <Banner tone="info" title="Feed run queued">
            It starts within seconds; this page lists it once it has.
          </Banner>
        ) : null}
        {errors.form ? <Banner tone="critical" title={errors.form} /> : null}
        <SectionCard
          title="Feed"
          help={
            feed
              ? `${PROTOCOL_LABELS[feed.protocol]} · ${feed.host}${feed.port ? `:${feed.port}` : ""}${feed.path} · ${scheduleWords(feed.schedule.hour, timezone)} · ${feed.mode === "complete" ? "Complete (items missing from it go to stock 0)" : "Delta (only the rows it has change)"}`
              : "Not set yet: fill in the form beside this to fetch the distributor's feed."
          }
        >
          {feed ? (
            <BlockStack gap="200">
              <Text as="p">
                {lastSuccessWords
                  ? `Stock last updated ${lastSuccessWords}.`
                  : "No run has succeeded yet."}
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="run" />
                <FieldRow>
                  <Button submit variant="primary" loading={sending === "run"}>
                    Run now
                  </Button>
                </FieldRow>
              </Form>
              <Form method="post">
                <input type="hidden" name="intent" value="preview" />
                <Button submit loading={sending === "preview"}>
                  Preview the first rows
                </Button>
              </Form>
            </BlockStack>
          ) : null}
        </SectionCard>
        {result?.ok && result.preview ? (
          <SectionCard
            title="First rows of the feed"
            help="Check the column names here against the mapping in the form."
          >
            <RecordTable
              columns={result.preview.header.map((h) => ({ heading: h }))}
              rows={result.preview.rows.map((r) =>
                result.preview!.header.map((_, i) => r[i] ?? ""),
              )}
            />
          </SectionCard>
        ) : null}
        <StockToCart
          products={stockProducts}
          location={location}
          errors={errors}
          saved={result?.ok ? (result.stockSaved ?? null) : null}
          locationSaved={Boolean(result?.ok && result.locationSaved)}
        />
        <SectionCard title="Runs" help="The last 20 runs, newest first.">
          {runs.length === 0 ? (
            <Text as="p" tone="subdued">
              No runs yet.
            </Text>
          ) : (
            <RecordTable
              columns={[
                { heading: "Started" },
                { heading: "By" },
                { heading: "Result" },
                { heading: "Rows", numeric: true },
                { heading: "Changed", numeric: true },
                { heading: "Rejected", numeric: true },
              ]}
              rows={runs.map((run) => [
                run.startedWords,
                run.trigger === "owner" ? "Run now" : "Schedule",
                <RunResult key={run.id} run={run} />,
                run.rowsRead.toLocaleString("en-US"),
                (run.rowsChanged + run.rowsZeroed).toLocaleString("en-US"),
                run.rowsRejected.toLocaleString("en-US"),
              ])}
            />
          )}
        </SectionCard>
      </PageColumns>
    </PageFrame>
  );
}

function RunResult({
  run,
}: {
  run: ReturnType<typeof useLoaderData<typeof loader>>["runs"][number];
}) {
  return (
    <BlockStack gap="100">
      <Text as="span" tone={run.status === "failed" ? "critical" : undefined}>
        {RUN_STATUS[run.status]}
        {run.error ? `: ${run.error}` : ""}
      </Text>
      {run.rowsZeroed > 0 ? (
        <Text as="span" tone="subdued">
          {run.rowsZeroed} no longer listed, set to stock 0
        </Text>
      ) : null}
      {run.rejected.slice(0, 5).map((r) => (
        <Text as="span" tone="subdued" key={r.line}>
          Line {r.line}: {r.reason}
        </Text>
      ))}
      {run.rowsRejected > 5 ? (
        <Text as="span" tone="subdued">
          …and {run.rowsRejected - 5} more rejected lines
        </Text>
      ) : null}
      {run.stockPush && !run.stockPush.skipped ? (
        <Text as="span" tone={run.stockPush.failed ? "critical" : "subdued"}>
          Stock to cart: {run.stockPush.written} written, {run.stockPush.unchanged} unchanged
          {run.stockPush.failed
            ? `, ${run.stockPush.failed} not written (tried again next run)`
            : ""}
        </Text>
      ) : null}
      {run.stockPush?.skipped ? (
        <Text as="span" tone="caution">
          Stock to cart not written: {run.stockPush.skipped}
        </Text>
      ) : null}
      {run.stockPush?.errors.slice(0, 3).map((e) => (
        <Text as="span" tone="subdued" key={e}>
          {e}
        </Text>
      ))}
    </BlockStack>
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function StockToCart({
  products,
  location,
  errors,
  saved,
  locationSaved,
}: {
  products: LoaderData["stockProducts"];
  location: LoaderData["location"];
  errors: Record<string, string>;
  saved: string | null;
  locationSaved: boolean;
}) {
  return (
    <SectionCard
      title="Stock to your cart"
      help="For the products you choose, after each good feed run the cart shows what all your distributors have in stock, less the buffer you keep back, so listings do not oversell between feeds."
    >
      <BlockStack gap="300">
        {location.needed ? (
          <Form method="post">
            <input type="hidden" name="intent" value="location" />
            <LocationPicker location={location} error={errors.locationId} />
            {locationSaved ? (
              <Text as="p" tone="success">
                Location saved.
              </Text>
            ) : null}
          </Form>
        ) : null}
        {saved ? <Banner tone="success" title={`Saved for ${saved}`} /> : null}
        {products.length === 0 ? (
          <Text as="p" tone="subdued">
            None of your products is carried by this distributor yet (its feed has not listed a SKU
            your orders use).
          </Text>
        ) : (
          <RecordTable
            columns={[
              { heading: "Product" },
              { heading: "In stock at distributors", numeric: true },
              { heading: "Cart shows", numeric: true },
              { heading: "Push stock and buffer" },
            ]}
            rows={products.map((p) => [
              <BlockStack gap="050" key={`${p.sku}-name`}>
                <Text as="span">{p.title ?? p.sku}</Text>
                <Text as="span" tone="subdued">
                  SKU {p.sku}
                </Text>
              </BlockStack>,
              p.distributorStock.toLocaleString("en-US"),
              p.pushStock
                ? p.pushedStock === null
                  ? `${p.toShow} after the next run`
                  : p.pushedStock.toLocaleString("en-US")
                : "Not pushed",
              <StockChoiceForm key={p.sku} product={p} error={errors.safetyBuffer} />,
            ])}
          />
        )}
      </BlockStack>
    </SectionCard>
  );
}

function LocationPicker({
  location,
  error,
}: {
  location: Extract<LoaderData["location"], { needed: true }>;
  error?: string;
}) {
  const [value, setValue] = useState(location.chosen ?? "");
  if (location.error) {
    return (
      <Banner tone="warning" title="Your Shopify locations could not be read">
        {location.error}
      </Banner>
    );
  }
  return (
    <InlineStack gap="200" blockAlign="end">
      <Select
        label="Shopify location that gets the stock"
        name="locationId"
        options={[
          { label: "Choose a location", value: "" },
          ...location.locations.map((l) => ({ label: l.name, value: l.id })),
        ]}
        value={value}
        onChange={setValue}
        error={error}
      />
      <Button submit>Save location</Button>
    </InlineStack>
  );
}

function StockChoiceForm({
  product,
  error,
}: {
  product: LoaderData["stockProducts"][number];
  error?: string;
}) {
  const [push, setPush] = useState(product.pushStock);
  const [buffer, setBuffer] = useState(String(product.safetyBuffer));
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="stock" />
      <input type="hidden" name="sku" value={product.sku} />
      <input type="hidden" name="pushStock" value={push ? "true" : "false"} />
      <InlineStack gap="200" blockAlign="center">
        <Checkbox label="Push" checked={push} onChange={setPush} />
        <TextField
          label="Buffer"
          labelHidden
          name="safetyBuffer"
          type="number"
          min={0}
          value={buffer}
          onChange={setBuffer}
          autoComplete="off"
          error={error}
          suffix="kept back"
        />
        <Button submit size="slim">
          Save
        </Button>
      </InlineStack>
    </Form>
  );
}

const DELIMITERS = [
  { label: "Comma (,)", value: "," },
  { label: "Semicolon (;)", value: ";" },
  { label: "Tab", value: "tab" },
  { label: "Pipe (|)", value: "|" },
];

function FeedForm({
  feed,
  timezone,
  errors,
  busy,
}: {
  feed: ReturnType<typeof useLoaderData<typeof loader>>["distributor"]["feed"];
  timezone: string;
  errors: Record<string, string>;
  busy: boolean;
}) {
  const [protocol, setProtocol] = useState<FeedProtocol>(feed?.protocol ?? "sftp");
  const [host, setHost] = useState(feed?.host ?? "");
  const [port, setPort] = useState(feed?.port ? String(feed.port) : "");
  const [path, setPath] = useState(feed?.path ?? "");
  const [hour, setHour] = useState(String(feed?.schedule.hour ?? 6));
  const [mode, setMode] = useState<string>(feed?.mode ?? "complete");
  const [delimiter, setDelimiter] = useState(
    feed?.delimiter === "\t" ? "tab" : (feed?.delimiter ?? ","),
  );
  const [columns, setColumns] = useState<Record<string, string>>({
    ...DEFAULT_COLUMNS,
    ...(feed?.columns ?? {}),
  });
  return (
    <SectionCard
      title="Feed settings"
      help="The feed server's login is the distributor's user name and password in Providers."
      fields
      post={{ intent: "feed" }}
    >
      <Select
        label="Fetched over"
        name="protocol"
        options={FEED_PROTOCOLS.map((p) => ({ label: PROTOCOL_LABELS[p], value: p }))}
        value={protocol}
        onChange={(v) => setProtocol(v as FeedProtocol)}
        error={errors.protocol}
      />
      <TextField
        label="Server"
        name="host"
        value={host}
        onChange={setHost}
        placeholder="feeds.distributor.example"
        autoComplete="off"
        error={errors.host}
      />
      <TextField
        label="Port"
        name="port"
        value={port}
        onChange={setPort}
        placeholder={String(DEFAULT_PORTS[protocol])}
        autoComplete="off"
        error={errors.port}
      />
      <TextField
        label={protocol === "https" ? "Path of the file's address" : "File's path on the server"}
        name="path"
        value={path}
        onChange={setPath}
        placeholder="/outgoing/inventory.csv"
        autoComplete="off"
        error={errors.path}
      />
      <Select
        label={`Fetched daily at (${timezone.replace(/_/g, " ")})`}
        name="scheduleHour"
        options={Array.from({ length: 24 }, (_, h) => ({ label: `${h}:00`, value: String(h) }))}
        value={hour}
        onChange={setHour}
        error={errors.scheduleHour}
      />
      <Select
        label="The file lists"
        name="mode"
        options={[
          { label: "Every item (missing ones go to stock 0)", value: "complete" },
          { label: "Only changes (a delta)", value: "delta" },
        ]}
        value={mode}
        onChange={setMode}
        error={errors.mode}
      />
      <Select
        label="Columns are separated by"
        name="delimiter"
        options={DELIMITERS}
        value={delimiter}
        onChange={setDelimiter}
        error={errors.delimiter}
      />
      <Text as="h3" variant="headingSm">
        Column mapping: the feed's header for each
      </Text>
      {(Object.keys(COLUMN_LABELS) as (keyof FeedColumns)[]).map((key) => (
        <TextField
          key={key}
          label={
            ["sku", "stock", "cost", "leadTimeDays"].includes(key)
              ? COLUMN_LABELS[key]
              : `${COLUMN_LABELS[key]} (optional)`
          }
          name={`columns.${key}`}
          value={columns[key] ?? ""}
          onChange={(v) => setColumns((c) => ({ ...c, [key]: v }))}
          autoComplete="off"
          error={errors[`columns.${key}`]}
        />
      ))}
      <SubmitButton busy={busy}>Save feed</SubmitButton>
    </SectionCard>
  );
}
