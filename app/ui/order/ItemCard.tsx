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
import { imageSource, linkTarget, type ImageSource, type LinkTarget } from "~/ui/image-source";
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
  allowHttpImages,
  canEditDesign,
  onEditDesign,
}: {
  item: OrderPageItem;
  embedded: boolean;
  /** From the route: development and the demo also load http and local image addresses. */
  allowHttpImages: boolean;
  canEditDesign: { allowed: boolean; reason: string | null };
  onEditDesign: (item: OrderPageItem) => void;
}) {
  const [enlarged, setEnlarged] = useState<{ url: string; alt: string } | null>(null);
  // Every address below came from the cart: judged before anything loads or links it.
  const images = { allowHttp: allowHttpImages };
  const mockup = item.mockupUrl ? imageSource(item.mockupUrl, images) : null;
  const preview = item.previewUrl ? imageSource(item.previewUrl, images) : null;
  const clientImages = item.clientImages.map((url) => imageSource(url, images));
  const product = item.productUrl ? linkTarget(item.productUrl, images) : null;
  const design = item.designUrl ? linkTarget(item.designUrl, images) : null;
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
            source={mockup?.kind === "image" ? mockup.src : "/favicon.svg"}
            alt={mockup?.kind === "image" ? `Mockup of ${item.title}` : ""}
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
            {item.dropship ? <DropshipLine dropship={item.dropship} /> : null}
            {item.providerName ? (
              <Text as="p" tone="subdued">
                Made by {item.providerName} ·{" "}
                {DELIVERY_WORDS[item.deliveryState] ?? item.deliveryState}
              </Text>
            ) : null}
            {mockup && mockup.kind !== "image" ? (
              <BlockedImage label="Mockup" source={mockup} />
            ) : null}
            <InlineStack gap="300">
              {product ? <CartLink label="View product on the store" target={product} /> : null}
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
                  {design?.kind === "link" && design.warning === null ? (
                    <Button url={design.href} target="_blank" variant="plain">
                      View Design
                    </Button>
                  ) : design ? (
                    <CartLink label="View Design" target={design} />
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
                {preview ? (
                  <BlockStack gap="100">
                    <Text as="span" tone="subdued">
                      Live preview
                    </Text>
                    {preview.kind === "image" ? (
                      <ImageButton
                        url={preview.src}
                        alt={`Live preview of ${item.title}`}
                        onOpen={setEnlarged}
                      />
                    ) : (
                      <BlockedImage source={preview} />
                    )}
                  </BlockStack>
                ) : null}
                {clientImages.length > 0 ? (
                  <BlockStack gap="100">
                    <Text as="span" tone="subdued">
                      Customer&apos;s images
                    </Text>
                    <InlineStack gap="200">
                      {clientImages.map((source, index) =>
                        source.kind === "image" ? (
                          <ImageButton
                            key={index}
                            url={source.src}
                            alt={`Customer's image ${index + 1} for ${item.title}`}
                            onOpen={setEnlarged}
                          />
                        ) : (
                          <BlockedImage key={index} label={`Image ${index + 1}`} source={source} />
                        ),
                      )}
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
                    {item.options.map((option, i) => (
                      // A name may repeat (three "Initials"), so the place is the key.
                      <div key={i} style={{ display: "contents" }}>
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

/**
 * An image the cart sent that is not loaded: why, in the owner's words, and its address as a link
 * they may open deliberately (http on the internet) or as text (anything else).
 */
function BlockedImage({
  label,
  source,
}: {
  label?: string;
  source: Exclude<ImageSource, { kind: "image" }>;
}) {
  return (
    <div data-testid="blocked-image" style={{ maxWidth: 280 }}>
      <Box
        padding="200"
        borderWidth="025"
        borderStyle="dashed"
        borderColor="border-caution"
        borderRadius="200"
      >
        <BlockStack gap="100">
          {label ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {label}
            </Text>
          ) : null}
          <Text as="p" tone="caution">
            {source.warning}
          </Text>
          {source.kind === "link" ? (
            <Text as="p" breakWord>
              <Link url={source.href} target="_blank">
                {source.href}
              </Link>
            </Text>
          ) : (
            <Text as="p" tone="subdued" breakWord>
              {source.text}
            </Text>
          )}
        </BlockStack>
      </Box>
    </div>
  );
}

/** A link the cart sent (the product page, the design file), with a warning when it needs one. */
function CartLink({ label, target }: { label: string; target: LinkTarget }) {
  if (target.kind === "link") {
    return (
      <InlineStack gap="100" blockAlign="center">
        <Link url={target.href} target="_blank">
          {label}
        </Link>
        {target.warning ? (
          <Text as="span" tone="caution">
            ({target.warning})
          </Text>
        ) : null}
      </InlineStack>
    );
  }
  return (
    <BlockStack gap="050">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" tone="caution">
        {target.warning}
      </Text>
      <Text as="span" tone="subdued" breakWord>
        {target.text}
      </Text>
    </BlockStack>
  );
}

/** Which distributors can ship the item (stock, cost, lead time, feed age), or why none can. */
function DropshipLine({ dropship }: { dropship: NonNullable<OrderPageItem["dropship"]> }) {
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        {dropship.eligible ? (
          <Badge tone="success">Can be drop-shipped</Badge>
        ) : (
          <Badge tone="attention">Cannot be drop-shipped</Badge>
        )}
        {dropship.reason ? <Text as="span">{dropship.reason}</Text> : null}
      </InlineStack>
      {dropship.offers.map((o) => (
        <Text
          as="p"
          tone={o.problem ? "subdued" : undefined}
          key={`${o.distributorName}-${o.sku}-${o.warehouse}`}
        >
          {o.distributorName}
          {o.warehouse ? ` (${o.warehouse})` : ""}: {o.stock} in stock · {o.cost} · lead time{" "}
          {o.leadTime} · {o.feedAge}
          {o.sku ? ` · their SKU ${o.sku}` : ""}
          {o.problem ? ` — cannot: ${o.problem}` : ""}
        </Text>
      ))}
    </BlockStack>
  );
}
