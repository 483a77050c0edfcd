import { ADD_ROUTING_RULE, editProvider } from "~/orders/core/alerts";
import type { ShopSettings } from "~/orders/core/shop-settings";
import type { ValidationProblem } from "./provider";
// Which provider makes each item: the shop's rules (a SKU, or a SKU prefix ending in `*`), first
// match wins, then the shop's default provider. Pure, so the same answer comes out at submit time,
// at revalidation and in the UI.

export interface RoutableItem {
  id: string;
  sku: string | null;
}

export interface RoutableProvider {
  id: string;
  enabled: boolean;
  isDefault: boolean;
}

export type RoutingResult =
  | { ok: true; byProvider: Map<string, string[]> }
  | { ok: false; unrouted: { itemId: string; sku: string | null }[] };

export function matches(rule: string, sku: string): boolean {
  return rule.endsWith("*") ? sku.startsWith(rule.slice(0, -1)) : rule === sku;
}

export function routeItems(
  items: RoutableItem[],
  providers: RoutableProvider[],
  rules: ShopSettings["routingRules"],
): RoutingResult {
  const enabled = new Map(providers.filter((p) => p.enabled).map((p) => [p.id, p]));
  const fallback = providers.find((p) => p.enabled && p.isDefault)?.id ?? null;
  const byProvider = new Map<string, string[]>();
  const unrouted: { itemId: string; sku: string | null }[] = [];
  for (const item of items) {
    const rule = item.sku
      ? rules.find((r) => enabled.has(r.providerId) && matches(r.match, item.sku!))
      : undefined;
    const providerId = rule?.providerId ?? fallback;
    if (!providerId) {
      unrouted.push({ itemId: item.id, sku: item.sku });
      continue;
    }
    byProvider.set(providerId, [...(byProvider.get(providerId) ?? []), item.id]);
  }
  return unrouted.length > 0 ? { ok: false, unrouted } : { ok: true, byProvider };
}

/**
 * The provider's own product for an item sent to `providerId`: the first rule for that provider
 * matching the SKU (the rule that routed it there, when a rule did), else none, and the store SKU
 * is what the provider gets.
 */
export function providerProductFor(
  rules: ShopSettings["routingRules"],
  providerId: string,
  sku: string | null,
): string | null {
  if (!sku) return null;
  const rule = rules.find((r) => r.providerId === providerId && matches(r.match, sku));
  return rule?.product || null;
}

/** Why an item the router could not place stops its order; the demo's seed tells the same story. */
export function unroutedProblem(item: { itemId: string; sku: string | null }): ValidationProblem {
  return {
    code: "no_provider",
    lineId: item.itemId,
    message: item.sku
      ? `No provider for SKU ${item.sku}: no routing rule sends it to an enabled provider, and the shop has no default provider`
      : "An item has no SKU, so no routing rule can cover it, and the shop has no default provider",
    fix: item.sku
      ? `Add a rule for SKU ${item.sku} (${ADD_ROUTING_RULE}), or tick Default provider on a provider (${editProvider("the provider")})`
      : `Tick Default provider on a provider (${editProvider("the provider")})`,
    recheck: true,
  };
}
