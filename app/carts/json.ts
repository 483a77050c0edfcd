// Carts send ids as JSON numbers that can exceed 2^53 (Shopify's do). JSON.parse would round them,
// so integers too large for a double are kept as the exact digits the cart sent, as strings.
type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;

const keepBigIntegers: Reviver = (_key, value, context) =>
  typeof value === "number" &&
  !Number.isSafeInteger(value) &&
  context?.source &&
  /^-?\d+$/.test(context.source)
    ? context.source
    : value;

export function parseCartJson(text: string): unknown {
  return JSON.parse(text, keepBigIntegers as Parameters<typeof JSON.parse>[1]);
}
