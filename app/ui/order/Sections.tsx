// The order page's smaller read-only sections.
import { Badge, BlockStack, InlineStack, Link, Text } from "@shopify/polaris";
import type { OrderPageData } from "./types";

/** An address in the lines its country writes it in (laid out by the server). */
export function AddressBlock({ title, lines }: { title: string; lines: string[] | null }) {
  return (
    <BlockStack gap="050">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      {lines ? (
        <address style={{ fontStyle: "normal" }}>
          {lines.map((line, index) => (
            <Text as="p" key={index}>
              {line}
            </Text>
          ))}
        </address>
      ) : (
        <Text as="p" tone="subdued">
          None given
        </Text>
      )}
    </BlockStack>
  );
}

export function Totals({ totals }: { totals: OrderPageData["totals"] }) {
  const row = (label: string, value: string, strong = false) => (
    <InlineStack align="space-between">
      <Text as="span" fontWeight={strong ? "semibold" : "regular"}>
        {label}
      </Text>
      <Text as="span" fontWeight={strong ? "semibold" : "regular"}>
        {value}
      </Text>
    </InlineStack>
  );
  return (
    <BlockStack gap="200">
      <Text as="h2" variant="headingMd">
        Totals ({totals.currency})
      </Text>
      {row("Subtotal", totals.subtotal)}
      {row("Shipping", totals.shipping)}
      {row("Tax", totals.tax)}
      {row("Total", totals.total, true)}
    </BlockStack>
  );
}

export function SubmissionList({ submissions }: { submissions: OrderPageData["submissions"] }) {
  if (submissions.length === 0) return null;
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        Purchase orders
      </Text>
      {submissions.map((s) => (
        <BlockStack gap="050" key={s.id}>
          <InlineStack gap="200" blockAlign="center">
            <Text as="span">
              {s.poNumber} · {s.providerName}
            </Text>
            <Badge tone={s.tone}>{s.statusLabel}</Badge>
          </InlineStack>
          {s.lastError ? (
            <Text as="p" tone="critical">
              {s.lastError}
            </Text>
          ) : null}
        </BlockStack>
      ))}
    </BlockStack>
  );
}

export function ShipmentList({ shipments }: { shipments: OrderPageData["shipments"] }) {
  return (
    <BlockStack gap="200">
      <Text as="h2" variant="headingMd">
        Tracking
      </Text>
      {shipments.length === 0 ? (
        <Text as="p" tone="subdued">
          Nothing has shipped yet.
        </Text>
      ) : (
        shipments.map((s) => (
          <BlockStack gap="050" key={s.id}>
            <Text as="p">
              {s.carrier ?? "Carrier"}:{" "}
              {s.trackingUrl ? (
                <Link url={s.trackingUrl} target="_blank">
                  {s.trackingNumber}
                </Link>
              ) : (
                s.trackingNumber
              )}
            </Text>
            <Text as="p" tone="subdued">
              Shipped {s.shippedAt}
              {s.pushedAt ? ` · in the cart since ${s.pushedAt}` : ""}
            </Text>
            {s.pushError ? (
              <Text as="p" tone="critical">
                Not in the cart yet: {s.pushError}
              </Text>
            ) : null}
          </BlockStack>
        ))
      )}
    </BlockStack>
  );
}

const ACTOR_WORDS: Record<string, string> = {
  system: "Orderlane",
  owner: "Owner",
  cart: "Cart",
  provider: "Provider",
};

export function Timeline({ events }: { events: OrderPageData["timeline"] }) {
  return (
    <BlockStack gap="300">
      <Text as="h2" variant="headingMd">
        Timeline
      </Text>
      {events.length === 0 ? (
        <Text as="p" tone="subdued">
          Nothing has happened to this order yet.
        </Text>
      ) : (
        <ol style={{ margin: 0, paddingInlineStart: 0, listStyle: "none" }} aria-label="Timeline">
          {events.map((e) => (
            <li key={e.id} style={{ marginBottom: 12 }}>
              <BlockStack gap="050">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="span" fontWeight="semibold">
                    {e.action}
                  </Text>
                  {e.from && e.to && e.from !== e.to ? (
                    <Text as="span" tone="subdued">
                      {e.from} → {e.to}
                    </Text>
                  ) : null}
                </InlineStack>
                {e.message ? <Text as="p">{e.message}</Text> : null}
                <Text as="p" tone="subdued" variant="bodySm">
                  {e.at} · {ACTOR_WORDS[e.actor] ?? e.actor}
                  {e.actorName ? ` (${e.actorName})` : ""}
                </Text>
              </BlockStack>
            </li>
          ))}
        </ol>
      )}
    </BlockStack>
  );
}
