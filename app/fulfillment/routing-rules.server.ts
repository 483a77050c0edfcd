// The shop's routing rules as the owner edits them on Settings → Providers: rows of a form (a SKU
// or a prefix, a provider, the provider's own product), checked row by row against the shop's own
// providers, and stored in shop.settings where the router reads them.
import { eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { shops } from "~/db/schema";
import { shopSettings, type RoutingRule, type ShopSettings } from "~/orders/core/shop-settings";
import { PRODUCT_FIELDS } from "./provider-kinds";
import { listProviders } from "./providers.server";
import { matches } from "./routing";

type Ctx = Pick<AppContext, "db">;

export const MAX_ROUTING_RULES = 500;
const MAX_MATCH = 100;
const MAX_PRODUCT = 100;

/** One row as the browser sends it: every field a string, blank when left empty. */
export interface RoutingRuleRow {
  match: string;
  providerId: string;
  product: string;
}

export function rulesToRows(rules: RoutingRule[]): RoutingRuleRow[] {
  return rules.map((r) => ({ match: r.match, providerId: r.providerId, product: r.product ?? "" }));
}

/** The rows a form posted: the three fields repeat once per row, in the order shown. */
export function rowsFromForm(form: FormData): RoutingRuleRow[] | null {
  const text = (name: string) =>
    form.getAll(name).map((value) => (typeof value === "string" ? value : ""));
  const match = text("match");
  const providerId = text("providerId");
  const product = text("product");
  if (providerId.length !== match.length || product.length !== match.length) return null;
  return match.map((m, i) => ({ match: m, providerId: providerId[i]!, product: product[i]! }));
}

export type SaveRulesResult =
  { ok: true; rules: RoutingRule[] } | { ok: false; errors: Record<string, string> };

/** Whether every SKU `later` matches is already taken by `earlier` (so `later` never applies). */
function covers(earlier: string, later: string): boolean {
  if (!earlier.endsWith("*")) return earlier === later;
  return matches(earlier, later.endsWith("*") ? later.slice(0, -1) : later);
}

export async function saveRoutingRules(
  ctx: Ctx,
  shopId: string,
  rows: RoutingRuleRow[],
): Promise<SaveRulesResult> {
  if (rows.length > MAX_ROUTING_RULES) {
    return { ok: false, errors: { form: `At most ${MAX_ROUTING_RULES} rules` } };
  }
  const providers = new Map((await listProviders(ctx.db, shopId)).map((p) => [p.id, p]));
  const errors: Record<string, string> = {};
  const rules: RoutingRule[] = [];
  for (const [index, row] of rows.entries()) {
    const at = (field: keyof RoutingRuleRow) => `rules.${index}.${field}`;
    const match = row.match.trim();
    const product = row.product.trim();
    if (!match) {
      errors[at("match")] = "Enter a SKU, or the start of SKUs followed by *";
    } else if (/\s/.test(match)) {
      errors[at("match")] = "A SKU has no spaces";
    } else if (match.length > MAX_MATCH) {
      errors[at("match")] = `At most ${MAX_MATCH} characters`;
    } else if (match.slice(0, -1).includes("*")) {
      errors[at("match")] = "Put * only at the end, after the start the SKUs share";
    } else if (match === "*") {
      errors[at("match")] =
        "Every SKU goes to the default provider already: tick Default provider on it instead";
    } else {
      const earlier = rules.findIndex((r) => covers(r.match, match));
      if (earlier >= 0) {
        errors[at("match")] =
          `Rule ${earlier + 1} (${rules[earlier]!.match}) already takes these SKUs, so this rule would never apply: move it above rule ${earlier + 1}`;
      }
    }
    const provider = providers.get(row.providerId);
    if (!row.providerId) {
      errors[at("providerId")] = "Choose the provider that makes these SKUs";
    } else if (!provider) {
      errors[at("providerId")] = "That provider is not one of yours: choose one from the list";
    } else if (!provider.enabled) {
      errors[at("providerId")] = `${provider.name} is disabled: choose another provider`;
    } else {
      const field = PRODUCT_FIELDS[provider.kind];
      if (!product && field.required) {
        errors[at("product")] = `${provider.name} needs the ${field.label} for these SKUs`;
      } else if (product && field.digitsOnly && !/^\d+$/.test(product)) {
        errors[at("product")] = `A ${field.label} is digits only`;
      } else if (product.length > MAX_PRODUCT) {
        errors[at("product")] = `At most ${MAX_PRODUCT} characters`;
      }
    }
    // Kept in position even when invalid, so "rule N" in a message is the row the owner sees.
    rules.push({ match, providerId: row.providerId, ...(product ? { product } : {}) });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  return ctx.db.transaction(async (tx) => {
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).for("update");
    if (!shop) return { ok: false, errors: { form: "This shop no longer exists" } };
    const settings: ShopSettings = { ...shopSettings(shop), routingRules: rules };
    await tx.update(shops).set({ settings, updatedAt: new Date() }).where(eq(shops.id, shopId));
    return { ok: true, rules };
  });
}
