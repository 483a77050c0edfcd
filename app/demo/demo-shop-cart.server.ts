// The demo shop's own cart, played by the cart simulator under /demo-cart. The demo shop is no
// Shopify or WooCommerce store, so its cart speaks the small JSON dialect of the demo connector
// (app/carts/demo/connector.ts): orders in the app's normalised shape, status changes and parcels.
// It holds the same orders the demo stored for the shop, so Import finds them, and it accepts or
// refuses changes as a cart would (a cancelled order cannot be held, a shipped one not cancelled).
import type { NormalizedOrder } from "~/carts/connector";
import type { CartStatus } from "~/orders/core/model";

export interface DemoShopCartOptions {
  /** The orders as the cart has them: the ones the demo stored for its shop, as first stored. */
  orders: readonly NormalizedOrder[];
  /** The shop's name, for the cart's own pages. */
  name: string;
  /** What the shop sells, for its product pages. */
  products: DemoCartProduct[];
  /** Parcels the cart already has, by cart order id (the seed's shipped orders). */
  parcels?: Record<string, DemoCartParcel[]>;
}

export interface DemoCartProduct {
  handle: string;
  title: string;
  mockup: string;
  priceCents: number;
  variants: string[];
  personalised: boolean;
}

export interface DemoCartParcel {
  carrier: string | null;
  trackingNumber: string;
  trackingUrl: string | null;
  at: string;
}

/** An order as the demo cart holds it: the normalised order, its parcels and its notes. */
export interface DemoCartRecord {
  order: NormalizedOrder;
  parcels: DemoCartParcel[];
  notes: string[];
  /** The invoice number the shop wrote to the order, if any. */
  invoiceNumber?: string | null;
}

export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
}

const RAW_WORDS: Record<CartStatus, string> = {
  pending_payment: "pending",
  failed: "failed",
  processing: "processing",
  on_hold: "on-hold",
  completed: "fulfilled",
  cancelled: "cancelled",
  refunded: "refunded",
};

const PAGE_SIZE = 50;

export class DemoShopCart {
  readonly orders = new Map<string, DemoCartRecord>();
  readonly name: string;
  readonly products: DemoCartProduct[];

  constructor(options: DemoShopCartOptions) {
    this.name = options.name;
    this.products = options.products;
    for (const order of options.orders) {
      this.orders.set(order.cartOrderId, {
        order: structuredClone(order),
        parcels: [...(options.parcels?.[order.cartOrderId] ?? [])],
        notes: [],
      });
    }
  }

  /** The order whose id or number ("#1001", "1001") this is. */
  find(ref: string): DemoCartRecord | undefined {
    const wanted = ref.trim().replace(/^#/, "");
    return (
      this.orders.get(wanted) ??
      [...this.orders.values()].find((r) => r.order.cartOrderNumber.replace(/^#/, "") === wanted)
    );
  }

  handle(method: string, path: string, query: URLSearchParams, text: string): Reply {
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { error: "The body is not JSON" } };
      }
    }
    if (path === "/api/orders" && method === "GET") return this.list(query);
    const one =
      /^\/api\/orders\/([^/]+)(\/status|\/fulfillments|\/invoice|\/notes|\/captures|\/cancel)?$/.exec(
        path,
      );
    if (!one) return { status: 404, body: { error: "The demo cart has no such address" } };
    const record = this.find(decodeURIComponent(one[1]!));
    if (!record) return { status: 404, body: { error: "The demo cart has no such order" } };
    if (!one[2] && method === "GET") return { status: 200, body: record.order };
    if (one[2] === "/status" && method === "POST") return this.changeStatus(record, body.change);
    if (one[2] === "/fulfillments" && method === "POST") return this.fulfil(record, body);
    if (one[2] === "/invoice" && method === "PUT") return this.setInvoice(record, body);
    if (one[2] === "/notes" && method === "POST") return this.addNote(record, body);
    if (one[2] === "/captures" && method === "POST") return this.capture(record, body);
    if (one[2] === "/cancel" && method === "POST") return this.cancel(record, body);
    return { status: 405, body: { error: `${method} is not answered here` } };
  }

  private list(query: URLSearchParams): Reply {
    const ids = query.get("ids")?.split(",").filter(Boolean) ?? null;
    const from = query.get("created_from");
    const to = query.get("created_to");
    const page = Math.max(1, Number(query.get("page") ?? "1") || 1);
    let found: NormalizedOrder[];
    const missing: string[] = [];
    if (ids) {
      found = [];
      for (const id of ids) {
        const record = this.find(id);
        if (record) found.push(record.order);
        else missing.push(id);
      }
    } else {
      found = [...this.orders.values()]
        .map((r) => r.order)
        .filter(
          (o) =>
            (!from || o.cartCreatedAt.getTime() >= Date.parse(from)) &&
            (!to || o.cartCreatedAt.getTime() <= Date.parse(to)),
        )
        .sort((a, b) => a.cartCreatedAt.getTime() - b.cartCreatedAt.getTime());
    }
    const slice = found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    return {
      status: 200,
      body: {
        orders: slice,
        total: found.length,
        next_page: page * PAGE_SIZE < found.length ? page + 1 : null,
        missing,
      },
    };
  }

  private changeStatus(record: DemoCartRecord, change: unknown): Reply {
    const order = record.order;
    const refuse = (error: string) => ({ status: 409, body: { error } });
    const ended = ["cancelled", "refunded", "completed"].includes(order.cartStatus);
    switch (change) {
      case "hold":
        if (ended || order.cartStatus === "on_hold") {
          return refuse(`The order is ${RAW_WORDS[order.cartStatus]}; it cannot be put on hold`);
        }
        this.setStatus(record, "on_hold");
        break;
      case "release":
        if (order.cartStatus !== "on_hold") return refuse("The order is not on hold");
        this.setStatus(record, "processing");
        break;
      // The shop's own statuses: processing releases a hold if there is one; complete needs
      // everything shipped, as a cart would.
      case "processing":
        if (ended) {
          return refuse(
            `The order is ${RAW_WORDS[order.cartStatus]}; it cannot be processed again`,
          );
        }
        if (order.cartStatus !== "processing") this.setStatus(record, "processing");
        break;
      case "complete":
        if (["cancelled", "refunded"].includes(order.cartStatus)) {
          return refuse(`The order is ${RAW_WORDS[order.cartStatus]}; it cannot be completed`);
        }
        if (record.parcels.length === 0) return refuse("Nothing on the order has shipped yet");
        this.setStatus(record, "completed");
        break;
      case "cancel":
        if (ended)
          return refuse(`The order is ${RAW_WORDS[order.cartStatus]}; it cannot be cancelled`);
        if (record.parcels.length > 0) return refuse("Part of the order has shipped");
        this.setStatus(record, "cancelled");
        break;
      default:
        return {
          status: 400,
          body: { error: "change is one of hold, release, processing, complete, cancel" },
        };
    }
    return { status: 200, body: order };
  }

  private setInvoice(record: DemoCartRecord, body: Record<string, unknown>): Reply {
    const value = body.invoice_number;
    if (value !== null && (typeof value !== "string" || value.length > 64)) {
      return { status: 400, body: { error: "invoice_number is text of at most 64 characters" } };
    }
    record.invoiceNumber = value;
    record.order.cartUpdatedAt = new Date();
    return { status: 200, body: { invoice_number: value } };
  }

  private addNote(record: DemoCartRecord, body: Record<string, unknown>): Reply {
    if (typeof body.note !== "string" || !body.note.trim()) {
      return { status: 400, body: { error: "note is missing" } };
    }
    record.notes.push(body.customer_note === true ? `To the customer: ${body.note}` : body.note);
    return { status: 201, body: { id: String(record.notes.length), note: body.note } };
  }

  /**
   * Captures from an authorisation, as a gateway that allows partial captures does: never more
   * than the authorisation has left.
   */
  private capture(record: DemoCartRecord, body: Record<string, unknown>): Reply {
    const parentId = typeof body.parent_id === "string" ? body.parent_id : null;
    const amount = typeof body.amount === "string" ? Number(body.amount) : Number.NaN;
    const payments = record.order.payments;
    const parent = payments.find(
      (p) =>
        p.kind === "authorization" && p.status === "success" && p.cartTransactionId === parentId,
    );
    if (!parent) return { status: 404, body: { error: "The demo cart has no such authorisation" } };
    const taken = payments
      .filter((p) => p.kind === "capture" && p.parentCartTransactionId === parentId)
      .reduce((sum, p) => sum + Number(p.amount), 0);
    const left = Math.round((Number(parent.amount) - taken) * 100) / 100;
    if (!(amount > 0) || amount > left + 1e-9) {
      return { status: 422, body: { error: `At most ${left.toFixed(2)} can still be captured` } };
    }
    const capture = {
      kind: "capture" as const,
      amount: amount.toFixed(2),
      currency: parent.currency,
      status: "success",
      gateway: parent.gateway,
      cartTransactionId: `${parentId}-c${payments.length}`,
      parentCartTransactionId: parentId,
      processedAt: new Date(),
      errorMessage: null,
    };
    payments.push(capture);
    return { status: 201, body: { ...capture, processedAt: capture.processedAt.toISOString() } };
  }

  /**
   * Cancel Order, as Shopify's orderCancel does it: captured money refunded to the original payment
   * method when asked, what is still authorised released, the customer told when asked.
   */
  private cancel(record: DemoCartRecord, body: Record<string, unknown>): Reply {
    const order = record.order;
    if (["cancelled", "refunded", "completed"].includes(order.cartStatus)) {
      return {
        status: 409,
        body: { error: `The order is ${RAW_WORDS[order.cartStatus]}; it cannot be cancelled` },
      };
    }
    if (record.parcels.length > 0)
      return { status: 409, body: { error: "Part of the order has shipped" } };
    const payments = order.payments;
    const ok = payments.filter((p) => p.status === "success");
    const now = new Date();
    const children = (id: string | null, kind: string) =>
      ok.filter((p) => p.kind === kind && id !== null && p.parentCartTransactionId === id);
    const sum = (list: { amount: string }[]) => list.reduce((t, p) => t + Number(p.amount), 0);
    const added: typeof payments = [];
    for (const auth of ok.filter((p) => p.kind === "authorization")) {
      if (children(auth.cartTransactionId, "void").length > 0) continue;
      const left = Number(auth.amount) - sum(children(auth.cartTransactionId, "capture"));
      if (left > 0.0001) {
        added.push({
          ...auth,
          kind: "void",
          amount: left.toFixed(2),
          cartTransactionId: `${auth.cartTransactionId}-v${payments.length + added.length}`,
          parentCartTransactionId: auth.cartTransactionId,
          processedAt: now,
          errorMessage: null,
        });
      }
    }
    if (body.refund === true) {
      for (const capture of ok.filter((p) => p.kind === "capture")) {
        const left = Number(capture.amount) - sum(children(capture.cartTransactionId, "refund"));
        if (left > 0.0001) {
          added.push({
            ...capture,
            kind: "refund",
            amount: left.toFixed(2),
            cartTransactionId: `${capture.cartTransactionId}-r${payments.length + added.length}`,
            parentCartTransactionId: capture.cartTransactionId,
            processedAt: now,
            errorMessage: null,
          });
        }
      }
    }
    payments.push(...added);
    this.setStatus(record, "cancelled");
    if (body.notify_customer === true) {
      record.notes.push("To the customer: Your order has been cancelled.");
    }
    return { status: 200, body: order };
  }

  private fulfil(record: DemoCartRecord, body: Record<string, unknown>): Reply {
    if (typeof body.tracking_number !== "string" || !body.tracking_number) {
      return { status: 400, body: { error: "tracking_number is missing" } };
    }
    if (["cancelled", "refunded"].includes(record.order.cartStatus)) {
      return { status: 409, body: { error: "The order was cancelled; nothing can ship" } };
    }
    const parcel: DemoCartParcel = {
      carrier: typeof body.carrier === "string" ? body.carrier : null,
      trackingNumber: body.tracking_number,
      trackingUrl: typeof body.tracking_url === "string" ? body.tracking_url : null,
      at: new Date().toISOString(),
    };
    record.parcels.push(parcel);
    record.notes.push(
      `Shipped${parcel.carrier ? ` with ${parcel.carrier}` : ""}, tracking ${parcel.trackingNumber}`,
    );
    if (body.completes_order === true) this.setStatus(record, "completed");
    else record.order.cartUpdatedAt = new Date();
    return { status: 201, body: parcel };
  }

  private setStatus(record: DemoCartRecord, status: CartStatus): void {
    record.order.cartStatus = status;
    record.order.cartStatusRaw = RAW_WORDS[status];
    record.order.cartUpdatedAt = new Date();
    record.notes.push(`Status changed to ${RAW_WORDS[status]}`);
  }
}
