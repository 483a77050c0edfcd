// Stand-ins the Import bench uses only while the real pieces are not in this branch: the WooCommerce
// and Shopify connectors' importOrders and orders/ingest.server.ts are being written in parallel
// (issue 3). Each is swapped in automatically when the real one answers "not available yet" / "not
// implemented", and the bench says so next to its figures. They read the same fake cart over HTTP
// the real connectors will, so the figures measure reading, normalising and storing pages.
//
// `batchIngest` is also a proposal for ingest's shape on the import path: one statement per page
// for the orders (an upsert from one JSON parameter, archived orders and older updates left alone)
// and one for their line items, instead of a round trip per order.
import readline from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { sql } from "drizzle-orm";
import WooCommerceModule from "@woocommerce/woocommerce-rest-api";
import {
  CartReadError,
  type CartConnector,
  type ImportPage,
  type ImportRequest,
  type NormalizedOrder,
} from "~/carts/connector";
import { queryRows, type Db } from "~/db/client.server";
import type { IngestOutcome } from "~/orders/ingest.server";
import type { CartStatus } from "~/orders/model";
import type { ShopRow } from "~/orders/orders.server";

const WooCommerceRestApi = ((WooCommerceModule as unknown as { default?: typeof WooCommerceModule })
  .default ?? WooCommerceModule) as typeof WooCommerceModule;

const unused = () => Promise.reject(new Error("not used by the Import bench"));

// --- WooCommerce -------------------------------------------------------------------------------

interface WooAddress {
  first_name: string;
  last_name: string;
  address_1: string;
  address_2?: string;
  city: string;
  state?: string;
  postcode?: string;
  country: string;
  email?: string;
  phone?: string;
}

interface WooOrder {
  id: number;
  number: string;
  status: string;
  currency: string;
  created_via: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  total: string;
  shipping_total: string;
  total_tax: string;
  customer_note: string;
  billing: WooAddress;
  shipping: WooAddress;
  payment_method_title: string;
  shipping_lines: { method_title: string }[];
  line_items: {
    id: number;
    name: string;
    sku: string;
    quantity: number;
    price: number;
    subtotal: string;
    product_id: number;
    variation_id: number;
    image?: { src?: string };
    meta_data: { key: string; value: unknown }[];
  }[];
}

const WOO_STATUS: Record<string, CartStatus> = {
  pending: "pending_payment",
  failed: "failed",
  processing: "processing",
  "on-hold": "on_hold",
  completed: "completed",
  cancelled: "cancelled",
  refunded: "refunded",
};

function wooAddress(a: WooAddress) {
  return {
    name: `${a.first_name} ${a.last_name}`.trim(),
    address1: a.address_1,
    address2: a.address_2 || null,
    city: a.city,
    province: a.state || null,
    zip: a.postcode || null,
    country: a.country,
    countryCode: a.country,
    phone: a.phone || null,
  };
}

function normaliseWoo(o: WooOrder): NormalizedOrder {
  const subtotal = o.line_items.reduce((sum, l) => sum + Number(l.subtotal), 0);
  return {
    cartOrderId: String(o.id),
    cartOrderNumber: o.number,
    cartStatusRaw: o.status,
    cartStatus: WOO_STATUS[o.status] ?? "processing",
    customerName: `${o.billing.first_name} ${o.billing.last_name}`.trim(),
    customerEmail: o.billing.email || null,
    billingAddress: wooAddress(o.billing),
    shippingAddress: wooAddress(o.shipping),
    currency: o.currency,
    subtotal: subtotal.toFixed(2),
    shippingTotal: o.shipping_total,
    taxTotal: o.total_tax,
    total: o.total,
    paymentMethod: o.payment_method_title || null,
    shippingMethod: o.shipping_lines[0]?.method_title ?? null,
    sourceChannel: o.created_via || null,
    note: o.customer_note || null,
    cartCreatedAt: new Date(`${o.date_created_gmt}Z`),
    cartUpdatedAt: new Date(`${o.date_modified_gmt}Z`),
    lineItems: o.line_items.map((l) => ({
      cartLineId: String(l.id),
      sku: l.sku || null,
      title: l.name,
      style: null,
      quantity: l.quantity,
      price: String(l.price),
      mockupUrl: l.image?.src ?? null,
      cartProductId: String(l.product_id),
      cartVariantId: l.variation_id ? String(l.variation_id) : null,
      productUrl: null,
      personalization: null,
    })),
    payments: [],
    raw: o,
  };
}

/** WooCommerce pages, 100 at a time, as many as X-WP-TotalPages says; the cursor is the next page. */
export function standInWooConnector(storeUrl: string): CartConnector {
  const wc = new WooCommerceRestApi({
    url: storeUrl,
    consumerKey: "ck_bench",
    consumerSecret: "cs_bench",
    version: "wc/v3",
    timeout: 30_000,
  });
  return {
    async *importOrders(request: ImportRequest, cursor: string | null): AsyncIterable<ImportPage> {
      if (request.mode !== "all") throw new CartReadError("the stand-in reads All only", false);
      let page = cursor ? Number(cursor) : 1;
      for (;;) {
        const res = await wc.get("orders", { per_page: 100, page, order: "asc" });
        const pages = Number(res.headers["x-wp-totalpages"]);
        const total = Number(res.headers["x-wp-total"]);
        const orders = (res.data as WooOrder[]).map(normaliseWoo);
        yield { orders, total, resumeCursor: page < pages ? String(page + 1) : null };
        if (page >= pages) return;
        page++;
      }
    },
    fetchOrder: unused,
    setOrderStatus: unused,
    pushTracking: unused,
    orderEditorUrl: () => null,
  };
}

// --- Shopify -----------------------------------------------------------------------------------

interface MoneySet {
  shopMoney: { amount: string; currencyCode: string };
}
interface ShopifyAddress {
  name: string;
  address1: string;
  address2: string | null;
  city: string;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string;
  countryCodeV2: string;
  phone: string | null;
}
interface ShopifyOrderLine {
  id: string;
  legacyResourceId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string;
  email: string | null;
  note: string | null;
  sourceName: string | null;
  currencyCode: string;
  subtotalPriceSet: MoneySet;
  totalShippingPriceSet: MoneySet;
  totalTaxSet: MoneySet;
  totalPriceSet: MoneySet;
  paymentGatewayNames: string[];
  customer: { firstName: string; lastName: string } | null;
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  shippingLine: { title: string } | null;
}
interface ShopifyLineItemLine {
  id: string;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  originalUnitPriceSet: MoneySet;
  variant: { id: string } | null;
  product: { id: string } | null;
  image: { url: string } | null;
  __parentId: string;
}

const tail = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

function shopifyAddress(a: ShopifyAddress | null) {
  return a
    ? {
        name: a.name,
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        province: a.province,
        provinceCode: a.provinceCode,
        zip: a.zip,
        country: a.country,
        countryCode: a.countryCodeV2,
        phone: a.phone,
      }
    : null;
}

function normaliseShopify(o: ShopifyOrderLine, items: ShopifyLineItemLine[]): NormalizedOrder {
  const status: CartStatus = o.cancelledAt
    ? "cancelled"
    : o.displayFinancialStatus === "PENDING"
      ? "pending_payment"
      : "processing";
  return {
    cartOrderId: o.legacyResourceId,
    cartOrderNumber: o.name,
    cartStatusRaw: o.displayFinancialStatus,
    cartStatus: status,
    customerName: o.customer ? `${o.customer.firstName} ${o.customer.lastName}`.trim() : "",
    customerEmail: o.email,
    billingAddress: shopifyAddress(o.billingAddress),
    shippingAddress: shopifyAddress(o.shippingAddress),
    currency: o.currencyCode,
    subtotal: o.subtotalPriceSet.shopMoney.amount,
    shippingTotal: o.totalShippingPriceSet.shopMoney.amount,
    taxTotal: o.totalTaxSet.shopMoney.amount,
    total: o.totalPriceSet.shopMoney.amount,
    paymentMethod: o.paymentGatewayNames[0] ?? null,
    shippingMethod: o.shippingLine?.title ?? null,
    sourceChannel: o.sourceName,
    note: o.note,
    cartCreatedAt: new Date(o.createdAt),
    cartUpdatedAt: new Date(o.updatedAt),
    lineItems: items.map((l) => ({
      cartLineId: tail(l.id),
      sku: l.sku,
      title: l.title,
      style: l.variantTitle,
      quantity: l.quantity,
      price: l.originalUnitPriceSet.shopMoney.amount,
      mockupUrl: l.image?.url ?? null,
      cartProductId: l.product ? tail(l.product.id) : null,
      cartVariantId: l.variant ? tail(l.variant.id) : null,
      productUrl: null,
      personalization: null,
    })),
    payments: [],
    raw: { ...o, lineItems: items },
  };
}

const BULK_QUERY = `{ orders { edges { node { id legacyResourceId name createdAt updatedAt cancelledAt
  displayFinancialStatus email note sourceName currencyCode
  subtotalPriceSet { shopMoney { amount currencyCode } } totalShippingPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } } totalPriceSet { shopMoney { amount currencyCode } }
  paymentGatewayNames customer { firstName lastName } shippingLine { title }
  lineItems { edges { node { id title variantTitle sku quantity
    originalUnitPriceSet { shopMoney { amount currencyCode } } variant { id } product { id } image { url } } } } } } } }`;

/**
 * Shopify "All": a bulk operation, polled until COMPLETED, then its JSONL streamed line by line
 * (children follow their parent), 250 orders a page. The cursor counts the orders already stored.
 */
export function standInShopifyConnector(domain: string, accessToken: string, version: string) {
  const endpoint = `https://${domain}/admin/api/${version}/graphql.json`;
  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken },
      body: JSON.stringify({ query, variables }),
    });
    if (!res.ok) throw new CartReadError(`Shopify (HTTP ${res.status})`, res.status >= 500);
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (!body.data) throw new CartReadError(`Shopify: ${body.errors?.[0]?.message}`, false);
    return body.data;
  }
  interface Op {
    status: string;
    url: string | null;
    rootObjectCount: string;
  }
  const connector: CartConnector = {
    async *importOrders(request, cursor): AsyncIterable<ImportPage> {
      if (request.mode !== "all") throw new CartReadError("the stand-in reads All only", false);
      const skip = cursor ? Number(cursor) : 0;
      await graphql(
        `
          mutation run($query: String!) {
            bulkOperationRunQuery(query: $query) {
              bulkOperation {
                id
                status
              }
              userErrors {
                field
                message
              }
            }
          }
        `,
        { query: BULK_QUERY },
      );
      let op: Op;
      for (;;) {
        ({ currentBulkOperation: op } = await graphql<{ currentBulkOperation: Op }>(`
          {
            currentBulkOperation {
              id
              status
              errorCode
              url
              rootObjectCount
            }
          }
        `));
        if (op.status === "COMPLETED") break;
        if (op.status !== "RUNNING" && op.status !== "CREATED") {
          throw new CartReadError(`Shopify's bulk export ended ${op.status}`, false);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const total = Number(op.rootObjectCount);
      if (!op.url) {
        yield { orders: [], total: 0, resumeCursor: null };
        return;
      }
      const res = await fetch(op.url);
      if (!res.ok || !res.body) throw new CartReadError(`bulk file (HTTP ${res.status})`, true);
      const lines = readline.createInterface({
        input: Readable.fromWeb(res.body as WebReadableStream),
        crlfDelay: Infinity,
      });
      let seen = 0;
      let page: NormalizedOrder[] = [];
      let current: { order: ShopifyOrderLine; items: ShopifyLineItemLine[] } | null = null;
      const flush = () => {
        if (current && seen > skip) page.push(normaliseShopify(current.order, current.items));
        current = null;
      };
      for await (const line of lines) {
        if (!line) continue;
        const row = JSON.parse(line) as ShopifyOrderLine | ShopifyLineItemLine;
        if ("__parentId" in row) {
          current?.items.push(row);
          continue;
        }
        flush();
        if (page.length >= 250) {
          yield { orders: page, total, resumeCursor: String(seen) };
          page = [];
        }
        seen++;
        current = { order: row, items: [] };
      }
      flush();
      yield { orders: page, total, resumeCursor: null };
    },
    fetchOrder: unused,
    setOrderStatus: unused,
    pushTracking: unused,
    orderEditorUrl: () => null,
  };
  return connector;
}

// --- ingest --------------------------------------------------------------------------------------

/** Pages of orders stored in two statements: the orders (upsert) and their line items. */
export async function batchIngest(
  db: Db,
  shop: Pick<ShopRow, "id">,
  incoming: NormalizedOrder[],
): Promise<IngestOutcome[]> {
  if (incoming.length === 0) return [];
  const rows = incoming.map((o) => ({
    cart_order_id: o.cartOrderId,
    cart_order_number: o.cartOrderNumber,
    cart_status_raw: o.cartStatusRaw,
    cart_status: o.cartStatus,
    customer_name: o.customerName,
    customer_email: o.customerEmail,
    customer_city: o.shippingAddress?.city ?? null,
    customer_province: o.shippingAddress?.provinceCode ?? o.shippingAddress?.province ?? null,
    customer_country: o.shippingAddress?.countryCode ?? null,
    billing_address: o.billingAddress,
    shipping_address: o.shippingAddress,
    currency: o.currency,
    subtotal: o.subtotal,
    shipping_total: o.shippingTotal,
    tax_total: o.taxTotal,
    total: o.total,
    payment_method: o.paymentMethod,
    shipping_method: o.shippingMethod,
    source_channel: o.sourceChannel,
    note: o.note,
    item_count: o.lineItems.reduce((n, l) => n + l.quantity, 0),
    cart_created_at: o.cartCreatedAt.toISOString(),
    cart_updated_at: o.cartUpdatedAt.toISOString(),
    raw_payload: o.raw,
  }));
  return db.transaction(async (tx) => {
    const stored = await queryRows<{ id: string; cart_order_id: string; inserted: boolean }>(
      tx,
      sql`insert into "order" as o (shop_id, state, type, cart_order_id, cart_order_number, cart_status_raw,
            cart_status, customer_name, customer_email, customer_city, customer_province, customer_country,
            billing_address, shipping_address, currency, subtotal, shipping_total, tax_total, total,
            payment_method, shipping_method, source_channel, note, item_count, cart_created_at,
            cart_updated_at, raw_payload)
          select ${shop.id}, 'new', 'other', r.cart_order_id, r.cart_order_number, r.cart_status_raw,
            r.cart_status::cart_status, r.customer_name, r.customer_email, r.customer_city,
            r.customer_province, r.customer_country, r.billing_address, r.shipping_address, r.currency,
            r.subtotal, r.shipping_total, r.tax_total, r.total, r.payment_method, r.shipping_method,
            r.source_channel, r.note, r.item_count, r.cart_created_at, r.cart_updated_at, r.raw_payload
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(cart_order_id text,
            cart_order_number text, cart_status_raw text, cart_status text, customer_name text,
            customer_email text, customer_city text, customer_province text, customer_country text,
            billing_address jsonb, shipping_address jsonb, currency text, subtotal numeric,
            shipping_total numeric, tax_total numeric, total numeric, payment_method text,
            shipping_method text, source_channel text, note text, item_count int,
            cart_created_at timestamptz, cart_updated_at timestamptz, raw_payload jsonb)
          on conflict (shop_id, cart_order_id) do update set
            cart_status_raw = excluded.cart_status_raw, cart_status = excluded.cart_status,
            customer_name = excluded.customer_name, total = excluded.total,
            cart_updated_at = excluded.cart_updated_at, raw_payload = excluded.raw_payload,
            updated_at = now()
          where o.state <> 'archived' and o.cart_updated_at <= excluded.cart_updated_at
          returning o.id, o.cart_order_id, (o.xmax = 0) as inserted`,
    );
    const byCartId = new Map(stored.map((s) => [s.cart_order_id, s]));
    const items = incoming.flatMap((o) => {
      const row = byCartId.get(o.cartOrderId);
      return row
        ? o.lineItems.map((l, position) => ({
            order_id: row.id,
            position,
            cart_line_id: l.cartLineId,
            sku: l.sku,
            cart_product_id: l.cartProductId,
            cart_variant_id: l.cartVariantId,
            title: l.title,
            style: l.style,
            quantity: l.quantity,
            price: l.price,
            mockup_url: l.mockupUrl,
          }))
        : [];
    });
    if (items.length > 0) {
      await tx.execute(sql`insert into line_item as li (shop_id, order_id, position, cart_line_id, sku,
            cart_product_id, cart_variant_id, title, style, quantity, price, mockup_url)
          select ${shop.id}, r.order_id, r.position, r.cart_line_id, r.sku, r.cart_product_id,
            r.cart_variant_id, r.title, r.style, r.quantity, r.price, r.mockup_url
          from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as r(order_id uuid, position int,
            cart_line_id text, sku text, cart_product_id text, cart_variant_id text, title text,
            style text, quantity int, price numeric, mockup_url text)
          on conflict (order_id, cart_line_id) do update set
            sku = excluded.sku, title = excluded.title, style = excluded.style,
            quantity = excluded.quantity, price = excluded.price, mockup_url = excluded.mockup_url`);
    }
    return incoming.map((o): IngestOutcome => {
      const row = byCartId.get(o.cartOrderId);
      if (!row) {
        return {
          cartOrderId: o.cartOrderId,
          outcome: "skipped",
          orderId: null,
          reason: "archived, or older than the stored update",
        };
      }
      return {
        cartOrderId: o.cartOrderId,
        outcome: row.inserted ? "created" : "updated",
        orderId: row.id,
      };
    });
  });
}
