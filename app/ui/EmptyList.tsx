// What a list shows when it has nothing in it: a heading saying so and a line on why, or how to
// fill it. No illustration: the standalone pages load no images from elsewhere.
import { EmptyState } from "@shopify/polaris";
import type { ReactNode } from "react";

export function EmptyList({ heading, children }: { heading: string; children: ReactNode }) {
  return (
    <EmptyState heading={heading} image="">
      {children}
    </EmptyState>
  );
}
