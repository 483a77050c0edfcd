// Edit Design: the owner corrects a line's personalisation (an option the customer mistyped, a
// better final design file) during the review window. Allowed only while the lifecycle table
// allows "edit", i.e. before anything went to a provider; recorded as a manual edit so a later
// cart update does not undo it, and in the timeline with the owner's name.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { lineItems, orders } from "~/db/schema";
import { onLockedOrder, type ActionOutcome } from "./outcome.server";
import type { ManualEdits, Personalization, PersonalizationOption } from "~/orders/core/model";
import { transition, type ActingAs } from "~/orders/core/transitions.server";

type Ctx = Pick<AppContext, "db" | "config">;

/** Longest option value we store; carts cap line properties well below this. */
export const MAX_OPTION_LENGTH = 500;
const MAX_URL_LENGTH = 2048;

const DESIGN_URL_RULE =
  "The design file must be an https:// URL the provider can download, or one of the app's own files";

/** A path to one of the app's own files: one leading slash, nothing that climbs out or leaves. */
const OWN_FILE_PATH = /^\/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/;

/**
 * Where a design file the owner typed lives, as it is stored: an https address as typed; one of
 * the app's own files (the demo's designs under /demo/…, or the same file by its full address on
 * this app) as its path, which purchase orders turn into an address on the app's public URL.
 * Anything else (http elsewhere, javascript:, another host without a scheme) is refused.
 */
function designLocation(value: string, publicUrl: string): string | null {
  const own = new URL(publicUrl);
  if (OWN_FILE_PATH.test(value)) {
    const resolved = new URL(value, own);
    const segments = value.split(/[?#]/)[0]!.split("/");
    if (resolved.origin !== own.origin || segments.some((s) => s === ".." || s === "."))
      return null;
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.origin === own.origin) return `${url.pathname}${url.search}`;
  return url.protocol === "https:" ? value : null;
}

const designUrlText = z
  .string()
  .trim()
  .max(MAX_URL_LENGTH, `The design file URL is longer than ${MAX_URL_LENGTH} characters`);

export const designEditSchema = z.object({
  cartLineId: z.string().trim().min(1, "Which item to edit is missing").max(200),
  designUrl: z.string().optional(),
  /** The item's options in their order, each with its new value: a name may repeat. */
  options: z
    .array(z.object({ name: z.string(), value: z.string() }))
    .max(200)
    .default([]),
});
export type DesignEditInput = z.input<typeof designEditSchema>;

export function designKey(cartLineId: string): string {
  return `lineItem:${cartLineId}:personalization`;
}

/** "Name "Ana" → "Anna"; design file changed", for the timeline. */
function describeChange(before: Personalization, after: Personalization): string[] {
  const changes: string[] = [];
  (after.options ?? []).forEach(({ name, value }, i) => {
    const old = before.options?.[i]?.value;
    if (old !== value) changes.push(`${name} "${old ?? ""}" → "${value}"`);
  });
  if ((before.designUrl ?? null) !== (after.designUrl ?? null)) changes.push("design file changed");
  return changes;
}

export async function editDesign(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  rawInput: unknown,
  acting: ActingAs,
): Promise<ActionOutcome> {
  const parsed = designEditSchema.safeParse(rawInput);
  if (!parsed.success) {
    return {
      ok: false,
      code: "invalid",
      reason: parsed.error.issues[0]?.message ?? "The design edit is not valid",
    };
  }
  const input = parsed.data;
  // The table is asked before the values are checked, so an owner looking at a submitted order
  // reads why, not a typo.
  return onLockedOrder(ctx, shopId, orderId, "edit", acting, async (tx, locked, facts) => {
    const [item] = await tx
      .select()
      .from(lineItems)
      .where(
        and(
          eq(lineItems.orderId, orderId),
          eq(lineItems.shopId, shopId),
          eq(lineItems.cartLineId, input.cartLineId),
        ),
      )
      .limit(1);
    if (!item) return { ok: false, code: "not_found", reason: "This order has no such item" };

    const before: Personalization = item.personalization ?? {};
    const fieldErrors: Record<string, string> = {};
    // Options are matched by position, since a name may repeat; a list that no longer matches
    // the item's (the cart changed it meanwhile) is refused rather than applied to the wrong one.
    const options: PersonalizationOption[] = (before.options ?? []).map((o) => ({ ...o }));
    input.options.forEach((edit, i) => {
      const field = `options.${i}`;
      const current = options[i];
      if (!current || current.name !== edit.name) {
        fieldErrors[field] = `${edit.name} is not one of this item's options`;
        return;
      }
      const value = edit.value.trim();
      if (value === "") fieldErrors[field] = `${edit.name} cannot be empty`;
      else if (value.length > MAX_OPTION_LENGTH) {
        fieldErrors[field] = `${edit.name} is longer than ${MAX_OPTION_LENGTH} characters`;
      } else current.value = value;
    });
    let nextDesignUrl = before.designUrl ?? null;
    if (input.designUrl !== undefined) {
      if (input.designUrl.trim() === "") {
        if (before.designUrl) fieldErrors.designUrl = "The final design file cannot be removed";
      } else {
        const text = designUrlText.safeParse(input.designUrl);
        const location = text.success ? designLocation(text.data, ctx.config.publicUrl) : null;
        if (location) nextDesignUrl = location;
        else fieldErrors.designUrl = text.error?.issues[0]?.message ?? DESIGN_URL_RULE;
      }
    }
    if (Object.keys(fieldErrors).length > 0) {
      return {
        ok: false,
        code: "invalid",
        reason: "Some values need fixing before the design can be saved",
        fieldErrors,
      };
    }

    const after: Personalization = { ...before, options, designUrl: nextDesignUrl };
    const changes = describeChange(before, after);
    if (changes.length === 0) return { ok: true, message: "Nothing changed", orderId };

    const key = designKey(item.cartLineId);
    const edits: ManualEdits = { ...(locked.order.manualEdits ?? {}) };
    // `from` stays the cart's value across several edits, so Reset restores what the customer sent.
    edits[key] = {
      from: edits[key]?.from ?? before,
      to: after,
      at: new Date().toISOString(),
      by: acting.name ?? acting.actor,
    };
    await tx
      .update(lineItems)
      .set({ personalization: after })
      .where(and(eq(lineItems.id, item.id), eq(lineItems.shopId, shopId)));
    await tx
      .update(orders)
      .set({ manualEdits: edits })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    await transition(tx, locked, {
      action: "edit",
      acting,
      facts,
      message: `Personalisation of ${item.title} changed: ${changes.join("; ")}`,
      data: { cartLineId: item.cartLineId, field: key },
    });
    return { ok: true, message: `Design of ${item.title} saved`, orderId };
  });
}
