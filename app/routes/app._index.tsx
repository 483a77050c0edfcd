import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  type ShouldRevalidateFunction,
  isRouteErrorResponse,
  useFetcher,
  useLoaderData,
  useNavigate,
  useNavigation,
  useRouteError,
  useSearchParams,
} from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import {
  BULK_ACTIONS,
  BULK_CAP,
  bulkActionsFor,
  runBulkAction,
  type BulkAction,
} from "~/orders/bulk.server";
import {
  alertCodesInUse,
  countCatalog,
  InvalidCatalogQueryError,
  InvalidCursorError,
  listCatalog,
  parseCatalogQuery,
} from "~/orders/catalog.server";
import {
  ordersWithEligibleItems,
  shopHasDistributors,
} from "~/fulfillment/dropship/eligibility.server";
import { ORDER_TYPE_LABELS } from "~/orders/core/model";
import { shopSettings } from "~/orders/core/shop-settings";
import { requireOwner } from "~/shops/owner.server";
import { BulkSummary, bulkHeadline, type BulkSummaryView } from "~/ui/BulkSummary";
import { CatalogFilters, FILTER_KEYS } from "~/ui/CatalogFilters";
import { shopOrderStatuses, statusLabel } from "~/orders/order-status.server";
import { ConfirmDialog } from "~/ui/ConfirmDialog";
import { EmptyList } from "~/ui/EmptyList";
import { catalogNotice, onlyDropsNotice, withoutNotice } from "~/ui/notices";
import { OrderTable, useOrderSelection, type OrderTableRow } from "~/ui/OrderTable";
import { ErrorPage, PageFrame } from "~/ui/PageFrame";
import { Pager } from "~/ui/Pager";
import { Banner, BlockStack, Button, Text } from "~/ui/primitives";
import { ListCard } from "~/ui/SectionCard";
import { formatMoney, formatOrderTime } from "~/ui/format";
import { placeLine } from "~/orders/core/places";
import { cartStatusLine } from "~/ui/cart-words";
import { useLiveUpdates } from "~/ui/useLiveUpdates";

export const meta: MetaFunction = () => [{ title: "Orders · Orderlane" }];

export const shouldRevalidate: ShouldRevalidateFunction = (args) =>
  !args.formMethod && onlyDropsNotice(args.currentUrl, args.nextUrl)
    ? false
    : args.defaultShouldRevalidate;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const url = new URL(request.url);
  let options;
  let page;
  let matching;
  try {
    options = parseCatalogQuery(url.searchParams);
    const { cursor: _cursor, limit: _limit, ...filters } = options;
    [page, matching] = await Promise.all([
      listCatalog(context.db, owner.shop.id, options),
      countCatalog(context.db, owner.shop.id, filters),
    ]);
  } catch (err) {
    if (err instanceof InvalidCatalogQueryError || err instanceof InvalidCursorError) {
      throw new Response(err.message, { status: 400 });
    }
    throw err;
  }
  const timeZone = owner.shop.settings.timezone;
  const [statuses, dropship] = await Promise.all([
    shopOrderStatuses(context.db, owner.shop.id),
    shopHasDistributors(context.db, owner.shop.id),
  ]);
  // The mark costs one more query for the page's ids, and only where distributors exist.
  const eligible = dropship
    ? await ordersWithEligibleItems(
        context.db,
        owner.shop.id,
        page.orders.map((o) => o.id),
      )
    : new Set<string>();
  const rows: OrderTableRow[] = page.orders.map((o) => ({
    id: o.id,
    number: o.cartOrderNumber,
    placedAt: formatOrderTime(o.cartCreatedAt, timeZone),
    cartStatus: o.cartStatus,
    cartStatusWords: cartStatusLine(owner.shop.platform, o.cartStatusRaw),
    state: o.state,
    customerName: o.customerName,
    customerPlace: placeLine(o.customerCity, o.customerProvince, o.customerCountry),
    total: formatMoney(o.total, o.currency),
    paymentMethod: o.paymentMethod,
    itemCount: o.itemCount,
    typeLabel: ORDER_TYPE_LABELS[o.type],
    submitStatus: o.submitStatus,
    submitFailureReason: o.submitFailureReason,
    alertMessage: o.alert?.message ?? null,
    orderStatusLabel: statusLabel(statuses, o.orderStatusKey),
    invoiceNumber: o.invoiceNumber,
    dropshipEligible: eligible.has(o.id),
  }));
  return {
    shopName: owner.shop.name,
    embedded: owner.embedded,
    notice: catalogNotice(url.searchParams),
    matching,
    rows,
    filtered: FILTER_KEYS.some((k) => options[k]) || Boolean(options.search),
    alertCodes: await alertCodesInUse(context.db, owner.shop.id),
    orderStatuses: statuses.map((r) => ({ key: r.key, label: r.label })),
    dropship,
    // Schedule Process and Revalidate only for shops that process manually (decision 0033).
    bulkActions: bulkActionsFor(shopSettings(owner.shop).processingMode),
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
  };
}

const bulkForm = z.object({
  bulkAction: z.enum(BULK_ACTIONS, { error: "Choose one of the bulk actions" }),
  ids: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").filter(Boolean) : []))
    .pipe(
      z
        .array(z.uuid({ error: "An order id in the selection is not valid" }))
        .max(BULK_CAP, { error: `Select at most ${BULK_CAP} orders` }),
    ),
  allMatching: z.enum(["true"]).optional(),
});

/**
 * Bulk actions. The selection is either the ids of the ticked rows or "all that match", in which
 * case the filters come from this request's URL, exactly as the page that asked was showing them.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const owner = await requireOwner(request, context);
  const parsed = bulkForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return Response.json(
      { error: parsed.error.issues.map((i) => i.message).join("; ") },
      { status: 400 },
    );
  }
  let filters;
  try {
    const {
      cursor: _cursor,
      limit: _limit,
      ...rest
    } = parseCatalogQuery(new URL(request.url).searchParams);
    filters = rest;
  } catch (err) {
    if (err instanceof InvalidCatalogQueryError) {
      return Response.json({ error: err.message }, { status: 400 });
    }
    throw err;
  }
  const { bulkAction, ids, allMatching } = parsed.data;
  const run = await runBulkAction(
    context,
    owner.shop.id,
    bulkAction,
    allMatching ? { allMatching: filters } : { ids },
    { actor: "owner", name: owner.name, isAccountAdmin: owner.isAccountAdmin },
  );
  if (!run.ok) {
    return Response.json({ error: run.reason }, { status: run.code === "too_many" ? 413 : 400 });
  }
  return Response.json({ summary: run.summary });
}

type BulkResponse = { summary: BulkSummaryView } | { error: string };

/** Actions that lose something (the order, or the owner's edits): asked twice. */
const CONFIRM: Partial<Record<BulkAction, string>> = {
  delete:
    "Deleted orders leave Orderlane; a later import brings them back if the cart still has them. Orders already sent to a provider are refused (archive those instead).",
  reset:
    "Reset undoes all processing, rule results and manual edits, and starts each order again as if just imported. Orders with a shipment are refused.",
};

const BULK_LABELS: Record<BulkAction, string> = {
  submit: "Submit",
  reprocess: "Reprocess",
  revalidate: "Revalidate",
  schedule_process: "Schedule Process",
  reset: "Reset",
  archive: "Archive",
  delete: "Delete",
};

export default function Catalog() {
  const {
    shopName,
    embedded,
    notice: arrivedWith,
    rows,
    matching,
    filtered,
    alertCodes,
    orderStatuses,
    dropship,
    bulkActions,
    nextCursor,
    previousCursor,
  } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [params, setParams] = useSearchParams();
  const [notice, setNotice] = useState(arrivedWith);
  const bulk = useFetcher<BulkResponse>({ key: "catalog-bulk" });
  const [shown, setShown] = useState<BulkResponse | null>(null);
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  useLiveUpdates();

  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } =
    useOrderSelection(rows);

  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";

  // A notice another page sent (e.g. "Order deleted") is shown once: taken off the address so a
  // reload, a filter or a page link does not bring it back. In the Shopify admin it is also a toast.
  useEffect(() => {
    if (!params.has("notice")) return;
    if (embedded && notice) showAdminToast(notice.title);
    setParams(withoutNotice(params), { replace: true, preventScrollReset: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on arrival
  }, []);

  // Each answer is shown once; in the Shopify admin its headline is also a toast.
  useEffect(() => {
    if (bulk.state !== "idle" || !bulk.data) return;
    setShown(bulk.data);
    clearSelection();
    if (embedded && "summary" in bulk.data) showAdminToast(bulkHeadline(bulk.data.summary));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per answer
  }, [bulk.state, bulk.data]);

  const run = (bulkAction: BulkAction) => {
    const form = new FormData();
    form.set("bulkAction", bulkAction);
    if (allResourcesSelected) form.set("allMatching", "true");
    else form.set("ids", selectedResources.join(","));
    const query = new URLSearchParams(params);
    query.delete("cursor");
    query.set("index", "");
    bulk.submit(form, { method: "post", action: `/app?${query.toString()}` });
  };
  const busy = bulk.state !== "idle";
  const actionFor = (a: BulkAction) => ({
    content: BULK_LABELS[a],
    onAction: () => (CONFIRM[a] ? setConfirming(a) : run(a)),
    disabled: busy,
  });

  const matchingWords = `${matching.more ? "more than " : ""}${matching.count.toLocaleString("en-US")} order${matching.count === 1 && !matching.more ? "" : "s"}`;
  const selectionWords = allResourcesSelected
    ? `all ${matchingWords} ${filtered ? "matching the current search and filters" : "of the shop"}`
    : `${selectedResources.length} selected order${selectedResources.length === 1 ? "" : "s"}`;

  const pageQuery = (cursor: string) => {
    const next = new URLSearchParams(params);
    next.set("cursor", cursor);
    return `?${next.toString()}`;
  };

  return (
    <PageFrame
      title="Orders"
      subtitle={`${shopName} · ${matchingWords}${filtered ? " match" : ""}`}
      fullWidth
      primaryLink={{ label: "Import", url: "/app/import" }}
      links={[{ label: "Providers", url: "/app/settings/providers" }]}
    >
      {confirming ? (
        <ConfirmDialog
          question={`${BULK_LABELS[confirming]} ${selectionWords}?`}
          confirmLabel={BULK_LABELS[confirming]}
          keepLabel="Keep them"
          onConfirm={() => {
            run(confirming);
            setConfirming(null);
          }}
          onKeep={() => setConfirming(null)}
        >
          {CONFIRM[confirming] ?? ""}
        </ConfirmDialog>
      ) : null}
      <BlockStack gap="400">
        {notice ? (
          <Banner tone="success" title={notice.title} onDismiss={() => setNotice(null)}>
            <p>{notice.body}</p>
          </Banner>
        ) : null}
        {shown && "summary" in shown ? (
          <BulkSummary summary={shown.summary} onDismiss={() => setShown(null)} />
        ) : null}
        {shown && "error" in shown ? (
          <div role="alert">
            <Banner tone="critical" title="Nothing was changed" onDismiss={() => setShown(null)}>
              <p>{shown.error}</p>
            </Banner>
          </div>
        ) : null}
        {busy ? (
          <div role="status">
            <Text as="p" tone="subdued">
              Working on the selected orders…
            </Text>
          </div>
        ) : null}
        <ListCard>
          <CatalogFilters
            alertCodes={alertCodes}
            orderStatuses={orderStatuses}
            dropship={dropship}
            loading={loading}
          />
          {rows.length === 0 ? (
            filtered ? (
              <EmptyList heading="No orders match">
                <BlockStack gap="200" inlineAlign="center">
                  <Text as="p">Try another search, or remove a filter.</Text>
                  <Button onClick={() => navigate("/app")}>Clear search and filters</Button>
                </BlockStack>
              </EmptyList>
            ) : (
              <EmptyList heading="No orders yet">
                <Text as="p">
                  Orders appear here the moment your store receives them, with their personalisation
                  and a countdown to automatic submission. Import brings in the orders your store
                  already has.
                </Text>
              </EmptyList>
            )
          ) : (
            <OrderTable
              rows={rows}
              loading={loading}
              selection={{
                selectedItemsCount: allResourcesSelected ? "All" : selectedResources.length,
                onSelectionChange: handleSelectionChange,
                isSelected: (id) => selectedResources.includes(id),
                hasMoreItems: Boolean(nextCursor || previousCursor),
                selectAllText: `Select all ${matchingWords}${filtered ? " that match" : ""}`,
                allSelectedText: `All ${matchingWords}${filtered ? " that match" : ""} are selected`,
                promotedBulkActions: [actionFor("submit")],
                bulkActions: bulkActions.filter((a) => a !== "submit").map((a) => actionFor(a)),
              }}
            />
          )}
        </ListCard>
        {nextCursor || previousCursor ? (
          <Pager
            label="Pages of orders"
            onPrevious={previousCursor ? () => navigate(pageQuery(previousCursor)) : undefined}
            onNext={nextCursor ? () => navigate(pageQuery(nextCursor)) : undefined}
          />
        ) : null}
      </BlockStack>
    </PageFrame>
  );
}

/** App Bridge's toast; App Bridge (and so `shopify`) exists only inside the Shopify admin. */
function showAdminToast(message: string) {
  const bridge = (window as { shopify?: { toast?: { show(message: string): void } } }).shopify;
  bridge?.toast?.show(message);
}

export function ErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : error.statusText
    : "The orders could not be loaded. Reload the page; if it persists, check the server log.";
  return (
    <ErrorPage
      title="Orders"
      heading={
        isRouteErrorResponse(error) && error.status === 400
          ? "This view of the orders is not valid"
          : "The orders could not be loaded"
      }
      action={{ label: "Show all orders", url: "/app" }}
    >
      <p>{message}</p>
    </ErrorPage>
  );
}
