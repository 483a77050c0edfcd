// "What do statuses mean?": our lifecycle states, and each cart's statuses with the one we show.
import { BlockStack, DataTable, Modal, Text } from "@shopify/polaris";
import {
  LIFECYCLE_HELP,
  SHOPIFY_STATUS_HELP,
  WOOCOMMERCE_STATUS_HELP,
  cartStatusLabel,
  type CartStatusHelp,
} from "~/orders/status-help";

function CartTable({ title, rows }: { title: string; rows: readonly CartStatusHelp[] }) {
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      <DataTable
        columnContentTypes={["text", "text", "text"]}
        headings={["In the cart", "Means", "Orderlane shows"]}
        rows={rows.map((row) => [
          row.cartWord,
          row.meaning,
          row.note ? `${cartStatusLabel(row.ours)}. ${row.note}` : cartStatusLabel(row.ours),
        ])}
        verticalAlign="top"
      />
    </BlockStack>
  );
}

export function StatusHelpModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Modal open={open} onClose={onClose} title="What do statuses mean?" size="large">
      <Modal.Section>
        <BlockStack gap="300">
          <Text as="p">
            Every order has two statuses: the <strong>cart status</strong> (what Shopify or
            WooCommerce says, kept in step both ways) and its <strong>state</strong> in Orderlane
            (where it is on its way to the providers).
          </Text>
          <Text as="h3" variant="headingSm">
            States in Orderlane
          </Text>
          <dl style={{ margin: 0 }}>
            {LIFECYCLE_HELP.map((entry) => (
              <div key={entry.state} style={{ marginBottom: 8 }}>
                <dt>
                  <Text as="span" fontWeight="semibold">
                    {entry.label}
                  </Text>
                </dt>
                <dd style={{ margin: 0 }}>
                  <Text as="span">{entry.description}</Text>
                </dd>
              </div>
            ))}
          </dl>
        </BlockStack>
      </Modal.Section>
      <Modal.Section>
        <CartTable title="Shopify statuses" rows={SHOPIFY_STATUS_HELP} />
      </Modal.Section>
      <Modal.Section>
        <CartTable title="WooCommerce statuses" rows={WOOCOMMERCE_STATUS_HELP} />
      </Modal.Section>
    </Modal>
  );
}
