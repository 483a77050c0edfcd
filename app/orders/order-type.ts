// Which type an order is (catalog filter, and whether its countdown runs): a pure rule over what
// the cart sent and the shop's settings, so webhooks, Import and Reset all type an order the same.
import type { OrderType, Personalization } from "~/orders/core/model";
import type { ShopSettings } from "~/orders/core/shop-settings";

export interface TypedLine {
  cartProductId: string | null;
  personalization: Personalization | null;
}

/**
 * A line is made for this customer when it carries a file to print from: a preview, a final design
 * or the customer's own images. Option values alone ("Gift wrap: yes") do not make it personalised:
 * plenty of stock products carry such properties, and an In-app order is submitted automatically.
 */
export function carriesPersonalization(p: Personalization | null): boolean {
  if (!p) return false;
  return Boolean(p.previewUrl || p.designUrl || (p.clientImages && p.clientImages.length > 0));
}

export function orderTypeFor(
  order: { sourceChannel: string | null; lineItems: readonly TypedLine[] },
  settings: Pick<ShopSettings, "personalizedProducts" | "typeRules">,
): OrderType {
  const personalised = new Set(settings.personalizedProducts.map((id) => id.trim()));
  const inApp = order.lineItems.some(
    (line) =>
      (line.cartProductId !== null && personalised.has(line.cartProductId)) ||
      carriesPersonalization(line.personalization),
  );
  if (inApp) return "in_app";
  const channel = order.sourceChannel?.trim().toLowerCase();
  if (channel) {
    for (const rule of settings.typeRules) {
      const wanted = rule.sourceChannel.trim().toLowerCase();
      if (wanted && channel.includes(wanted)) return rule.type;
    }
  }
  return "other";
}
