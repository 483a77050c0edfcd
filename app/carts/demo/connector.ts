// The demo shop's cart lives in our own database: it accepts status changes and tracking as a real
// cart would, so the demo shows an order go from countdown to Closed without any outside account.
// Its orders are seeded, so there is nothing more to read from it.
import type { CartConnector, ConnectorShop } from "../connector";

export function createDemoConnector(_shop: ConnectorShop): CartConnector {
  return {
    async fetchOrder() {
      return { ok: true, order: null };
    },
    async *importOrders() {
      yield { orders: [], resumeCursor: null, total: 0 };
    },
    async *readUpdatedOrders() {
      yield { orders: [], resumeCursor: null, total: 0 };
    },
    async checkWebhooks() {
      return { ok: true, repaired: [], visible: false };
    },
    async reportSent() {
      return { ok: true };
    },
    async setOrderStatus() {
      return { ok: true };
    },
    async pushTracking() {
      return { ok: true };
    },
    orderEditorUrl() {
      return null;
    },
  };
}
