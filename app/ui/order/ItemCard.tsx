// One ordered item: what it is, and its personalisation as the provider will make it.
import { useState } from "react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineStack,
  Link,
  Modal,
  Text,
  Thumbnail,
} from "@shopify/polaris";
import { cartAdminTarget } from "./notify";
import type { OrderPageItem } from "./types";

const DELIVERY_WORDS: Record<string, string> = {
  pending: "not shipped yet",
  shipped: "shipped",
  delivered: "delivered",
};

export function ItemCard({
  item,
  embedded,
  canEditDesign,
  onEditDesign,
}: {
  item: OrderPageItem;
  embedded: boolean;
  canEditDesign: { allowed: boolean; reason: string | null };
  onEditDesign: (item: OrderPageItem) => void;
}) {
  const [enlarged, setEnlarged] = useState<{ url: string; alt: string } | null>(null);
  const personalised =
    item.previewUrl !== null ||
    item.designUrl !== null ||
    item.clientImages.length > 0 ||
    item.options.length > 0;

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="400" wrap={false} blockAlign="start">
          <Thumbnail
            source={item.mockupUrl ?? "/favicon.svg"}
            alt={item.mockupUrl ? `Mockup of ${item.title}` : ""}
            size="large"
          />
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingMd">
                {item.title}
              </Text>
              {item.edited ? <Badge tone="info">Edited</Badge> : null}
            </InlineStack>
            <Text as="p" tone="subdued">
              {[item.sku ? `SKU ${item.sku}` : "No SKU", item.style].filter(Boolean).join(" · ")}
            </Text>
            <Text as="p">
              {item.quantity} × {item.price}
            </Text>
            {item.providerName ? (
              <Text as="p" tone="subdued">
                Made by {item.providerName} ·{" "}
                {DELIVERY_WORDS[item.deliveryState] ?? item.deliveryState}
              </Text>
            ) : null}
            <InlineStack gap="300">
              {item.productUrl ? (
                <Link url={item.productUrl} target="_blank">
                  View product on the store
                </Link>
              ) : null}
              {item.defineDesignUrl ? (
                <Link url={item.defineDesignUrl} target={cartAdminTarget(embedded)}>
                  Define Design
                </Link>
              ) : null}
            </InlineStack>
          </BlockStack>
        </InlineStack>

        {personalised ? (
          <Box paddingBlockStart="200" borderBlockStartWidth="025" borderColor="border">
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h4" variant="headingSm">
                  Personalisation
                </Text>
                <InlineStack gap="200" blockAlign="center">
                  {item.designUrl ? (
                    <Button url={item.designUrl} target="_blank" variant="plain">
                      View Design
                    </Button>
                  ) : (
                    <Text as="span" tone="caution">
                      No final design file yet
                    </Text>
                  )}
                  <Button
                    onClick={() => onEditDesign(item)}
                    disabled={!canEditDesign.allowed}
                    accessibilityLabel={`Edit Design of ${item.title}`}
                  >
                    Edit Design
                  </Button>
                </InlineStack>
              </InlineStack>
              {!canEditDesign.allowed && canEditDesign.reason ? (
                <Text as="p" tone="subdued">
                  Edit Design: {canEditDesign.reason}
                </Text>
              ) : null}
              <InlineStack gap="400" blockAlign="start">
                {item.previewUrl ? (
                  <BlockStack gap="100">
                    <Text as="span" tone="subdued">
                      Live preview
                    </Text>
                    <ImageButton
                      url={item.previewUrl}
                      alt={`Live preview of ${item.title}`}
                      onOpen={setEnlarged}
                    />
                  </BlockStack>
                ) : null}
                {item.clientImages.length > 0 ? (
                  <BlockStack gap="100">
                    <Text as="span" tone="subdued">
                      Customer&apos;s images
                    </Text>
                    <InlineStack gap="200">
                      {item.clientImages.map((url, index) => (
                        <ImageButton
                          key={url + index}
                          url={url}
                          alt={`Customer's image ${index + 1} for ${item.title}`}
                          onOpen={setEnlarged}
                        />
                      ))}
                    </InlineStack>
                  </BlockStack>
                ) : null}
                {item.options.length > 0 ? (
                  <dl
                    style={{
                      margin: 0,
                      display: "grid",
                      gridTemplateColumns: "auto 1fr",
                      gap: "4px 12px",
                    }}
                  >
                    {item.options.map((option) => (
                      <div key={option.name} style={{ display: "contents" }}>
                        <dt>
                          <Text as="span" tone="subdued">
                            {option.name}
                          </Text>
                        </dt>
                        <dd style={{ margin: 0 }}>
                          <Text as="span" fontWeight="semibold">
                            {option.value}
                          </Text>
                        </dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
              </InlineStack>
            </BlockStack>
          </Box>
        ) : null}
      </BlockStack>
      <Modal open={enlarged !== null} onClose={() => setEnlarged(null)} title={enlarged?.alt ?? ""}>
        <Modal.Section>
          {enlarged ? (
            <img
              src={enlarged.url}
              alt={enlarged.alt}
              style={{ width: "100%", maxHeight: "70vh", objectFit: "contain" }}
            />
          ) : null}
        </Modal.Section>
      </Modal>
    </Card>
  );
}

function ImageButton({
  url,
  alt,
  onOpen,
}: {
  url: string;
  alt: string;
  onOpen: (image: { url: string; alt: string }) => void;
}) {
  return (
    <button
      type="button"
      onClick={() => onOpen({ url, alt })}
      aria-label={`Enlarge: ${alt}`}
      style={{
        padding: 0,
        border: "1px solid #e3e3e3",
        borderRadius: 8,
        background: "none",
        cursor: "zoom-in",
      }}
    >
      <img
        src={url}
        alt=""
        width={96}
        height={96}
        style={{ objectFit: "cover", borderRadius: 8, display: "block" }}
      />
    </button>
  );
}
