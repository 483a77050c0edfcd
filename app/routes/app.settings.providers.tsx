import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import type { ProviderKind } from "~/fulfillment/provider";
import {
  CONFIGURABLE_KINDS,
  CREDENTIAL_FIELDS,
  KIND_LABELS,
  PRODUCT_FIELDS,
  isConfigurableKind,
} from "~/fulfillment/provider-kinds";
import { removeProvider, saveProvider, summarise } from "~/fulfillment/provider-settings.server";
import { listProviders } from "~/fulfillment/providers.server";
import { listDistributors } from "~/fulfillment/dropship/distributors.server";
import { PROTOCOL_LABELS, scheduleWords } from "~/fulfillment/dropship/feed-settings";
import { rowsFromForm, rulesToRows, saveRoutingRules } from "~/fulfillment/routing-rules.server";
import { shopSettings } from "~/orders/core/shop-settings";
import { requireOwner } from "~/shops/owner.server";
import { SubmitButton } from "~/ui/FormFields";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Banner, Checkbox, Select, Text, TextField } from "~/ui/primitives";
import { ProviderCard } from "~/ui/ProviderCard";
import { RoutingRulesForm } from "~/ui/RoutingRulesForm";
import { SectionCard } from "~/ui/SectionCard";

export const meta: MetaFunction = () => [{ title: "Providers · Settings · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const rows = await listProviders(context.db, owner.shop.id);
  const timezone = shopSettings(owner.shop).timezone;
  const feeds = Object.fromEntries(
    (await listDistributors(context, owner.shop.id)).map((d) => [
      d.id,
      {
        url: `/app/settings/distributors/${d.id}`,
        alert: d.feed?.alert ? `Last feed run failed: ${d.feed.alert.message}` : null,
        summary: d.feed
          ? `Feed: ${PROTOCOL_LABELS[d.feed.protocol]}, ${scheduleWords(d.feed.schedule.hour, timezone).toLowerCase()}`
          : "Feed not set up yet",
      },
    ]),
  );
  return {
    feeds,
    providers: rows.map((row) => summarise(context, row)),
    kinds: CONFIGURABLE_KINDS.map((kind) => ({ kind, label: KIND_LABELS[kind] })),
    credentialFields: CREDENTIAL_FIELDS,
    rules: rulesToRows(shopSettings(owner.shop).routingRules),
    ruleProviders: rows.map((row) => ({
      id: row.id,
      name: row.name,
      enabled: row.enabled,
      isDefault: row.isDefault,
      productLabel: PRODUCT_FIELDS[row.kind].label,
      productRequired: PRODUCT_FIELDS[row.kind].required,
    })),
  };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), providerId: z.string().optional() }),
  z.object({ intent: z.literal("remove"), providerId: z.string().min(1) }),
  z.object({ intent: z.literal("routing"), providerId: z.unknown() }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const intent = intentSchema.safeParse({
    intent: form.get("intent"),
    providerId: form.get("providerId") || undefined,
  });
  if (!intent.success) {
    return Response.json({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  }
  if (intent.data.intent === "routing") {
    const rows = rowsFromForm(form);
    if (!rows) {
      return Response.json(
        { ok: false, routingErrors: { form: "Every rule needs its three fields" } },
        { status: 400 },
      );
    }
    const saved = await saveRoutingRules(context, owner.shop.id, rows);
    return saved.ok
      ? Response.json({ ok: true, rulesSaved: saved.rules.length, savedAt: Date.now() })
      : Response.json({ ok: false, routingErrors: saved.errors }, { status: 400 });
  }
  if (intent.data.intent === "remove") {
    const outcome = await removeProvider(context, owner.shop.id, intent.data.providerId);
    if (outcome === "not_found") {
      return Response.json(
        { ok: false, errors: { form: "That provider does not exist" } },
        { status: 404 },
      );
    }
    return Response.json({ ok: true, removed: outcome });
  }
  const credentials: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith("credentials.") && typeof value === "string") {
      credentials[key.slice("credentials.".length)] = value;
    }
  }
  const result = await saveProvider(
    context,
    owner.shop.id,
    {
      name: form.get("name"),
      kind: form.get("kind"),
      endpoint: form.get("endpoint"),
      credentials,
      settings: form.get("settings"),
      // A ticked box is sent, an unticked one is not; what it carries does not matter.
      isDefault: form.has("isDefault"),
    },
    intent.data.providerId,
  );
  if (!result.ok) {
    return "notFound" in result
      ? Response.json(
          { ok: false, errors: { form: "That provider does not exist" } },
          { status: 404 },
        )
      : Response.json({ ok: false, errors: result.errors }, { status: 400 });
  }
  return Response.json({
    ok: true,
    saved: result.provider.name,
    savedAt: Date.now(),
    newSecret: result.newSecret,
  });
}

type ActionData =
  | { ok: false; errors?: Record<string, string>; routingErrors?: Record<string, string> }
  | {
      ok: true;
      saved?: string;
      savedAt?: number;
      newSecret?: string | null;
      removed?: "deleted" | "disabled";
      /** How many routing rules were saved. */
      rulesSaved?: number;
    };

// One object for "no errors", so the rules form sees a new answer only when there is one.
const NO_ERRORS: Record<string, string> = {};

export default function ProviderSettings() {
  const { providers, kinds, credentialFields, rules, ruleProviders, feeds } =
    useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const editing = providers.find((p) => p.id === params.get("edit"));
  const errors = (result && !result.ok ? result.errors : undefined) ?? {};
  const routingErrors = (result && !result.ok ? result.routingErrors : undefined) ?? NO_ERRORS;
  const sending = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;

  return (
    <PageFrame title="Providers" back={{ label: "Orders", url: "/app" }}>
      <PageColumns
        aside={
          <ProviderForm
            // A save starts a fresh form: typed secrets do not linger in the page.
            key={`${editing?.id ?? "new"}-${result?.ok ? (result.savedAt ?? 0) : 0}`}
            editing={editing}
            kinds={kinds}
            credentialFields={credentialFields}
            errors={errors}
            busy={sending === "save"}
          />
        }
      >
        {result?.ok && result.saved ? (
          <Banner tone="success" title={`${result.saved} saved`}>
            {result.newSecret ? (
              <p>
                Its signing secret, shown this once: <code>{result.newSecret}</code>. Give it to the
                provider so it can check our requests and sign its events.
              </p>
            ) : null}
          </Banner>
        ) : null}
        {result?.ok && result.removed ? (
          <Banner
            tone="info"
            title={result.removed === "deleted" ? "Provider removed" : "Provider disabled"}
          >
            {result.removed === "disabled"
              ? "It already received orders, so it is kept (disabled) for their history."
              : null}
          </Banner>
        ) : null}
        {result?.ok && result.rulesSaved !== undefined ? (
          <Banner tone="success" title="Routing rules saved">
            {result.rulesSaved === 0
              ? "Every item now goes to the default provider."
              : `${result.rulesSaved} rule${result.rulesSaved === 1 ? "" : "s"}, applied from the next validation: Revalidate an order in Error to check it again.`}
          </Banner>
        ) : null}
        {Object.keys(routingErrors).length > 0 ? (
          <Banner tone="critical" title="Some routing rules need fixing; nothing was saved" />
        ) : null}
        {errors.form ? <Banner tone="critical" title={errors.form} /> : null}
        {providers.length === 0 ? (
          <SectionCard>
            <Text as="p">
              No providers yet. Add the printer, warehouse or distributor that makes your orders;
              items go to the default provider unless a routing rule says otherwise.
            </Text>
          </SectionCard>
        ) : (
          providers.map((provider) => {
            const kind = provider.kind;
            const labelOf = (key: string) =>
              credentialFields[kind]?.find((f) => f.key === key)?.label ?? key;
            return (
              <ProviderCard
                key={provider.id}
                provider={{
                  ...provider,
                  kindLabel: KIND_LABELS[kind] ?? provider.kind,
                  savedCredentials: provider.savedCredentials.map(labelOf),
                  feed: feeds[provider.id],
                }}
              />
            );
          })
        )}
        <RoutingRulesForm
          // A save starts from what was stored; a refused save keeps the rows as typed.
          key={`rules-${result?.ok && result.rulesSaved !== undefined ? (result.savedAt ?? 0) : 0}`}
          rules={rules}
          providers={ruleProviders}
          errors={routingErrors}
          busy={sending === "routing"}
        />
      </PageColumns>
    </PageFrame>
  );
}

function ProviderForm({
  editing,
  kinds,
  credentialFields,
  errors,
  busy,
}: {
  editing: ReturnType<typeof useLoaderData<typeof loader>>["providers"][number] | undefined;
  kinds: { kind: ProviderKind; label: string }[];
  credentialFields: Record<ProviderKind, { key: string; label: string }[]>;
  errors: Record<string, string>;
  busy: boolean;
}) {
  const [kind, setKind] = useState<ProviderKind>(editing?.kind ?? "http");
  const [name, setName] = useState(editing?.name ?? "");
  const [endpoint, setEndpoint] = useState(editing?.endpoint ?? "");
  const [settings, setSettings] = useState(editing?.settings ?? "{}");
  const [isDefault, setIsDefault] = useState(editing?.isDefault ?? false);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  // The sandbox and distributors are set up by Orderlane, not added here: one being edited keeps
  // its type and address, and only its name, options and default flag change.
  const fixed = editing !== undefined && !isConfigurableKind(editing.kind);

  return (
    <SectionCard
      title={editing ? `Edit ${editing.name}` : "Add a provider"}
      fields
      post={{ intent: "save", providerId: editing?.id, kind: fixed ? kind : undefined }}
    >
      {fixed ? (
        <Select
          label="Type"
          options={[{ label: KIND_LABELS[kind], value: kind }]}
          value={kind}
          disabled
          helpText="Set up by Orderlane: its type and address cannot be changed here"
        />
      ) : (
        <Select
          label="Type"
          name="kind"
          options={kinds.map((k) => ({ label: k.label, value: k.kind }))}
          value={kind}
          onChange={(v) => setKind(v as ProviderKind)}
          error={errors.kind}
        />
      )}
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={setName}
        autoComplete="off"
        error={errors.name}
      />
      {kind === "http" ? (
        <TextField
          label="Base URL"
          name="endpoint"
          value={endpoint}
          onChange={setEndpoint}
          placeholder="https://provider.example/api"
          autoComplete="off"
          error={errors.endpoint}
        />
      ) : null}
      {credentialFields[kind].map((field) => (
        <TextField
          key={field.key}
          label={field.label}
          name={`credentials.${field.key}`}
          type="password"
          value={secrets[field.key] ?? ""}
          onChange={(v) => setSecrets((s) => ({ ...s, [field.key]: v }))}
          placeholder={
            editing?.savedCredentials.includes(field.key) ? "Saved: leave blank to keep" : ""
          }
          autoComplete="off"
          error={errors[`credentials.${field.key}`]}
        />
      ))}
      <TextField
        label="Settings (JSON)"
        name="settings"
        value={settings}
        onChange={setSettings}
        multiline={4}
        monospaced
        helpText="Options the provider's documentation names (such as its shipping method), written as JSON. Which provider makes a SKU, and its product there, go in Routing rules."
        autoComplete="off"
        error={errors.settings}
      />
      <Checkbox
        label="Default provider"
        name="isDefault"
        value="on"
        checked={isDefault}
        onChange={setIsDefault}
      />
      <SubmitButton busy={busy}>{editing ? "Save" : "Add provider"}</SubmitButton>
    </SectionCard>
  );
}
