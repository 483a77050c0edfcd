import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
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
    <Page title="Providers" backAction={{ content: "Orders", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok && result.saved ? (
              <Banner tone="success" title={`${result.saved} saved`}>
                {result.newSecret ? (
                  <p>
                    Its signing secret, shown this once: <code>{result.newSecret}</code>. Give it to
                    the provider so it can check our requests and sign its events.
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
              <Card>
                <Text as="p">
                  No providers yet. Add the printer, warehouse or distributor that makes your
                  orders; items go to the default provider unless a routing rule says otherwise.
                </Text>
              </Card>
            ) : (
              providers.map((provider) => (
                <Card key={provider.id}>
                  <BlockStack gap="200">
                    <InlineStack align="space-between" blockAlign="center">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="h2" variant="headingMd">
                          {provider.name}
                        </Text>
                        <Badge>
                          {KIND_LABELS[provider.kind as ConfigurableKind] ?? provider.kind}
                        </Badge>
                        {provider.isDefault ? <Badge tone="success">Default</Badge> : null}
                        {!provider.enabled ? <Badge tone="critical">Disabled</Badge> : null}
                      </InlineStack>
                      <InlineStack gap="200">
                        <Button url={`?edit=${provider.id}`}>Edit</Button>
                        <Form method="post">
                          <input type="hidden" name="intent" value="remove" />
                          <input type="hidden" name="providerId" value={provider.id} />
                          <Button submit tone="critical" variant="plain">
                            Remove
                          </Button>
                        </Form>
                      </InlineStack>
                    </InlineStack>
                    <TextField
                      label="Events URL (give this to the provider for shipment updates)"
                      value={provider.eventsUrl}
                      readOnly
                      autoComplete="off"
                    />
                    <Text as="p" tone="subdued">
                      {provider.savedCredentials.length > 0
                        ? `Saved: ${provider.savedCredentials
                            .map(
                              (key) =>
                                credentialFields[provider.kind as ConfigurableKind]?.find(
                                  (f) => f.key === key,
                                )?.label ?? key,
                            )
                            .join(", ")}`
                        : "No credentials saved"}
                    </Text>
                  </BlockStack>
                </Card>
              ))
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <ProviderForm
            // A save starts a fresh form: typed secrets do not linger in the page.
            key={`${editing?.id ?? "new"}-${result?.ok ? (result.savedAt ?? 0) : 0}`}
            editing={editing}
            kinds={kinds}
            credentialFields={credentialFields}
            errors={errors}
          />
        </Layout.Section>
      </Layout>
    </Page>
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
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        {editing ? <input type="hidden" name="providerId" value={editing.id} /> : null}
        <FormLayout>
          <Text as="h2" variant="headingMd">
            {editing ? `Edit ${editing.name}` : "Add a provider"}
          </Text>
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
          <Button submit variant="primary" loading={navigation.state === "submitting"}>
            {editing ? "Save" : "Add provider"}
          </Button>
        </FormLayout>
      </Form>
    </Card>
  );
}
