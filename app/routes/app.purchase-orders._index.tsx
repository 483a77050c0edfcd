// Purchase Orders: every purchase order of the shop, newest first, with search (PO number, order
// number, distributor), a filter by shipped status, and keyset paging like the catalog's.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import {
  BadCursorError,
  listPurchaseOrders,
  purchaseOrderQuerySchema,
} from "~/fulfillment/purchase-order-list.server";
import {
  SHIPPED_LABELS,
  SHIPPED_STATUSES,
  type ShippedStatus,
} from "~/fulfillment/purchase-order-status";
import { shopSettings } from "~/orders/core/shop-settings";
import { requireOwner } from "~/shops/owner.server";
import { EmptyList } from "~/ui/EmptyList";
import { formatOrderTime } from "~/ui/format";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Pager } from "~/ui/Pager";
import { Banner, Button, InlineStack, Link, Select, Text, TextField } from "~/ui/primitives";
import { RecordTable } from "~/ui/RecordTable";
import { SectionCard } from "~/ui/SectionCard";
import { ShippedBadge } from "~/ui/ShippedBadge";

export const meta: MetaFunction = () => [{ title: "Purchase orders · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const { timezone } = shopSettings(owner.shop);
  const params = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(
      ([key, value]) => ["search", "shipped", "cursor"].includes(key) && value !== "",
    ),
  );
  const parsed = purchaseOrderQuerySchema.safeParse(params);
  const query = parsed.success ? parsed.data : {};
  let problem = parsed.success
    ? null
    : "That filter is not one this page offers; showing every purchase order.";
  let page: Awaited<ReturnType<typeof listPurchaseOrders>> = {
    purchaseOrders: [],
    nextCursor: null,
  };
  try {
    page = await listPurchaseOrders(context.db, owner.shop.id, query);
  } catch (err) {
    if (!(err instanceof BadCursorError)) throw err;
    problem = err.message;
    page = await listPurchaseOrders(context.db, owner.shop.id, { ...query, cursor: undefined });
  }
  return {
    problem,
    search: query.search ?? "",
    shipped: query.shipped ?? "",
    paged: Boolean(query.cursor),
    nextCursor: page.nextCursor,
    rows: page.purchaseOrders.map((po) => ({
      id: po.id,
      poNumber: po.poNumber,
      orderId: po.orderId,
      orderNumber: po.orderNumber,
      distributor: po.distributor.name,
      shipped: po.shipped,
      placedAt: formatOrderTime(po.placedAt, timezone),
      tracking: po.tracking.map((t) => ({
        label: [t.carrier, t.trackingNumber].filter(Boolean).join(" "),
        url: t.trackingUrl,
      })),
    })),
  };
}

export default function PurchaseOrders() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [search, setSearch] = useState(data.search);
  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("cursor" in changes)) next.delete("cursor");
    navigate(`/app/purchase-orders${next.size ? `?${next.toString()}` : ""}`);
  };
  const filtered = Boolean(data.search || data.shipped);
  return (
    <PageFrame title="Purchase orders" fullWidth>
      <PageColumns>
        {data.problem ? <Banner tone="warning" title={data.problem} /> : null}
        <SectionCard>
          <form
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              go({ search: search.trim() });
            }}
          >
            <InlineStack gap="300" blockAlign="end" wrap>
              <div style={{ minWidth: 280, flex: 1 }}>
                <TextField
                  label="Search"
                  placeholder="PO number, order number or distributor"
                  value={search}
                  onChange={setSearch}
                  autoComplete="off"
                  clearButton
                  onClearButtonClick={() => {
                    setSearch("");
                    go({ search: "" });
                  }}
                />
              </div>
              <Select
                label="Shipped"
                options={[
                  { label: "Any", value: "" },
                  ...SHIPPED_STATUSES.map((s) => ({ label: SHIPPED_LABELS[s], value: s })),
                ]}
                value={data.shipped}
                onChange={(value) => go({ shipped: value })}
              />
              <Button submit>Search</Button>
            </InlineStack>
          </form>
        </SectionCard>
        <SectionCard>
          {data.rows.length === 0 ? (
            <EmptyList heading={filtered ? "No purchase orders match" : "No purchase orders yet"}>
              <p>
                {filtered
                  ? "Try another search, or set Shipped to Any."
                  : "A purchase order is made when an order is sent to a provider, or when you drop-ship items with Dropship on an order's page."}
              </p>
            </EmptyList>
          ) : (
            <RecordTable
              columns={[
                { heading: "PO number" },
                { heading: "Order" },
                { heading: "Distributor" },
                { heading: "Shipped" },
                { heading: "Placed" },
                { heading: "Tracking" },
                { heading: "" },
              ]}
              rows={data.rows.map((po) => [
                po.poNumber,
                <Link key="order" url={`/app/orders/${po.orderId}`}>
                  {po.orderNumber}
                </Link>,
                po.distributor,
                <ShippedBadge key="shipped" status={po.shipped as ShippedStatus} />,
                po.placedAt,
                po.tracking.length === 0 ? (
                  <Text key="t" as="span" tone="subdued">
                    None yet
                  </Text>
                ) : (
                  <InlineStack key="t" gap="200">
                    {po.tracking.map((t) =>
                      t.url ? (
                        <Link key={t.label} url={t.url} target="_blank">
                          {t.label}
                        </Link>
                      ) : (
                        <Text key={t.label} as="span">
                          {t.label}
                        </Text>
                      ),
                    )}
                  </InlineStack>
                ),
                <Button
                  key="view"
                  url={`/app/purchase-orders/${po.id}`}
                  accessibilityLabel={`View ${po.poNumber}`}
                >
                  View
                </Button>,
              ])}
            />
          )}
        </SectionCard>
        {data.paged || data.nextCursor ? (
          <Pager
            label="Pages of purchase orders"
            onPrevious={data.paged ? () => go({ cursor: "" }) : undefined}
            onNext={data.nextCursor ? () => go({ cursor: data.nextCursor! }) : undefined}
          />
        ) : null}
      </PageColumns>
    </PageFrame>
  );
}
