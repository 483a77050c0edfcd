import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { BlockStack, Card, EmptyState, Page, Pagination, Text } from "@shopify/polaris";
import { InvalidCursorError, listCatalog } from "~/orders/catalog.server";
import { ORDER_TYPE_LABELS } from "~/orders/model";
import { requireOwner } from "~/shops/owner.server";
import { OrderTable, type OrderTableRow } from "~/ui/OrderTable";
import { formatMoney, formatOrderTime, joinPlace } from "~/ui/format";

export const meta: MetaFunction = () => [{ title: "Orders · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const cursor = new URL(request.url).searchParams.get("cursor");
  let page;
  try {
    page = await listCatalog(context.db, owner.shop.id, { cursor });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new Response(err.message, { status: 400 });
    throw err;
  }
  const timeZone = owner.shop.settings.timezone;
  const rows: OrderTableRow[] = page.orders.map((o) => ({
    id: o.id,
    number: o.cartOrderNumber,
    placedAt: formatOrderTime(o.cartCreatedAt, timeZone),
    cartStatus: o.cartStatus,
    cartStatusRaw: o.cartStatusRaw,
    state: o.state,
    customerName: o.customerName,
    customerPlace: joinPlace([o.customerCity, o.customerProvince, o.customerCountry]),
    total: formatMoney(o.total, o.currency),
    paymentMethod: o.paymentMethod,
    itemCount: o.itemCount,
    typeLabel: ORDER_TYPE_LABELS[o.type],
    submitStatus: o.submitStatus,
    submitFailureReason: o.submitFailureReason,
  }));
  return {
    shopName: owner.shop.name,
    rows,
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
  };
}

export default function Catalog() {
  const { shopName, rows, nextCursor, previousCursor } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  return (
    <Page
      title="Orders"
      subtitle={shopName}
      fullWidth
      secondaryActions={[{ content: "Providers", url: "/app/settings/providers" }]}
    >
      <BlockStack gap="400">
        <Card padding="0">
          {rows.length === 0 ? (
            <EmptyState heading="No orders yet" image="">
              <Text as="p">
                Orders appear here the moment your store receives them, with their personalisation
                and a countdown to automatic submission.
              </Text>
            </EmptyState>
          ) : (
            <OrderTable rows={rows} />
          )}
        </Card>
        {nextCursor || previousCursor ? (
          <nav aria-label="Pages of orders" style={{ display: "flex", justifyContent: "center" }}>
            <Pagination
              hasPrevious={Boolean(previousCursor)}
              previousTooltip="Newer orders"
              onPrevious={() => previousCursor && navigate(`?cursor=${previousCursor}`)}
              hasNext={Boolean(nextCursor)}
              nextTooltip="Older orders"
              onNext={() => nextCursor && navigate(`?cursor=${nextCursor}`)}
            />
          </nav>
        ) : null}
      </BlockStack>
    </Page>
  );
}
