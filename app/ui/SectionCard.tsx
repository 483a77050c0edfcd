// The cards pages are built from. A section card is one topic of a page (a group of settings, the
// API tokens, a form): its heading, a line saying what it is for, and its content spaced evenly.
// A list card holds a table or list edge to edge (the catalog, the import history).
import { Form } from "@remix-run/react";
import { BlockStack, Card, FormLayout, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function SectionCard({
  title,
  help,
  fields = false,
  post,
  children,
}: {
  /** The section's heading. */
  title?: ReactNode;
  /** A line under the heading saying what the section is for, or how to fill it in. */
  help?: ReactNode;
  /** The content is form fields: laid out, and grouped in rows, the way forms are. */
  fields?: boolean;
  /**
   * The card is a form of its own, posting its fields with these values (the page's intent, the
   * record it edits); a value left undefined is not sent.
   */
  post?: Record<string, string | undefined>;
  children: ReactNode;
}) {
  const heading = title ? (
    <Text as="h2" variant="headingMd">
      {title}
    </Text>
  ) : null;
  const helpText = help ? (
    <Text as="p" tone="subdued">
      {help}
    </Text>
  ) : null;
  const body = fields ? (
    <FormLayout>
      {heading}
      {helpText}
      {children}
    </FormLayout>
  ) : (
    <BlockStack gap="400">
      {heading}
      {helpText}
      {children}
    </BlockStack>
  );
  return (
    <Card>
      {post ? (
        <Form method="post">
          {Object.entries(post).map(([name, value]) =>
            value === undefined ? null : (
              <input key={name} type="hidden" name={name} value={value} />
            ),
          )}
          {body}
        </Form>
      ) : (
        body
      )}
    </Card>
  );
}

/** A card whose content runs to its edges: a table, or a list with its own filters. */
export function ListCard({ children }: { children: ReactNode }) {
  return <Card padding="0">{children}</Card>;
}
