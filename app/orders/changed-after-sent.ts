// "Changed in the cart after it was sent": what a provider was sent, compared with what the cart
// says now, in the owner's words. Pure, so the cart's door (cart-changes.server.ts), the owner's
// answers (changed-after-sent.server.ts) and the tests all read a change the same way.
import { randomUUID } from "node:crypto";
import { alertOf } from "~/orders/core/alerts";
import type {
  Address,
  CartChangeAfterSent,
  ChangedPurchaseOrder,
  OrderAlert,
  SentLine,
  SentVersion,
} from "~/orders/core/model";

export type Change = CartChangeAfterSent["changes"][number];

// Street and city always, so the owner recognises the address; any other part only when it is
// what changed (a new postcode, a new recipient).
const ALWAYS: (keyof Address)[] = ["address1", "address2", "city"];
const WHEN_CHANGED: (keyof Address)[] = ["name", "company", "province", "zip", "country", "phone"];

function part(address: Address | null, key: keyof Address): string {
  const value = address?.[key];
  return typeof value === "string" ? value.trim() : "";
}

function addressWords(address: Address | null, extra: (keyof Address)[]): string {
  if (!address) return "none";
  const keys = [...(extra.includes("name") ? ["name" as const] : []), ...ALWAYS];
  keys.push(...extra.filter((k) => k !== "name"));
  return (
    keys
      .map((k) => part(address, k))
      .filter(Boolean)
      .join(", ") || "none"
  );
}

function addressChange(sent: Address | null, now: Address | null): Change | null {
  const all = [...ALWAYS, ...WHEN_CHANGED, "provinceCode", "countryCode"] as (keyof Address)[];
  if (all.every((k) => part(sent, k) === part(now, k))) return null;
  const extra = WHEN_CHANGED.filter((k) => part(sent, k) !== part(now, k));
  return {
    what: "Shipping address",
    sent: addressWords(sent, extra),
    now: addressWords(now, extra),
  };
}

function lineChanges(sent: SentLine[], now: SentLine[]): Change[] {
  const changes: Change[] = [];
  for (const line of sent) {
    const current = now.find((l) => l.cartLineId === line.cartLineId);
    if (!current) {
      changes.push({
        what: `Quantity of ${line.title}`,
        sent: String(line.quantity),
        now: "none (removed in the cart)",
      });
    } else if (current.quantity !== line.quantity) {
      changes.push({
        what: `Quantity of ${current.title}`,
        sent: String(line.quantity),
        now: String(current.quantity),
      });
    }
  }
  for (const line of now) {
    if (!sent.some((l) => l.cartLineId === line.cartLineId)) {
      changes.push({
        what: `Quantity of ${line.title}`,
        sent: "none",
        now: `${line.quantity} (added in the cart)`,
      });
    }
  }
  return changes;
}

/** What changed between the version the providers hold and the cart's; empty when nothing did. */
export function changesBetween(sent: SentVersion, now: SentVersion): Change[] {
  const address = addressChange(sent.shippingAddress, now.shippingAddress);
  return [...(address ? [address] : []), ...lineChanges(sent.lines, now.lines)];
}

export function changeWords(change: Change): string {
  return `${change.what}: ${change.sent} → ${change.now}`;
}

function names(list: ChangedPurchaseOrder[]): string {
  const unique = [...new Set(list.map((p) => p.providerName))];
  if (unique.length <= 1) return unique.join("");
  return `${unique.slice(0, -1).join(", ")} and ${unique[unique.length - 1]}`;
}

/** The fix the alert offers, after what the providers' APIs can do. */
export function fixFor(purchaseOrders: ChangedPurchaseOrder[]): string {
  const waiting = purchaseOrders.filter((p) => !p.updated);
  const neither = waiting.filter((p) => !p.canUpdate && !p.canCancel);
  const cancelOnly = waiting.filter((p) => !p.canUpdate && p.canCancel);
  if (neither.length > 0) {
    const pos = neither.map((p) => p.poNumber).join(", ");
    return `${names(neither)} cannot be asked to change or cancel an order through its API: ask ${names(neither)}'s support to cancel ${pos}, then choose Cancel and send again; or Keep as sent`;
  }
  if (cancelOnly.length > 0) {
    return `${names(cancelOnly)} takes no changes to an order it accepted: Cancel and send again, or Keep as sent`;
  }
  return "Ask the provider to update the order, Cancel and send again, or Keep as sent";
}

/** The alert for this change, keeping the update key while the change itself is the same. */
export function changedAlert(input: {
  sent: SentVersion;
  changes: Change[];
  removedCartLineIds: string[];
  purchaseOrders: ChangedPurchaseOrder[];
  previous: CartChangeAfterSent | null;
}): OrderAlert {
  const sameChange =
    input.previous !== null &&
    JSON.stringify(input.previous.changes) === JSON.stringify(input.changes);
  const cartChange: CartChangeAfterSent = {
    changes: input.changes,
    sent: input.sent,
    removedCartLineIds: input.removedCartLineIds,
    // A new version of the change is a new update: a provider must not take it for a replay.
    updateKey: sameChange ? input.previous!.updateKey : `olu_${randomUUID()}`,
    purchaseOrders: input.purchaseOrders.map((p) => {
      const before = input.previous?.purchaseOrders.find((q) => q.submissionId === p.submissionId);
      return sameChange && before ? { ...p, ...before } : p;
    }),
  };
  return alertWithChange(cartChange);
}

/** The alert's words, written again from its change (after a provider answered, say). */
export function alertWithChange(cartChange: CartChangeAfterSent): OrderAlert {
  const providerNames = names(cartChange.purchaseOrders);
  const message = `Changed in the cart after it was sent to ${providerNames}: ${cartChange.changes
    .map(changeWords)
    .join("; ")}`;
  return {
    ...alertOf("changed_after_sent", message, fixFor(cartChange.purchaseOrders)),
    cartChange,
  };
}
