import {
  Badge,
  IndexTable,
  InlineStack,
  Link,
  Text,
  Tooltip,
  useIndexResourceState,
} from "@shopify/polaris";
import { memo, type ComponentProps } from "react";
import type { CartStatus, LifecycleState, SubmitStatus } from "~/orders/core/model";
import { CART_STATUS_LABELS } from "~/orders/core/model";
import { STATE_LABELS } from "~/orders/core/lifecycle";

type Tone = ComponentProps<typeof Badge>["tone"];

/** One catalog row, already formatted on the server. */
export interface OrderTableRow {
  id: string;
  number: string;
  placedAt: string;
  cartStatus: CartStatus;
  /** What the cart's admin says, in its words ("Shopify: Paid · Unfulfilled"). */
  cartStatusWords: string;
  state: LifecycleState;
  customerName: string;
  customerPlace: string;
  total: string;
  paymentMethod: string | null;
  itemCount: number;
  typeLabel: string;
  submitStatus: SubmitStatus | null;
  submitFailureReason: string | null;
  /** The alert's message when the order carries one (Error orders). */
  alertMessage: string | null;
  /** The shop's own status of the order, in its words. */
  orderStatusLabel: string;
  invoiceNumber: string | null;
  /** Some item can be drop-shipped now (only ever true for shops with distributors). */
  dropshipEligible: boolean;
}

type IndexTableProps = ComponentProps<typeof IndexTable>;

/** Selection and bulk actions, owned by the page (it knows the filters and runs the actions). */
export interface OrderTableSelection {
  selectedItemsCount: IndexTableProps["selectedItemsCount"];
  onSelectionChange: NonNullable<IndexTableProps["onSelectionChange"]>;
  isSelected: (id: string) => boolean;
  /** More orders match the filters than this page shows: offers "select all that match". */
  hasMoreItems: boolean;
  /** The "select all that match" link, with the number that match (Polaris would say "50+"). */
  selectAllText: string;
  /** Said once all that match are selected. */
  allSelectedText: string;
  promotedBulkActions: IndexTableProps["promotedBulkActions"];
  bulkActions: IndexTableProps["bulkActions"];
}

/**
 * The page's selection of rows for OrderTableSelection: which are ticked, whether "all that match"
 * is, and how to clear it. Polaris keeps it today; a move to web components keeps it ourselves.
 */
export function useOrderSelection(rows: { id: string }[]) {
  return useIndexResourceState(rows);
}

const CART_TONE: Record<CartStatus, Tone> = {
  pending_payment: "attention",
  failed: "critical",
  processing: "info",
  on_hold: "warning",
  completed: "success",
  cancelled: undefined,
  refunded: undefined,
};

// The lifecycle badge appears only where it tells the owner more than the cart status does.
const STATE_TONE: Partial<Record<LifecycleState, Tone>> = {
  pending: "attention",
  on_hold: "warning",
  open: "info",
  closed: "success",
  error: "critical",
  archived: undefined,
};

export function OrderTable({
  rows,
  selection,
  loading = false,
}: {
  rows: OrderTableRow[];
  selection?: OrderTableSelection;
  loading?: boolean;
}) {
  return (
    <IndexTable
      resourceName={{ singular: "order", plural: "orders" }}
      itemCount={rows.length}
      loading={loading}
      selectable={Boolean(selection)}
      selectedItemsCount={selection?.selectedItemsCount}
      onSelectionChange={selection?.onSelectionChange}
      hasMoreItems={selection?.hasMoreItems}
      paginatedSelectAllActionText={selection?.selectAllText}
      paginatedSelectAllText={selection?.allSelectedText}
      promotedBulkActions={selection?.promotedBulkActions}
      bulkActions={selection?.bulkActions}
      headings={[
        { title: "Order" },
        { title: "Status" },
        { title: "Customer" },
        { title: "Total" },
        { title: "Items", alignment: "end" },
        { title: "Type" },
        { title: "Submit status" },
      ]}
    >
      {rows.map((row, index) => (
        <OrderRow
          key={row.id}
          row={row}
          position={index}
          selected={selection?.isSelected(row.id) ?? false}
        />
      ))}
    </IndexTable>
  );
}

/**
 * One row. Memoised on what it shows: the page renders the table again when a search or filter
 * starts loading, when it ends, and when live updates bring the page's data again (every row a new
 * object, mostly with the same values); 50 rows of Polaris cells cost an owner on a slow laptop a
 * visible pause each time (`npm run bench vitals`). Only rows whose values changed render again.
 */
const OrderRow = memo(function OrderRow({
  row,
  position,
  selected,
}: {
  row: OrderTableRow;
  position: number;
  selected: boolean;
}) {
  return (
    <IndexTable.Row id={row.id} key={row.id} position={position} selected={selected}>
      <IndexTable.Cell>
        <Link url={`/app/orders/${row.id}`} monochrome removeUnderline dataPrimaryLink>
          <Text as="span" variant="bodyMd" fontWeight="semibold">
            {row.number}
          </Text>
        </Link>
        <Text as="p" variant="bodySm" tone="subdued">
          {row.placedAt}
        </Text>
        {row.invoiceNumber ? (
          <Text as="p" variant="bodySm" tone="subdued">
            Invoice {row.invoiceNumber}
          </Text>
        ) : null}
        {row.dropshipEligible ? (
          <Badge tone="info" size="small">
            Can be drop-shipped
          </Badge>
        ) : null}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="100" wrap={false}>
          <Badge>{row.orderStatusLabel}</Badge>
          <span title={row.cartStatusWords}>
            <Badge tone={CART_TONE[row.cartStatus]}>{CART_STATUS_LABELS[row.cartStatus]}</Badge>
          </span>
          {row.state in STATE_TONE &&
          STATE_LABELS[row.state] !== CART_STATUS_LABELS[row.cartStatus] ? (
            row.alertMessage ? (
              <Tooltip content={row.alertMessage}>
                <span tabIndex={0} aria-label={`${STATE_LABELS[row.state]}: ${row.alertMessage}`}>
                  <Badge tone={STATE_TONE[row.state]}>{STATE_LABELS[row.state]}</Badge>
                </span>
              </Tooltip>
            ) : (
              <Badge tone={STATE_TONE[row.state]}>{STATE_LABELS[row.state]}</Badge>
            )
          ) : null}
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" variant="bodyMd">
          {row.customerName || "—"}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {row.customerPlace || "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" variant="bodyMd" numeric>
          {row.total}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {row.paymentMethod ?? "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {row.itemCount}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{row.typeLabel}</IndexTable.Cell>
      <IndexTable.Cell>
        <SubmitStatusBadge status={row.submitStatus} reason={row.submitFailureReason} />
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}, sameRow);

function sameRow(
  a: { row: OrderTableRow; position: number; selected: boolean },
  b: { row: OrderTableRow; position: number; selected: boolean },
): boolean {
  if (a.position !== b.position || a.selected !== b.selected) return false;
  if (a.row === b.row) return true;
  return (Object.keys(a.row) as (keyof OrderTableRow)[]).every((k) => a.row[k] === b.row[k]);
}

export function SubmitStatusBadge({
  status,
  reason,
}: {
  status: SubmitStatus | null;
  reason: string | null;
}) {
  if (status === "submitted") return <Badge tone="success">Submitted</Badge>;
  if (status === "failed") {
    const why = reason ?? "The provider gave no reason";
    return (
      <Tooltip content={why}>
        <span tabIndex={0} aria-label={`Failed: ${why}`} data-failure-reason={why}>
          <Badge tone="critical">Failed</Badge>
        </span>
      </Tooltip>
    );
  }
  return null;
}
