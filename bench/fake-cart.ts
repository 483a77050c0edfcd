// A local cart for the Import bench: one HTTP server that answers as a WooCommerce store (REST v3
// order pages) and as a Shopify shop (GraphQL Admin bulk operation, then its JSONL file), with N
// orders generated from their index, so nothing is held in memory and every run sees the same data.
//
// Run as its own process (`node --import tsx bench/fake-cart.ts`, FAKE_CART_ORDERS=N), so the
// bench's memory figure is the importer's alone; it prints `listening <url>` when ready.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

const ORDERS = Number(process.env.FAKE_CART_ORDERS ?? 100_000);
const WOO_PER_PAGE_MAX = 100;
/** Every order was placed a minute after the one before, from here. */
const FIRST_ORDER_AT = Date.UTC(2026, 0, 1);
const SHOPIFY_ID_BASE = 5_100_000_000_000n;
const STATUSES = ["processing", "processing", "processing", "on-hold", "completed", "pending"];

function placedAt(i: number): Date {
  return new Date(FIRST_ORDER_AT + i * 60_000);
}

function person(i: number) {
  const first = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Iris", "Theo"][i % 8]!;
  const last = ["Lindqvist", "Okafor", "Tanaka", "Moreau", "Silva", "Novak"][i % 6]!;
  return { first, last, email: `${first.toLowerCase()}.${i}@example.com` };
}

// --- WooCommerce (REST API v3, GET /wp-json/wc/v3/orders) ----------------------------------------

function wooAddress(i: number, withContact: boolean) {
  const p = person(i);
  return {
    first_name: p.first,
    last_name: p.last,
    company: "",
    address_1: `${(i % 900) + 1} Alder St`,
    address_2: "",
    city: "Portland",
    state: "OR",
    postcode: "97201",
    country: "US",
    ...(withContact ? { email: p.email, phone: "+1 503 555 0100" } : { phone: "" }),
  };
}

function wooOrder(i: number) {
  const created = placedAt(i).toISOString().slice(0, 19);
  const personalised = i % 3 === 0;
  const lineTotal = personalised ? "29.00" : "18.50";
  return {
    id: i,
    parent_id: 0,
    number: String(i),
    order_key: `wc_order_${i.toString(36)}`,
    created_via: i % 10 === 0 ? "admin" : "checkout",
    version: "9.4.2",
    status: STATUSES[i % STATUSES.length],
    currency: "USD",
    date_created: created,
    date_created_gmt: created,
    date_modified: created,
    date_modified_gmt: created,
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: "5.00",
    shipping_tax: "0.00",
    cart_tax: "0.00",
    total: (Number(lineTotal) + 5).toFixed(2),
    total_tax: "0.00",
    prices_include_tax: false,
    customer_id: i % 50,
    customer_ip_address: "203.0.113.7",
    customer_user_agent: "Mozilla/5.0",
    customer_note: i % 17 === 0 ? "Gift wrap, please" : "",
    billing: wooAddress(i, true),
    shipping: wooAddress(i, false),
    payment_method: "stripe",
    payment_method_title: "Credit card",
    transaction_id: `ch_${i}`,
    date_paid: created,
    date_paid_gmt: created,
    date_completed: null,
    date_completed_gmt: null,
    cart_hash: "",
    meta_data: [],
    line_items: [
      {
        id: i * 10 + 1,
        name: personalised ? "Name Necklace - Gold" : "Logo Tee - Black / M",
        product_id: personalised ? 701 : 702,
        variation_id: personalised ? 7011 : 7021,
        quantity: 1,
        tax_class: "",
        subtotal: lineTotal,
        subtotal_tax: "0.00",
        total: lineTotal,
        total_tax: "0.00",
        taxes: [],
        meta_data: personalised
          ? [
              { id: i * 10 + 2, key: "Name", value: person(i).first, display_key: "Name" },
              {
                id: i * 10 + 3,
                key: "_preview_image",
                value: `https://cdn.example/previews/${i}.png`,
              },
            ]
          : [{ id: i * 10 + 2, key: "pa_size", value: "M", display_key: "Size" }],
        sku: personalised ? "NECK-GLD" : "TEE-BLK-M",
        price: Number(lineTotal),
        image: { id: 88, src: "https://cdn.example/products/item.png" },
        parent_name: personalised ? "Name Necklace" : "Logo Tee",
      },
    ],
    tax_lines: [],
    shipping_lines: [
      { id: i * 10 + 5, method_title: "Flat rate", method_id: "flat_rate", total: "5.00" },
    ],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
  };
}

/** Which order indexes a WooCommerce query selects, in the order it lists them (newest first). */
function wooSelection(params: URLSearchParams): number[] | { from: number; to: number } {
  const include = params.get("include");
  if (include) {
    return include
      .split(",")
      .map(Number)
      .filter((n) => Number.isInteger(n) && n >= 1 && n <= ORDERS);
  }
  const after = params.get("after");
  const before = params.get("before");
  // `after`/`before` are ISO 8601 and exclusive; the index of an order placed at t is its minute.
  const first = after ? Math.floor((Date.parse(after) - FIRST_ORDER_AT) / 60_000) + 1 : 1;
  const last = before ? Math.ceil((Date.parse(before) - FIRST_ORDER_AT) / 60_000) - 1 : ORDERS;
  return { from: Math.max(1, first), to: Math.min(ORDERS, last) };
}

function wooOrders(url: URL, res: http.ServerResponse): void {
  const p = url.searchParams;
  const perPage = Number(p.get("per_page") ?? 10);
  const page = Number(p.get("page") ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > WOO_PER_PAGE_MAX) {
    send(res, 400, {
      code: "rest_invalid_param",
      message: "Invalid parameter(s): per_page",
      data: {
        status: 400,
        params: { per_page: "per_page must be between 1 (inclusive) and 100 (inclusive)" },
      },
    });
    return;
  }
  const selection = wooSelection(p);
  const total = Array.isArray(selection)
    ? selection.length
    : Math.max(0, selection.to - selection.from + 1);
  const pages = Math.ceil(total / perPage);
  const ascending = p.get("order") === "asc";
  const indexes: number[] = [];
  for (let k = (page - 1) * perPage; k < Math.min(total, page * perPage); k++) {
    const pos = ascending ? k : total - 1 - k;
    indexes.push(Array.isArray(selection) ? selection[pos]! : selection.from + pos);
  }
  const body = JSON.stringify(indexes.map(wooOrder));
  res.writeHead(200, {
    "Content-Type": "application/json; charset=UTF-8",
    "X-WP-Total": String(total),
    "X-WP-TotalPages": String(pages),
  });
  res.end(body);
}

// --- Shopify (GraphQL Admin API bulk operation and its JSONL) ------------------------------------

function money(amount: string) {
  return {
    shopMoney: { amount, currencyCode: "USD" },
    presentmentMoney: { amount, currencyCode: "USD" },
  };
}

function shopifyAddress(i: number) {
  const p = person(i);
  return {
    firstName: p.first,
    lastName: p.last,
    name: `${p.first} ${p.last}`,
    company: null,
    address1: `${(i % 900) + 1} Alder St`,
    address2: null,
    city: "Portland",
    province: "Oregon",
    provinceCode: "OR",
    zip: "97201",
    country: "United States",
    countryCodeV2: "US",
    phone: null,
  };
}

function shopifyLines(i: number): string {
  const p = person(i);
  const id = SHOPIFY_ID_BASE + BigInt(i);
  const gid = `gid://shopify/Order/${id}`;
  const at = placedAt(i).toISOString();
  const personalised = i % 3 === 0;
  const price = personalised ? "29.00" : "18.50";
  const order = {
    id: gid,
    legacyResourceId: String(id),
    name: `#${1000 + i}`,
    createdAt: at,
    updatedAt: at,
    processedAt: at,
    cancelledAt: null,
    cancelReason: null,
    closed: false,
    displayFinancialStatus: i % 11 === 0 ? "PENDING" : "PAID",
    displayFulfillmentStatus: "UNFULFILLED",
    email: p.email,
    note: i % 17 === 0 ? "Gift wrap, please" : null,
    sourceName: i % 10 === 0 ? "amazon" : "web",
    currencyCode: "USD",
    subtotalPriceSet: money(price),
    totalShippingPriceSet: money("5.00"),
    totalTaxSet: money("0.00"),
    totalPriceSet: money((Number(price) + 5).toFixed(2)),
    paymentGatewayNames: ["shopify_payments"],
    customer: {
      id: `gid://shopify/Customer/${i % 50}`,
      firstName: p.first,
      lastName: p.last,
      email: p.email,
    },
    shippingAddress: shopifyAddress(i),
    billingAddress: shopifyAddress(i),
    shippingLine: { title: "Standard" },
    customAttributes: [],
    tags: [],
  };
  const line = {
    id: `gid://shopify/LineItem/${id * 10n + 1n}`,
    name: personalised ? "Name Necklace - Gold" : "Logo Tee - Black / M",
    title: personalised ? "Name Necklace" : "Logo Tee",
    variantTitle: personalised ? "Gold" : "Black / M",
    sku: personalised ? "NECK-GLD" : "TEE-BLK-M",
    quantity: 1,
    originalUnitPriceSet: money(price),
    variant: { id: `gid://shopify/ProductVariant/${personalised ? 4011 : 4021}` },
    product: { id: `gid://shopify/Product/${personalised ? 401 : 402}` },
    image: { url: "https://cdn.shopify.com/s/files/item.png" },
    customAttributes: personalised
      ? [
          { key: "Name", value: p.first },
          { key: "_preview", value: `https://cdn.example/previews/${i}.png` },
        ]
      : [],
    __parentId: gid,
  };
  return `${JSON.stringify(order)}\n${JSON.stringify(line)}\n`;
}

/** The bulk operation as Shopify describes it; the first look says RUNNING, later ones COMPLETED. */
let polls = 0;
function bulkOperation(baseUrl: string) {
  polls++;
  const done = polls > 1;
  return {
    id: "gid://shopify/BulkOperation/1",
    status: done ? "COMPLETED" : "RUNNING",
    errorCode: null,
    createdAt: new Date(FIRST_ORDER_AT).toISOString(),
    completedAt: done ? new Date().toISOString() : null,
    objectCount: String(done ? ORDERS * 2 : ORDERS),
    rootObjectCount: String(done ? ORDERS : ORDERS / 2),
    fileSize: done ? String(ORDERS * 1900) : null,
    url: done ? `${baseUrl}/bulk/orders.jsonl` : null,
    partialDataUrl: null,
    type: "QUERY",
    query: "",
  };
}

const COST = {
  requestedQueryCost: 10,
  actualQueryCost: 10,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
};

function shopifyGraphql(query: string, baseUrl: string): unknown {
  if (query.includes("bulkOperationRunQuery")) {
    const created = { ...bulkOperation(baseUrl), status: "CREATED" };
    polls = 0;
    return { data: { bulkOperationRunQuery: { bulkOperation: created, userErrors: [] } } };
  }
  if (query.includes("currentBulkOperation"))
    return { data: { currentBulkOperation: bulkOperation(baseUrl) } };
  if (/\bbulkOperation\s*\(/.test(query))
    return { data: { bulkOperation: bulkOperation(baseUrl) } };
  if (/\bnode\s*\(/.test(query)) return { data: { node: bulkOperation(baseUrl) } };
  if (query.includes("currentAppInstallation")) {
    return {
      data: {
        currentAppInstallation: {
          accessScopes: ["read_orders", "write_orders", "read_all_orders"].map((handle) => ({
            handle,
          })),
        },
      },
    };
  }
  console.error(`[fake-cart] a Shopify query this fake does not answer: ${query.slice(0, 200)}`);
  return { errors: [{ message: "The bench's fake shop does not answer this query" }] };
}

function* jsonl(): Generator<string> {
  // A few hundred orders per chunk: streamed with backpressure, never built whole.
  let chunk = "";
  for (let i = 1; i <= ORDERS; i++) {
    chunk += shopifyLines(i);
    if (i % 200 === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

// --- the server ---------------------------------------------------------------------------------

export const stats = { wooPages: 0, graphqlCalls: 0, jsonlDownloads: 0 };

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startFakeCart(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  let baseUrl = "";
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    void (async () => {
      if (req.method === "GET" && url.pathname === "/wp-json/wc/v3/orders") {
        const authorised =
          url.searchParams.has("consumer_key") ||
          url.searchParams.has("oauth_consumer_key") ||
          req.headers.authorization?.startsWith("Basic ");
        if (!authorised) {
          send(res, 401, {
            code: "woocommerce_rest_cannot_view",
            message: "Sorry, you cannot list resources.",
            data: { status: 401 },
          });
          return;
        }
        stats.wooPages++;
        wooOrders(url, res);
        return;
      }
      if (req.method === "POST" && /^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) {
        if (!req.headers["x-shopify-access-token"]) {
          send(res, 401, {
            errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
          });
          return;
        }
        stats.graphqlCalls++;
        const body = JSON.parse(await readBody(req)) as { query?: string };
        res.writeHead(200, { "Content-Type": "application/json" });
        const answer = shopifyGraphql(body.query ?? "", baseUrl) as Record<string, unknown>;
        res.end(JSON.stringify({ ...answer, extensions: { cost: COST } }));
        return;
      }
      if (req.method === "GET" && url.pathname === "/bulk/orders.jsonl") {
        stats.jsonlDownloads++;
        res.writeHead(200, { "Content-Type": "application/jsonl" });
        Readable.from(jsonl()).pipe(res);
        return;
      }
      send(res, 404, { message: `no route ${req.method} ${url.pathname}` });
    })().catch((err: unknown) => {
      console.error(`[fake-cart] ${String(err)}`);
      if (!res.headersSent) send(res, 500, { message: "fake cart error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cart = await startFakeCart(Number(process.env.FAKE_CART_PORT ?? 0));
  console.log(`listening ${cart.url}`);
  process.on("SIGTERM", () => {
    console.error(
      `[fake-cart] served ${stats.wooPages} WooCommerce pages, ${stats.graphqlCalls} GraphQL calls, ${stats.jsonlDownloads} JSONL downloads`,
    );
    void cart.close().then(() => process.exit(0));
  });
}
