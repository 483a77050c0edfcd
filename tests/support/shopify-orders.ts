// Shopify orders as Shopify sends them (webhook payloads, GraphQL order nodes), and an msw stand-in
// for one shop's Admin GraphQL API that answers by operation name.
import { http, HttpResponse } from "msw";
import { mswServer } from "./msw";

let nextId = 5_000_000_000_000n;

export interface WebhookOrderOptions {
  id?: string;
  updatedAt?: string;
  financialStatus?: string;
  fulfillmentStatus?: string | null;
  cancelledAt?: string | null;
  sourceName?: string;
  lineItems?: Record<string, unknown>[];
}

/** orders/create|updated payload (REST shape) with one personalised line and one plain line. */
export function webhookOrder(options: WebhookOrderOptions = {}): Record<string, unknown> {
  const id = options.id ?? String(nextId++);
  const at = options.updatedAt ?? new Date().toISOString();
  return {
    id: Number(id) <= Number.MAX_SAFE_INTEGER ? Number(id) : id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + Number(BigInt(id) % 9000n)}`,
    order_number: 1000 + Number(BigInt(id) % 9000n),
    email: "mia@example.com",
    created_at: "2026-11-20T10:00:00-05:00",
    updated_at: at,
    cancelled_at: options.cancelledAt ?? null,
    financial_status: options.financialStatus ?? "paid",
    fulfillment_status: options.fulfillmentStatus ?? null,
    currency: "USD",
    subtotal_price: "54.00",
    total_price: "61.50",
    total_tax: "2.50",
    total_shipping_price_set: { shop_money: { amount: "5.00", currency_code: "USD" } },
    payment_gateway_names: ["shopify_payments"],
    source_name: options.sourceName ?? "web",
    note: null,
    customer: { id: 77, first_name: "Mia", last_name: "Okafor", email: "mia@example.com" },
    billing_address: {
      first_name: "Mia",
      last_name: "Okafor",
      address1: "1 Billing Rd",
      city: "Austin",
      province: "Texas",
      province_code: "TX",
      zip: "73301",
      country: "United States",
      country_code: "US",
    },
    shipping_address: {
      first_name: "Mia",
      last_name: "Okafor",
      name: "Mia Okafor",
      address1: "9 Harbour St",
      city: "Halifax",
      province: "Nova Scotia",
      province_code: "NS",
      zip: "B3H 1A1",
      country: "Canada",
      country_code: "CA",
    },
    shipping_lines: [{ title: "Standard", price: "5.00" }],
    line_items: options.lineItems ?? [
      {
        id: 9_007_199_254_741_001n.toString(),
        sku: "MUG-11-WHT",
        title: "Photo Mug",
        name: "Photo Mug - 11oz",
        variant_title: "11oz",
        quantity: 2,
        price: "20.00",
        product_id: 8001,
        variant_id: 8101,
        properties: [
          { name: "Name", value: "Grandma" },
          { name: "_design", value: "https://cdn.example.com/designs/mug-1.png" },
          { name: "_preview", value: "https://cdn.example.com/previews/mug-1.png" },
          { name: "_upload", value: "https://cdn.example.com/uploads/a.jpg" },
        ],
      },
      {
        id: 4401,
        sku: "CARD-GIFT",
        title: "Gift card",
        variant_title: null,
        quantity: 1,
        price: "14.00",
        product_id: 8002,
        variant_id: 8102,
        properties: [],
      },
    ],
  };
}

/** JSON text with big ids as bare numbers, the way Shopify writes them (beyond 2^53). */
export function shopifyJson(payload: Record<string, unknown>): string {
  return JSON.stringify(payload).replace(/"(id|product_id|variant_id)":"(\d{16,})"/g, '"$1":$2');
}

export interface GraphqlOrderOptions {
  id: string;
  name?: string;
  updatedAt?: string;
  createdAt?: string;
  financial?: string;
  fulfillment?: string;
  lines?: number;
}

/** An order node as the GraphQL Admin API answers it (without the lineItems connection). */
export function graphqlOrderNode(o: GraphqlOrderOptions): Record<string, unknown> {
  return {
    id: `gid://shopify/Order/${o.id}`,
    name: o.name ?? `#${o.id.slice(-4)}`,
    email: "leo@example.com",
    createdAt: o.createdAt ?? "2026-11-01T12:00:00Z",
    updatedAt: o.updatedAt ?? new Date().toISOString(),
    cancelledAt: null,
    displayFinancialStatus: o.financial ?? "PAID",
    displayFulfillmentStatus: o.fulfillment ?? "UNFULFILLED",
    currencyCode: "EUR",
    sourceName: "web",
    note: null,
    paymentGatewayNames: ["manual"],
    subtotalPriceSet: { shopMoney: { amount: "30.0" } },
    totalPriceSet: { shopMoney: { amount: "35.0" } },
    totalTaxSet: { shopMoney: { amount: "0.0" } },
    totalShippingPriceSet: { shopMoney: { amount: "5.0" } },
    customer: { firstName: "Leo", lastName: "Brandt" },
    billingAddress: null,
    shippingAddress: {
      name: "Leo Brandt",
      address1: "Hauptstr. 5",
      city: "Berlin",
      province: null,
      provinceCode: null,
      zip: "10115",
      country: "Germany",
      countryCodeV2: "DE",
    },
    shippingLine: { title: "DHL" },
    transactions: [
      {
        id: `gid://shopify/OrderTransaction/${o.id}1`,
        kind: "SALE",
        status: "SUCCESS",
        gateway: "manual",
        amountSet: { shopMoney: { amount: "35.0", currencyCode: "EUR" } },
      },
    ],
  };
}

export function graphqlLine(orderId: string, n: number): Record<string, unknown> {
  return {
    id: `gid://shopify/LineItem/${orderId}${n}`,
    sku: `POSTER-${n}`,
    title: "Star map poster",
    variantTitle: "A3",
    quantity: 1,
    originalUnitPriceSet: { shopMoney: { amount: "15.0" } },
    image: { url: "https://cdn.shopify.com/poster.png" },
    product: { id: "gid://shopify/Product/901", onlineStoreUrl: null },
    variant: { id: "gid://shopify/ProductVariant/902" },
    customAttributes: [{ key: "_design", value: `https://cdn.example.com/poster-${n}.png` }],
  };
}

/** A full order node with its line items, as `order(id:)` and `orders(first:)` answer. */
export function graphqlOrderWithLines(o: GraphqlOrderOptions): Record<string, unknown> {
  const lines = Array.from({ length: o.lines ?? 1 }, (_, i) => graphqlLine(o.id, i + 1));
  return {
    ...graphqlOrderNode(o),
    lineItems: { pageInfo: { hasNextPage: false }, nodes: lines },
  };
}

export interface GraphqlCall {
  operation: string;
  query: string;
  variables: Record<string, unknown>;
}

type Answer = (call: GraphqlCall) => unknown;

/**
 * Answers the shop's Admin GraphQL API by operation name; an answer may be a GraphQL body or an
 * HttpResponse (errors, 429, 503). Every call is recorded, in order.
 */
export function mockShopifyAdmin(shopDomain: string, answers: Record<string, Answer>) {
  const calls: GraphqlCall[] = [];
  mswServer.use(
    http.post(`https://${shopDomain}/admin/api/2026-10/graphql.json`, async ({ request }) => {
      const body = (await request.json()) as {
        query: string;
        variables?: Record<string, unknown>;
      };
      const operation = /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? "anonymous";
      const call = { operation, query: body.query, variables: body.variables ?? {} };
      calls.push(call);
      const answer = answers[operation];
      if (!answer) {
        return HttpResponse.json({ errors: [{ message: `unexpected ${operation}` }] });
      }
      const result = answer(call);
      if (result instanceof Response) return result;
      return HttpResponse.json(result as Record<string, unknown>);
    }),
  );
  return calls;
}

/** A THROTTLED answer with the bucket nearly full again, so the retry waits only a moment. */
export function throttled(): unknown {
  return {
    errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
    extensions: {
      cost: {
        requestedQueryCost: 52,
        actualQueryCost: null,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 50, restoreRate: 100 },
      },
    },
  };
}
