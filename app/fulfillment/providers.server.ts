// A shop's providers as adapters: rows from the database, credentials opened with ENCRYPTION_KEY,
// and the factory for each kind.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { providers } from "~/db/schema";
import { openSecret } from "~/security/encryption.server";
import { createCustomCatProvider } from "./adapters/customcat";
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

export function adapterFor(
  config: ProviderConfig,
  deps?: Partial<ProviderDeps>,
): FulfillmentProvider {
  const factory = FACTORIES[config.kind];
  if (!factory) throw new ProviderUnavailableError(`No adapter for ${config.kind} providers`);
  return factory(config, {
    fetch: deps?.fetch ?? fetch,
    now: deps?.now ?? (() => new Date()),
    timeoutMs: deps?.timeoutMs,
  });
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
