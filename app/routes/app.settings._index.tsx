import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { STATE_LABELS } from "~/orders/core/lifecycle";
import { LIFECYCLE_STATES, type LifecycleState } from "~/orders/core/model";
import { createApiToken, listApiTokens, revokeApiToken } from "~/shops/api-tokens.server";
import { requireOwner } from "~/shops/owner.server";
import {
  MAX_DELAY_MINUTES,
  saveShopSettings,
  settingsToForm,
  type SettingsForm,
} from "~/shops/settings.server";
import { formatOrderTime } from "~/ui/format";
import { FieldRow, FormFields, SubmitButton } from "~/ui/FormFields";
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
import { shopSettings } from "~/orders/core/shop-settings";

export const meta: MetaFunction = () => [{ title: "Settings · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const settings = shopSettings(owner.shop);
  const tokens = await listApiTokens(context.db, owner.shop.id);
  return {
    form: settingsToForm(settings),
    maxDelayMinutes: MAX_DELAY_MINUTES,
    tokens: tokens.map((t) => ({
      ...t,
      createdAt: formatOrderTime(new Date(t.createdAt), settings.timezone),
      lastUsedAt: t.lastUsedAt ? formatOrderTime(new Date(t.lastUsedAt), settings.timezone) : null,
    })),
  };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save") }),
  z.object({ intent: z.literal("create_token"), tokenName: z.string().default("") }),
  z.object({ intent: z.literal("revoke_token"), tokenId: z.string().min(1) }),
]);

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const intent = intentSchema.safeParse({
    intent: form.get("intent"),
    tokenName: form.get("tokenName") ?? undefined,
    tokenId: form.get("tokenId") ?? undefined,
  });
  if (!intent.success) {
    return Response.json({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  }
  if (intent.data.intent === "create_token") {
    const created = await createApiToken(context.db, owner.shop.id, {
      name: intent.data.tokenName,
      createdBy: owner.name,
    });
    if (!created.ok) return Response.json({ ok: false, errors: created.errors }, { status: 400 });
    return Response.json({ ok: true, newToken: created.token, tokenName: created.summary.name });
  }
  if (intent.data.intent === "revoke_token") {
    const revoked = await revokeApiToken(context.db, owner.shop.id, intent.data.tokenId);
    if (!revoked) {
      return Response.json(
        { ok: false, errors: { form: "That token does not exist" } },
        { status: 404 },
      );
    }
    return Response.json({ ok: true, revoked: true });
  }
  const stateLabels = {} as Record<LifecycleState, string>;
  for (const state of LIFECYCLE_STATES) stateLabels[state] = text(form, `stateLabels.${state}`);
  const input: SettingsForm = {
    autoSubmitDelayMinutes: text(form, "autoSubmitDelayMinutes"),
    ...(form.has("abandonAfterDays") ? { abandonAfterDays: text(form, "abandonAfterDays") } : {}),
    processingMode: text(form, "processingMode"),
    typeRules: text(form, "typeRules"),
    personalizedProducts: text(form, "personalizedProducts"),
    previewKeys: text(form, "previewKeys"),
    designKeys: text(form, "designKeys"),
    clientImageKeys: text(form, "clientImageKeys"),
    stateLabels,
    // A ticked box is sent (Polaris renders it with an empty value); an unticked one is not.
    notifyCustomerOnShipment: form.has("notifyCustomerOnShipment"),
    timezone: text(form, "timezone"),
  };
  const result = await saveShopSettings(context, owner.shop.id, input, { name: owner.name });
  if (!result.ok) {
    return "notFound" in result
      ? Response.json({ ok: false, errors: { form: "The shop no longer exists" } }, { status: 404 })
      : Response.json({ ok: false, errors: result.errors }, { status: 400 });
  }
  return Response.json({ ok: true, saved: true, savedAt: Date.now(), ...result.countdowns });
}

type ActionData =
  | { ok: false; errors: Record<string, string> }
  | {
      ok: true;
      saved?: boolean;
      savedAt?: number;
      stopped?: number;
      started?: number;
      newToken?: string;
      tokenName?: string;
      revoked?: boolean;
    };

export default function Settings() {
  const { form, tokens, maxDelayMinutes } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const errors = result && !result.ok ? result.errors : {};
  return (
    <PageFrame
      title="Settings"
      back={{ label: "Orders", url: "/app" }}
      links={[
        { label: "Providers", url: "/app/settings/providers" },
        { label: "Customer data requests", url: "/app/settings/data-requests" },
      ]}
    >
      <PageColumns>
        {result?.ok && result.saved ? (
          <Banner tone="success" title="Settings saved">
            {result.stopped ? <p>{result.stopped} countdown(s) stopped (manual mode).</p> : null}
            {result.started ? <p>{result.started} countdown(s) started.</p> : null}
          </Banner>
        ) : null}
        {errors.form ? <Banner tone="critical" title={errors.form} /> : null}
        {Object.keys(errors).some((k) => k !== "form" && !k.startsWith("token")) ? (
          <Banner tone="critical" title="Some settings need fixing; nothing was saved" />
        ) : null}
        <SettingsFormCard
          key={result?.ok && result.saved ? result.savedAt : "form"}
          form={form}
          maxDelayMinutes={maxDelayMinutes}
          errors={errors}
        />
        <TokensCard tokens={tokens} result={result} errors={errors} />
      </PageColumns>
    </PageFrame>
  );
}

function SettingsFormCard({
  form,
  maxDelayMinutes,
  errors,
}: {
  form: SettingsForm;
  maxDelayMinutes: number;
  errors: Record<string, string>;
}) {
  const navigation = useNavigation();
  const [values, setValues] = useState(form);
  const set = (key: keyof SettingsForm) => (value: string) =>
    setValues((v) => ({ ...v, [key]: value }));
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="save" />
      <BlockStack gap="400">
        <SectionCard title="Processing" fields>
          <Select
            label="Processing mode"
            name="processingMode"
            options={[
              { label: "Automatic: in-app orders count down to submission", value: "automatic" },
              { label: "Manual: orders wait in Pending for Schedule Process", value: "manual" },
            ]}
            value={values.processingMode}
            onChange={set("processingMode")}
            helpText="Switching stops or starts the countdowns of New orders now."
            error={errors.processingMode}
          />
          <TextField
            label="Auto-submit delay (minutes)"
            name="autoSubmitDelayMinutes"
            type="number"
            min={0}
            max={maxDelayMinutes}
            value={values.autoSubmitDelayMinutes}
            onChange={set("autoSubmitDelayMinutes")}
            helpText="The review window for orders that arrive from now on; running countdowns keep their time."
            autoComplete="off"
            error={errors.autoSubmitDelayMinutes}
          />
          <TextField
            label="Abandon after (days)"
            name="abandonAfterDays"
            type="number"
            min={1}
            max={365}
            value={values.abandonAfterDays ?? ""}
            onChange={set("abandonAfterDays")}
            helpText="An order sent this many days ago with nothing shipped becomes Abandoned: providers are no longer asked about it and you get an alert. Reprocess makes it Open again."
            autoComplete="off"
            error={errors.abandonAfterDays}
          />
          <Checkbox
            label="Notify the customer when an order ships"
            name="notifyCustomerOnShipment"
            value="on"
            checked={values.notifyCustomerOnShipment}
            onChange={(checked) => setValues((v) => ({ ...v, notifyCustomerOnShipment: checked }))}
          />
          <TextField
            label="Time zone"
            name="timezone"
            value={values.timezone}
            onChange={set("timezone")}
            helpText="Order times are shown in it, e.g. Europe/Berlin."
            autoComplete="off"
            error={errors.timezone}
          />
        </SectionCard>
        <SectionCard title="Order types" fields>
          <TextField
            label="Type rules"
            name="typeRules"
            value={values.typeRules}
            onChange={set("typeRules")}
            multiline={3}
            helpText={`One a line: the cart's source channel, then the type ("amazon: Amazon"). First match wins; other orders are In-app when they hold a personalised product, else Other.`}
            autoComplete="off"
            error={errors.typeRules}
          />
          <TextField
            label="Personalised products (cart product ids, comma-separated)"
            name="personalizedProducts"
            value={values.personalizedProducts}
            onChange={set("personalizedProducts")}
            autoComplete="off"
            error={errors.personalizedProducts}
          />
        </SectionCard>
        <SectionCard
          title="Personalisation keys"
          help="The cart's line-item properties that carry each part of the personalisation, comma-separated; the first present wins."
          fields
        >
          <TextField
            label="Live preview image"
            name="previewKeys"
            value={values.previewKeys}
            onChange={set("previewKeys")}
            autoComplete="off"
            error={errors.previewKeys}
          />
          <TextField
            label="Final design file"
            name="designKeys"
            value={values.designKeys}
            onChange={set("designKeys")}
            autoComplete="off"
            error={errors.designKeys}
          />
          <TextField
            label="Customer's images"
            name="clientImageKeys"
            value={values.clientImageKeys}
            onChange={set("clientImageKeys")}
            autoComplete="off"
            error={errors.clientImageKeys}
          />
        </SectionCard>
        <SectionCard
          title="Order state labels"
          help="Your own names for the states; leave one blank to keep ours."
          fields
        >
          <FieldRow>
            {LIFECYCLE_STATES.map((state) => (
              <TextField
                key={state}
                label={STATE_LABELS[state]}
                name={`stateLabels.${state}`}
                value={values.stateLabels[state]}
                placeholder={STATE_LABELS[state]}
                onChange={(value) =>
                  setValues((v) => ({ ...v, stateLabels: { ...v.stateLabels, [state]: value } }))
                }
                autoComplete="off"
                error={errors[`stateLabels.${state}`]}
              />
            ))}
          </FieldRow>
        </SectionCard>
        <InlineStack align="end">
          <SubmitButton
            busy={
              navigation.state === "submitting" && navigation.formData?.get("intent") === "save"
            }
          >
            Save settings
          </SubmitButton>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function TokensCard({
  tokens,
  result,
  errors,
}: {
  tokens: ReturnType<typeof useLoaderData<typeof loader>>["tokens"];
  result: ActionData | undefined;
  errors: Record<string, string>;
}) {
  const [name, setName] = useState("");
  const [copied, setCopied] = useState(false);
  const newToken = result?.ok ? result.newToken : undefined;
  // A created token empties the name field, ready for the next one.
  useEffect(() => {
    if (newToken) setName("");
  }, [newToken]);
  return (
    <SectionCard
      title="API tokens"
      help="For your own scripts and integrations (docs/openapi.yaml). A token reads and acts on this shop's orders; it is shown once, so copy it now."
    >
      {newToken ? (
        <Banner tone="success" title={`Token "${result?.ok ? result.tokenName : ""}" created`}>
          {/* The banner's content shrinks to fit; the token must show whole to be checked. */}
          <div style={{ width: "100%", minWidth: "min(40rem, 70vw)" }}>
            <TextField
              label="Your new token (shown only this once)"
              value={newToken}
              readOnly
              autoComplete="off"
              monospaced
              selectTextOnFocus
              connectedRight={
                <Button
                  onClick={() => {
                    void navigator.clipboard?.writeText(newToken).then(() => setCopied(true));
                  }}
                >
                  {copied ? "Copied" : "Copy"}
                </Button>
              }
            />
          </div>
        </Banner>
      ) : null}
      {result?.ok && result.revoked ? <Banner tone="info" title="Token revoked" /> : null}
      <Form method="post" onSubmit={() => setCopied(false)}>
        <input type="hidden" name="intent" value="create_token" />
        <FormFields>
          <TextField
            label="Token name"
            name="tokenName"
            value={name}
            onChange={setName}
            placeholder="Warehouse sync"
            autoComplete="off"
            error={errors.tokenName}
            connectedRight={<Button submit>Create token</Button>}
          />
        </FormFields>
      </Form>
      {tokens.length === 0 ? (
        <Text as="p">No tokens yet.</Text>
      ) : (
        <RecordTable
          columns={[
            { heading: "Name" },
            { heading: "Ends with" },
            { heading: "Created" },
            { heading: "Last used" },
            { heading: "" },
          ]}
          rows={tokens.map((t) => [
            t.name,
            `…${t.lastChars}`,
            t.createdAt,
            t.lastUsedAt ?? "Never",
            t.revokedAt ? (
              "Revoked"
            ) : (
              <Form method="post" key={t.id}>
                <input type="hidden" name="intent" value="revoke_token" />
                <input type="hidden" name="tokenId" value={t.id} />
                <Button
                  submit
                  tone="critical"
                  variant="plain"
                  accessibilityLabel={`Revoke ${t.name}`}
                >
                  Revoke
                </Button>
              </Form>
            ),
          ])}
        />
      )}
    </SectionCard>
  );
}
