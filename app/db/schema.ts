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
import type { OrderStatusEffect } from "~/orders/core/order-statuses";
import type { ShopSettings } from "~/orders/core/shop-settings";
import type {
  FeedColumns,
  FeedProtocol,
  StockPushSummary,
} from "~/fulfillment/dropship/feed-settings";

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
    // The shop's own status (an `order_status` key of this shop); the lifecycle still decides.
    orderStatusKey: text("order_status_key").notNull().default("new"),
    // Unique per shop when set (order_shop_invoice_key); written to the cart first.
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
    // Only orders that have a submit status: a new order (none yet) costs this index nothing.
    index("order_shop_submit_status_idx")
      .on(t.shopId, t.submitStatus)
      .where(sql`${t.submitStatus} is not null`),
    index("order_shop_order_status_idx").on(t.shopId, t.orderStatusKey, t.cartCreatedAt.desc()),
    uniqueIndex("order_shop_invoice_key")
      .on(t.shopId, t.invoiceNumber)
      .where(sql`${t.invoiceNumber} is not null`),
    // The countdown sweeper looks only at running countdowns.
    index("order_auto_submit_idx")
      .on(t.autoSubmitAt)
      .where(sql`${t.autoSubmitAt} is not null`),
  ],
);

/**
 * The shop's own order statuses over the base lifecycle (DESIGN §9, decision 0046): the owner's
 * word for an order and what choosing it writes to the cart. The six defaults (`builtin`) keep
 * their effect; the owner renames, reorders and retires them and adds statuses of their own.
 */
export const orderStatuses = pgTable(
  "order_status",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    label: text("label").notNull(),
    position: integer("position").notNull(),
    retired: boolean("retired").notNull().default(false),
    cartEffect: text("cart_effect").$type<OrderStatusEffect>().notNull(),
    /** The WooCommerce status slug a `woo_status` effect writes (a store's custom status). */
    cartStatus: text("cart_status"),
    pausesCountdown: boolean("pauses_countdown").notNull().default(false),
    builtin: boolean("builtin").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("order_status_shop_key").on(t.shopId, t.key)],
);

/** Notes on an order: internal, or for the customer (WooCommerce emails those). */
export const orderNotes = pgTable(
  "order_note",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    actor: actorEnum("actor").notNull(),
    authorName: text("author_name"),
    text: text("text").notNull(),
    visibleToCustomer: boolean("visible_to_customer").notNull().default(false),
    /** The cart's id for the note once written there (WooCommerce); null when kept here only. */
    cartNoteId: text("cart_note_id"),
    createdAt: createdAt(),
  },
  (t) => [index("order_note_order_idx").on(t.shopId, t.orderId, t.createdAt)],
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
    /**
     * The distributor's SKU this line is ordered as, once the owner chose a distributor for it
     * (Dropship or a SKU swap); null until then.
     */
    distributorSku: text("distributor_sku"),
    shipmentMethod: text("shipment_method"),
    deliveryState: text("delivery_state").$type<DeliveryState>().notNull().default("pending"),
    createdAt: createdAt(),
  },
  (t) => [
    // Lines are read by their order; no query looks a line up by SKU across a shop, so no index
    // on it is kept up to date for every imported line.
    uniqueIndex("line_item_order_cart_line_key").on(t.orderId, t.cartLineId),
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
    /**
     * A drop-ship purchase order the owner placed with a distributor (Dropship), rather than one
     * the countdown or Submit sent (decision 0052).
     */
    dropship: boolean("dropship").notNull().default(false),
    /** The items this purchase order carries (drop-ship POs name them; others go by provider). */
    lineIds: jsonb("line_ids").$type<string[]>().notNull().default([]),
    /** The address the owner confirmed for a drop-ship PO; null means the order's. */
    shippingAddress: jsonb("shipping_address").$type<Address>(),
    /** Who placed it (the owner's name), for the PO's history. */
    placedBy: text("placed_by"),
    /** Set when a drop-ship PO was not shipped six weeks after it was placed: polling stops. */
    overdueAt: timestamp("overdue_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("submission_idempotency_key").on(t.idempotencyKey),
    // One purchase order per provider per order: the database refuses a second.
    uniqueIndex("submission_order_provider_key").on(t.orderId, t.providerId),
    uniqueIndex("submission_shop_po_key").on(t.shopId, t.poNumber),
    index("submission_state_idx").on(t.state, t.claimedAt),
    // The Purchase Orders page: newest first with keyset paging.
    index("submission_shop_created_idx").on(t.shopId, t.createdAt.desc(), t.id.desc()),
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

/**
 * How a distributor's price and stock feed is fetched and read (decision 0050). One per distributor
 * provider; the login for the feed server is the provider's sealed credentials, like every other
 * provider's secrets.
 */
export const distributorFeeds = pgTable(
  "distributor_feed",
  {
    providerId: uuid("provider_id")
      .primaryKey()
      .references(() => providers.id, { onDelete: "cascade" }),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    protocol: text("protocol").$type<FeedProtocol>().notNull(),
    host: text("host").notNull(),
    /** Null means the protocol's usual port. */
    port: integer("port"),
    /** The file's path on the server (FTP/SFTP) or the URL's path and query (HTTPS). */
    path: text("path").notNull(),
    /** Hour of the day, in the shop's time zone, the feed is fetched. */
    scheduleHour: integer("schedule_hour").notNull().default(6),
    /** Complete: items missing from the file go to stock 0. Delta: only the rows it has change. */
    mode: text("mode").$type<"complete" | "delta">().notNull().default("complete"),
    /** Feed column header for each field we read. */
    columns: jsonb("columns").$type<FeedColumns>().notNull(),
    delimiter: text("delimiter").notNull().default(","),
    enabled: boolean("enabled").notNull().default(true),
    /** Set when a run fails, cleared by the next run that succeeds: shown on the distributor. */
    alert: jsonb("alert").$type<{ message: string; at: string; runId: string }>(),
    /** When the last successful run finished: the feed's age is counted from here. */
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    /** The local day (shop's zone, YYYY-MM-DD) the scheduled run was last queued for. */
    lastScheduledDay: text("last_scheduled_day"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("distributor_feed_shop_idx").on(t.shopId)],
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
    /** The distributor's warehouse; "" when its feed has no warehouse column. */
    warehouse: text("warehouse").notNull().default(""),
    stock: integer("stock").notNull(),
    cost: money("cost").notNull(),
    leadTimeDays: integer("lead_time_days").notNull(),
    /** What the distributor calls the product (shown beside our title when choosing). */
    productName: text("product_name"),
    /** UPC/EAN/GTIN from the feed, for products mapped by barcode. */
    barcode: text("barcode"),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("distributor_item_provider_sku_key").on(t.providerId, t.sku, t.warehouse),
    index("distributor_item_shop_sku_idx").on(t.shopId, t.sku),
    index("distributor_item_shop_barcode_idx")
      .on(t.shopId, t.barcode)
      .where(sql`${t.barcode} is not null`),
  ],
);

export interface FeedRejectedLine {
  /** The line in the file, counting the header as line 1. */
  line: number;
  reason: string;
}

/** One fetch of a distributor's feed: what it read and changed, or why it failed. */
export const feedRuns = pgTable(
  "feed_run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    trigger: text("trigger").$type<"schedule" | "owner">().notNull(),
    status: text("status").$type<"running" | "succeeded" | "failed">().notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    rowsRead: integer("rows_read").notNull().default(0),
    rowsChanged: integer("rows_changed").notNull().default(0),
    /** Items a complete feed no longer lists, set to stock 0 by this run. */
    rowsZeroed: integer("rows_zeroed").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    /** The first rejected lines (capped), each with its line number and reason. */
    rejected: jsonb("rejected").$type<FeedRejectedLine[]>().notNull().default([]),
    error: text("error"),
    /** What was written to the cart's inventory after the run (stock to cart). */
    stockPush: jsonb("stock_push").$type<StockPushSummary>(),
  },
  (t) => [
    index("feed_run_provider_idx").on(t.providerId, t.startedAt.desc()),
    // One run at a time per distributor: a second "running" row is refused.
    uniqueIndex("feed_run_one_running_key")
      .on(t.providerId)
      .where(sql`${t.status} = 'running'`),
  ],
);

/**
 * Rows a running feed has parsed, kept apart until the whole file was read; then one transaction
 * applies them to distributor_item and deletes them. A run that fails leaves stock untouched.
 */
export const feedStageRows = pgTable(
  "feed_stage_row",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => feedRuns.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    sku: text("sku").notNull(),
    warehouse: text("warehouse").notNull(),
    stock: integer("stock").notNull(),
    cost: money("cost").notNull(),
    leadTimeDays: integer("lead_time_days").notNull(),
    productName: text("product_name"),
    barcode: text("barcode"),
  },
  (t) => [index("feed_stage_row_run_idx").on(t.runId, t.sku, t.warehouse)],
);

/**
 * A shop product as drop-shipping sees it, by the shop's SKU: its barcode (matched against the
 * feeds' barcode column), and whether the summed distributor stock is written to the cart.
 */
export const dropshipProducts = pgTable(
  "dropship_product",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    sku: text("sku").notNull(),
    title: text("title"),
    barcode: text("barcode"),
    cartProductId: text("cart_product_id"),
    cartVariantId: text("cart_variant_id"),
    /** Shopify's inventory item for the variant (inventorySetQuantities names it). */
    cartInventoryItemId: text("cart_inventory_item_id"),
    /** Opt-in: write the summed distributor stock, less the buffer, to the cart after each run. */
    pushStock: boolean("push_stock").notNull().default(false),
    safetyBuffer: integer("safety_buffer").notNull().default(0),
    /** The quantity last written to the cart; only a different one is written again. */
    pushedStock: integer("pushed_stock"),
    pushedAt: timestamp("pushed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("dropship_product_shop_sku_key").on(t.shopId, t.sku),
    index("dropship_product_shop_barcode_idx")
      .on(t.shopId, t.barcode)
      .where(sql`${t.barcode} is not null`),
  ],
);

/**
 * The owner's manual map: this shop SKU is that distributor's SKU. One shop SKU may map to several
 * distributors (one row each); a manual row wins over a match by SKU or barcode at that distributor.
 */
export const distributorSkuMaps = pgTable(
  "distributor_sku_map",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    shopSku: text("shop_sku").notNull(),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    distributorSku: text("distributor_sku").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("distributor_sku_map_key").on(t.shopId, t.shopSku, t.providerId)],
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

/**
 * What Orderlane tells Shopify Flow, one row per event (decision 0045): the unique key stops a
 * second send of one event however often it is queued, and the row records each attempt, so a
 * call Shopify throttled or refused is seen, not lost. `status`: pending (not yet accepted),
 * sending (a call is under way), sent, failed (gave up), skipped (not sent by design, e.g. the
 * demo), unknown (a worker died during the call, so whether Flow has it cannot be known).
 */
export const flowTriggerEvents = pgTable(
  "flow_trigger_event",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    /** The trigger's handle, as its flow_trigger extension names it. */
    trigger: text("trigger").notNull(),
    /** What makes this event itself (e.g. the shipment's id): one send per key. */
    eventKey: text("event_key").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("flow_trigger_event_key").on(t.shopId, t.trigger, t.eventKey),
    index("flow_trigger_event_status_idx").on(t.status, t.createdAt),
  ],
);

/**
 * Each run of the Flow action "Submit order through Orderlane", keyed by Flow's action_run_id:
 * Flow resends a run it did not hear back from, and the resend gets the first answer again.
 */
export const flowActionRuns = pgTable(
  "flow_action_run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    actionRunId: text("action_run_id").notNull(),
    cartOrderId: text("cart_order_id").notNull(),
    /** The HTTP status and body the first complete run answered. */
    status: integer("status").notNull(),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("flow_action_run_key").on(t.shopId, t.actionRunId)],
);
