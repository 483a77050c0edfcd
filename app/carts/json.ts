// Carts send ids as JSON numbers that can exceed 2^53 (Shopify's do). JSON.parse would round them,
// so integers too large for a double are kept as the exact digits the cart sent, as strings.
// NUL characters become U+FFFD (see below).
type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;

// PostgreSQL's jsonb cannot hold U+0000, so a NUL a customer pasted into a note would make the
// delivery impossible to store, and the cart would retry it until it gave up on the webhook.
const NUL = "\u0000";

const reviveCartValue: Reviver = (_key, value, context) => {
  if (typeof value === "string") {
    return value.includes(NUL) ? value.replaceAll(NUL, "\ufffd") : value;
  }
  return typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    context?.source &&
    /^-?\d+$/.test(context.source)
    ? context.source
    : value;
};

// A reviver makes JSON.parse several times slower, and most payloads need none: only a run of 16
// or more digits can be an integer beyond 2^53, and a NUL can only arrive escaped. Either one
// (even inside a string, where it changes nothing) takes the careful path.
const MAYBE_UNSAFE = /\d{16}|\\u0000/;

export function parseCartJson(text: string): unknown {
  if (!MAYBE_UNSAFE.test(text)) return JSON.parse(text);
  return JSON.parse(text, reviveCartValue as Parameters<typeof JSON.parse>[1]);
}
