// One purchase order: its items, its tracking with carrier links, and its history.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getPurchaseOrder } from "~/fulfillment/purchase-order-list.server";
import type { ShippedStatus } from "~/fulfillment/purchase-order-status";
import { OVERDUE_AFTER_DAYS } from "~/fulfillment/dropship/overdue";
import { addressLines } from "~/orders/core/places";
import { shopSettings } from "~/orders/core/shop-settings";
import { requireOwner } from "~/shops/owner.server";
import { formatOrderTime } from "~/ui/format";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Banner, BlockStack, InlineStack, Link, Text } from "~/ui/primitives";
import { RecordTable } from "~/ui/RecordTable";
import { SectionCard } from "~/ui/SectionCard";
import { ShippedBadge } from "~/ui/ShippedBadge";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.po.poNumber ?? "Purchase order"} · Orderlane` },
];

const DELIVERY_WORDS: Record<string, string> = {
  pending: "Not shipped",
  shipped: "Shipped",
  delivered: "Delivered",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const { timezone } = shopSettings(owner.shop);
  const po = await getPurchaseOrder(context.db, owner.shop.id, params.purchaseOrderId ?? "");
  if (!po) throw new Response("There is no such purchase order in this shop", { status: 404 });
  return {
    po: {
      poNumber: po.poNumber,
      orderId: po.orderId,
      orderNumber: po.orderNumber,
      distributor: po.distributor.name,
      shipped: po.shipped,
      placedAt: formatOrderTime(po.placedAt, timezone),
      placedBy: po.placedBy,
      overdueAt: po.overdueAt ? formatOrderTime(po.overdueAt, timezone) : null,
      lastError: po.state === "failed" ? po.lastError : null,
      address: po.shippingAddress ? addressLines(po.shippingAddress) : null,
      items: po.items.map((i) => ({
        ...i,
        deliveryState: DELIVERY_WORDS[i.deliveryState] ?? i.deliveryState,
      })),
      shipments: po.shipments.map((s) => ({
        carrier: s.carrier ?? "Carrier not given",
        trackingNumber: s.trackingNumber,
        trackingUrl: s.trackingUrl,
        shippedAt: formatOrderTime(s.shippedAt, timezone),
      })),
      history: po.history.map((h) => ({
        at: formatOrderTime(h.at, timezone),
        who:
          h.actorName ??
          (h.actor === "system"
            ? "Orderlane"
            : h.actor === "provider"
              ? po.distributor.name
              : h.actor),
        message: h.message ?? "",
      })),
    },
  };
}

export default function PurchaseOrderPage() {
  const { po } = useLoaderData<typeof loader>();
  return (
    <PageFrame
      title={`Purchase order ${po.poNumber}`}
      subtitle={`${po.distributor} · placed ${po.placedAt}${po.placedBy ? ` by ${po.placedBy}` : ""}`}
      back={{ label: "Purchase orders", url: "/app/purchase-orders" }}
      links={[{ label: `Order ${po.orderNumber}`, url: `/app/orders/${po.orderId}` }]}
    >
      <PageColumns>
        {po.overdueAt ? (
          <Banner tone="critical" title="Overdue: not shipped six weeks after it was placed">
            <Text as="p">
              {po.distributor} has not shipped this purchase order within {OVERDUE_AFTER_DAYS / 7}{" "}
              weeks, so Orderlane stopped checking it for tracking on {po.overdueAt}. Contact{" "}
              {po.distributor} about PO {po.poNumber}.
            </Text>
          </Banner>
        ) : null}
        {po.lastError ? (
          <Banner tone="critical" title="The distributor did not take this purchase order">
            <Text as="p">{po.lastError}</Text>
          </Banner>
        ) : null}
        <SectionCard title="Items">
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="center">
              <Text as="span">Shipped:</Text>
              <ShippedBadge status={po.shipped as ShippedStatus} />
            </InlineStack>
            <RecordTable
              columns={[
                { heading: "Item" },
                { heading: "Your SKU" },
                { heading: "Distributor's SKU" },
                { heading: "Quantity", numeric: true },
                { heading: "Delivery" },
              ]}
              rows={po.items.map((i) => [
                i.title,
                i.sku ?? "",
                i.distributorSku ?? i.sku ?? "",
                i.quantity,
                i.deliveryState,
              ])}
            />
          </BlockStack>
        </SectionCard>
        <SectionCard title="Tracking">
          {po.shipments.length === 0 ? (
            <Text as="p" tone="subdued">
              No tracking yet. It appears here, and goes to the cart with the customer notified, as
              soon as {po.distributor} reports the parcel.
            </Text>
          ) : (
            <RecordTable
              columns={[
                { heading: "Carrier" },
                { heading: "Tracking number" },
                { heading: "Shipped" },
              ]}
              rows={po.shipments.map((s) => [
                s.carrier,
                s.trackingUrl ? (
                  <Link key="t" url={s.trackingUrl} target="_blank">
                    {s.trackingNumber}
                  </Link>
                ) : (
                  s.trackingNumber
                ),
                s.shippedAt,
              ])}
            />
          )}
        </SectionCard>
        {po.address ? (
          <SectionCard title="Ship to">
            <BlockStack gap="050">
              {po.address.map((line) => (
                <Text key={line} as="p">
                  {line}
                </Text>
              ))}
            </BlockStack>
          </SectionCard>
        ) : null}
        <SectionCard title="History">
          {po.history.length === 0 ? (
            <Text as="p" tone="subdued">
              Nothing recorded yet.
            </Text>
          ) : (
            <RecordTable
              columns={[{ heading: "When" }, { heading: "Who" }, { heading: "What happened" }]}
              rows={po.history.map((h) => [h.at, h.who, h.message])}
            />
          )}
        </SectionCard>
      </PageColumns>
    </PageFrame>
  );
}
