// Previous and next page of a long list, as a landmark screen readers can jump to.
import { Pagination } from "@shopify/polaris";

export function Pager({
  label,
  onPrevious,
  onNext,
}: {
  /** What is being paged, e.g. "Pages of orders". */
  label: string;
  /** Absent on the first page. */
  onPrevious?: () => void;
  /** Absent on the last page. */
  onNext?: () => void;
}) {
  return (
    <nav aria-label={label} style={{ display: "flex", justifyContent: "center" }}>
      <Pagination
        hasPrevious={Boolean(onPrevious)}
        previousTooltip="Previous page"
        onPrevious={onPrevious}
        hasNext={Boolean(onNext)}
        nextTooltip="Next page"
        onNext={onNext}
      />
    </nav>
  );
}
