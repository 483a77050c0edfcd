// The whole data model (DESIGN §4). Every table but `session` carries `shop_id`, and every query
// filters on it: a shop never sees another shop's rows.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  CART_STATUSES,
  LIFECYCLE_STATES,
  ORDER_TYPES,
  PLATFORMS,
  SUBMISSION_STATES,
  SUBMIT_STATUSES,
  type Address,
  type CartConnection,
  type ManualEdits,
  type OrderAlert,
  type DeliveryState,
  type Personalization,
  readStoredPersonalization,
} from "~/orders/core/model";
import type { ShopSettings } from "~/orders/core/shop-settings";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const money = (name: string) => numeric(name, { precision: 14, scale: 4 });

/**
 * A line's personalisation: jsonb, read through the model so rows stored before options became
 * an ordered list come back in today's shape (decision 0029); nothing is migrated.
 */
const personalizationJson = customType<{ data: Personalization; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => readStoredPersonalization(value) as Personalization,
});

export const platformEnum = pgEnum("platform", PLATFORMS);
export const lifecycleStateEnum = pgEnum("lifecycle_state", LIFECYCLE_STATES);
export const cartStatusEnum = pgEnum("cart_status", CART_STATUSES);
export const orderTypeEnum = pgEnum("order_type", ORDER_TYPES);
export const submitStatusEnum = pgEnum("submit_status", SUBMIT_STATUSES);
export const submissionStateEnum = pgEnum("submission_state", SUBMISSION_STATES);
export const providerKindEnum = pgEnum("provider_kind", [
  "http",
  "sandbox",
  "customcat",
  "shineon",
  "printful",
  "distributor",
]);
export const actorEnum = pgEnum("actor", ["system", "owner", "cart", "provider"]);
export const paymentKindEnum = pgEnum("payment_kind", [
  "authorization",
  "capture",
  "refund",
  "void",
]);

export const shops = pgTable(
  "shop",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: platformEnum("platform").notNull(),
    domain: text("domain").notNull(),
    name: text("name").notNull(),
    // AES-256-GCM ciphertext (security/encryption.server.ts); never the plain credential.
    credentials: text("credentials"),
    connection: jsonb("connection").$type<CartConnection>().notNull().default({}),
    settings: jsonb("settings").$type<ShopSettings>().notNull(),
    installedAt: timestamp("installed_at", { withTimezone: true }).notNull().defaultNow(),
    uninstalledAt: timestamp("uninstalled_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("shop_platform_domain_key").on(t.platform, t.domain)],
);

/** A shop row: the tenant every other row belongs to. */
export type Shop = typeof shops.$inferSelect;

export const orders = pgTable(
  "order",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    // Cart ids stay strings end to end: Shopify's exceed 2^53.
    cartOrderId: text("cart_order_id").notNull(),
    cartOrderNumber: text("cart_order_number").notNull(),
    cartStatusRaw: text("cart_status_raw").notNull(),
    cartStatus: cartStatusEnum("cart_status").notNull(),
    state: lifecycleStateEnum("state").notNull(),
    type: orderTypeEnum("type").notNull(),
    customerName: text("customer_name").notNull().default(""),
    customerEmail: text("customer_email"),
    customerCity: text("customer_city"),
    customerProvince: text("customer_province"),
    customerCountry: text("customer_country"),
    billingAddress: jsonb("billing_address").$type<Address>(),
    shippingAddress: jsonb("shipping_address").$type<Address>(),
    currency: text("currency").notNull(),
    subtotal: money("subtotal").notNull().default("0"),
    shippingTotal: money("shipping_total").notNull().default("0"),
    taxTotal: money("tax_total").notNull().default("0"),
    total: money("total").notNull(),
    paymentMethod: text("payment_method"),
    shippingMethod: text("shipping_method"),
    // Where the cart says the order came from (Shopify source_name, WooCommerce created_via).
    sourceChannel: text("source_channel"),
    // Summaries of other rows, for the catalog's filters; written only by orders/core/summary.server.ts
    // in the same transaction as the rows they summarise.
    itemCount: integer("item_count").notNull().default(0),
    submitStatus: submitStatusEnum("submit_status"),
    submitFailureReason: text("submit_failure_reason"),
    // The countdown: a deadline while it runs, the remaining time while it is paused.
    autoSubmitAt: timestamp("auto_submit_at", { withTimezone: true }),
    autoSubmitRemainingMs: bigint("auto_submit_remaining_ms", { mode: "number" }),
    invoiceNumber: text("invoice_number"),
    note: text("note"),
    alert: jsonb("alert").$type<OrderAlert>(),
    manualEdits: jsonb("manual_edits").$type<ManualEdits>(),
    cartCreatedAt: timestamp("cart_created_at", { withTimezone: true }).notNull(),
    // Watermark: an update older than this is ignored (carts do not guarantee delivery order).
    cartUpdatedAt: timestamp("cart_updated_at", { withTimezone: true }).notNull(),
    rawPayload: jsonb("raw_payload"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("order_shop_cart_order_key").on(t.shopId, t.cartOrderId),
    // Catalog: newest first with keyset pagination.
    index("order_catalog_idx").on(t.shopId, t.cartCreatedAt.desc(), t.id.desc()),
    index("order_shop_number_idx").on(t.shopId, t.cartOrderNumber),
    index("order_shop_state_idx").on(t.shopId, t.state, t.cartCreatedAt.desc()),
    index("order_shop_type_idx").on(t.shopId, t.type, t.cartCreatedAt.desc()),
    index("order_shop_cart_status_idx").on(t.shopId, t.cartStatus, t.cartCreatedAt.desc()),
    index("order_shop_submit_status_idx").on(t.shopId, t.submitStatus),
    // The countdown sweeper looks only at running countdowns.
    index("order_auto_submit_idx")
      .on(t.autoSubmitAt)
      .where(sql`${t.autoSubmitAt} is not null`),
  ],
);

export const providers = pgTable(
  "provider",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    kind: providerKindEnum("kind").notNull(),
    name: text("name").notNull(),
    endpoint: text("endpoint"),
    credentials: text("credentials"),
    signingSecret: text("signing_secret"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    isDefault: boolean("is_default").notNull().default(false),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("provider_shop_idx").on(t.shopId)],
);

export const lineItems = pgTable(
  "line_item",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    position: integer("position").notNull().default(0),
    cartLineId: text("cart_line_id").notNull(),
    sku: text("sku"),
    cartProductId: text("cart_product_id"),
    cartVariantId: text("cart_variant_id"),
    /** The product's page on the storefront, when the cart tells it. */
    productUrl: text("product_url"),
    title: text("title").notNull(),
    style: text("style"),
    quantity: integer("quantity").notNull(),
    price: money("price").notNull(),
    mockupUrl: text("mockup_url"),
    personalization: personalizationJson("personalization"),
    providerId: uuid("provider_id").references(() => providers.id, { onDelete: "set null" }),
    shipmentMethod: text("shipment_method"),
    deliveryState: text("delivery_state").$type<DeliveryState>().notNull().default("pending"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("line_item_order_cart_line_key").on(t.orderId, t.cartLineId),
    index("line_item_shop_sku_idx").on(t.shopId, t.sku),
  ],
);

export const submissions = pgTable(
  "submission",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "restrict" }),
    poNumber: text("po_number").notNull(),
    // Sent to the provider with every attempt, so a retried call can never make a second order.
    idempotencyKey: text("idempotency_key").notNull(),
    state: submissionStateEnum("state").notNull().default("pending"),
    providerOrderId: text("provider_order_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    /**
     * The worker process holding the claim (jobs/presence.server.ts): while that worker is present
     * its claim stands; once it is gone, the claim is taken back within seconds.
     */
    claimedBy: integer("claimed_by"),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    /** Last time the provider was asked about this order (providers that do not post back). */
    polledAt: timestamp("polled_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("submission_idempotency_key").on(t.idempotencyKey),
    // One purchase order per provider per order: the database refuses a second.
    uniqueIndex("submission_order_provider_key").on(t.orderId, t.providerId),
    uniqueIndex("submission_shop_po_key").on(t.shopId, t.poNumber),
    index("submission_state_idx").on(t.state, t.claimedAt),
  ],
);

export const shipments = pgTable(
  "shipment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    submissionId: uuid("submission_id").references(() => submissions.id, { onDelete: "set null" }),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number").notNull(),
    trackingUrl: text("tracking_url"),
    shippedAt: timestamp("shipped_at", { withTimezone: true }).notNull(),
    items: jsonb("items").$type<{ lineItemId: string; quantity: number }[]>().notNull(),
    /** The shop's shipment method the owner chose (Update Shipment); null for a provider's parcel. */
    shipmentMethod: text("shipment_method"),
    pushedToCartAt: timestamp("pushed_to_cart_at", { withTimezone: true }),
    pushError: text("push_error"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("shipment_order_tracking_key").on(t.orderId, t.trackingNumber)],
);

export const paymentTransactions = pgTable(
  "payment_transaction",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    kind: paymentKindEnum("kind").notNull(),
    amount: money("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status").notNull(),
    gateway: text("gateway"),
    cartTransactionId: text("cart_transaction_id"),
    /** The cart's id of the transaction this one acts on (a capture's authorisation). */
    parentCartTransactionId: text("parent_cart_transaction_id"),
    /** When the cart processed it; rows read before this column existed fall back to created_at. */
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** The gateway's own words when the transaction failed. */
    errorMessage: text("error_message"),
    createdAt: createdAt(),
  },
  (t) => [index("payment_transaction_order_idx").on(t.orderId, t.createdAt)],
);

export const orderEvents = pgTable(
  "order_event",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    actor: actorEnum("actor").notNull(),
    actorName: text("actor_name"),
    action: text("action").notNull(),
    fromState: lifecycleStateEnum("from_state"),
    toState: lifecycleStateEnum("to_state"),
    message: text("message"),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("order_event_order_idx").on(t.orderId, t.createdAt)],
);

export const webhookReceipts = pgTable(
  "webhook_receipt",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Null until the shop is known (a compliance webhook may arrive after shop/redact).
    shopId: uuid("shop_id").references(() => shops.id, { onDelete: "cascade" }),
    source: text("source").$type<"shopify" | "woocommerce" | "provider">().notNull(),
    shopDomain: text("shop_domain").notNull(),
    deliveryId: text("delivery_id").notNull(),
    topic: text("topic").notNull(),
    payload: jsonb("payload"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    error: text("error"),
  },
  (t) => [
    uniqueIndex("webhook_receipt_delivery_key").on(t.source, t.deliveryId),
    index("webhook_receipt_unprocessed_idx")
      .on(t.receivedAt)
      .where(sql`${t.processedAt} is null`),
  ],
);

export const distributorItems = pgTable(
  "distributor_item",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    sku: text("sku").notNull(),
    stock: integer("stock").notNull(),
    cost: money("cost").notNull(),
    leadTimeDays: integer("lead_time_days").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("distributor_item_provider_sku_key").on(t.providerId, t.sku),
    index("distributor_item_shop_sku_idx").on(t.shopId, t.sku),
  ],
);

export const importRuns = pgTable(
  "import_run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    mode: text("mode").$type<"all" | "range" | "ids">().notNull(),
    /** range: { from, to } ISO dates; ids: { ids: string[] }. */
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status")
      .$type<"queued" | "running" | "completed" | "failed">()
      .notNull()
      .default("queued"),
    done: integer("done").notNull().default(0),
    total: integer("total"),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    /** Where to carry on after a failure: the connector's own page or bulk-operation position. */
    resumeCursor: text("resume_cursor"),
    /** Something the owner should know about the result (the 60-day window, for one). */
    notice: text("notice"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("import_run_shop_idx").on(t.shopId, t.createdAt.desc())],
);

/**
 * Each shop's reconciliation sweep (carts/reconciliation.server.ts): how far the cart has been read,
 * where an interrupted sweep carries on, and what the last sweeps found.
 */
export const cartReconciliations = pgTable("cart_reconciliation", {
  shopId: uuid("shop_id")
    .primaryKey()
    .references(() => shops.id, { onDelete: "cascade" }),
  /** Every cart change up to here has been read; the next sweep starts a little before it. */
  watermark: timestamp("watermark", { withTimezone: true }),
  /** The window of a sweep that stopped part-way, and its connector's page to carry on from. */
  windowSince: timestamp("window_since", { withTimezone: true }),
  windowUntil: timestamp("window_until", { withTimezone: true }),
  resumeCursor: text("resume_cursor"),
  /** Orders recovered so far by the sweep in progress (it may span several runs). */
  recoveredSoFar: integer("recovered_so_far").notNull().default(0),
  /** Set while a sweep runs and renewed as it goes: one sweep per shop at a time. */
  runningSince: timestamp("running_since", { withTimezone: true }),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
  lastFinishedAt: timestamp("last_finished_at", { withTimezone: true }),
  /** Orders the last finished sweep found that no webhook had brought. */
  lastRecovered: integer("last_recovered").notNull().default(0),
  totalRecovered: integer("total_recovered").notNull().default(0),
  /** Why the last run stopped, in the owner's words; null after a sweep that finished. */
  lastError: text("last_error"),
  /** What the webhook check found or put back, in the owner's words; null when all was well. */
  webhookNotice: text("webhook_notice"),
  updatedAt: updatedAt(),
});

export const apiTokens = pgTable(
  "api_token",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // SHA-256 of the token; the token itself is shown once, when created, and never stored.
    tokenHash: text("token_hash").notNull(),
    /** The token's last characters, so the owner can tell tokens apart in Settings. */
    lastChars: text("last_chars").notNull(),
    createdBy: text("created_by"),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("api_token_hash_key").on(t.tokenHash),
    index("api_token_shop_idx").on(t.shopId),
  ],
);

// A customer's request for their data (Shopify customers/data_request): what we hold about them,
// gathered when the request arrives, for the owner to download and send on.
export const customerDataRequests = pgTable(
  "customer_data_request",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    /** The cart's own id for the request (Shopify's data_request.id). */
    cartRequestId: text("cart_request_id").notNull(),
    customerId: text("customer_id"),
    customerEmail: text("customer_email"),
    orderCount: integer("order_count").notNull(),
    export: jsonb("export").$type<Record<string, unknown>>().notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    downloadedAt: timestamp("downloaded_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("customer_data_request_cart_key").on(t.shopId, t.cartRequestId),
    index("customer_data_request_shop_idx").on(t.shopId, t.requestedAt.desc()),
  ],
);

// A WooCommerce connection in progress. It has no shop yet (the shop is made when the store posts
// its keys back), so unlike every other table it is keyed by the one-time nonce we sent the store.
export const wooConnectRequests = pgTable("woo_connect_request", {
  nonce: text("nonce").primaryKey(),
  storeUrl: text("store_url").notNull(),
  shopId: uuid("shop_id").references(() => shops.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  completedAt: timestamp("completed_at", { withTimezone: true }),
});

// Shopify sessions, in the shape @shopify/shopify-app-session-storage-drizzle v6 reads and writes
// (all 17 columns; with fewer it silently drops fields).
export const sessions = pgTable("session", {
  id: text("id").primaryKey(),
  shop: text("shop").notNull(),
  state: text("state").notNull(),
  isOnline: boolean("isOnline").notNull().default(false),
  scope: text("scope"),
  expires: timestamp("expires", { mode: "date" }),
  accessToken: text("accessToken").notNull(),
  userId: bigint("userId", { mode: "number" }),
  firstName: text("firstName"),
  lastName: text("lastName"),
  email: text("email"),
  accountOwner: boolean("accountOwner"),
  locale: text("locale"),
  collaborator: boolean("collaborator"),
  emailVerified: boolean("emailVerified"),
  refreshToken: text("refreshToken"),
  refreshTokenExpires: timestamp("refreshTokenExpires", { mode: "date" }),
});
