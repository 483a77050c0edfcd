// Providers as the owner configures them in Settings: what each kind needs, validated, with every
// secret sealed before it is stored. API credentials never go back to the browser; the events URL
// does, since the owner pastes it into the provider's dashboard.
import { randomBytes } from "node:crypto";
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { providers, shops, submissions } from "~/db/schema";
import { shopSettings } from "~/orders/core/shop-settings";
import { sealSecret } from "~/security/encryption.server";
import { checkDestination, outboundRefusal, type OutboundPolicy } from "~/security/outbound.server";
import { eventsUrl } from "./purchase-orders.server";
import { PROVIDER_KINDS, type ProviderKind } from "./provider";
import { CREDENTIAL_FIELDS, isConfigurableKind } from "./provider-kinds";

export {
  CONFIGURABLE_KINDS,
  CREDENTIAL_FIELDS,
  KIND_LABELS,
  type ConfigurableKind,
} from "./provider-kinds";
import { providerConfig, providerOutboundPolicy, type ProviderRow } from "./providers.server";

type Ctx = Pick<AppContext, "db" | "config">;

// Form fields arrive as "" (left blank) or null (not on the form): both mean "not given".
const blankToUndefined = (v: unknown) =>
  v === null || (typeof v === "string" && v.trim() === "") ? undefined : v;

export const providerInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the provider a name").max(80, "At most 80 characters"),
    // Any kind reads here; saveProvider lets only an existing sandbox or distributor keep its own.
    kind: z.enum(PROVIDER_KINDS, { message: "Choose a provider type" }),
    endpoint: z.preprocess(
      blankToUndefined,
      z
        .url({ protocol: /^https?$/, message: "Enter the provider's base URL, starting https://" })
        .optional(),
    ),
    credentials: z.record(
      z.string(),
      z.preprocess(blankToUndefined, z.string().max(500).optional()),
    ),
    settings: z.preprocess(
      (v) => {
        if (typeof v !== "string" || v.trim() === "") return {};
        try {
          return JSON.parse(v) as unknown;
        } catch {
          return "not json";
        }
      },
      z.record(z.string(), z.unknown(), { message: "Settings must be a JSON object, e.g. {}" }),
    ),
    isDefault: z.boolean(),
  })
  .superRefine((input, issue) => {
    if (input.kind === "http" && !input.endpoint) {
      issue.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: "This provider type needs its URL",
      });
    }
  });

export type ProviderInput = z.infer<typeof providerInputSchema>;

export interface ProviderSummary {
  id: string;
  name: string;
  kind: ProviderKind;
  endpoint: string | null;
  isDefault: boolean;
  enabled: boolean;
  /** Which secrets are saved (never their values). */
  savedCredentials: string[];
  /** Where to tell the provider to post shipments. */
  eventsUrl: string;
  settings: string;
}

export function summarise(ctx: Ctx, row: ProviderRow): ProviderSummary {
  const config = providerConfig(row, ctx.config.encryptionKey);
  // ShineOn and Printful cannot sign what they send: our secret rides in the URL we give them.
  const tokenInUrl = row.kind === "shineon" || row.kind === "printful";
  const url = eventsUrl(ctx.config.publicUrl, row.id);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    endpoint: row.endpoint,
    isDefault: row.isDefault,
    enabled: row.enabled,
    savedCredentials: Object.keys(config.credentials).filter((k) => config.credentials[k]),
    eventsUrl: tokenInUrl && config.signingSecret ? `${url}?token=${config.signingSecret}` : url,
    settings: JSON.stringify(row.settings, null, 2),
  };
}

export type SaveResult =
  | { ok: true; provider: ProviderSummary; newSecret: string | null }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; notFound: true };

export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** Creates a provider, or updates one; blank secret fields keep what was saved. */
export async function saveProvider(
  ctx: Ctx,
  shopId: string,
  raw: unknown,
  providerId?: string,
): Promise<SaveResult> {
  const parsed = providerInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const input = parsed.data;
  // The kinds an owner cannot add keep the address this process gave them (the sandbox's own
  // loopback server), so no form can point one elsewhere.
  const fixedKind = !isConfigurableKind(input.kind);
  if (input.endpoint && !fixedKind) {
    // Told now rather than at the first order; every call is checked again when it is made.
    const problem = await endpointProblem(
      input.endpoint,
      providerOutboundPolicy(ctx.config, input),
    );
    if (problem) return { ok: false, errors: { endpoint: problem } };
  }
  const wanted = CREDENTIAL_FIELDS[input.kind].map((f) => f.key);
  const given = Object.fromEntries(
    Object.entries(input.credentials).filter(
      (entry): entry is [string, string] => wanted.includes(entry[0]) && entry[1] !== undefined,
    ),
  );

  return ctx.db.transaction(async (tx) => {
    let existing: ProviderRow | undefined;
    if (providerId) {
      [existing] = await tx
        .select()
        .from(providers)
        .where(and(eq(providers.id, providerId), eq(providers.shopId, shopId)))
        .limit(1);
      if (!existing) return { ok: false as const, notFound: true as const };
    }
    if (fixedKind && existing?.kind !== input.kind) {
      return { ok: false as const, errors: { kind: "Choose a provider type" } };
    }
    const previous = existing ? providerConfig(existing, ctx.config.encryptionKey).credentials : {};
    const credentials = { ...previous, ...given };
    const missing = CREDENTIAL_FIELDS[input.kind].filter(
      (f) => !f.label.includes("optional") && !credentials[f.key],
    );
    if (missing.length > 0) {
      return {
        ok: false as const,
        errors: Object.fromEntries(
          missing.map((f) => [`credentials.${f.key}`, `Enter the ${f.label}`]),
        ),
      };
    }
    // Our protocol and the URL-token providers need a secret of ours; made once, kept after.
    const newSecret = existing?.signingSecret ? null : randomBytes(24).toString("base64url");
    const values = {
      name: input.name,
      kind: input.kind,
      endpoint: fixedKind ? (existing?.endpoint ?? null) : (input.endpoint ?? null),
      credentials:
        Object.keys(credentials).length > 0
          ? sealSecret(ctx.config.encryptionKey, JSON.stringify(credentials))
          : null,
      settings: input.settings,
      isDefault: input.isDefault,
      updatedAt: new Date(),
      ...(newSecret ? { signingSecret: sealSecret(ctx.config.encryptionKey, newSecret) } : {}),
    };
    const [row] = existing
      ? await tx.update(providers).set(values).where(eq(providers.id, existing.id)).returning()
      : await tx
          .insert(providers)
          .values({ ...values, shopId })
          .returning();
    if (input.isDefault) {
      // One default per shop: the one just saved.
      await tx
        .update(providers)
        .set({ isDefault: false })
        .where(and(eq(providers.shopId, shopId), ne(providers.id, row!.id)));
    }
    return {
      ok: true as const,
      provider: summarise(ctx, row!),
      newSecret: input.kind === "customcat" ? null : newSecret,
    };
  });
}

/** Why the outbound-request policy would refuse calls to this endpoint, in the owner's words. */
async function endpointProblem(endpoint: string, policy: OutboundPolicy): Promise<string | null> {
  try {
    await checkDestination(endpoint, policy);
    return null;
  } catch (error) {
    const refused = outboundRefusal(error);
    if (refused) {
      const said = refused.message.charAt(0).toUpperCase() + refused.message.slice(1);
      return `${said}: enter the provider's public address`;
    }
    return `${new URL(endpoint).hostname} could not be found: check the provider's address`;
  }
}

/**
 * Removes a provider that never received an order; one that did is disabled instead, so its
 * purchase orders keep their history.
 */
export async function removeProvider(
  ctx: Ctx,
  shopId: string,
  providerId: string,
): Promise<"deleted" | "disabled" | "not_found"> {
  return ctx.db.transaction(async (tx) => {
    const [used] = await tx
      .select({ id: submissions.id })
      .from(submissions)
      .where(and(eq(submissions.providerId, providerId), eq(submissions.shopId, shopId)))
      .limit(1);
    if (used) {
      const changed = await tx
        .update(providers)
        .set({ enabled: false, isDefault: false, updatedAt: new Date() })
        .where(and(eq(providers.id, providerId), eq(providers.shopId, shopId)))
        .returning({ id: providers.id });
      return changed.length > 0 ? "disabled" : "not_found";
    }
    const deleted = await tx
      .delete(providers)
      .where(and(eq(providers.id, providerId), eq(providers.shopId, shopId)))
      .returning({ id: providers.id });
    if (deleted.length === 0) return "not_found";
    // Its routing rules go with it: left behind, they would show a provider no one can pick.
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).for("update");
    if (shop) {
      const settings = shopSettings(shop);
      const kept = settings.routingRules.filter((r) => r.providerId !== providerId);
      if (kept.length !== settings.routingRules.length) {
        await tx
          .update(shops)
          .set({ settings: { ...settings, routingRules: kept }, updatedAt: new Date() })
          .where(eq(shops.id, shopId));
      }
    }
    return "deleted";
  });
}
