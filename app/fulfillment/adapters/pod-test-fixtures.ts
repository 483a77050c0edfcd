// Shared by the CustomCat, ShineOn and Printful adapter tests: one purchase order that every
// provider accepts, and the injected dependencies with the real (msw-intercepted) fetch.
import type {
  IncomingEvent,
  ProviderConfig,
  ProviderDeps,
  PurchaseOrder,
  PurchaseOrderItem,
} from "../provider";

export const NOW = new Date("2025-03-01T12:00:00Z");
export const CALLBACK_URL = "https://app.orderlane.example/api/providers/prov_1/events";

export function testDeps(): ProviderDeps {
  // The global fetch, looked up per call: msw patches it when the test process starts.
  return { fetch: (input, init) => fetch(input, init), now: () => NOW };
}

export function openSignal(): AbortSignal {
  return new AbortController().signal;
}

export function providerConfig(overrides: Partial<ProviderConfig>): ProviderConfig {
  return {
    id: "prov_1",
    shopId: "shop_1",
    kind: "customcat",
    name: "My provider",
    endpoint: null,
    credentials: {},
    signingSecret: null,
    settings: {},
    ...overrides,
  };
}

export function item(overrides: Partial<PurchaseOrderItem> = {}): PurchaseOrderItem {
  return {
    lineId: "line-1",
    sku: "TEE-BLK-M",
    title: "Name tee",
    style: "Black / M",
    quantity: 2,
    price: "24.00",
    mockupUrl: "https://cdn.example/mockups/line-1.png",
    personalization: {
      designUrl: "https://cdn.example/designs/line-1.png",
      previewUrl: "https://cdn.example/previews/line-1.png",
      options: { Name: "Ada" },
    },
    personalised: true,
    ...overrides,
  };
}

export function purchaseOrder(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    poNumber: "PO-1001-1",
    idempotencyKey: "sub_7b1e0c7e",
    orderNumber: "#1001",
    cartOrderId: "gid://shopify/Order/1001",
    currency: "USD",
    recipient: {
      name: "Ada King Lovelace",
      company: null,
      address1: "1300 Rosa Parks Blvd",
      address2: "Suite 4",
      city: "Detroit",
      province: "Michigan",
      provinceCode: "MI",
      zip: "48216",
      country: "United States",
      countryCode: "US",
      phone: "3135551234",
      email: "ada@example.com",
    },
    shippingMethod: "standard",
    items: [item()],
    callbackUrl: CALLBACK_URL,
    ...overrides,
  };
}

export function incoming(
  body: unknown,
  options: { url?: string; headers?: Record<string, string> } = {},
): IncomingEvent {
  return {
    rawBody: typeof body === "string" ? body : JSON.stringify(body),
    headers: new Headers({ "Content-Type": "application/json", ...options.headers }),
    url: new URL(options.url ?? CALLBACK_URL),
  };
}
