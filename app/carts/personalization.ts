// Personalisation travels as line-item properties (Shopify) or meta_data (WooCommerce): plain
// key/value pairs whose keys each shop chooses. The shop's settings say which keys hold what.
import type { Personalization, PersonalizationOption } from "~/orders/core/model";
import type { ShopSettings } from "~/orders/core/shop-settings";

export interface CartProperty {
  key: string;
  value: unknown;
}

const asText = (value: unknown): string | null => {
  if (typeof value === "string") return value.trim() || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
};

const norm = (key: string) => key.trim().toLowerCase();

/** A value may hold several image URLs (an upload field with many files), separated by commas or whitespace. */
function urlsIn(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values
    .map(asText)
    .filter((v): v is string => v !== null)
    .flatMap((v) => v.split(/[\s,]+/))
    .filter((v) => /^https?:\/\//i.test(v));
}

/**
 * Reads personalisation from a line's properties; null when the line carries none. Keys compare
 * case-insensitively. Options are the properties the customer saw, in the cart's order and each
 * one kept even when its name repeats: every key not starting with `_` (both carts hide those)
 * and not one of the recognised image keys.
 */
export function readPersonalization(
  properties: CartProperty[],
  keys: ShopSettings["personalizationKeys"],
): Personalization | null {
  const recognised = new Set([...keys.preview, ...keys.design, ...keys.clientImages].map(norm));
  const first = (wanted: string[]): string | null => {
    for (const key of wanted.map(norm)) {
      const found = properties.find((p) => norm(p.key) === key);
      const url = found ? urlsIn(found.value)[0] : undefined;
      if (url) return url;
    }
    return null;
  };
  const clientKeys = new Set(keys.clientImages.map(norm));
  const clientImages = properties
    .filter((p) => clientKeys.has(norm(p.key)))
    .flatMap((p) => urlsIn(p.value));
  // A name may repeat (a bundle line with an "Initials" per piece): each value is its own option.
  const options: PersonalizationOption[] = [];
  for (const p of properties) {
    const name = p.key.trim();
    const value = asText(p.value);
    if (!name || name.startsWith("_") || recognised.has(norm(name)) || value === null) continue;
    options.push({ name, value });
  }

  const personalization: Personalization = {
    previewUrl: first(keys.preview),
    designUrl: first(keys.design),
    clientImages,
    options,
  };
  const empty =
    !personalization.previewUrl &&
    !personalization.designUrl &&
    clientImages.length === 0 &&
    options.length === 0;
  return empty ? null : personalization;
}
