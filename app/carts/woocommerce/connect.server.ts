// Connecting a WooCommerce store (WooCommerce's own key handshake, /wc-auth/v1/authorize):
//   1. start: the owner types the store's address; we check it, remember a one-time nonce (in the
//      database and in this browser's cookie) and send the browser to the store's approval page;
//   2. callback: the store POSTs the new API keys with our nonce as `user_id`; we store them sealed;
//   3. return: the browser comes back; we create the app's webhooks on the store, detect its order
//      editor, sign the browser in and show the catalog.
import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { shops, wooConnectRequests } from "~/db/schema";
import type { CartConnection } from "~/orders/core/model";
import { sealSecret } from "~/security/encryption.server";
import { outboundPolicy } from "~/security/outbound.server";
import { checkStoreUrl } from "~/security/store-url.server";
import { ensureShop, getShop } from "~/shops/shops.server";
import {
  httpStatusOf,
  storeBaseUrl,
  wooClient,
  wooCredentials,
  wooMessage,
  type WooCommerceCredentials,
} from "./connector.server";
import { ensureStoreWebhooks, wooDeliveryUrl } from "./webhook-setup.server";

type Ctx = Pick<AppContext, "db" | "config">;

/** How long the owner has to approve the keys at the store. */
const REQUEST_TTL_MS = 60 * 60 * 1000;

const isDevelopment = (ctx: Pick<AppContext, "config">) =>
  ctx.config.mode === "development" || ctx.config.mode === "demo";

export type StartOutcome =
  { ok: true; authorizeUrl: string; nonce: string } | { ok: false; reason: string };

/** Step 1: checks the address and prepares the store's approval URL. */
export async function startWooConnect(ctx: Ctx, typedUrl: string): Promise<StartOutcome> {
  const appUrl = ctx.config.publicUrl;
  if (!isDevelopment(ctx) && !appUrl.startsWith("https://")) {
    return {
      ok: false,
      reason:
        "This server's public address is not https, and WooCommerce sends keys only to https addresses: set PUBLIC_URL",
    };
  }
  const checked = await checkStoreUrl(typedUrl, {
    development: isDevelopment(ctx),
    policy: outboundPolicy(ctx.config),
  });
  if (!checked.ok) return checked;

  const nonce = randomBytes(24).toString("base64url");
  await ctx.db
    .delete(wooConnectRequests)
    .where(lt(wooConnectRequests.createdAt, new Date(Date.now() - 24 * 3600 * 1000)));
  await ctx.db.insert(wooConnectRequests).values({ nonce, storeUrl: checked.store.url });

  const query = new URLSearchParams({
    app_name: "Orderlane",
    scope: "read_write",
    user_id: nonce,
    return_url: `${appUrl}/connect/woocommerce/return`,
    callback_url: `${appUrl}/connect/woocommerce/callback`,
  });
  return { ok: true, nonce, authorizeUrl: `${checked.store.url}/wc-auth/v1/authorize?${query}` };
}

// What WooCommerce posts to callback_url once the owner approves (WC_Auth::post_consumer_data).
const keysPosted = z.object({
  key_id: z.union([z.number(), z.string()]),
  user_id: z.union([z.string(), z.number()]).transform(String),
  consumer_key: z.string().regex(/^ck_[A-Za-z0-9]+$/, "is not a WooCommerce consumer key"),
  consumer_secret: z.string().regex(/^cs_[A-Za-z0-9]+$/, "is not a WooCommerce consumer secret"),
  key_permissions: z.string(),
});

export type CallbackOutcome =
  { ok: true; shopId: string } | { ok: false; status: 400 | 403; reason: string };

/** Step 2: the store posts the keys it made for us. */
export async function completeWooConnect(ctx: Ctx, body: unknown): Promise<CallbackOutcome> {
  const parsed = keysPosted.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      status: 400,
      reason:
        `Not WooCommerce's key callback: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim(),
    };
  }
  const keys = parsed.data;
  if (keys.key_permissions !== "read_write") {
    return {
      ok: false,
      status: 400,
      reason: `Orderlane needs read and write access; the store granted "${keys.key_permissions}"`,
    };
  }

  return ctx.db.transaction(async (tx): Promise<CallbackOutcome> => {
    const [request] = await tx
      .select()
      .from(wooConnectRequests)
      .where(
        and(
          eq(wooConnectRequests.nonce, keys.user_id),
          isNull(wooConnectRequests.completedAt),
          gt(wooConnectRequests.createdAt, new Date(Date.now() - REQUEST_TTL_MS)),
        ),
      )
      .for("update")
      .limit(1);
    if (!request) {
      return {
        ok: false,
        status: 403,
        reason: "No connection in progress matches this user_id (unknown, used or expired)",
      };
    }
    const store = new URL(request.storeUrl);
    const domain = `${store.host}${store.pathname.replace(/\/+$/, "")}`.toLowerCase();
    const shop = await ensureShop(tx, { platform: "woocommerce", domain, name: domain });
    // Reconnecting keeps the webhook secret, so deliveries already on their way still verify.
    const previous = wooCredentials(ctx, shop);
    const credentials: WooCommerceCredentials = {
      consumerKey: keys.consumer_key,
      consumerSecret: keys.consumer_secret,
      url: request.storeUrl,
      webhookSecret: previous?.webhookSecret ?? randomBytes(32).toString("base64url"),
    };
    await tx
      .update(shops)
      .set({
        credentials: sealSecret(ctx.config.encryptionKey, JSON.stringify(credentials)),
        connection: { ...shop.connection, storeUrl: request.storeUrl },
        updatedAt: new Date(),
      })
      .where(eq(shops.id, shop.id));
    await tx
      .update(wooConnectRequests)
      .set({ completedAt: new Date(), shopId: shop.id })
      .where(eq(wooConnectRequests.nonce, request.nonce));
    return { ok: true, shopId: shop.id };
  });
}

export type ReturnOutcome =
  { ok: true; shopId: string; setupProblem: string | null } | { ok: false; reason: string };

/** Step 3: the owner's browser is back. `browserNonce` is the one its cookie carries. */
export async function finishWooConnect(
  ctx: Ctx,
  query: URLSearchParams,
  browserNonce: string | null,
): Promise<ReturnOutcome> {
  const nonce = query.get("user_id") ?? "";
  if (!browserNonce || nonce !== browserNonce) {
    return {
      ok: false,
      reason: "This sign-in was started in another browser, or has already been used: start again",
    };
  }
  if (query.get("success") === "0") {
    return {
      ok: false,
      reason: "The store did not grant access. Connect again and choose Approve",
    };
  }
  // Single use: whoever returns with this nonce first consumes it.
  const [request] = await ctx.db
    .delete(wooConnectRequests)
    .where(eq(wooConnectRequests.nonce, nonce))
    .returning();
  if (!request?.completedAt || !request.shopId) {
    return {
      ok: false,
      reason:
        "The store has not sent Orderlane its keys, so the connection did not complete: start again",
    };
  }
  const setup = await setUpStore(ctx, request.shopId);
  return { ok: true, shopId: request.shopId, setupProblem: setup.ok ? null : setup.reason };
}

/**
 * Creates (or repairs) the app's order webhooks on the store and detects its order editor. Safe to
 * run again: webhooks already pointing at us are updated, not duplicated.
 */
export async function setUpStore(
  ctx: Ctx,
  shopId: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const shop = await getShop(ctx.db, shopId);
  if (!shop || shop.platform !== "woocommerce") return { ok: false, reason: "No such store" };
  const creds = wooCredentials(ctx, shop);
  if (!creds?.webhookSecret) {
    return { ok: false, reason: "The store's keys are missing or unreadable: connect it again" };
  }
  const base = storeBaseUrl(shop, creds);
  // Looked at again before calling, for the owner's words if it is refused now (every call is
  // also checked when it is made: a name's DNS answer can change after it was first checked).
  const policy = outboundPolicy(ctx.config);
  const checked = await checkStoreUrl(base, { development: isDevelopment(ctx), policy });
  if (!checked.ok) return checked;

  const wc = wooClient(creds, base, policy);
  const deliveryUrl = wooDeliveryUrl(ctx.config.publicUrl, shop.id);
  const connection: CartConnection = { ...shop.connection, storeUrl: base };
  try {
    connection.wooOrderEditor = await detectOrderEditor(wc);
  } catch {
    // Not fatal: without it, Edit Order uses the legacy address, which HPOS stores redirect.
  }
  try {
    const { ids } = await ensureStoreWebhooks(
      wc,
      { deliveryUrl, secret: creds.webhookSecret },
      { refresh: true },
    );
    connection.webhookIds = ids;
  } catch (err) {
    await saveConnection(ctx, shop.id, connection);
    const status = httpStatusOf(err);
    return {
      ok: false,
      reason: `The store refused to create Orderlane's order webhooks${status ? ` (HTTP ${status})` : ""}: ${wooMessage(err)}`,
    };
  }
  await saveConnection(ctx, shop.id, connection);
  return { ok: true };
}

async function saveConnection(ctx: Ctx, shopId: string, connection: CartConnection) {
  await ctx.db.update(shops).set({ connection, updatedAt: new Date() }).where(eq(shops.id, shopId));
}

// GET /system_status reports `settings.HPOS_enabled` (WooCommerce 8+) and `order_datastore`.
async function detectOrderEditor(wc: ReturnType<typeof wooClient>): Promise<"hpos" | "legacy"> {
  const res = await wc.get("system_status", { _fields: "settings" });
  const settings = (
    res.data as { settings?: { HPOS_enabled?: unknown; order_datastore?: unknown } }
  ).settings;
  if (typeof settings?.HPOS_enabled === "boolean") return settings.HPOS_enabled ? "hpos" : "legacy";
  return typeof settings?.order_datastore === "string" &&
    /OrdersTableDataStore/.test(settings.order_datastore)
    ? "hpos"
    : "legacy";
}
