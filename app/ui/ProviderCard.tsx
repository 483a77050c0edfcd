// One fulfillment provider as Settings > Providers lists it: its name with badges saying its type,
// whether it is the default and whether it is off; Edit and Remove; the address it sends its
// shipment events to; and which credentials are saved (never the credentials themselves).
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";

export interface ProviderCardView {
  id: string;
  name: string;
  /** The provider's type in words ("Printful"). */
  kindLabel: string;
  isDefault: boolean;
  enabled: boolean;
  eventsUrl: string;
  /** The labels of the credentials saved for it, in the form's order. */
  savedCredentials: string[];
  /** Distributors: their feed's page, and why its last run failed (null when it did not). */
  feed?: { url: string; alert: string | null; summary: string };
}

export function ProviderCard({ provider }: { provider: ProviderCardView }) {
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {provider.name}
            </Text>
            <Badge>{provider.kindLabel}</Badge>
            {provider.isDefault ? <Badge tone="success">Default</Badge> : null}
            {!provider.enabled ? <Badge tone="critical">Disabled</Badge> : null}
            {provider.feed?.alert ? <Badge tone="critical">Feed failed</Badge> : null}
          </InlineStack>
          <InlineStack gap="200">
            {provider.feed ? <Button url={provider.feed.url}>Feed and runs</Button> : null}
            <Button url={`?edit=${provider.id}`}>Edit</Button>
            <Form method="post">
              <input type="hidden" name="intent" value="remove" />
              <input type="hidden" name="providerId" value={provider.id} />
              <Button submit tone="critical" variant="plain">
                Remove
              </Button>
            </Form>
          </InlineStack>
        </InlineStack>
        {provider.feed ? (
          <Text as="p" tone={provider.feed.alert ? "critical" : "subdued"}>
            {provider.feed.alert ?? provider.feed.summary}
          </Text>
        ) : null}
        <TextField
          label="Events URL (give this to the provider for shipment updates)"
          value={provider.eventsUrl}
          readOnly
          autoComplete="off"
        />
        <Text as="p" tone="subdued">
          {provider.savedCredentials.length > 0
            ? `Saved: ${provider.savedCredentials.join(", ")}`
            : "No credentials saved"}
        </Text>
      </BlockStack>
    </Card>
  );
}
