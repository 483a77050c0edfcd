// WooCommerce owners sign in to Orderlane's own pages (there is no admin to embed in): after the
// store's key handshake, a signed, httpOnly cookie says which shop this browser acts for. The same
// cookie carries the one-time nonce of a connection in progress, so only the browser that started
// the handshake can finish it.
import { createHmac } from "node:crypto";
import { createCookieSessionStorage, redirect, type SessionStorage } from "@remix-run/node";
import { and, eq, isNull } from "drizzle-orm";
import type { AppConfig } from "~/config.server";
import type { AppContext } from "~/context.server";
import { shops } from "~/db/schema";
import type { Owner } from "./owner";

interface WooSessionData {
  shopId: string;
  name: string;
  connectNonce: string;
}

interface WooFlashData {
  /** Why the last connection attempt did not finish, shown once on the connect page. */
  problem: string;
}

const MAX_AGE_SECONDS = 30 * 24 * 3600;
const storages = new WeakMap<AppConfig, SessionStorage<WooSessionData, WooFlashData>>();

function storage(config: AppConfig): SessionStorage<WooSessionData, WooFlashData> {
  let found = storages.get(config);
  if (!found) {
    // Derived, so there is no second secret to manage; rotating ENCRYPTION_KEY signs everyone out.
    const secret = createHmac("sha256", config.encryptionKey)
      .update("orderlane woo-session v1")
      .digest("base64url");
    found = createCookieSessionStorage<WooSessionData, WooFlashData>({
      cookie: {
        name: "__orderlane_woo",
        httpOnly: true,
        secure: config.mode !== "development" && config.mode !== "demo",
        sameSite: "lax",
        path: "/",
        maxAge: MAX_AGE_SECONDS,
        secrets: [secret],
      },
    });
    storages.set(config, found);
  }
  return found;
}

async function sessionOf(config: AppConfig, request: Request) {
  return storage(config).getSession(request.headers.get("Cookie"));
}

/** Remembers the nonce of the handshake this browser started; returns the Set-Cookie value. */
export async function rememberConnectNonce(
  config: AppConfig,
  request: Request,
  nonce: string,
): Promise<string> {
  const session = await sessionOf(config, request);
  session.set("connectNonce", nonce);
  return storage(config).commitSession(session);
}

export async function connectNonceOf(config: AppConfig, request: Request): Promise<string | null> {
  return (await sessionOf(config, request)).get("connectNonce") ?? null;
}

/**
 * Ends the handshake in this browser: signs it in for the shop when there is one, and keeps a
 * problem to show once. Returns the Set-Cookie value.
 */
export async function finishInBrowser(
  config: AppConfig,
  request: Request,
  outcome: { owner: { shopId: string; name: string } | null; problem: string | null },
): Promise<string> {
  const session = await sessionOf(config, request);
  session.unset("connectNonce");
  if (outcome.owner) {
    session.set("shopId", outcome.owner.shopId);
    session.set("name", outcome.owner.name);
  }
  if (outcome.problem) session.flash("problem", outcome.problem);
  return storage(config).commitSession(session);
}

/** The problem kept for the connect page, read once; with the Set-Cookie that forgets it. */
export async function takeProblem(
  config: AppConfig,
  request: Request,
): Promise<{ problem: string | null; cookie: string | null }> {
  const session = await sessionOf(config, request);
  const problem = session.get("problem") ?? null;
  return { problem, cookie: problem ? await storage(config).commitSession(session) : null };
}

export async function signOutWooOwner(config: AppConfig, request: Request): Promise<string> {
  return storage(config).destroySession(await sessionOf(config, request));
}

/** The WooCommerce owner this browser is signed in as, or null (no cookie, tampered, shop gone). */
export async function wooOwner(
  request: Request,
  ctx: Pick<AppContext, "config" | "db">,
): Promise<Owner | null> {
  if (!request.headers.get("Cookie")) return null;
  const session = await sessionOf(ctx.config, request);
  const shopId = session.get("shopId");
  if (!shopId) return null;
  const [shop] = await ctx.db
    .select()
    .from(shops)
    .where(
      and(eq(shops.id, shopId), eq(shops.platform, "woocommerce"), isNull(shops.uninstalledAt)),
    )
    .limit(1);
  if (!shop) return null;
  // Only a store administrator can approve the key handshake, so whoever holds this cookie is one.
  return {
    shop,
    embedded: false,
    name: session.get("name") ?? "Store administrator",
    isAccountAdmin: true,
    redirect,
  };
}
