import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { ORDER_TYPES, ORDER_TYPE_LABELS } from "~/orders/core/model";
import { createApiToken, listApiTokens, revokeApiToken } from "~/shops/api-tokens.server";
import { requireOwner } from "~/shops/owner.server";
import {
  MAX_DELAY_MINUTES,
  MAX_TYPE_RULES,
  saveShopSettings,
  settingsToForm,
  type SettingsForm,
  type TypeRuleRow,
} from "~/shops/settings.server";
import { adoptCartTimeZone, followsCartTimeZone } from "~/shops/shop-time-zone.server";
import { personalisedProducts } from "~/shops/shop-products.server";
import { formatOrderTime } from "~/ui/format";
import { FormFields, SubmitButton } from "~/ui/FormFields";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { ProductPicker, type PickedProduct } from "~/ui/ProductPicker";
import { TimeZoneField } from "~/ui/TimeZoneField";
import { TypeRulesFields } from "~/ui/TypeRulesFields";
import { ReconciliationFields, type ReconciliationView } from "~/ui/ReconciliationFields";
import { reconciliationStatus } from "~/carts/reconciliation.server";
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
import { RECONCILE_MINUTES, shopSettings } from "~/orders/core/shop-settings";
import { EFFECT_WORDS, OWNER_EFFECTS, statusDoes } from "~/orders/core/order-statuses";
import { shopOrderStatuses } from "~/orders/order-status.server";
import {
  addOrderStatus,
  deleteOrderStatus,
  moveOrderStatus,
  retireOrderStatus,
  statusUse,
  storeOrderStatuses,
  updateOrderStatus,
  type StatusInput,
} from "~/shops/order-status-settings.server";
import type { Shop } from "~/shops/shops.server";
import {
  OrderStatusesCard,
  type StatusSettingsRow,
  type WriteChoice,
} from "~/ui/OrderStatusesCard";

const TYPE_OPTIONS = ORDER_TYPES.map((type) => ({ label: ORDER_TYPE_LABELS[type], value: type }));

export const meta: MetaFunction = () => [{ title: "Settings · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  let settings = shopSettings(owner.shop);
  // A zone never chosen is the shop's own, once its cart says which.
  if (settings.timezoneSource === "default" && followsCartTimeZone(settings)) {
    const adopted = await adoptCartTimeZone(context, owner.shop);
    if (adopted) settings = { ...settings, timezone: adopted, timezoneSource: "cart" };
  }
  const [tokens, products, sweep, statusRows, use, store] = await Promise.all([
    listApiTokens(context.db, owner.shop.id),
    personalisedProducts(context, owner.shop, settings.personalizedProducts),
    reconciliationStatus(context, owner.shop.id),
    shopOrderStatuses(context.db, owner.shop.id),
    statusUse(context, owner.shop.id),
    storeOrderStatuses(context, owner.shop),
  ]);
  const reconciliation: ReconciliationView = {
    applies: owner.shop.platform !== "demo",
    lastReconciled: sweep?.lastFinishedAt
      ? formatOrderTime(sweep.lastFinishedAt, settings.timezone)
      : null,
    lastRecovered: sweep?.lastRecovered ?? 0,
    totalRecovered: sweep?.totalRecovered ?? 0,
    problem: sweep?.lastError ?? null,
    webhookNotice: sweep?.webhookNotice ?? null,
  };
  const statuses: StatusSettingsRow[] = statusRows.map((r) => ({
    key: r.key,
    label: r.label,
    builtin: r.builtin,
    retired: r.retired,
    pausesCountdown: r.pausesCountdown,
    does: statusDoes(r, owner.shop.platform),
    writes: r.cartEffect === "woo_status" ? `woo:${r.cartStatus ?? ""}` : r.cartEffect,
    inUse: use.get(r.key) ?? 0,
  }));
  const writeChoices: WriteChoice[] = [
    ...OWNER_EFFECTS.filter((e) => e !== "woo_status").map((e) => ({
      label: EFFECT_WORDS[e],
      value: e,
    })),
    ...store.statuses.map((s) => ({
      label: `Sets the WooCommerce status “${s.name}”`,
      value: `woo:${s.slug}`,
    })),
  ];
  return {
    statuses,
    writeChoices,
    storeProblem: store.problem,
    form: settingsToForm(settings),
    timezoneFromCart: settings.timezoneSource === "cart",
    products: products.products,
    productsProblem: products.problem,
    embedded: owner.embedded,
    maxDelayMinutes: MAX_DELAY_MINUTES,
    maxTypeRules: MAX_TYPE_RULES,
    reconciliation,
    tokens: tokens.map((t) => ({
      ...t,
      createdAt: formatOrderTime(new Date(t.createdAt), settings.timezone),
      lastUsedAt: t.lastUsedAt ? formatOrderTime(new Date(t.lastUsedAt), settings.timezone) : null,
    })),
  };
}

const STATUS_INTENTS = [
  "status_add",
  "status_save",
  "status_move_up",
  "status_move_down",
  "status_retire",
  "status_restore",
  "status_delete",
] as const;

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save") }),
  z.object({
    intent: z.enum(STATUS_INTENTS),
    statusKey: z.string().max(60).default(""),
  }),
  z.object({ intent: z.literal("create_token"), tokenName: z.string().default("") }),
  z.object({ intent: z.literal("revoke_token"), tokenId: z.string().min(1) }),
]);

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** The rule rows as posted (`typeRules.<row>.<field>`), in row order. */
function typeRuleRows(form: FormData): TypeRuleRow[] {
  const rows = new Map<number, TypeRuleRow>();
  for (const key of form.keys()) {
    const match = /^typeRules\.(\d{1,3})\.(sourceChannel|type)$/.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const row = rows.get(index) ?? { sourceChannel: "", type: "" };
    row[match[2] as keyof TypeRuleRow] = text(form, key);
    rows.set(index, row);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const intent = intentSchema.safeParse({
    intent: form.get("intent"),
    tokenName: form.get("tokenName") ?? undefined,
    tokenId: form.get("tokenId") ?? undefined,
    statusKey: form.get("statusKey") ?? undefined,
  });
  if (!intent.success) {
    return Response.json({ ok: false, errors: { form: "Unknown action" } }, { status: 400 });
  }
  if (intent.data.intent.startsWith("status_") && "statusKey" in intent.data) {
    return statusAction(context, owner.shop, intent.data.intent, intent.data.statusKey, form);
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
  const input: SettingsForm = {
    autoSubmitDelayMinutes: text(form, "autoSubmitDelayMinutes"),
    ...(form.has("abandonAfterDays") ? { abandonAfterDays: text(form, "abandonAfterDays") } : {}),
    ...(form.has("reconcileEveryMinutes")
      ? { reconcileEveryMinutes: text(form, "reconcileEveryMinutes") }
      : {}),
    processingMode: text(form, "processingMode"),
    typeRules: typeRuleRows(form),
    personalizedProducts: text(form, "personalizedProducts"),
    previewKeys: text(form, "previewKeys"),
    designKeys: text(form, "designKeys"),
    clientImageKeys: text(form, "clientImageKeys"),
    // A ticked box is sent (Polaris renders it with an empty value); an unticked one is not.
    notifyCustomerOnShipment: form.has("notifyCustomerOnShipment"),
    ...(form.has("shipmentMethods") ? { shipmentMethods: text(form, "shipmentMethods") } : {}),
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

/** The status form's "writes to the cart" value: an effect, or `woo:<slug>` for a store status. */
function statusInput(form: FormData): StatusInput {
  const writes = text(form, "writes") || "none";
  const woo = writes.startsWith("woo:");
  return {
    label: text(form, "label"),
    cartEffect: (woo ? "woo_status" : writes) as StatusInput["cartEffect"],
    cartStatus: woo ? writes.slice(4) : null,
    pausesCountdown: form.has("pausesCountdown"),
  };
}

async function statusAction(
  context: ActionFunctionArgs["context"],
  shop: Shop,
  intent: (typeof STATUS_INTENTS)[number],
  key: string,
  form: FormData,
) {
  const outcome =
    intent === "status_add"
      ? await addOrderStatus(context, shop, statusInput(form))
      : intent === "status_save"
        ? await updateOrderStatus(context, shop, key, statusInput(form))
        : intent === "status_move_up" || intent === "status_move_down"
          ? await moveOrderStatus(
              context,
              shop.id,
              key,
              intent === "status_move_up" ? "up" : "down",
            )
          : intent === "status_delete"
            ? await deleteOrderStatus(context, shop.id, key)
            : await retireOrderStatus(context, shop.id, key, intent === "status_retire");
  if (outcome.ok) return Response.json({ ok: true, statusMessage: outcome.message });
  const field =
    intent === "status_add" ? "statusAdd" : intent === "status_save" ? `status.${key}` : "statuses";
  return Response.json({ ok: false, errors: { [field]: outcome.error } }, { status: 400 });
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
      statusMessage?: string;
    };

export default function Settings() {
  const {
    form,
    tokens,
    maxDelayMinutes,
    maxTypeRules,
    products,
    productsProblem,
    embedded,
    timezoneFromCart,
    reconciliation,
    statuses,
    writeChoices,
    storeProblem,
  } = useLoaderData<typeof loader>();
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
        {Object.keys(errors).some(
          (k) => k !== "form" && !k.startsWith("token") && !k.startsWith("status"),
        ) ? (
          <Banner tone="critical" title="Some settings need fixing; nothing was saved" />
        ) : null}
        <SettingsFormCard
          // Not remounted on save: the form keeps what the owner saved (rows, products and their
          // pictures) rather than starting again from the page's data.
          form={form}
          maxDelayMinutes={maxDelayMinutes}
          maxTypeRules={maxTypeRules}
          products={products}
          productsProblem={productsProblem}
          embedded={embedded}
          timezoneFromCart={timezoneFromCart}
          reconciliation={reconciliation}
          errors={errors}
        />
        <OrderStatusesCard
          rows={statuses}
          writeChoices={writeChoices}
          storeProblem={storeProblem}
          message={result?.ok ? (result.statusMessage ?? null) : null}
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
  maxTypeRules,
  products,
  productsProblem,
  embedded,
  timezoneFromCart,
  reconciliation,
  errors,
}: {
  form: SettingsForm;
  maxDelayMinutes: number;
  maxTypeRules: number;
  products: PickedProduct[];
  productsProblem: string | null;
  embedded: boolean;
  timezoneFromCart: boolean;
  reconciliation: ReconciliationView;
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
            label="Shipment methods"
            name="shipmentMethods"
            multiline={3}
            value={values.shipmentMethods ?? ""}
            onChange={set("shipmentMethods")}
            helpText="One a line, in the order Update Shipment offers them on the order page. Items keep the method they have when you remove it here."
            autoComplete="off"
            error={errors.shipmentMethods}
          />
          <TimeZoneField
            name="timezone"
            initial={form.timezone}
            helpText={
              timezoneFromCart
                ? "Order times are shown in it. Your store's own time zone until you choose another."
                : "Order times are shown in it."
            }
            error={errors.timezone}
          />
        </SectionCard>
        <SectionCard
          title="Order types"
          help="Where the cart says an order came from decides its type; the first rule that matches wins. Orders no rule matches are In-app when they hold a personalised product, else Other."
        >
          <TypeRulesFields
            initial={form.typeRules}
            typeOptions={TYPE_OPTIONS}
            errors={errors}
            maxRules={maxTypeRules}
          />
        </SectionCard>
        <SectionCard>
          {productsProblem ? <Banner tone="warning" title={productsProblem} /> : null}
          <ProductPicker
            label="Personalised products"
            name="personalizedProducts"
            initial={products}
            searchUrl="/app/settings/products"
            embedded={embedded}
            helpText="Orders holding one of these are In-app: they count down and go to your providers with their personalisation."
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
        <SectionCard title="Orders missed by webhooks">
          <ReconciliationFields
            view={reconciliation}
            value={values.reconcileEveryMinutes ?? ""}
            onChange={set("reconcileEveryMinutes")}
            min={RECONCILE_MINUTES.min}
            max={RECONCILE_MINUTES.max}
            error={errors.reconcileEveryMinutes}
          />
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
      help="For your own scripts and integrations through Orderlane's JSON API. A token reads and acts on this shop's orders; it is shown once, so copy it now."
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
