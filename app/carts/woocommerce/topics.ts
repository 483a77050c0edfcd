// The order topics Orderlane subscribes to on a WooCommerce store.
export const WOO_TOPICS = [
  "order.created",
  "order.updated",
  "order.deleted",
  "order.restored",
] as const;
export type WooTopic = (typeof WOO_TOPICS)[number];

export const isWooTopic = (t: string): t is WooTopic =>
  (WOO_TOPICS as readonly string[]).includes(t);
