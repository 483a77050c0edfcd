// Customer data requests forwarded by the cart, each with the export we gathered for it.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listDataRequests } from "~/shops/customer-data.server";
import { requireOwner } from "~/shops/owner.server";
import { EmptyList } from "~/ui/EmptyList";
import { formatOrderTime } from "~/ui/format";
import { PageColumns, PageFrame } from "~/ui/PageFrame";
import { Link, Text } from "~/ui/primitives";
import { RecordTable } from "~/ui/RecordTable";
import { SectionCard } from "~/ui/SectionCard";
import { shopSettings } from "~/orders/core/shop-settings";

export const meta: MetaFunction = () => [{ title: "Customer data requests · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const { timezone } = shopSettings(owner.shop);
  const requests = await listDataRequests(context.db, owner.shop.id);
  return {
    requests: requests.map((r) => ({
      id: r.id,
      cartRequestId: r.cartRequestId,
      customerEmail: r.customerEmail ?? "(no email)",
      orderCount: r.orderCount,
      requestedAt: formatOrderTime(r.requestedAt, timezone),
      downloadedAt: r.downloadedAt ? formatOrderTime(r.downloadedAt, timezone) : null,
    })),
  };
}

export default function DataRequests() {
  const { requests } = useLoaderData<typeof loader>();
  return (
    <PageFrame title="Customer data requests" back={{ label: "Settings", url: "/app/settings" }}>
      <PageColumns>
        <SectionCard>
          {requests.length === 0 ? (
            <EmptyList heading="No data requests">
              <p>
                When a customer asks your store for their data, the request arrives here with
                everything Orderlane holds about them, ready to download and send on.
              </p>
            </EmptyList>
          ) : (
            <RecordTable
              columns={[
                { heading: "Requested" },
                { heading: "Customer" },
                { heading: "Orders", numeric: true },
                { heading: "Request" },
                { heading: "Export" },
              ]}
              rows={requests.map((r) => [
                r.requestedAt,
                r.customerEmail,
                r.orderCount,
                r.cartRequestId,
                <Text as="span" key={r.id}>
                  <Link url={`/app/settings/data-requests/${r.id}`} target="_blank">
                    Download JSON
                  </Link>
                  {r.downloadedAt ? ` (first downloaded ${r.downloadedAt})` : ""}
                </Text>,
              ])}
            />
          )}
        </SectionCard>
      </PageColumns>
    </PageFrame>
  );
}
