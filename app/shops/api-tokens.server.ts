// Bearer tokens for the JSON API, one set per shop. A token is shown once when created; only its
// SHA-256 is stored, so a copy of the database does not open the API. The `ol_` prefix lets secret
// scanners and people recognise one in a log or a paste.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { DbOrTx } from "~/db/client.server";
import { apiTokens, shops } from "~/db/schema";
import type { Shop } from "./shops.server";

export const TOKEN_PREFIX = "ol_";
/** Shops rarely need many; a cap keeps a runaway script from filling the table. */
export const MAX_TOKENS_PER_SHOP = 50;

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export interface ApiTokenSummary {
  id: string;
  name: string;
  lastChars: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export const tokenNameSchema = z
  .string({ message: "Name the token after what will use it" })
  .trim()
  .min(1, "Name the token after what will use it")
  .max(80, "The name is at most 80 characters");

export type CreatedToken =
  | { ok: true; token: string; summary: ApiTokenSummary }
  | { ok: false; errors: Record<string, string> };

export async function createApiToken(
  db: DbOrTx,
  shopId: string,
  input: { name: unknown; createdBy: string | null },
): Promise<CreatedToken> {
  const name = tokenNameSchema.safeParse(input.name);
  if (!name.success) {
    return { ok: false, errors: { tokenName: name.error.issues[0]?.message ?? "Invalid name" } };
  }
  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(apiTokens)
    .where(and(eq(apiTokens.shopId, shopId), isNull(apiTokens.revokedAt)));
  if (count >= MAX_TOKENS_PER_SHOP) {
    return {
      ok: false,
      errors: { tokenName: `A shop can have ${MAX_TOKENS_PER_SHOP} tokens; revoke unused ones` },
    };
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiTokens)
    .values({
      shopId,
      name: name.data,
      tokenHash: hashToken(token),
      lastChars: token.slice(-4),
      createdBy: input.createdBy,
    })
    .returning();
  if (!row) throw new Error("API token not stored");
  return { ok: true, token, summary: summarise(row) };
}

export function summarise(row: ApiTokenRow): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    lastChars: row.lastChars,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function listApiTokens(db: DbOrTx, shopId: string): Promise<ApiTokenSummary[]> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.shopId, shopId))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(summarise);
}

/** Revokes one of the shop's tokens; false when the shop has no such token. */
export async function revokeApiToken(
  db: DbOrTx,
  shopId: string,
  tokenId: string,
): Promise<boolean> {
  if (!z.uuid().safeParse(tokenId).success) return false;
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.shopId, shopId)))
    .returning({ id: apiTokens.id });
  return Boolean(row);
}

/** Who is calling the API: the shop the token belongs to, and how the timeline names the caller. */
export interface ApiCaller {
  shop: Shop;
  name: string;
  /** Only the demo's token; a per-shop token never force-deletes (decision 0009). */
  isAccountAdmin: boolean;
}

export class ApiAuthError extends Error {}

const USED_AT_PRECISION_MS = 60_000;

/**
 * The caller behind `Authorization: Bearer …`, or ApiAuthError with what is wrong. `shopDomain`
 * (the `shop` query parameter) chooses among the demo's shops for the demo token.
 */
export async function authenticateApiRequest(
  ctx: Pick<AppContext, "db" | "config" | "demo">,
  authorization: string | null,
  shopDomain: string | null,
): Promise<ApiCaller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) {
    throw new ApiAuthError("Send the API token as Authorization: Bearer <token>");
  }
  const token = match[1]!;
  const demoToken = ctx.config.demoApiToken;
  if (ctx.demo && demoToken && sameSecret(token, demoToken)) {
    const shop = await ctx.demo.apiShop(shopDomain);
    if (!shop) {
      throw new ApiAuthError(
        shopDomain ? `No shop ${shopDomain} in this demo` : "The demo shop has not been seeded",
      );
    }
    return { shop, name: "API (demo token)", isAccountAdmin: true };
  }
  const [row] = await ctx.db
    .select({ token: apiTokens, shop: shops })
    .from(apiTokens)
    .innerJoin(shops, eq(shops.id, apiTokens.shopId))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!row) throw new ApiAuthError("This API token is not valid");
  if (row.token.revokedAt) throw new ApiAuthError("This API token was revoked");
  if (row.shop.uninstalledAt) throw new ApiAuthError("The shop uninstalled Orderlane");
  // Written at most once a minute per token: a busy integration must not turn reads into writes.
  await ctx.db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiTokens.id, row.token.id),
        or(
          isNull(apiTokens.lastUsedAt),
          lt(apiTokens.lastUsedAt, new Date(Date.now() - USED_AT_PRECISION_MS)),
        ),
      ),
    );
  return { shop: row.shop, name: `API token "${row.token.name}"`, isAccountAdmin: false };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
