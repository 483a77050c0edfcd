// "What do statuses mean?": our lifecycle states, and each cart's statuses with the one we show.
import { BlockStack, Modal, Text } from "@shopify/polaris";
import {
  LIFECYCLE_HELP,
  SHOPIFY_STATUS_HELP,
  WOOCOMMERCE_STATUS_HELP,
  cartStatusLabel,
  type CartStatusHelp,
} from "~/orders/status-help";

const cell = {
  padding: "var(--p-space-200) var(--p-space-300) var(--p-space-200) 0",
  verticalAlign: "top",
  textAlign: "left",
  borderBottom: "var(--p-border-width-025) solid var(--p-color-border-secondary)",
} as const;

/**
 * A cart's statuses as a table whose cells wrap: Polaris's DataTable keeps each cell on one line
 * and scrolls sideways, which inside the modal hid the right-hand columns.
 */
function CartTable({ title, rows }: { title: string; rows: readonly CartStatusHelp[] }) {
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      <table style={{ width: "100%", borderCollapse: "collapse", tableLayout: "fixed" }}>
        <colgroup>
          <col style={{ width: "26%" }} />
          <col style={{ width: "40%" }} />
          <col style={{ width: "34%" }} />
        </colgroup>
        <thead>
          <tr>
            {["In the cart", "Means", "Orderlane shows"].map((heading) => (
              <th key={heading} scope="col" style={cell}>
                <Text as="span" fontWeight="semibold">
                  {heading}
                </Text>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.cartWord}>
              <th scope="row" style={cell}>
                <Text as="span" fontWeight="medium">
                  {row.cartWord}
                </Text>
              </th>
              <td style={cell}>
                <Text as="span">{row.meaning}</Text>
              </td>
              <td style={cell}>
                <Text as="span">
                  {row.note
                    ? `${cartStatusLabel(row.ours)}. ${row.note}`
                    : cartStatusLabel(row.ours)}
                </Text>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
