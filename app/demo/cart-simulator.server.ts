// The demo's carts: one HTTP server on loopback that answers the calls our connectors make to the
// demo Shopify shop (Admin GraphQL API) and the demo WooCommerce store (REST API v3), from state
// kept in memory and seeded with the same orders the demo stores. Shopify calls arrive here because
// the demo rewrites requests for the demo shop's domain (shopify-fetch.server.ts); the WooCommerce
// store simply has this server's URL as its address.
//
// Answers follow the carts' public documentation closely enough that a connector that works here
// works against the real cart for the same calls: errors as each cart words them (GraphQL `errors`
// and `userErrors` for Shopify, `{code, message, data: {status}}` for WooCommerce), Shopify's query
// cost extension, WooCommerce's paging headers. Not simulated: signatures of WooCommerce's OAuth 1.0a
// (only the consumer key is checked), Shopify's cost throttling (the bucket is always full).
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  createdAt,
  orderAmounts,
  productHandle,
  shopifyStatus,
  shopifyWebhookOrder,
  wooOrder,
  type DemoCartOrder,
} from "./cart-orders";
import { shopifyProductNode, shopifyProductSearch, wooProductList } from "./cart-products";
import {
  deliveryQueue,
  shopifyDelivery,
  wooDelivery,
  type Deliver,
  type ShopifyDeliveryTarget,
  type WooWebhook,
} from "./cart-webhooks.server";
import {
  notFoundPage,
  orderPage,
  productPage,
  trackingPage,
  type PageOrder,
  type PageParcel,
} from "./cart-pages.server";
import { DemoShopCart, type DemoShopCartOptions, type Reply } from "./demo-shop-cart.server";
import {
  GraphqlSyntaxError,
  parseOperation,
  type GraphqlValue,
  type RootField,
} from "./graphql-lite";

export interface CartSimulatorOptions {
  host?: string;
  port: number;
  /** The app's URL, to make the demo's image paths absolute. */
  appUrl: string;
  /** `now`: when the shop's orders were first stored, so the cart's dates match the app's. */
  shopify: { shop: string; accessToken: string; orders: readonly DemoCartOrder[]; now?: Date };
  woo: {
    consumerKey: string;
    consumerSecret: string;
    orders: readonly DemoCartOrder[];
    now?: Date;
  };
  /** The demo shop's own cart (app/carts/demo), when the demo has one. */
  demoShop?: DemoShopCartOptions;
  now?: Date;
  log?: { info(message: string): void; error(message: string): void };
}

export interface SimulatedRequest {
  cart: "shopify" | "woocommerce" | "demo" | "other";
  method: string;
  /** GraphQL root fields for Shopify; the REST path for WooCommerce. */
  what: string;
  status: number;
}

export interface CartSimulator {
  url: string;
  /** The base URL to give the demo WooCommerce shop. */
  wooUrl: string;
  /** Every call answered, oldest first (the last 500). */
  requests(): SimulatedRequest[];
  /**
   * Where the carts send their webhooks: Shopify to the app's address for the shop, WooCommerce
   * to the webhooks the store has (this adds one per topic the app subscribes to, as connecting
   * a store does, unless the store already has it).
   */
  sendWebhooks(targets: {
    shopify: ShopifyDeliveryTarget;
    woo: { deliveryUrl: string; secret: string; topics: readonly string[] };
  }): void;
  /** Resolves once every delivery sent so far has been answered (or has failed). */
  deliveriesSettled(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Shopify state

type FulfillmentOrderStatus = "OPEN" | "IN_PROGRESS" | "ON_HOLD" | "CLOSED" | "CANCELLED";

interface SimFulfillmentOrder {
  id: string;
  status: FulfillmentOrderStatus;
  lines: { id: string; lineItemId: string; sku: string; total: number; remaining: number }[];
  holdReason: string | null;
}

interface SimShopifyOrder {
  demo: DemoCartOrder;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
  financialStatus: string;
  fulfillmentOrders: SimFulfillmentOrder[];
  fulfillments: {
    id: string;
    createdAt: Date;
    tracking: { company: string | null; number: string | null; url: string | null };
    notifyCustomer: boolean;
  }[];
  /** Metafields by `namespace.key` (the app's invoice number, for one). */
  metafields: Map<string, string>;
}

interface BulkOperation {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED";
  query: string;
  createdAt: Date;
  completedAt: Date | null;
  objectCount: number;
  lines: string[];
}

const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;
const idOf = (value: GraphqlValue | undefined): string | null => {
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return null;
  return value.includes("/") ? value.slice(value.lastIndexOf("/") + 1) : value;
};

class ShopifyStore {
  readonly orders = new Map<string, SimShopifyOrder>();
  readonly bulkOperations: BulkOperation[] = [];
  private sequence = 1000;
  /** Set once the app's webhook address is known: a change the cart accepted is delivered there. */
  webhooks: { target: ShopifyDeliveryTarget; deliver: Deliver } | null = null;

  constructor(
    readonly shop: string,
    readonly accessToken: string,
    private readonly appUrl: string,
    private readonly simulatorUrl: () => string,
    demoOrders: readonly DemoCartOrder[],
    private readonly now: Date,
  ) {
    for (const demo of demoOrders) {
      const created = createdAt(demo, now);
      const status = shopifyStatus(demo.status);
      const fulfilled = status.fulfillment === "fulfilled";
      this.orders.set(demo.id, {
        demo,
        createdAt: created,
        updatedAt: created,
        cancelledAt: status.cancelled ? created : null,
        cancelReason: status.cancelled ? "CUSTOMER" : null,
        financialStatus: status.financial.toUpperCase(),
        fulfillmentOrders: [
          {
            id: String(Number(demo.id) + 7_000_000),
            status: status.cancelled
              ? "CANCELLED"
              : fulfilled
                ? "CLOSED"
                : status.holdFulfillment
                  ? "ON_HOLD"
                  : "OPEN",
            holdReason: status.holdFulfillment ? "OTHER" : null,
            lines: demo.lines.map((line) => ({
              id: String(Number(line.id) + 3_000_000),
              lineItemId: line.id,
              sku: line.sku,
              total: line.quantity,
              remaining: fulfilled ? 0 : line.quantity,
            })),
          },
        ],
        fulfillments: [],
        metafields: new Map(),
      });
    }
  }

  private nextId(): string {
    this.sequence += 1;
    return String(this.sequence);
  }

  /** The product's page on the shop's storefront, as Shopify's `onlineStoreUrl` gives it. */
  productUrl(line: DemoCartOrder["lines"][number]): string {
    return `https://${this.shop}/products/${productHandle(line.title)}`;
  }

  /** The REST order resource of a webhook body, as the cart has the order now. */
  restOrder(order: SimShopifyOrder): Record<string, unknown> {
    const base = shopifyWebhookOrder(order.demo, {
      baseUrl: this.appUrl,
      now: this.now,
      updatedAt: order.updatedAt,
    });
    const lines = order.fulfillmentOrders.flatMap((fo) => fo.lines);
    const remaining = (lineItemId: string) =>
      lines.filter((l) => l.lineItemId === lineItemId).reduce((n, l) => n + l.remaining, 0);
    const total = lines.reduce((n, l) => n + l.total, 0);
    const left = lines.reduce((n, l) => n + l.remaining, 0);
    return {
      ...base,
      financial_status: order.financialStatus.toLowerCase(),
      fulfillment_status: left === 0 && total > 0 ? "fulfilled" : left < total ? "partial" : null,
      cancelled_at: order.cancelledAt?.toISOString() ?? null,
      cancel_reason: order.cancelReason?.toLowerCase() ?? null,
      line_items: (base.line_items as Record<string, unknown>[]).map((line) => ({
        ...line,
        fulfillable_quantity: order.cancelledAt ? 0 : remaining(String(line.id)),
      })),
      fulfillments: order.fulfillments.map((f) => ({
        id: Number(f.id),
        admin_graphql_api_id: gid("Fulfillment", f.id),
        status: "success",
        created_at: f.createdAt.toISOString(),
        tracking_company: f.tracking.company,
        tracking_number: f.tracking.number,
        tracking_url: f.tracking.url,
      })),
    };
  }

  /** What Shopify sends the app after a change to an order: the topics, in order. */
  private changed(topics: { topic: string; payload: unknown }[]): void {
    if (!this.webhooks) return;
    for (const { topic, payload } of topics) {
      this.webhooks.deliver(shopifyDelivery(this.webhooks.target, this.shop, topic, payload));
    }
  }

  private orderUpdated(order: SimShopifyOrder) {
    return { topic: "orders/updated", payload: this.restOrder(order) };
  }

  private money(amount: string, currency: string) {
    const m = { amount, currencyCode: currency };
    return { shopMoney: m, presentmentMoney: m };
  }

  /** An image path of the demo (public/demo/…) as an address on the app. */
  imageUrl(p: string): string {
    return this.absolute(p);
  }

  private absolute(p: string): string {
    return p.startsWith("/") ? `${this.appUrl}${p}` : p;
  }

  fulfillmentOrderNode(order: SimShopifyOrder, fo: SimFulfillmentOrder) {
    const lines = fo.lines.map((line) => ({
      id: gid("FulfillmentOrderLineItem", line.id),
      totalQuantity: line.total,
      remainingQuantity: line.remaining,
      sku: line.sku,
      lineItem: { id: gid("LineItem", line.lineItemId), sku: line.sku },
    }));
    return {
      id: gid("FulfillmentOrder", fo.id),
      status: fo.status,
      requestStatus: "UNSUBMITTED",
      orderId: gid("Order", order.demo.id),
      fulfillmentHolds: fo.holdReason ? [{ reason: fo.holdReason, reasonNotes: null }] : [],
      lineItems: connection(lines),
    };
  }

  orderNode(order: SimShopifyOrder, options: { withConnections: boolean }) {
    const demo = order.demo;
    const { subtotal, total } = orderAmounts(demo);
    const address = {
      firstName: demo.firstName,
      lastName: demo.lastName,
      name: `${demo.firstName} ${demo.lastName}`,
      company: null,
      address1: demo.address.address1,
      address2: demo.address.address2 ?? null,
      city: demo.address.city,
      province: demo.address.province ?? null,
      provinceCode: demo.address.provinceCode ?? null,
      zip: demo.address.zip ?? null,
      country: demo.address.country,
      countryCodeV2: demo.address.countryCode,
      phone: null,
    };
    const statuses = order.fulfillmentOrders.map((fo) => fo.status);
    const displayFulfillmentStatus = statuses.includes("ON_HOLD")
      ? "ON_HOLD"
      : statuses.every((s) => s === "CLOSED")
        ? "FULFILLED"
        : statuses.includes("IN_PROGRESS")
          ? "PARTIALLY_FULFILLED"
          : "UNFULFILLED";
    const node: Record<string, unknown> = {
      id: gid("Order", demo.id),
      legacyResourceId: demo.id,
      name: `#${demo.number}`,
      email: demo.email,
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
      processedAt: order.createdAt.toISOString(),
      cancelledAt: order.cancelledAt?.toISOString() ?? null,
      cancelReason: order.cancelReason,
      closed: displayFulfillmentStatus === "FULFILLED",
      closedAt: null,
      displayFinancialStatus: order.financialStatus,
      displayFulfillmentStatus,
      currencyCode: demo.currency,
      presentmentCurrencyCode: demo.currency,
      sourceName: demo.source,
      paymentGatewayNames: [demo.paymentMethod],
      note: null,
      tags: [],
      test: false,
      subtotalPriceSet: this.money(subtotal, demo.currency),
      currentSubtotalPriceSet: this.money(subtotal, demo.currency),
      totalPriceSet: this.money(total, demo.currency),
      currentTotalPriceSet: this.money(total, demo.currency),
      totalTaxSet: this.money(demo.tax, demo.currency),
      totalShippingPriceSet: this.money(demo.shipping, demo.currency),
      customer: {
        id: gid("Customer", Number(demo.id) + 900_000),
        firstName: demo.firstName,
        lastName: demo.lastName,
        displayName: `${demo.firstName} ${demo.lastName}`,
        email: demo.email,
      },
      billingAddress: address,
      shippingAddress: address,
      shippingLine: {
        title: demo.shippingTitle,
        code: demo.shippingTitle,
        originalPriceSet: this.money(demo.shipping, demo.currency),
      },
    };
    const lineItems = demo.lines.map((line) => ({
      id: gid("LineItem", line.id),
      name: `${line.title} - ${line.variant}`,
      title: line.title,
      sku: line.sku,
      variantTitle: line.variant,
      quantity: line.quantity,
      currentQuantity: order.cancelledAt ? 0 : line.quantity,
      originalUnitPriceSet: this.money(line.price, demo.currency),
      customAttributes: line.properties.map((p) => ({ key: p.key, value: this.absolute(p.value) })),
      image: { url: this.absolute(line.image), altText: line.title },
      product: { id: gid("Product", line.productId), onlineStoreUrl: this.productUrl(line) },
      variant: { id: gid("ProductVariant", line.variantId), title: line.variant, sku: line.sku },
    }));
    const transactions =
      order.financialStatus === "PENDING"
        ? []
        : [
            {
              id: gid("OrderTransaction", Number(demo.id) + 5_000_000),
              kind: "SALE",
              status: "SUCCESS",
              gateway: demo.paymentMethod,
              amountSet: this.money(total, demo.currency),
              createdAt: order.createdAt.toISOString(),
            },
            // orderCancel with a refund to the original payment method gives the sale back.
            ...(order.cancelledAt && order.financialStatus === "REFUNDED"
              ? [
                  {
                    id: gid("OrderTransaction", Number(demo.id) + 6_000_000),
                    kind: "REFUND",
                    status: "SUCCESS",
                    gateway: demo.paymentMethod,
                    amountSet: this.money(total, demo.currency),
                    createdAt: order.cancelledAt.toISOString(),
                    parentTransaction: { id: gid("OrderTransaction", Number(demo.id) + 5_000_000) },
                  },
                ]
              : []),
          ];
    if (options.withConnections) {
      node.lineItems = connection(lineItems);
      node.fulfillmentOrders = connection(
        order.fulfillmentOrders.map((fo) => this.fulfillmentOrderNode(order, fo)),
      );
      node.transactions = transactions;
      node.fulfillments = order.fulfillments.map((f) => ({
        id: gid("Fulfillment", f.id),
        status: "SUCCESS",
        createdAt: f.createdAt.toISOString(),
        trackingInfo: [f.tracking],
      }));
    } else {
      // Bulk operation JSONL: nested connections are separate lines that name their parent.
      node.__children = lineItems;
    }
    return node;
  }

  /** Shopify's order search syntax, the part the connectors use: dates, ids, names, OR / AND. */
  matches(order: SimShopifyOrder, search: string | null): boolean {
    if (!search?.trim()) return true;
    return search.split(/\s+OR\s+/).some((group) =>
      group
        .replace(/[()]/g, " ")
        .split(/\s+(?:AND\s+)?/)
        .filter(Boolean)
        .every((term) => {
          const match = /^(-?)([a-z_]+):(<=|>=|<|>)?['"]?([^'"]*)['"]?$/.exec(term);
          if (!match) return true;
          const [, negate, field, op = "=", value = ""] = match;
          let result = true;
          if (field === "created_at" || field === "updated_at" || field === "processed_at") {
            const at = (field === "updated_at" ? order.updatedAt : order.createdAt).getTime();
            const bound = Date.parse(value);
            if (Number.isNaN(bound)) return true;
            result =
              op === ">="
                ? at >= bound
                : op === ">"
                  ? at > bound
                  : op === "<="
                    ? at <= bound
                    : op === "<"
                      ? at < bound
                      : at === bound;
          } else if (field === "id") {
            result = order.demo.id === idOf(value);
          } else if (field === "name") {
            result = `#${order.demo.number}` === value || String(order.demo.number) === value;
          } else {
            return true;
          }
          return negate ? !result : result;
        }),
    );
  }

  private sortedOrders(): SimShopifyOrder[] {
    return [...this.orders.values()].sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || Number(a.demo.id) - Number(b.demo.id),
    );
  }

  /** Answers one root field; throws a message for GraphQL's `errors` list. */
  resolve(field: RootField): unknown {
    const args = field.args;
    switch (field.name) {
      case "shop":
        return {
          id: gid("Shop", 1),
          name: "Demo Store (simulated)",
          myshopifyDomain: this.shop,
          currencyCode: "USD",
          ianaTimezone: "UTC",
        };
      case "order": {
        const order = this.orders.get(idOf(args.id) ?? "");
        return order ? this.orderNode(order, { withConnections: true }) : null;
      }
      case "orders": {
        const first = typeof args.first === "number" ? args.first : null;
        const last = typeof args.last === "number" ? args.last : null;
        if (first === null && last === null) {
          throw new Error("you must provide one of first or last");
        }
        if ((first ?? last ?? 0) > 250) throw new Error("The maximum page size is 250");
        let list = this.sortedOrders().filter((o) =>
          this.matches(o, typeof args.query === "string" ? args.query : null),
        );
        if (args.reverse === true) list = list.reverse();
        const after = typeof args.after === "string" ? decodeCursor(args.after) : -1;
        const start = after + 1;
        const size = first ?? last ?? 50;
        const page = list.slice(start, start + size);
        return connection(
          page.map((o) => this.orderNode(o, { withConnections: true })),
          start,
          start + size < list.length,
        );
      }
      case "products": {
        const first = typeof args.first === "number" ? args.first : 50;
        if (first > 250) throw new Error("The maximum page size is 250");
        const found = shopifyProductSearch(typeof args.query === "string" ? args.query : null);
        return connection(
          found.slice(0, first).map((p) => shopifyProductNode(p, this.appUrl)),
          0,
          found.length > first,
        );
      }
      case "fulfillmentOrder": {
        const foId = idOf(args.id);
        for (const order of this.orders.values()) {
          const fo = order.fulfillmentOrders.find((f) => f.id === foId);
          if (fo) return this.fulfillmentOrderNode(order, fo);
        }
        return null;
      }
      case "bulkOperationRunQuery":
        return this.runBulk(typeof args.query === "string" ? args.query : "");
      case "currentBulkOperation":
        return this.bulkNode(this.bulkOperations[this.bulkOperations.length - 1] ?? null);
      case "bulkOperation":
      case "node": {
        const op = this.bulkOperations.find((b) => b.id === idOf(args.id)) ?? null;
        return this.bulkNode(op);
      }
      case "fulfillmentCreate":
      case "fulfillmentCreateV2":
        return this.fulfillmentCreate(args.fulfillment);
      case "fulfillmentOrderHold":
        return this.hold(idOf(args.id), args.fulfillmentHold);
      case "fulfillmentOrderReleaseHold":
        return this.releaseHold(idOf(args.id));
      case "orderCancel":
        return this.cancel(idOf(args.orderId), args);
      case "metafieldsSet":
        return this.metafieldsSet(args.metafields);
      case "metafieldsDelete":
        return this.metafieldsDelete(args.metafields);
      default:
        throw new Error(`Field '${field.name}' doesn't exist on type 'QueryRoot'`);
    }
  }

  private runBulk(query: string) {
    if (!/\borders\b/.test(query)) {
      return {
        bulkOperation: null,
        userErrors: [
          { field: ["query"], message: "The demo cart only runs bulk queries of orders" },
        ],
      };
    }
    const running = this.bulkOperations.find(
      (b) => b.status === "RUNNING" || b.status === "CREATED",
    );
    if (running) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message: `A bulk query operation for this app and shop is already in progress: ${gid("BulkOperation", running.id)}.`,
          },
        ],
      };
    }
    const search = /orders\s*\([^)]*query:\s*"((?:[^"\\]|\\.)*)"/.exec(query)?.[1] ?? null;
    const lines: string[] = [];
    let objectCount = 0;
    for (const order of this.sortedOrders().filter((o) => this.matches(o, search))) {
      const { __children, ...node } = this.orderNode(order, { withConnections: false }) as {
        __children: { id: string }[];
      } & Record<string, unknown>;
      lines.push(JSON.stringify(node));
      objectCount += 1;
      for (const child of __children) {
        lines.push(JSON.stringify({ ...child, __parentId: node.id }));
        objectCount += 1;
      }
    }
    const op: BulkOperation = {
      id: this.nextId(),
      status: "COMPLETED",
      query,
      createdAt: new Date(),
      completedAt: new Date(),
      objectCount,
      lines,
    };
    this.bulkOperations.push(op);
    return {
      bulkOperation: { id: gid("BulkOperation", op.id), status: "CREATED", query },
      userErrors: [],
    };
  }

  private bulkNode(op: BulkOperation | null) {
    if (!op) return null;
    return {
      id: gid("BulkOperation", op.id),
      status: op.status,
      errorCode: null,
      createdAt: op.createdAt.toISOString(),
      completedAt: op.completedAt?.toISOString() ?? null,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.lines.filter((l) => !l.includes('"__parentId"')).length),
      fileSize: String(op.lines.join("\n").length),
      url:
        op.lines.length > 0
          ? `${this.simulatorUrl()}/shopify/${this.shop}/bulk/${op.id}.jsonl`
          : null,
      partialDataUrl: null,
      query: op.query,
      type: "QUERY",
    };
  }

  bulkFile(id: string): string | null {
    const op = this.bulkOperations.find((b) => b.id === id);
    return op ? op.lines.map((l) => `${l}\n`).join("") : null;
  }

  private findFulfillmentOrder(foId: string | null) {
    for (const order of this.orders.values()) {
      const fo = order.fulfillmentOrders.find((f) => f.id === foId);
      if (fo) return { order, fo };
    }
    return null;
  }

  private fulfillmentCreate(input: GraphqlValue | undefined) {
    const refused = (message: string, field: string[] = ["fulfillment"]) => ({
      fulfillment: null,
      userErrors: [{ field, message }],
    });
    if (!input || typeof input !== "object" || Array.isArray(input)) {
      return refused("Fulfillment input is required");
    }
    const groups = input.lineItemsByFulfillmentOrder;
    if (!Array.isArray(groups) || groups.length === 0) {
      return refused("lineItemsByFulfillmentOrder must name at least one fulfillment order");
    }
    // Checked in full before anything changes: Shopify applies a fulfillment whole or not at all.
    const plan: {
      fo: SimFulfillmentOrder;
      line: SimFulfillmentOrder["lines"][number];
      qty: number;
    }[] = [];
    let order: SimShopifyOrder | null = null;
    for (const group of groups) {
      if (!group || typeof group !== "object" || Array.isArray(group)) {
        return refused("Each lineItemsByFulfillmentOrder entry must be an object");
      }
      const found = this.findFulfillmentOrder(idOf(group.fulfillmentOrderId));
      if (!found)
        return refused("Fulfillment order does not exist.", [
          "fulfillment",
          "lineItemsByFulfillmentOrder",
          "fulfillmentOrderId",
        ]);
      if (order && order !== found.order) {
        return refused("All fulfillment orders must belong to the same order.");
      }
      order = found.order;
      if (found.fo.status !== "OPEN" && found.fo.status !== "IN_PROGRESS") {
        return refused(
          `Fulfillment order ${gid("FulfillmentOrder", found.fo.id)} has an unfulfillable status= ${found.fo.status.toLowerCase()}.`,
        );
      }
      const wanted = group.fulfillmentOrderLineItems;
      const lines = Array.isArray(wanted)
        ? wanted.map((w) => {
            const item = w as Record<string, GraphqlValue>;
            return {
              line: found.fo.lines.find((l) => l.id === idOf(item.id)),
              qty: typeof item.quantity === "number" ? item.quantity : NaN,
            };
          })
        : found.fo.lines.map((line) => ({ line, qty: line.remaining }));
      for (const { line, qty } of lines) {
        if (!line) return refused("Fulfillment order line item does not exist.");
        if (!Number.isInteger(qty) || qty <= 0 || qty > line.remaining) {
          return refused(
            `Invalid quantity ${qty} for fulfillment order line item ${gid("FulfillmentOrderLineItem", line.id)} (${line.remaining} remaining).`,
          );
        }
        plan.push({ fo: found.fo, line, qty });
      }
    }
    if (!order) return refused("Nothing to fulfil");
    for (const { line, qty } of plan) line.remaining -= qty;
    for (const { fo } of plan) {
      fo.status = fo.lines.every((l) => l.remaining === 0) ? "CLOSED" : "IN_PROGRESS";
    }
    const tracking = (input.trackingInfo ?? {}) as Record<string, GraphqlValue>;
    const fulfillment = {
      id: this.nextId(),
      createdAt: new Date(),
      tracking: {
        company: typeof tracking.company === "string" ? tracking.company : null,
        number: typeof tracking.number === "string" ? tracking.number : null,
        url: typeof tracking.url === "string" ? tracking.url : null,
      },
      notifyCustomer: input.notifyCustomer === true,
    };
    order.fulfillments.push(fulfillment);
    order.updatedAt = new Date();
    this.changed([this.orderUpdated(order)]);
    return {
      fulfillment: {
        id: gid("Fulfillment", fulfillment.id),
        status: "SUCCESS",
        trackingInfo: [fulfillment.tracking],
      },
      userErrors: [],
    };
  }

  /** `$app` is the calling app's reserved namespace, stored under its resolved name. */
  private namespaceOf(namespace: unknown): string {
    const given = typeof namespace === "string" && namespace ? namespace : "$app";
    return given.startsWith("$app") ? given.replace(/^\$app/, "app--1") : given;
  }

  private metafieldsSet(input: GraphqlValue | undefined) {
    const list = Array.isArray(input) ? input : [];
    if (list.length === 0 || list.length > 25) {
      return {
        metafields: null,
        userErrors: [
          {
            field: ["metafields"],
            message: "Between 1 and 25 metafields are set at a time.",
            code: "INVALID",
          },
        ],
      };
    }
    const set: Record<string, unknown>[] = [];
    for (const [index, raw] of list.entries()) {
      const m = (raw ?? {}) as Record<string, unknown>;
      const order = this.orders.get(idOf(m.ownerId as GraphqlValue) ?? "");
      const field = (name: string) => ["metafields", String(index), name];
      if (!order) {
        return {
          metafields: null,
          userErrors: [
            { field: field("ownerId"), message: "Owner does not exist.", code: "INVALID" },
          ],
        };
      }
      const key = typeof m.key === "string" ? m.key : "";
      if (!/^[A-Za-z0-9_-]{2,64}$/.test(key)) {
        return {
          metafields: null,
          userErrors: [{ field: field("key"), message: "Key is invalid.", code: "INVALID" }],
        };
      }
      if (typeof m.value !== "string" || m.value === "") {
        return {
          metafields: null,
          userErrors: [{ field: field("value"), message: "Value can't be blank.", code: "BLANK" }],
        };
      }
      if (m.type !== "single_line_text_field") {
        return {
          metafields: null,
          userErrors: [
            { field: field("type"), message: "Type is not supported here.", code: "INVALID_TYPE" },
          ],
        };
      }
      const namespace = this.namespaceOf(m.namespace);
      order.metafields.set(`${namespace}.${key}`, m.value);
      order.updatedAt = new Date();
      set.push({
        id: gid("Metafield", `${order.demo.id}${index}`),
        namespace,
        key,
        value: m.value,
      });
      this.changed([this.orderUpdated(order)]);
    }
    return { metafields: set, userErrors: [] };
  }

  private metafieldsDelete(input: GraphqlValue | undefined) {
    const list = Array.isArray(input) ? input : [];
    const deleted: Record<string, unknown>[] = [];
    for (const raw of list) {
      const m = (raw ?? {}) as Record<string, unknown>;
      const order = this.orders.get(idOf(m.ownerId as GraphqlValue) ?? "");
      const namespace = this.namespaceOf(m.namespace);
      const key = typeof m.key === "string" ? m.key : "";
      // Shopify answers null for a metafield that was not there.
      if (!order || !order.metafields.delete(`${namespace}.${key}`)) {
        deleted.push(null as unknown as Record<string, unknown>);
        continue;
      }
      order.updatedAt = new Date();
      deleted.push({ ownerId: m.ownerId, namespace, key });
    }
    return { deletedMetafields: deleted, userErrors: [] };
  }

  private hold(foId: string | null, hold: GraphqlValue | undefined) {
    const found = this.findFulfillmentOrder(foId);
    if (!found) {
      return {
        fulfillmentOrder: null,
        remainingFulfillmentOrder: null,
        userErrors: [{ field: ["id"], message: "Fulfillment order does not exist." }],
      };
    }
    if (found.fo.status !== "OPEN" && found.fo.status !== "IN_PROGRESS") {
      return {
        fulfillmentOrder: null,
        remainingFulfillmentOrder: null,
        userErrors: [
          {
            field: ["id"],
            message: `The fulfillment order's status is ${found.fo.status.toLowerCase()}; only open fulfillment orders can be put on hold.`,
          },
        ],
      };
    }
    const reason =
      hold && typeof hold === "object" && !Array.isArray(hold) && typeof hold.reason === "string"
        ? hold.reason
        : "OTHER";
    found.fo.status = "ON_HOLD";
    found.fo.holdReason = reason;
    found.order.updatedAt = new Date();
    this.changed([
      this.fulfillmentOrderTopic("fulfillment_orders/placed_on_hold", found.fo),
      this.orderUpdated(found.order),
    ]);
    return {
      fulfillmentOrder: this.fulfillmentOrderNode(found.order, found.fo),
      remainingFulfillmentOrder: null,
      userErrors: [],
    };
  }

  private fulfillmentOrderTopic(topic: string, fo: SimFulfillmentOrder) {
    return {
      topic,
      payload: {
        fulfillment_order: {
          id: gid("FulfillmentOrder", fo.id),
          status: fo.status.toLowerCase(),
        },
      },
    };
  }

  private releaseHold(foId: string | null) {
    const found = this.findFulfillmentOrder(foId);
    if (!found) {
      return {
        fulfillmentOrder: null,
        userErrors: [{ field: ["id"], message: "Fulfillment order does not exist." }],
      };
    }
    if (found.fo.status !== "ON_HOLD") {
      return {
        fulfillmentOrder: null,
        userErrors: [{ field: ["id"], message: "The fulfillment order is not on hold." }],
      };
    }
    found.fo.status = found.fo.lines.some((l) => l.remaining < l.total) ? "IN_PROGRESS" : "OPEN";
    found.fo.holdReason = null;
    found.order.updatedAt = new Date();
    this.changed([
      this.fulfillmentOrderTopic("fulfillment_orders/hold_released", found.fo),
      this.orderUpdated(found.order),
    ]);
    return { fulfillmentOrder: this.fulfillmentOrderNode(found.order, found.fo), userErrors: [] };
  }

  private cancel(orderId: string | null, args: Record<string, GraphqlValue>) {
    const order = this.orders.get(orderId ?? "");
    const refused = (message: string, code: string) => ({
      job: null,
      orderCancelUserErrors: [{ field: ["orderId"], message, code }],
      userErrors: [{ field: ["orderId"], message }],
    });
    if (!order) return refused("Order does not exist", "INVALID");
    if (order.cancelledAt) return refused("Order has already been cancelled", "INVALID");
    if (order.fulfillments.length > 0) {
      return refused("Cannot cancel an order that has fulfillments", "INVALID");
    }
    // `restock` is required in every version; the refund is `refund` (older) or `refundMethod`.
    if (
      args.restock === undefined ||
      (args.refund === undefined && args.refundMethod === undefined)
    ) {
      throw new Error("orderCancel needs the arguments restock and refund (or refundMethod)");
    }
    order.cancelledAt = new Date();
    order.updatedAt = order.cancelledAt;
    order.cancelReason = typeof args.reason === "string" ? args.reason : "OTHER";
    const refundMethod = args.refundMethod;
    const refunds =
      args.refund === true ||
      (typeof refundMethod === "object" &&
        refundMethod !== null &&
        !Array.isArray(refundMethod) &&
        refundMethod.originalPaymentMethodsRefund === true);
    if (refunds) order.financialStatus = "REFUNDED";
    for (const fo of order.fulfillmentOrders) if (fo.status !== "CLOSED") fo.status = "CANCELLED";
    this.changed([
      { topic: "orders/cancelled", payload: this.restOrder(order) },
      this.orderUpdated(order),
    ]);
    return {
      job: { id: gid("Job", randomUUID()), done: true },
      orderCancelUserErrors: [],
      userErrors: [],
    };
  }
}

function connection<T>(nodes: T[], offset = 0, hasNextPage = false) {
  const cursor = (i: number) => Buffer.from(`cursor:${offset + i}`).toString("base64url");
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: cursor(i) })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: offset > 0,
      startCursor: nodes.length > 0 ? cursor(0) : null,
      endCursor: nodes.length > 0 ? cursor(nodes.length - 1) : null,
    },
  };
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new Error(`Invalid cursor for current pagination sort.`);
  return Number(match[1]);
}

// ---------------------------------------------------------------------------------------------
// WooCommerce state

interface WooNote {
  id: number;
  author: string;
  date_created: string;
  date_created_gmt: string;
  note: string;
  customer_note: boolean;
}

const WOO_STATUSES = [
  "pending",
  "processing",
  "on-hold",
  "completed",
  "cancelled",
  "refunded",
  "failed",
  "trash",
  "checkout-draft",
];

/** A status a plugin registered on the demo store, as real stores have (Order Status Manager…). */
export const WOO_PLUGIN_STATUSES: readonly { slug: string; name: string }[] = [
  { slug: "artwork-review", name: "Artwork review" },
];

class WooStore {
  readonly orders = new Map<number, Record<string, unknown>>();
  readonly notes = new Map<number, WooNote[]>();
  readonly trackings = new Map<number, Record<string, unknown>[]>();
  readonly webhooks: Record<string, unknown>[] = [];
  private sequence = 9000;
  /** Sends a delivery; null until the simulator knows where the app listens. */
  deliver: Deliver | null = null;

  constructor(
    readonly consumerKey: string,
    readonly appUrl: string,
    demoOrders: readonly DemoCartOrder[],
    now: Date,
    readonly storeUrl: () => string,
  ) {
    for (const demo of demoOrders) {
      this.orders.set(Number(demo.id), wooOrder(demo, { baseUrl: appUrl, now }));
    }
  }

  nextId(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /**
   * An order changed (status, note, tracking): WooCommerce saves it, which moves its modified
   * date and fires `order.updated` to every active webhook on that topic, each signed with its
   * own secret.
   */
  orderChanged(order: Record<string, unknown>): void {
    order.date_modified_gmt = wooDate(new Date());
    order.date_modified = order.date_modified_gmt;
    if (!this.deliver) return;
    for (const hook of this.webhooks) {
      const webhook = hook as unknown as WooWebhook & { delivery_url: string };
      if (webhook.status !== "active" || webhook.topic !== "order.updated") continue;
      this.deliver(
        wooDelivery({ ...webhook, deliveryUrl: webhook.delivery_url }, this.storeUrl(), order),
      );
    }
  }
}

class WooError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const wooDate = (d: Date) => d.toISOString().slice(0, 19);

type WooAnswer = { status: number; body: unknown; headers?: Record<string, string> };

interface WooRequest {
  store: WooStore;
  method: string;
  query: URLSearchParams;
  body: unknown;
}

/**
 * One route's answer for the request's method, or null when the route has no such method (that
 * falls through to WooCommerce's "no route"). `id` is the number in the path, on routes with one.
 */
type WooHandler = (request: WooRequest, id: number) => WooAnswer | null;

const WOO_ROUTES: readonly { path: RegExp; handle: WooHandler }[] = [
  { path: /^wc\/v3\/orders$/, handle: (r) => (r.method === "GET" ? listOrders(r) : null) },
  { path: /^wc\/v3\/products$/, handle: (r) => (r.method === "GET" ? listProducts(r) : null) },
  { path: /^wc\/v3\/orders\/(\d+)$/, handle: oneOrder },
  { path: /^wc\/v3\/orders\/(\d+)\/notes$/, handle: orderNotes },
  {
    path: /^wc-shipment-tracking\/v3\/orders\/(\d+)\/shipment-trackings$/,
    handle: shipmentTrackings,
  },
  {
    path: /^wc\/v3\/reports\/orders\/totals$/,
    handle: (r) => (r.method === "GET" ? orderTotals(r) : null),
  },
  { path: /^wc\/v3\/webhooks$/, handle: webhooks },
  { path: /^wc\/v3\/webhooks\/(\d+)$/, handle: oneWebhook },
  {
    path: /^wc\/v3\/system_status$/,
    handle: (r) => (r.method === "GET" ? systemStatus() : null),
  },
];

function handleWoo(
  store: WooStore,
  method: string,
  route: string,
  query: URLSearchParams,
  body: unknown,
): WooAnswer {
  const request: WooRequest = { store, method, query, body };
  for (const { path, handle } of WOO_ROUTES) {
    const match = path.exec(route);
    const answer = match ? handle(request, Number(match[1])) : null;
    if (answer) return answer;
  }
  throw new WooError(
    404,
    "rest_no_route",
    "No route was found matching the URL and request method.",
  );
}

const invalidOrderId = () =>
  new WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");

const wooTime = (o: Record<string, unknown>, field: string) => Date.parse(`${String(o[field])}Z`);

function listOrders({ store, query }: WooRequest): WooAnswer {
  const perPage = Number(query.get("per_page") ?? "10");
  const page = Number(query.get("page") ?? "1");
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new WooError(400, "rest_invalid_param", "Invalid parameter(s): per_page");
  }
  if (!Number.isInteger(page) || page < 1) {
    throw new WooError(400, "rest_invalid_param", "Invalid parameter(s): page");
  }
  const list = [...store.orders.values()].filter(orderFilter(query)).sort(orderSort(query));
  const totalPages = Math.max(1, Math.ceil(list.length / perPage));
  if (list.length > 0 && page > totalPages) {
    throw new WooError(
      400,
      "woocommerce_rest_invalid_page_number",
      "The page number requested is larger than the number of pages available.",
    );
  }
  return {
    status: 200,
    body: list.slice((page - 1) * perPage, page * perPage),
    headers: {
      "X-WP-Total": String(list.length),
      "X-WP-TotalPages": String(list.length === 0 ? 0 : totalPages),
    },
  };
}

/** Reads (and refuses) every filter parameter before the first order is looked at. */
function orderFilter(query: URLSearchParams): (order: Record<string, unknown>) => boolean {
  const statuses = (query.get("status") ?? "any").split(",");
  const include = query.get("include")?.split(",").filter(Boolean).map(Number) ?? null;
  const after = dateParam(query, "after");
  const before = dateParam(query, "before");
  const modifiedAfter = dateParam(query, "modified_after");
  const search = query.get("search")?.toLowerCase() ?? null;
  return (o) => {
    const status = String(o.status);
    if (
      statuses.includes("any")
        ? status === "trash" || status === "checkout-draft"
        : !statuses.includes(status)
    ) {
      return false;
    }
    if (include && !include.includes(Number(o.id))) return false;
    if (after !== null && !(wooTime(o, "date_created_gmt") > after)) return false;
    if (before !== null && !(wooTime(o, "date_created_gmt") < before)) return false;
    if (modifiedAfter !== null && !(wooTime(o, "date_modified_gmt") > modifiedAfter)) return false;
    if (search && !JSON.stringify([o.number, o.billing]).toLowerCase().includes(search))
      return false;
    return true;
  };
}

/** A date bound in the store's time zone (UTC here) unless it names its own offset. */
function dateParam(query: URLSearchParams, name: string): number | null {
  const v = query.get(name);
  if (!v) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(t))
    throw new WooError(400, "rest_invalid_param", `Invalid parameter(s): ${name}`);
  return t;
}

function orderSort(
  query: URLSearchParams,
): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const orderBy = query.get("orderby") ?? "date";
  const direction = (query.get("order") ?? "desc") === "asc" ? 1 : -1;
  return (a, b) =>
    orderBy === "id"
      ? direction * (Number(a.id) - Number(b.id))
      : direction * (wooTime(a, "date_created_gmt") - wooTime(b, "date_created_gmt")) ||
        direction * (Number(a.id) - Number(b.id));
}

function oneOrder(request: WooRequest, id: number): WooAnswer | null {
  const order = request.store.orders.get(id);
  if (!order) throw invalidOrderId();
  switch (request.method) {
    case "GET":
      return { status: 200, body: order };
    case "PUT":
    case "POST":
    case "PATCH":
      return updateOrder(request, id, order);
    case "DELETE":
      return deleteOrder(request, id, order);
    default:
      return null;
  }
}

function updateOrder(
  { store, body }: WooRequest,
  id: number,
  order: Record<string, unknown>,
): WooAnswer {
  const changes = (body ?? {}) as Record<string, unknown>;
  if (typeof changes !== "object" || Array.isArray(changes)) {
    throw new WooError(400, "rest_invalid_json", "Invalid JSON body passed.");
  }
  if (changes.status !== undefined) changeOrderStatus(store, id, order, changes.status);
  if (changes.meta_data !== undefined) updateMeta(order, changes.meta_data);
  if (typeof changes.customer_note === "string") order.customer_note = changes.customer_note;
  store.orderChanged(order);
  return { status: 200, body: order };
}

/** The order totals report: one row per status the store has, a plugin's own included. */
function orderTotals({ store }: WooRequest): WooAnswer {
  const statuses = [
    ...WOO_STATUSES.filter((s) => s !== "trash" && s !== "checkout-draft").map((slug) => ({
      slug,
      name: label(slug),
    })),
    ...WOO_PLUGIN_STATUSES,
  ];
  const counts = new Map<string, number>();
  for (const order of store.orders.values()) {
    counts.set(String(order.status), (counts.get(String(order.status)) ?? 0) + 1);
  }
  return {
    status: 200,
    body: statuses.map((s) => ({ slug: s.slug, name: s.name, total: counts.get(s.slug) ?? 0 })),
  };
}

/** The store's order meta, updated by key as WooCommerce's REST API does (it has no delete). */
function updateMeta(order: Record<string, unknown>, input: unknown): void {
  if (!Array.isArray(input)) {
    throw new WooError(
      400,
      "rest_invalid_param",
      "Invalid parameter(s): meta_data (meta_data is not of type array.)",
    );
  }
  const meta = (Array.isArray(order.meta_data) ? order.meta_data : []) as {
    id: number;
    key: string;
    value: unknown;
  }[];
  for (const entry of input as { key?: unknown; value?: unknown }[]) {
    if (typeof entry?.key !== "string" || !entry.key) {
      throw new WooError(
        400,
        "rest_invalid_param",
        "Invalid parameter(s): meta_data (meta_data[0][key] is not of type string.)",
      );
    }
    const found = meta.find((m) => m.key === entry.key);
    if (found) found.value = entry.value ?? "";
    else meta.push({ id: 7000 + meta.length, key: entry.key, value: entry.value ?? "" });
  }
  order.meta_data = meta;
}

function changeOrderStatus(
  store: WooStore,
  id: number,
  order: Record<string, unknown>,
  status: unknown,
): void {
  const known = [...WOO_STATUSES, ...WOO_PLUGIN_STATUSES.map((s) => s.slug)];
  if (typeof status !== "string" || !known.includes(status)) {
    throw new WooError(
      400,
      "rest_invalid_param",
      `Invalid parameter(s): status (status is not one of ${known.join(", ")}.)`,
    );
  }
  const from = String(order.status);
  if (from !== status) {
    order.status = status;
    addNote(
      store,
      id,
      `Order status changed from ${label(from)} to ${label(status)}.`,
      false,
      "system",
    );
  }
  if (status === "completed") order.date_completed_gmt = wooDate(new Date());
  if (status === "processing" || status === "completed") captureStripeCharge(store, id, order);
}

/**
 * WooCommerce Stripe's authorise-only charges: the extension captures the whole charge when the
 * order moves to processing or completed, marks `_stripe_charge_captured` "yes" and notes it.
 */
function captureStripeCharge(store: WooStore, id: number, order: Record<string, unknown>): void {
  if (order.payment_method !== "stripe") return;
  const meta = (Array.isArray(order.meta_data) ? order.meta_data : []) as {
    key: string;
    value: unknown;
  }[];
  const flag = meta.find((m) => m.key === "_stripe_charge_captured");
  if (flag?.value !== "no") return;
  flag.value = "yes";
  order.date_paid_gmt = wooDate(new Date());
  addNote(
    store,
    id,
    `Stripe charge complete (Charge ID: ${String(order.transaction_id)})`,
    false,
    "system",
  );
}

function deleteOrder(
  { store, query }: WooRequest,
  id: number,
  order: Record<string, unknown>,
): WooAnswer {
  if (query.get("force") === "true") store.orders.delete(id);
  else order.status = "trash";
  return { status: 200, body: order };
}

function orderNotes({ store, method, body }: WooRequest, id: number): WooAnswer | null {
  if (!store.orders.has(id)) throw invalidOrderId();
  if (method === "GET") return { status: 200, body: [...(store.notes.get(id) ?? [])].reverse() };
  if (method !== "POST") return null;
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.note !== "string" || !input.note.trim()) {
    throw new WooError(400, "rest_missing_callback_param", "Missing parameter(s): note");
  }
  const note = addNote(store, id, input.note, input.customer_note === true, "Orderlane");
  const order = store.orders.get(id);
  if (order) store.orderChanged(order);
  return { status: 201, body: note };
}

function shipmentTrackings({ store, method, body }: WooRequest, id: number): WooAnswer | null {
  if (!store.orders.has(id)) throw invalidOrderId();
  const list = store.trackings.get(id) ?? [];
  if (method === "GET") return { status: 200, body: list };
  if (method !== "POST") return null;
  const entry = trackingEntry((body ?? {}) as Record<string, unknown>);
  list.push(entry);
  store.trackings.set(id, list);
  const order = store.orders.get(id);
  if (order) store.orderChanged(order);
  return { status: 201, body: entry };
}

function trackingEntry(input: Record<string, unknown>): Record<string, unknown> {
  if (typeof input.tracking_number !== "string" || !input.tracking_number) {
    throw new WooError(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number");
  }
  return {
    tracking_id: randomUUID().replace(/-/g, "").slice(0, 32),
    tracking_provider: input.tracking_provider ?? "",
    custom_tracking_provider: input.custom_tracking_provider ?? "",
    custom_tracking_link: input.custom_tracking_link ?? "",
    tracking_number: input.tracking_number,
    date_shipped: input.date_shipped ?? wooDate(new Date()).slice(0, 10),
  };
}

function webhooks({ store, method, body }: WooRequest): WooAnswer | null {
  if (method === "GET") return { status: 200, body: store.webhooks };
  if (method !== "POST") return null;
  const webhook = newWebhook(store, (body ?? {}) as Record<string, unknown>);
  store.webhooks.push(webhook);
  return { status: 201, body: webhook };
}

function newWebhook(store: WooStore, input: Record<string, unknown>): Record<string, unknown> {
  if (typeof input.topic !== "string" || typeof input.delivery_url !== "string") {
    throw new WooError(
      400,
      "rest_missing_callback_param",
      "Missing parameter(s): topic, delivery_url",
    );
  }
  const now = wooDate(new Date());
  return {
    id: store.nextId(),
    name: typeof input.name === "string" ? input.name : `Webhook created on ${now}`,
    status: typeof input.status === "string" ? input.status : "active",
    topic: input.topic,
    resource: input.topic.split(".")[0],
    event: input.topic.split(".")[1],
    hooks: [],
    delivery_url: input.delivery_url,
    secret: typeof input.secret === "string" ? input.secret : randomUUID(),
    date_created_gmt: now,
    date_modified_gmt: now,
  };
}

function oneWebhook({ store, method }: WooRequest, id: number): WooAnswer | null {
  const index = store.webhooks.findIndex((w) => w.id === id);
  if (index < 0) throw new WooError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
  if (method === "GET") return { status: 200, body: store.webhooks[index] };
  if (method !== "DELETE") return null;
  const [removed] = store.webhooks.splice(index, 1);
  return { status: 200, body: removed };
}

function listProducts({ store, query }: WooRequest): WooAnswer {
  const found = wooProductList(query, store.appUrl);
  if (!found.ok) {
    throw new WooError(400, "rest_invalid_param", `Invalid parameter(s): ${found.param}`);
  }
  return {
    status: 200,
    body: found.body,
    headers: { "X-WP-Total": String(found.total), "X-WP-TotalPages": String(found.totalPages) },
  };
}

/** WordPress's REST index (`GET /wp-json/`), which needs no keys; the app reads the time zone. */
const WORDPRESS_INDEX = {
  name: "Demo Woo",
  description: "A WooCommerce store simulated for the Orderlane demo",
  gmt_offset: 0,
  timezone_string: "Europe/London",
  namespaces: ["wp/v2", "wc/v3", "wc-shipment-tracking/v3"],
};

function systemStatus(): WooAnswer {
  return {
    status: 200,
    body: {
      environment: { home_url: "", site_url: "", version: "9.4.0", wp_version: "6.7" },
      settings: { currency: "GBP" },
      active_plugins: [
        { plugin: "woocommerce/woocommerce.php", name: "WooCommerce", version: "9.4.0" },
        {
          plugin: "woocommerce-shipment-tracking/woocommerce-shipment-tracking.php",
          name: "WooCommerce Shipment Tracking",
          version: "2.6.0",
        },
      ],
    },
  };
}

function label(status: string): string {
  return status.replace(/-/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

function addNote(
  store: WooStore,
  orderId: number,
  text: string,
  customerNote: boolean,
  author: string,
) {
  const now = wooDate(new Date());
  const note: WooNote = {
    id: store.nextId(),
    author,
    date_created: now,
    date_created_gmt: now,
    note: text,
    customer_note: customerNote,
  };
  const list = store.notes.get(orderId) ?? [];
  list.push(note);
  store.notes.set(orderId, list);
  return note;
}

// ---------------------------------------------------------------------------------------------
// The HTTP server

export async function startCartSimulator(options: CartSimulatorOptions): Promise<CartSimulator> {
  const host = options.host ?? "127.0.0.1";
  let baseUrl = "";
  const simulator = createSimulator(options, () => baseUrl);
  const server = http.createServer((req, res) => {
    readBody(req, (text) => routeRequest(simulator, req, res, text));
  });
  const port = await listen(server, options.port, host);
  baseUrl = `http://${host}:${port}`;
  return {
    url: baseUrl,
    wooUrl: baseUrl,
    requests: () => [...simulator.requests],
    sendWebhooks(targets) {
      simulator.shopify.webhooks = { target: targets.shopify, deliver: simulator.queue.deliver };
      simulator.woo.deliver = simulator.queue.deliver;
      for (const topic of targets.woo.topics) {
        const exists = simulator.woo.webhooks.some(
          (w) => w.topic === topic && w.delivery_url === targets.woo.deliveryUrl,
        );
        if (exists) continue;
        simulator.woo.webhooks.push(
          newWebhook(simulator.woo, {
            name: `Orderlane ${topic}`,
            topic,
            delivery_url: targets.woo.deliveryUrl,
            secret: targets.woo.secret,
          }),
        );
      }
    },
    deliveriesSettled: () => simulator.queue.idle(),
    close: () => closeServer(server),
  };
}

interface Simulator {
  shopify: ShopifyStore;
  woo: WooStore;
  demoShop: DemoShopCart | null;
  queue: ReturnType<typeof deliveryQueue>;
  baseUrl: () => string;
  /** The last 500 calls answered, oldest first. */
  requests: SimulatedRequest[];
  record(entry: SimulatedRequest): void;
  log: CartSimulatorOptions["log"];
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

function createSimulator(options: CartSimulatorOptions, baseUrl: () => string): Simulator {
  const now = options.now ?? new Date();
  const shopify = new ShopifyStore(
    options.shopify.shop,
    options.shopify.accessToken,
    options.appUrl,
    baseUrl,
    options.shopify.orders,
    options.shopify.now ?? now,
  );
  const woo = new WooStore(
    options.woo.consumerKey,
    options.appUrl,
    options.woo.orders,
    options.woo.now ?? now,
    baseUrl,
  );
  const demoShop = options.demoShop ? new DemoShopCart(options.demoShop) : null;
  const requests: SimulatedRequest[] = [];
  const record = (entry: SimulatedRequest) => {
    requests.push(entry);
    if (requests.length > 500) requests.shift();
  };
  return {
    shopify,
    woo,
    demoShop,
    queue: deliveryQueue(options.log),
    baseUrl,
    requests,
    record,
    log: options.log,
  };
}

/** Hands over the body as text, or null when it is over the limit (read to the end regardless). */
function readBody(req: http.IncomingMessage, then: (text: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on("end", () => then(tooLarge ? null : Buffer.concat(chunks).toString("utf8")));
}

function routeRequest(
  sim: Simulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  text: string | null,
): void {
  const url = new URL(req.url ?? "/", "http://simulator");
  const method = req.method ?? "GET";
  const send: Send = (status, body, headers = {}) => {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  if (text === null) return send(413, { errors: "Request body too large" });
  try {
    const page = method === "GET" ? cartPage(sim, url) : null;
    if (page) {
      sim.record({ cart: "other", method, what: url.pathname, status: page.status });
      return sendReply(res, page);
    }
    const demoPath = /^\/demo-cart(\/.*)$/.exec(url.pathname);
    if (demoPath && sim.demoShop) {
      const reply = sim.demoShop.handle(method, demoPath[1] ?? "/", url.searchParams, text);
      sim.record({ cart: "demo", method, what: demoPath[1] ?? "/", status: reply.status });
      return sendReply(res, reply);
    }
    const shopifyPath = /^\/shopify\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (shopifyPath) {
      const [, shop, rest = ""] = shopifyPath;
      return answerShopify(sim, req, res, send, { shop, rest, text });
    }
    const wooPath = /^\/wp-json\/(.*?)\/?$/.exec(url.pathname);
    if (wooPath) return answerWoo(sim, req, send, url, wooPath[1] ?? "", text);
    sim.record({ cart: "other", method, what: url.pathname, status: 404 });
    send(404, {
      error: "The cart simulator answers /shopify/<shop>/admin/api/… and /wp-json/…",
    });
  } catch (err) {
    // Only a WooCommerce body that is not JSON gets here as a WooError: no route saw it.
    if (err instanceof WooError) return sendWooError(send, err);
    sim.log?.error(`[cart simulator] ${method} ${url.pathname}: ${String(err)}`);
    send(500, { errors: "Internal error in the cart simulator" });
  }
}

function answerShopify(
  sim: Simulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  send: Send,
  call: { shop: string | undefined; rest: string; text: string },
): void {
  const method = req.method ?? "GET";
  const { rest } = call;
  if (call.shop !== sim.shopify.shop) {
    sim.record({ cart: "shopify", method, what: rest, status: 404 });
    return send(404, { errors: "Not Found" });
  }
  const bulk = /^bulk\/(\d+)\.jsonl$/.exec(rest);
  if (bulk && method === "GET") {
    // Shopify serves the JSONL from signed storage URLs that need no token.
    const file = sim.shopify.bulkFile(bulk[1]!);
    sim.record({ cart: "shopify", method, what: "bulk JSONL", status: file ? 200 : 404 });
    if (file === null) return send(404, { errors: "Not Found" });
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    res.end(file);
    return;
  }
  const reply = handleShopify(sim.shopify, method, rest, req.headers, call.text);
  sim.record({ cart: "shopify", method, what: reply.what, status: reply.status });
  send(reply.status, reply.body, reply.headers);
}

function answerWoo(
  sim: Simulator,
  req: http.IncomingMessage,
  send: Send,
  url: URL,
  route: string,
  text: string,
): void {
  const method = req.method ?? "GET";
  if (route === "" && method === "GET") {
    sim.record({ cart: "woocommerce", method, what: "index", status: 200 });
    return send(200, WORDPRESS_INDEX);
  }
  const presented =
    url.searchParams.get("oauth_consumer_key") ??
    url.searchParams.get("consumer_key") ??
    basicUser(req.headers.authorization);
  if (presented !== sim.woo.consumerKey) {
    sim.record({ cart: "woocommerce", method, what: route, status: 401 });
    return sendWooError(
      send,
      new WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid."),
    );
  }
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new WooError(400, "rest_invalid_json", "Invalid JSON body passed.");
    }
  }
  try {
    const reply = handleWoo(sim.woo, method, route, url.searchParams, body);
    sim.record({ cart: "woocommerce", method, what: route, status: reply.status });
    send(reply.status, reply.body, reply.headers);
  } catch (err) {
    if (!(err instanceof WooError)) throw err;
    sim.record({ cart: "woocommerce", method, what: route, status: err.status });
    sendWooError(send, err);
  }
}

/** WooCommerce's error shape: `{code, message, data: {status}}`. */
function sendWooError(send: Send, err: WooError): void {
  send(err.status, { code: err.code, message: err.message, data: { status: err.status } });
}

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Resolves once the server is closed; open keep-alive connections are cut rather than waited for. */
function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function basicUser(header: string | undefined): string | null {
  if (!header?.startsWith("Basic ")) return null;
  return Buffer.from(header.slice(6), "base64").toString("utf8").split(":")[0] ?? null;
}

function handleShopify(
  store: ShopifyStore,
  method: string,
  rest: string,
  headers: http.IncomingHttpHeaders,
  text: string,
): { status: number; what: string; body: unknown; headers?: Record<string, string> } {
  if (!/^admin\/api\/[0-9]{4}-[0-9]{2}\/graphql\.json$/.test(rest)) {
    return { status: 404, what: rest, body: { errors: "Not Found" } };
  }
  if (method !== "POST") {
    return { status: 405, what: rest, body: { errors: "GraphQL requests must be POST" } };
  }
  if (headers["x-shopify-access-token"] !== store.accessToken) {
    return {
      status: 401,
      what: "graphql",
      body: {
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      },
    };
  }
  let request: { query?: unknown; variables?: unknown };
  try {
    request = JSON.parse(text) as typeof request;
  } catch {
    return {
      status: 400,
      what: "graphql",
      body: { errors: { query: "Required parameter missing or invalid" } },
    };
  }
  if (typeof request.query !== "string") {
    return {
      status: 400,
      what: "graphql",
      body: { errors: { query: "Required parameter missing or invalid" } },
    };
  }
  const variables =
    request.variables && typeof request.variables === "object"
      ? (request.variables as Record<string, unknown>)
      : {};
  let fields: RootField[];
  try {
    fields = parseOperation(request.query, variables).fields;
  } catch (err) {
    const message = err instanceof GraphqlSyntaxError ? err.message : String(err);
    return {
      status: 200,
      what: "graphql",
      body: { errors: [{ message: `Parse error: ${message}` }] },
    };
  }
  const data: Record<string, unknown> = {};
  const errors: { message: string; path: string[] }[] = [];
  for (const field of fields) {
    try {
      data[field.key] = store.resolve(field);
    } catch (err) {
      data[field.key] = null;
      errors.push({ message: err instanceof Error ? err.message : String(err), path: [field.key] });
    }
  }
  const cost = 10 * fields.length;
  return {
    status: 200,
    what: fields.map((f) => f.name).join(","),
    body: {
      data,
      ...(errors.length > 0 ? { errors } : {}),
      extensions: {
        cost: {
          requestedQueryCost: cost,
          actualQueryCost: cost,
          throttleStatus: {
            maximumAvailable: 2000,
            currentlyAvailable: 2000 - cost,
            restoreRate: 100,
          },
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The carts' own pages (cart-pages.server.ts): where the order page's links lead in the demo

function sendReply(res: http.ServerResponse, reply: Reply): void {
  const html = reply.contentType === "text/html";
  res.writeHead(reply.status, {
    "Content-Type": html ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
  });
  res.end(html ? String(reply.body) : JSON.stringify(reply.body));
}

const html = (body: string, status = 200): Reply => ({
  status,
  body,
  contentType: "text/html",
});

const money = (amount: string | number, currency: string) =>
  `${Number(amount).toFixed(2)} ${currency}`;

const visibleOptions = (pairs: { key: string; value: string }[]): [string, string][] =>
  pairs
    .filter((p) => !p.key.startsWith("_") && p.key !== "pa_variant")
    .map((p) => [p.key, p.value]);

/** The page a GET asks for, or null when the address is no page (an API call, most likely). */
function cartPage(sim: Simulator, url: URL): Reply | null {
  const path = url.pathname.replace(/\/+$/, "");
  const track = /^\/track\/([^/]+)$/.exec(path);
  if (track) return html(trackingPage(parcelOf(sim, decodeURIComponent(track[1]!), url)));

  const shopify = /^\/shopify\/([^/]+)\/(admin\/orders|admin\/products|products)\/([^/]+)$/.exec(
    path,
  );
  if (shopify && shopify[1] === sim.shopify.shop) {
    const [, , kind, id] = shopify;
    if (kind === "admin/orders") {
      const order = sim.shopify.orders.get(decodeURIComponent(id!));
      return order
        ? html(orderPage(shopifyPageOrder(sim, order)))
        : html(notFoundPage("This order does not exist in the Shopify shop"), 404);
    }
    const line = [...sim.shopify.orders.values()]
      .flatMap((o) => o.demo.lines.map((l) => ({ l, currency: o.demo.currency })))
      .find(({ l }) => l.productId === id || productHandle(l.title) === id);
    if (!line) return html(notFoundPage("This product does not exist in the Shopify shop"), 404);
    return html(
      productPage({
        cart: kind === "products" ? "Demo Store (storefront)" : "Shopify admin (simulated)",
        title: line.l.title,
        image: sim.shopify.imageUrl(line.l.image),
        price: money(line.l.price, line.currency),
        variants: [line.l.variant],
        personalised: line.l.properties.length > 0,
        admin: kind !== "products",
      }),
    );
  }

  const demo = /^\/demo-cart\/(admin\/orders|admin\/products|products)\/([^/]+)$/.exec(path);
  if (demo && sim.demoShop) {
    const [, kind, id] = demo;
    if (kind === "admin/orders") {
      const record = sim.demoShop.find(decodeURIComponent(id!));
      return record
        ? html(orderPage(demoPageOrder(sim, sim.demoShop, record)))
        : html(notFoundPage("This order does not exist in the demo shop's cart"), 404);
    }
    const product = sim.demoShop.products.find((p) => p.handle === id);
    if (!product) return html(notFoundPage("This product does not exist in the demo shop"), 404);
    return html(
      productPage({
        cart:
          kind === "products" ? `${sim.demoShop.name} (storefront)` : `${sim.demoShop.name} admin`,
        title: product.title,
        image: sim.shopify.imageUrl(product.mockup),
        price: money(product.priceCents / 100, "USD"),
        variants: product.variants,
        personalised: product.personalised,
        admin: kind !== "products",
      }),
    );
  }

  const wooProduct = /^\/product\/([^/]+)$/.exec(path);
  if (wooProduct) {
    const line = [...sim.woo.orders.values()]
      .flatMap((o) => (o.line_items as Record<string, unknown>[]).map((l) => ({ l, o })))
      .find(({ l }) => productHandle(String(l.name).replace(/ - [^-]*$/, "")) === wooProduct[1]);
    if (!line) return html(notFoundPage("This product does not exist in the store"), 404);
    return html(
      productPage({
        cart: "Demo Woo (storefront)",
        title: String(line.l.name).replace(/ - [^-]*$/, ""),
        image: String((line.l.image as { src?: string } | undefined)?.src ?? "") || null,
        price: money(String(line.l.price), String(line.o.currency)),
        variants: [],
        personalised: false,
        admin: false,
      }),
    );
  }

  // WooCommerce's admin: the HPOS order editor, or post.php for a legacy order or a product.
  const hpos =
    path === "/wp-admin/admin.php" &&
    url.searchParams.get("page") === "wc-orders" &&
    url.searchParams.get("action") === "edit";
  const post = path === "/wp-admin/post.php" && url.searchParams.get("action") === "edit";
  if (hpos || post) {
    const id = Number(url.searchParams.get(hpos ? "id" : "post"));
    const order = sim.woo.orders.get(id);
    if (order) return html(orderPage(wooPageOrder(sim, order)));
    const line = [...sim.woo.orders.values()]
      .flatMap((o) => (o.line_items as Record<string, unknown>[]).map((l) => ({ l, o })))
      .find(({ l }) => l.product_id === id);
    if (!line) return html(notFoundPage("There is nothing to edit with this id"), 404);
    const name = String(line.l.name);
    return html(
      productPage({
        cart: "WooCommerce admin (simulated)",
        title: name.replace(/ - [^-]*$/, ""),
        image: String((line.l.image as { src?: string } | undefined)?.src ?? "") || null,
        price: money(String(line.l.price), String(line.o.currency)),
        variants: [],
        personalised: (line.l.meta_data as { key: string }[]).some((m) => m.key.startsWith("_")),
        admin: true,
      }),
    );
  }
  return null;
}

function trackLink(sim: Simulator, number: string, carrier: string | null): string {
  const query = carrier ? `?carrier=${encodeURIComponent(carrier)}` : "";
  return `${sim.baseUrl()}/track/${encodeURIComponent(number)}${query}`;
}

function shopifyPageOrder(sim: Simulator, order: SimShopifyOrder): PageOrder {
  const d = order.demo;
  const { total } = orderAmounts(d);
  const fulfilled = order.fulfillmentOrders.every((fo) => fo.status === "CLOSED");
  const held = order.fulfillmentOrders.some((fo) => fo.status === "ON_HOLD");
  const status = order.cancelledAt
    ? "Cancelled"
    : `${order.financialStatus.charAt(0)}${order.financialStatus.slice(1).toLowerCase()} · ${
        held ? "On hold" : fulfilled ? "Fulfilled" : "Unfulfilled"
      }`;
  return {
    cart: "Shopify admin (simulated)",
    number: `#${d.number}`,
    status,
    customer: `${d.firstName} ${d.lastName}`,
    email: d.email,
    shipTo: [
      d.address.address1,
      `${d.address.city} ${d.address.zip ?? ""}`.trim(),
      d.address.country,
    ],
    placedAt: order.createdAt,
    total: money(total, d.currency),
    lines: d.lines.map((l) => ({
      title: l.title,
      variant: l.variant,
      sku: l.sku,
      quantity: l.quantity,
      price: money(l.price, d.currency),
      options: visibleOptions(l.properties),
      productLink: `${sim.baseUrl()}/shopify/${sim.shopify.shop}/products/${productHandle(l.title)}`,
    })),
    parcels: order.fulfillments
      .filter((f) => f.tracking.number)
      .map((f) => ({
        carrier: f.tracking.company,
        number: f.tracking.number!,
        link: trackLink(sim, f.tracking.number!, f.tracking.company),
      })),
    notes: [],
  };
}

function wooPageOrder(sim: Simulator, order: Record<string, unknown>): PageOrder {
  const billing = order.billing as Record<string, string>;
  const shipping = order.shipping as Record<string, string>;
  const currency = String(order.currency);
  const id = Number(order.id);
  return {
    cart: "WooCommerce admin (simulated)",
    number: `#${String(order.number)}`,
    status: String(order.status)
      .replace(/-/g, " ")
      .replace(/^\w/, (c) => c.toUpperCase()),
    customer: `${billing.first_name} ${billing.last_name}`,
    email: billing.email || null,
    shipTo: [
      shipping.address_1,
      `${shipping.city} ${shipping.postcode}`.trim(),
      shipping.country,
    ].filter((l): l is string => Boolean(l)),
    placedAt: new Date(`${String(order.date_created_gmt)}Z`),
    total: money(String(order.total), currency),
    lines: (order.line_items as Record<string, unknown>[]).map((l) => ({
      title: String(l.name),
      variant: null,
      sku: typeof l.sku === "string" ? l.sku : null,
      quantity: Number(l.quantity),
      price: money(String(l.price), currency),
      options: visibleOptions(
        (l.meta_data as { key: string; value: unknown }[]).map((m) => ({
          key: m.key,
          value: String(m.value),
        })),
      ),
      productLink: null,
    })),
    parcels: (sim.woo.trackings.get(id) ?? []).map((t) => ({
      carrier: String(t.tracking_provider || t.custom_tracking_provider || "") || null,
      number: String(t.tracking_number),
      link: trackLink(sim, String(t.tracking_number), String(t.tracking_provider || "") || null),
    })),
    notes: (sim.woo.notes.get(id) ?? []).map((n) => n.note),
  };
}

function demoPageOrder(
  sim: Simulator,
  cart: DemoShopCart,
  record: NonNullable<ReturnType<DemoShopCart["find"]>>,
): PageOrder {
  const o = record.order;
  const a = o.shippingAddress;
  return {
    cart: `${cart.name} admin`,
    number: o.cartOrderNumber,
    status: o.cartStatusRaw.replace(/-/g, " ").replace(/^\w/, (c) => c.toUpperCase()),
    customer: o.customerName,
    email: o.customerEmail,
    shipTo: a
      ? [a.address1 ?? "", `${a.city ?? ""} ${a.zip ?? ""}`.trim(), a.country ?? ""].filter(Boolean)
      : [],
    placedAt: o.cartCreatedAt,
    total: money(o.total, o.currency),
    lines: o.lineItems.map((l) => ({
      title: l.title,
      variant: l.style,
      sku: l.sku,
      quantity: l.quantity,
      price: money(l.price, o.currency),
      options: (l.personalization?.options ?? []).map((o): [string, string] => [o.name, o.value]),
      productLink: l.cartProductId
        ? `${sim.baseUrl()}/demo-cart/products/${l.cartProductId}`
        : null,
    })),
    parcels: record.parcels.map((p) => ({
      carrier: p.carrier,
      number: p.trackingNumber,
      link: trackLink(sim, p.trackingNumber, p.carrier),
    })),
    notes: record.notes,
  };
}

/** A parcel, and the orders in the demo carts that carry its tracking number. */
function parcelOf(sim: Simulator, number: string, url: URL): PageParcel {
  const orders: PageParcel["orders"] = [];
  const base = sim.baseUrl();
  for (const order of sim.shopify.orders.values()) {
    if (order.fulfillments.some((f) => f.tracking.number === number)) {
      orders.push({
        cart: "Shopify",
        number: `#${order.demo.number}`,
        link: `${base}/shopify/${sim.shopify.shop}/admin/orders/${order.demo.id}`,
      });
    }
  }
  for (const [id, list] of sim.woo.trackings) {
    if (list.some((t) => t.tracking_number === number)) {
      orders.push({
        cart: "WooCommerce",
        number: `#${String(sim.woo.orders.get(id)?.number ?? id)}`,
        link: `${base}/wp-admin/admin.php?page=wc-orders&action=edit&id=${id}`,
      });
    }
  }
  for (const record of sim.demoShop?.orders.values() ?? []) {
    if (record.parcels.some((p) => p.trackingNumber === number)) {
      orders.push({
        cart: sim.demoShop!.name,
        number: record.order.cartOrderNumber,
        link: `${base}/demo-cart/admin/orders/${record.order.cartOrderId}`,
      });
    }
  }
  // The order page names the order it came from, for parcels a cart never heard of (the seed's).
  const named = url.searchParams.get("order");
  if (orders.length === 0 && named) orders.push({ cart: "Orderlane", number: named, link: null });
  return { number, carrier: url.searchParams.get("carrier"), orders };
}
