// The demo shop's cart. The demo shop is neither a Shopify nor a WooCommerce store; in the demo its
// cart is played by the cart simulator, at the address kept as the shop's `storeUrl`, and speaks a
// small JSON dialect: orders already in our normalised shape, status changes and parcels. Import,
// status changes and tracking therefore reach a cart that answers, accepts or refuses, as they do
// for the other carts. A demo shop with no cart address (made by a test, or a database opened
// without the demo running) keeps its cart in our own database: it accepts every change and has
// nothing more to import.
import { randomUUID } from "node:crypto";
import type {
  CartConnector,
  CartStockWriter,
  CartOrderRef,
  CartOutcome,
  ConnectorShop,
  FetchOutcome,
  ImportPage,
  ImportRequest,
  NormalizedOrder,
  NormalizedPayment,
} from "../connector";
import { CartReadError } from "../connector";

const TIMEOUT_MS = 10_000;

type Answer = { ok: true; status: number; body: unknown } | { ok: false; reason: string };

/** Dates arrive as text in JSON; everything else is already the normalised shape. */
function revive(order: NormalizedOrder): NormalizedOrder {
  return {
    ...order,
    cartCreatedAt: new Date(order.cartCreatedAt),
    cartUpdatedAt: new Date(order.cartUpdatedAt),
  };
}

function errorOf(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === "string" ? error : "the demo cart refused";
}

/**
 * The demo shop's inventory: its products are the demo's own, kept in our database, so every
 * quantity is taken as written (the stock push's summary and pushed_stock are what the demo shows).
 */
const DEMO_STOCK: CartStockWriter = {
  batchSize: 100,
  needsLocation: false,
  write: async (request) => ({ written: request.items.map((i) => i.ref), failed: [] }),
  locations: async () => ({ ok: true, locations: [] }),
};

/** The cart of a demo shop without a cart address: our own database, which accepts every change. */
const OWN_DATABASE_CART: CartConnector = {
  stock: DEMO_STOCK,
  async fetchOrder() {
    return { ok: true, order: null };
  },
  async *importOrders() {
    yield { orders: [], resumeCursor: null, total: 0 };
  },
  async setOrderStatus() {
    return { ok: true };
  },
  async writeOrderStatus() {
    return { ok: true };
  },
  async listOrderStatuses() {
    return { ok: true, statuses: [] };
  },
  async setInvoiceNumber() {
    return { ok: true };
  },
  async addOrderNote() {
    return { ok: true, cartNoteId: null };
  },
  async *readUpdatedOrders() {
    yield { orders: [], resumeCursor: null, total: 0 };
  },
  async pushTracking() {
    return { ok: true };
  },
  // Nothing to read back afterwards: the order page says so and Sync Payments has nothing more.
  async cancelOrder() {
    return { ok: true };
  },
  // The demo's own payments gateway: it captures what is asked, as an authorising gateway would.
  async capturePayment(request) {
    return {
      ok: true,
      transaction: {
        kind: "capture",
        amount: request.amount,
        currency: request.currency,
        status: "success",
        gateway: "Demo payments",
        cartTransactionId: `demo-${randomUUID()}`,
        parentCartTransactionId: request.parentCartTransactionId,
        processedAt: new Date(),
        errorMessage: null,
      },
    };
  },
  async reportSent() {
    return { ok: true };
  },
  async checkWebhooks() {
    return { ok: true, repaired: [], visible: false };
  },
  orderEditorUrl() {
    return null;
  },
};

export function createDemoConnector(shop: ConnectorShop): CartConnector {
  const base = shop.connection.storeUrl?.replace(/\/+$/, "") ?? null;
  if (!base) return OWN_DATABASE_CART;

  async function call(path: string, init: { method?: string; body?: unknown } = {}) {
    try {
      const response = await fetch(`${base}${path}`, {
        method: init.method ?? "GET",
        headers: { "Content-Type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body: unknown = await response.json().catch(() => null);
      return { ok: true, status: response.status, body } satisfies Answer;
    } catch (err) {
      return {
        ok: false,
        reason: `The demo cart did not answer (${String(err)})`,
      } satisfies Answer;
    }
  }

  const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

  async function write(path: string, body: unknown, method = "POST"): Promise<CartOutcome> {
    const answer = await call(path, { method, body });
    if (!answer.ok) return { ok: false, retryable: true, reason: answer.reason };
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    return { ok: false, retryable: answer.status >= 500, reason: errorOf(answer.body) };
  }

  return {
    stock: DEMO_STOCK,
    async fetchOrder(cartOrderId): Promise<FetchOutcome> {
      const answer = await call(orderPath(cartOrderId));
      if (!answer.ok) return { ok: false, retryable: true, reason: answer.reason };
      if (answer.status === 404) return { ok: true, order: null };
      if (answer.status !== 200) {
        return { ok: false, retryable: answer.status >= 500, reason: errorOf(answer.body) };
      }
      return { ok: true, order: revive(answer.body as NormalizedOrder) };
    },

    async *importOrders(request: ImportRequest, resumeCursor): AsyncIterable<ImportPage> {
      const query = new URLSearchParams();
      if (request.mode === "ids") query.set("ids", request.ids.join(","));
      if (request.mode === "range") {
        query.set("created_from", request.from.toISOString());
        query.set("created_to", request.to.toISOString());
      }
      let page: number | null = resumeCursor ? Number(resumeCursor) : 1;
      while (page !== null) {
        query.set("page", String(page));
        const answer = await call(`/api/orders?${query.toString()}`);
        if (!answer.ok) throw new CartReadError(answer.reason, true);
        if (answer.status !== 200) {
          throw new CartReadError(errorOf(answer.body), answer.status >= 500);
        }
        const body = answer.body as {
          orders: NormalizedOrder[];
          total: number;
          next_page: number | null;
          missing?: string[];
        };
        page = body.next_page;
        yield {
          orders: body.orders.map(revive),
          resumeCursor: page === null ? null : String(page),
          total: body.total,
          missing: body.missing ?? [],
        };
      }
    },

    setOrderStatus(order: CartOrderRef, change) {
      return write(`${orderPath(order.cartOrderId)}/status`, { change });
    },

    writeOrderStatus(order, change) {
      if (change.kind === "status") {
        return Promise.resolve({
          ok: false,
          retryable: false,
          reason: "The demo cart has no order status of that name",
        });
      }
      const word = { hold: "hold", release: "processing", complete: "complete" }[change.kind];
      return write(`${orderPath(order.cartOrderId)}/status`, {
        change: word,
        ...(change.kind === "hold" ? { reason: change.reason } : {}),
      });
    },

    // The demo cart has the statuses everyone has; a store's own are WooCommerce's alone.
    async listOrderStatuses() {
      return { ok: true, statuses: [] };
    },

    setInvoiceNumber(order, invoiceNumber) {
      return write(
        `${orderPath(order.cartOrderId)}/invoice`,
        { invoice_number: invoiceNumber },
        "PUT",
      );
    },

    async addOrderNote(order, note) {
      const answer = await call(`${orderPath(order.cartOrderId)}/notes`, {
        method: "POST",
        body: { note: note.text, customer_note: note.visibleToCustomer },
      });
      if (!answer.ok) return { ok: false, retryable: true, reason: answer.reason };
      if (answer.status < 200 || answer.status >= 300) {
        return { ok: false, retryable: answer.status >= 500, reason: errorOf(answer.body) };
      }
      const id = (answer.body as { id?: unknown } | null)?.id;
      return { ok: true, cartNoteId: typeof id === "string" ? id : null };
    },

    cancelOrder(order: CartOrderRef, request) {
      return write(`${orderPath(order.cartOrderId)}/cancel`, {
        reason: request.reason,
        notify_customer: request.notifyCustomer,
        restock: request.restock,
        refund: Number(request.refundAmount) > 0,
      });
    },

    async capturePayment(request) {
      const answer = await call(`${orderPath(request.cartOrderId)}/captures`, {
        method: "POST",
        body: { parent_id: request.parentCartTransactionId, amount: request.amount },
      });
      if (!answer.ok) return { ok: false, retryable: true, reason: answer.reason };
      if (answer.status !== 201) {
        return { ok: false, retryable: answer.status >= 500, reason: errorOf(answer.body) };
      }
      const t = answer.body as NormalizedPayment & { processedAt: string | null };
      return {
        ok: true,
        transaction: { ...t, processedAt: t.processedAt ? new Date(t.processedAt) : null },
      };
    },

    pushTracking(push) {
      return write(`${orderPath(push.cartOrderId)}/fulfillments`, {
        carrier: push.carrier,
        tracking_number: push.trackingNumber,
        tracking_url: push.trackingUrl,
        items: push.items,
        notify_customer: push.notifyCustomer,
        completes_order: push.completesOrder,
      });
    },

    // The demo carts deliver every change as it happens, and reconciliation leaves demo shops
    // alone (reconciliation.server.ts): nothing here was ever missed.
    async *readUpdatedOrders() {
      yield { orders: [], resumeCursor: null, total: 0 };
    },

    // The simulated cart has no fulfillment orders or notes to mark: it is told nothing.
    async reportSent() {
      return { ok: true };
    },

    async checkWebhooks() {
      return { ok: true, repaired: [], visible: false };
    },

    orderEditorUrl(order) {
      return `${base}/admin/orders/${encodeURIComponent(order.cartOrderId)}`;
    },
  };
}
