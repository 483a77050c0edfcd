// The Dropship form: a purchase order with a distributor for an order's drop-ship items. The PO
// number is generated (unique in the shop) and editable, the customer's address is filled in and
// editable, each item gets one of the distributors that can ship it, the feed's age is shown with
// its warning (and Check stock now where the distributor answers it), and a box must be ticked
// acknowledging that this places a real order.
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { dropshipForm } from "~/fulfillment/dropship/form.server";
import {
  dropshipInputSchema,
  placeDropshipOrder,
  poNumberHolder,
  poNumberSchema,
} from "~/fulfillment/dropship/place.server";
import { checkStockNow } from "~/fulfillment/dropship/stock-check.server";
import { describeZodError } from "~/fulfillment/protocol";
import { countryName } from "~/orders/core/places";
import { shopSettings } from "~/orders/core/shop-settings";
import { actingFor } from "~/orders/core/transitions.server";
import { requireOwner } from "~/shops/owner.server";
import { formatMoney, formatOrderTime } from "~/ui/format";
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

export const meta: MetaFunction = () => [{ title: "Dropship · Orderlane" }];

const HOUR = 3_600_000;

function ageWords(at: Date, now: Date): string {
  const hours = Math.max(0, Math.round((now.getTime() - at.getTime()) / HOUR));
  if (hours < 1) return "less than an hour old";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"} old`;
  return `${Math.round(hours / 24)} days old`;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const { timezone } = shopSettings(owner.shop);
  const orderId = params.orderId ?? "";
  const form = await dropshipForm(context, owner.shop.id, orderId);
  if (!form) throw new Response("There is no such order in this shop", { status: 404 });
  const now = new Date();
  const address = form.address;
  return {
    orderId,
    orderNumber: form.orderNumber,
    poNumber: form.poNumber,
    address: {
      name: address?.name ?? form.customerName,
      company: address?.company ?? "",
      address1: address?.address1 ?? "",
      address2: address?.address2 ?? "",
      city: address?.city ?? "",
      provinceCode: address?.provinceCode ?? "",
      zip: address?.zip ?? "",
      countryCode: address?.countryCode ?? "",
      phone: address?.phone ?? "",
    },
    liveStock: form.liveStock,
    items: form.items.map((item) => ({
      id: item.id,
      title: item.title,
      sku: item.sku,
      quantity: item.quantity,
      sent: item.sent,
      reason: item.reason,
      options: item.options.map((o) => ({
        distributorId: o.distributorId,
        label: `${o.distributorName}${o.warehouse ? ` (${o.warehouse})` : ""}: ${o.stock} in stock, ${formatMoney(o.cost, form.currency)}, ships in ${o.leadTimeDays} day${o.leadTimeDays === 1 ? "" : "s"}`,
        sku: o.sku,
        feedAge: ageWords(o.feedUpdatedAt, now),
        feedAt: formatOrderTime(o.feedUpdatedAt, timezone),
      })),
    })),
  };
}

type ActionData =
  | { intent: "place"; error: string; field?: string }
  | { intent: "check_po"; poNumber: string; free: boolean; message: string }
  | {
      intent: "check_stock";
      distributorId: string;
      message: string;
      stock: { sku: string; available: number }[];
    };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const orderId = params.orderId ?? "";
  if (intent === "check_po") {
    const poNumber = String(form.get("poNumber") ?? "");
    const parsed = poNumberSchema.safeParse(poNumber);
    if (!parsed.success) {
      return { intent, poNumber, free: false, message: parsed.error.issues[0]!.message };
    }
    const holder = await poNumberHolder(context.db, owner.shop.id, parsed.data);
    return {
      intent,
      poNumber,
      free: !holder,
      message: holder ? holder.words : `${parsed.data} is free`,
    } satisfies ActionData;
  }
  if (intent === "check_stock") {
    const distributorId = String(form.get("distributorId") ?? "");
    const skus = form.getAll("sku").map(String).filter(Boolean);
    const answer = await checkStockNow(context, owner.shop.id, distributorId, skus);
    if (answer.kind === "answered") {
      return {
        intent,
        distributorId,
        stock: answer.stock.map((s) => ({ sku: s.sku, available: s.available })),
        message: "Stock right now, as the distributor answered",
      } satisfies ActionData;
    }
    return {
      intent,
      distributorId,
      stock: [],
      message:
        answer.kind === "not_found" ? "No such distributor" : `Could not check: ${answer.reason}`,
    } satisfies ActionData;
  }
  const picks = form
    .getAll("item")
    .map(String)
    .map((lineId) => ({ lineId, distributorId: String(form.get(`distributor:${lineId}`) ?? "") }));
  const address = Object.fromEntries(
    [
      "name",
      "company",
      "address1",
      "address2",
      "city",
      "provinceCode",
      "zip",
      "countryCode",
      "phone",
    ].map((key) => [key, String(form.get(`address.${key}`) ?? "").trim() || null]),
  );
  const parsed = dropshipInputSchema.safeParse({
    poNumber: String(form.get("poNumber") ?? "").trim() || undefined,
    shippingAddress: {
      ...address,
      country: countryName(String(address.countryCode ?? "")) ?? undefined,
    },
    items: picks,
    confirm: form.get("confirm") === "yes" ? true : undefined,
  });
  if (!parsed.success) {
    return { intent: "place", error: describeZodError(parsed.error) } satisfies ActionData;
  }
  const result = await placeDropshipOrder(
    context,
    owner.shop.id,
    orderId,
    parsed.data,
    actingFor(owner),
  );
  if (!result.ok) {
    return {
      intent: "place",
      error: result.message,
      field: result.problems?.[0]?.field,
    } satisfies ActionData;
  }
  const first = result.purchaseOrders[0]!;
  return redirect(`/app/purchase-orders/${first.id}`);
}

export default function Dropship() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const poCheck = useFetcher<ActionData>();
  const stockCheck = useFetcher<ActionData>();
  const [poNumber, setPoNumber] = useState(data.poNumber);
  const [address, setAddress] = useState(data.address);
  const [confirmed, setConfirmed] = useState(false);
  const candidates = data.items.filter((i) => !i.sent && i.options.length > 0);
  const [chosen, setChosen] = useState<Record<string, string>>(
    Object.fromEntries(candidates.map((i) => [i.id, i.options[0]!.distributorId])),
  );
  const [included, setIncluded] = useState<Record<string, boolean>>(
    Object.fromEntries(candidates.map((i) => [i.id, true])),
  );
  const placeError = result?.intent === "place" ? result.error : null;
  const poAnswer = poCheck.data?.intent === "check_po" ? poCheck.data : null;
  const stockAnswer = stockCheck.data?.intent === "check_stock" ? stockCheck.data : null;
  const oldestFeed = candidates
    .map((i) => i.options.find((o) => o.distributorId === chosen[i.id]))
    .filter((o) => o !== undefined)[0];
  const distributorsChosen = [
    ...new Set(candidates.filter((i) => included[i.id]).map((i) => chosen[i.id]!)),
  ];
  const field = (key: keyof typeof address, label: string, optional = false) => (
    <TextField
      label={optional ? `${label} (optional)` : label}
      name={`address.${key}`}
      value={address[key]}
      onChange={(value) => setAddress({ ...address, [key]: value })}
      autoComplete="off"
      error={result?.intent === "place" && result.field === key ? result.error : undefined}
    />
  );
  return (
    <PageFrame
      title={`Dropship order ${data.orderNumber}`}
      back={{ label: `Order ${data.orderNumber}`, url: `/app/orders/${data.orderId}` }}
    >
      <Form method="post">
        <input type="hidden" name="intent" value="place" />
        <PageColumns>
          {placeError ? (
            <Banner tone="critical" title="The purchase order was not placed">
              <Text as="p">{placeError}</Text>
            </Banner>
          ) : null}
          <SectionCard title="Purchase order">
            <BlockStack gap="200">
              <InlineStack gap="300" blockAlign="end">
                <div style={{ minWidth: 260 }}>
                  <TextField
                    label="PO number"
                    name="poNumber"
                    value={poNumber}
                    onChange={setPoNumber}
                    autoComplete="off"
                    helpText="Made for you and unique in your shop; change it if your books number POs their own way."
                    error={
                      poAnswer && !poAnswer.free && poAnswer.poNumber === poNumber
                        ? poAnswer.message
                        : undefined
                    }
                  />
                </div>
                <Button
                  onClick={() =>
                    poCheck.submit({ intent: "check_po", poNumber }, { method: "post" })
                  }
                  loading={poCheck.state !== "idle"}
                >
                  Check PO number
                </Button>
              </InlineStack>
              {poAnswer?.free && poAnswer.poNumber === poNumber ? (
                <Text as="p" tone="success">
                  {poAnswer.message}
                </Text>
              ) : null}
            </BlockStack>
          </SectionCard>
          <SectionCard title="Items">
            {candidates.length === 0 ? (
              <Text as="p">No item of this order can be drop-shipped now.</Text>
            ) : null}
            <RecordTable
              columns={[
                { heading: "Drop-ship" },
                { heading: "Item" },
                { heading: "Quantity", numeric: true },
                { heading: "Distributor" },
              ]}
              rows={data.items.map((item) => {
                const canShip = !item.sent && item.options.length > 0;
                return [
                  canShip ? (
                    <Checkbox
                      key="c"
                      label={`Drop-ship ${item.title}`}
                      labelHidden
                      checked={included[item.id] ?? false}
                      onChange={(value) => setIncluded({ ...included, [item.id]: value })}
                    />
                  ) : (
                    ""
                  ),
                  <BlockStack key="t" gap="050">
                    <Text as="span">{item.title}</Text>
                    <Text as="span" tone="subdued">
                      SKU {item.sku ?? "none"}
                    </Text>
                  </BlockStack>,
                  item.quantity,
                  item.sent ? (
                    <Text key="d" as="span" tone="subdued">
                      Already sent
                    </Text>
                  ) : canShip ? (
                    <BlockStack key="d" gap="100">
                      {included[item.id] ? (
                        <>
                          <input type="hidden" name="item" value={item.id} />
                          <input
                            type="hidden"
                            name={`distributor:${item.id}`}
                            value={chosen[item.id]}
                          />
                        </>
                      ) : null}
                      <Select
                        label={`Distributor for ${item.title}`}
                        labelHidden
                        options={item.options.map((o) => ({
                          label: o.label,
                          value: o.distributorId,
                        }))}
                        value={chosen[item.id]}
                        onChange={(value) => setChosen({ ...chosen, [item.id]: value })}
                        disabled={!included[item.id]}
                      />
                      {stockAnswer && stockAnswer.distributorId === chosen[item.id] ? (
                        <Text as="span" tone="subdued">
                          {stockAnswer.stock.length > 0
                            ? `Now: ${stockAnswer.stock.find((s) => s.sku === item.options.find((o) => o.distributorId === chosen[item.id])?.sku)?.available ?? 0} in stock`
                            : stockAnswer.message}
                        </Text>
                      ) : null}
                    </BlockStack>
                  ) : (
                    <Text key="d" as="span" tone="subdued">
                      {item.reason ?? "Not a drop-ship item"}
                    </Text>
                  ),
                ];
              })}
            />
          </SectionCard>
          {oldestFeed ? (
            <Banner
              tone="warning"
              title={`Stock is from the distributor's feed, ${oldestFeed.feedAge}`}
            >
              <BlockStack gap="200">
                <Text as="p">
                  The feed was read {oldestFeed.feedAt}. Stock may have changed since; an item sold
                  out at the distributor is not caught before the order is placed.
                </Text>
                <InlineStack gap="200">
                  {distributorsChosen
                    .filter((id) => data.liveStock.includes(id))
                    .map((id) => (
                      <Button
                        key={id}
                        loading={stockCheck.state !== "idle"}
                        onClick={() => {
                          const skus = candidates
                            .filter((i) => chosen[i.id] === id)
                            .map((i) => i.options.find((o) => o.distributorId === id)!.sku);
                          const body = new FormData();
                          body.set("intent", "check_stock");
                          body.set("distributorId", id);
                          for (const sku of skus) body.append("sku", sku);
                          stockCheck.submit(body, { method: "post" });
                        }}
                      >
                        Check stock now
                      </Button>
                    ))}
                </InlineStack>
              </BlockStack>
            </Banner>
          ) : null}
          <SectionCard title="Ship to">
            <BlockStack gap="200">
              {field("name", "Recipient name")}
              {field("company", "Company", true)}
              {field("address1", "Address")}
              {field("address2", "Apartment, suite, etc.", true)}
              <InlineStack gap="200" wrap={false}>
                {field("city", "City")}
                {field("provinceCode", "State or province code")}
                {field("zip", "Postal code")}
              </InlineStack>
              <InlineStack gap="200" wrap={false}>
                {field("countryCode", "Country code")}
                {field("phone", "Phone", true)}
              </InlineStack>
            </BlockStack>
          </SectionCard>
          <SectionCard>
            <BlockStack gap="300">
              <Checkbox
                label="I understand that this places a real order with the distributor, who will ship and bill for it."
                checked={confirmed}
                onChange={setConfirmed}
              />
              {confirmed ? <input type="hidden" name="confirm" value="yes" /> : null}
              <InlineStack align="end">
                <Button
                  submit
                  variant="primary"
                  disabled={!confirmed || distributorsChosen.length === 0}
                  loading={navigation.state === "submitting"}
                >
                  Place purchase order
                </Button>
              </InlineStack>
            </BlockStack>
          </SectionCard>
        </PageColumns>
      </Form>
    </PageFrame>
  );
}
