// Search, filters and sort of the catalog. The URL is the only state: every change navigates, so a
// filtered view can be bookmarked and the back button steps through earlier views.
import { useSearchParams } from "@remix-run/react";
import {
  ChoiceList,
  IndexFilters,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
} from "@shopify/polaris";
import { startTransition, useEffect, useRef, useState } from "react";
import { STATE_LABELS } from "~/orders/core/lifecycle";
import {
  CART_STATUS_LABELS,
  CART_STATUSES,
  LIFECYCLE_STATES,
  ORDER_TYPE_LABELS,
  ORDER_TYPES,
} from "~/orders/core/model";

/** The URL parameters the catalog reads (orders/catalog.server.ts catalogQuerySchema). */
export const FILTER_KEYS = [
  "type",
  "orderStatus",
  "status",
  "state",
  "alert",
  "dropshipEligible",
] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

const SEARCH_DEBOUNCE_MS = 350;

export function alertLabel(code: string): string {
  if (code === "any") return "Any alert";
  const words = code.replace(/[_.-]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function CatalogFilters({
  alertCodes,
  orderStatuses,
  loading,
  dropship = false,
}: {
  alertCodes: string[];
  /** The shop has distributors: offer the drop-ship filter. */
  dropship?: boolean;
  /** The shop's own statuses, in the owner's order. */
  orderStatuses: { key: string; label: string }[];
  loading: boolean;
}) {
  const [params, setParams] = useSearchParams();
  const { mode, setMode } = useSetIndexFiltersMode();
  const urlSearch = params.get("search") ?? "";
  const [query, setQuery] = useState(urlSearch);
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Back/forward (or a link) changed the URL: the field shows what the page shows.
  useEffect(() => {
    if (!typing.current) setQuery(urlSearch);
  }, [urlSearch]);
  useEffect(
    () => () => {
      if (typing.current) clearTimeout(typing.current);
    },
    [],
  );

  /** Any change of filters starts again at the first page: a cursor belongs to its filters. */
  const update = (change: (next: URLSearchParams) => void, replace = false) => {
    const next = new URLSearchParams(params);
    change(next);
    next.delete("cursor");
    setParams(next, { replace, preventScrollReset: true });
  };
  const setFilter = (key: FilterKey | "search", value: string | null) =>
    update((next) => (value ? next.set(key, value) : next.delete(key)));

  const onQueryChange = (value: string) => {
    setQuery(value);
    if (typing.current) clearTimeout(typing.current);
    typing.current = setTimeout(() => {
      typing.current = null;
      setFilter("search", value.trim() || null);
    }, SEARCH_DEBOUNCE_MS);
  };

  const choice = (key: FilterKey, label: string, choices: { label: string; value: string }[]) => ({
    key,
    label,
    filter: (
      <ChoiceList
        title={label}
        titleHidden
        choices={choices}
        selected={params.get(key) ? [params.get(key)!] : []}
        onChange={(selected) => setFilter(key, selected[0] ?? null)}
      />
    ),
    pinned: true,
  });

  const alertChoices = ["any", ...alertCodes];
  const current = params.get("alert");
  if (current && !alertChoices.includes(current)) alertChoices.push(current);

  const filters = [
    choice(
      "type",
      "Type",
      ORDER_TYPES.map((t) => ({ label: ORDER_TYPE_LABELS[t], value: t })),
    ),
    choice(
      "orderStatus",
      "Status",
      orderStatuses.map((s) => ({ label: s.label, value: s.key })),
    ),
    choice(
      "status",
      "Cart status",
      CART_STATUSES.map((s) => ({ label: CART_STATUS_LABELS[s], value: s })),
    ),
    choice(
      "state",
      "State",
      LIFECYCLE_STATES.map((s) => ({ label: STATE_LABELS[s], value: s })),
    ),
    choice(
      "alert",
      "Alert",
      alertChoices.map((code) => ({ label: alertLabel(code), value: code })),
    ),
    ...(dropship || params.get("dropshipEligible")
      ? [
          choice("dropshipEligible", "Drop-ship", [
            { label: "Has items that can be drop-shipped", value: "true" },
          ]),
        ]
      : []),
  ];

  const describe: Record<FilterKey, (value: string) => string> = {
    type: (v) => `Type: ${ORDER_TYPE_LABELS[v as keyof typeof ORDER_TYPE_LABELS] ?? v}`,
    orderStatus: (v) => `Status: ${orderStatuses.find((s) => s.key === v)?.label ?? v}`,
    status: (v) => `Cart status: ${CART_STATUS_LABELS[v as keyof typeof CART_STATUS_LABELS] ?? v}`,
    state: (v) => `State: ${STATE_LABELS[v as keyof typeof STATE_LABELS] ?? v}`,
    alert: (v) => `Alert: ${alertLabel(v)}`,
    dropshipEligible: (v) =>
      v === "true" ? "Has items that can be drop-shipped" : "Drop-ship: any order",
  };
  const appliedFilters: IndexFiltersProps["appliedFilters"] = FILTER_KEYS.flatMap((key) => {
    const value = params.get(key);
    return value
      ? [{ key, label: describe[key](value), onRemove: () => setFilter(key, null) }]
      : [];
  });

  const sort = params.get("sort") === "oldest" ? "date asc" : "date desc";

  return (
    <IndexFilters
      tabs={[{ id: "all-orders", content: "All orders" }]}
      selected={0}
      onSelect={() => {}}
      canCreateNewView={false}
      queryValue={query}
      queryPlaceholder="Search by order number or cart order ID"
      onQueryChange={onQueryChange}
      onQueryClear={() => onQueryChange("")}
      filters={filters}
      appliedFilters={appliedFilters}
      onClearAll={() =>
        update((next) => {
          for (const key of [...FILTER_KEYS, "search"]) next.delete(key);
        })
      }
      sortOptions={[
        { label: "Order date", value: "date desc", directionLabel: "Newest first" },
        { label: "Order date", value: "date asc", directionLabel: "Oldest first" },
      ]}
      sortSelected={[sort]}
      onSort={(value) =>
        update((next) =>
          value[0] === "date asc" ? next.set("sort", "oldest") : next.delete("sort"),
        )
      }
      cancelAction={{ onAction: () => {}, disabled: false, loading: false }}
      mode={mode}
      // Opening search and filters mounts the search field and a popover per filter, whose layout
      // reads cost most of a frame on a slow laptop: as a transition, the browser paints the
      // pressed button first and React renders the bar in slices (INP, `npm run bench vitals`).
      setMode={(next) => startTransition(() => setMode(next))}
      loading={loading}
      filteringAccessibilityLabel="Search and filter orders"
    />
  );
}
