// A shop's providers as adapters: rows from the database, credentials opened with ENCRYPTION_KEY,
// the factory for each kind, and every HTTP call held to the outbound-request policy.
import { and, eq } from "drizzle-orm";
import type { AppConfig } from "~/config.server";
import type { DbOrTx } from "~/db/client.server";
import { providers } from "~/db/schema";
import { openSecret } from "~/security/encryption.server";
import { outboundFetch, outboundPolicy, type OutboundPolicy } from "~/security/outbound.server";
import { createCustomCatProvider } from "./adapters/customcat";
import { createDistributorProvider } from "./adapters/distributor";
import { createOpenProtocolProvider } from "./adapters/open-protocol";
import { createPrintfulProvider } from "./adapters/printful";
import { createShineOnProvider } from "./adapters/shineon";
import type {
  FulfillmentProvider,
  ProviderConfig,
  ProviderDeps,
  ProviderFactory,
  ProviderKind,
} from "./provider";

export type ProviderRow = typeof providers.$inferSelect;

const FACTORIES: Partial<Record<ProviderKind, ProviderFactory>> = {
  http: createOpenProtocolProvider,
  sandbox: createOpenProtocolProvider,
  customcat: createCustomCatProvider,
  shineon: createShineOnProvider,
  printful: createPrintfulProvider,
};

export class ProviderUnavailableError extends Error {}

export function providerConfig(row: ProviderRow, encryptionKey: Buffer): ProviderConfig {
  let credentials: Record<string, string> = {};
  if (row.credentials) {
    const parsed: unknown = JSON.parse(openSecret(encryptionKey, row.credentials));
    if (parsed && typeof parsed === "object") credentials = parsed as Record<string, string>;
  }
  return {
    id: row.id,
    shopId: row.shopId,
    kind: row.kind,
    name: row.name,
    endpoint: row.endpoint,
    credentials,
    signingSecret: row.signingSecret ? openSecret(encryptionKey, row.signingSecret) : null,
    settings: row.settings,
  };
}

/**
 * The policy a provider's calls are held to: the app's, and for the sandbox provider this process
 * started (SANDBOX_PROVIDER), its own loopback address, the one private address production must
 * reach. Owners cannot add sandbox providers, so no endpoint they type gets this.
 */
export function providerOutboundPolicy(
  app: Pick<AppConfig, "allowPrivateOutbound" | "sandbox">,
  provider: Pick<ProviderConfig, "kind">,
): OutboundPolicy {
  const policy = outboundPolicy(app);
  if (provider.kind !== "sandbox" || !app.sandbox?.port) return policy;
  return { ...policy, trustedOrigins: [`http://127.0.0.1:${app.sandbox.port}`] };
}

/**
 * An adapter whose every HTTP call goes through outboundFetch under `outbound`: there is no way
 * to hand it a fetch of its own, so no caller can step around the policy.
 */
export function adapterFor(
  config: ProviderConfig,
  outbound: OutboundPolicy,
  deps?: Pick<Partial<ProviderDeps>, "now" | "timeoutMs">,
): FulfillmentProvider {
  const fetchDeps: ProviderDeps = {
    fetch: (input, init) => outboundFetch(input, init ?? {}, outbound),
    now: deps?.now ?? (() => new Date()),
    timeoutMs: deps?.timeoutMs,
  };
  // A distributor may also be reached over FTP or SFTP, held to the same policy.
  if (config.kind === "distributor") return createDistributorProvider(config, fetchDeps, outbound);
  const factory = FACTORIES[config.kind];
  if (!factory) throw new ProviderUnavailableError(`No adapter for ${config.kind} providers`);
  return factory(config, fetchDeps);
}

/** A stored provider's adapter, under the policy the app's configuration sets for it. */
export function providerAdapter(
  ctx: { config: AppConfig },
  row: ProviderRow,
  deps?: Pick<Partial<ProviderDeps>, "now" | "timeoutMs">,
): FulfillmentProvider {
  const config = providerConfig(row, ctx.config.encryptionKey);
  return adapterFor(config, providerOutboundPolicy(ctx.config, config), deps);
}

export async function listProviders(db: DbOrTx, shopId: string): Promise<ProviderRow[]> {
  return db.select().from(providers).where(eq(providers.shopId, shopId));
}

export async function getProvider(
  db: DbOrTx,
  shopId: string,
  providerId: string,
): Promise<ProviderRow | undefined> {
  const [row] = await db
    .select()
    .from(providers)
    .where(and(eq(providers.id, providerId), eq(providers.shopId, shopId)))
    .limit(1);
  return row;
}

/** For the events route, where the provider id in the URL is all we know about the caller. */
export async function findProviderById(
  db: DbOrTx,
  providerId: string,
): Promise<ProviderRow | undefined> {
  const [row] = await db.select().from(providers).where(eq(providers.id, providerId)).limit(1);
  return row;
}
