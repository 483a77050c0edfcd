import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import {
  CONFIGURABLE_KINDS,
  CREDENTIAL_FIELDS,
  KIND_LABELS,
  type ConfigurableKind,
} from "~/fulfillment/provider-kinds";
import { removeProvider, saveProvider, summarise } from "~/fulfillment/provider-settings.server";
import { listProviders } from "~/fulfillment/providers.server";
import { requireOwner } from "~/shops/owner.server";
import { SubmitButton } from "~/ui/FormFields";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Banner, Checkbox, Select, Text, TextField } from "~/ui/primitives";
import { ProviderCard } from "~/ui/ProviderCard";
import { SectionCard } from "~/ui/SectionCard";

export const meta: MetaFunction = () => [{ title: "Providers · Settings · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const rows = await listProviders(context.db, owner.shop.id);
  return {
    providers: rows.map((row) => summarise(context, row)),
    kinds: CONFIGURABLE_KINDS.map((kind) => ({ kind, label: KIND_LABELS[kind] })),
    credentialFields: CREDENTIAL_FIELDS,
  };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), providerId: z.string().optional() }),
  z.object({ intent: z.literal("remove"), providerId: z.string().min(1) }),
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
  | { ok: false; errors: Record<string, string> }
  | {
      ok: true;
      saved?: string;
      savedAt?: number;
      newSecret?: string | null;
      removed?: "deleted" | "disabled";
    };

export default function ProviderSettings() {
  const { providers, kinds, credentialFields } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const [params] = useSearchParams();
  const editing = providers.find((p) => p.id === params.get("edit"));
  const errors = result && !result.ok ? result.errors : {};

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
            const kind = provider.kind as ConfigurableKind;
            const labelOf = (key: string) =>
              credentialFields[kind]?.find((f) => f.key === key)?.label ?? key;
            return (
              <ProviderCard
                key={provider.id}
                provider={{
                  ...provider,
                  kindLabel: KIND_LABELS[kind] ?? provider.kind,
                  savedCredentials: provider.savedCredentials.map(labelOf),
                }}
              />
            );
          })
        )}
      </PageColumns>
    </PageFrame>
  );
}

function ProviderForm({
  editing,
  kinds,
  credentialFields,
  errors,
}: {
  editing: ReturnType<typeof useLoaderData<typeof loader>>["providers"][number] | undefined;
  kinds: { kind: ConfigurableKind; label: string }[];
  credentialFields: Record<ConfigurableKind, { key: string; label: string }[]>;
  errors: Record<string, string>;
}) {
  const navigation = useNavigation();
  const [kind, setKind] = useState<ConfigurableKind>(
    (editing?.kind as ConfigurableKind | undefined) ?? "http",
  );
  const [name, setName] = useState(editing?.name ?? "");
  const [endpoint, setEndpoint] = useState(editing?.endpoint ?? "");
  const [settings, setSettings] = useState(editing?.settings ?? "{}");
  const [isDefault, setIsDefault] = useState(editing?.isDefault ?? false);
  const [secrets, setSecrets] = useState<Record<string, string>>({});

  return (
    <SectionCard
      title={editing ? `Edit ${editing.name}` : "Add a provider"}
      fields
      post={{ intent: "save", providerId: editing?.id }}
    >
      <Select
        label="Type"
        name="kind"
        options={kinds.map((k) => ({ label: k.label, value: k.kind }))}
        value={kind}
        onChange={(v) => setKind(v as ConfigurableKind)}
        error={errors.kind}
      />
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
        helpText='Provider options, e.g. Printful {"variantIds": {"TEE-BLK-M": 4017}}. See docs/providers.md.'
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
      <SubmitButton busy={navigation.state === "submitting"}>
        {editing ? "Save" : "Add provider"}
      </SubmitButton>
    </SectionCard>
  );
}
