// The shop's settings as the owner edits them on the Settings page: parsed from the form, checked
// field by field, and stored in shop.settings. Switching the processing mode moves the running
// countdowns in the same transaction, so no order is submitted under a mode the owner left.
import { and, eq, isNull, isNotNull } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { orders, shops } from "~/db/schema";
import { scheduleAutoSubmit } from "~/orders/countdown.server";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { ORDER_TYPES, ORDER_TYPE_LABELS } from "~/orders/core/model";
import { RECONCILE_MINUTES, type ShopSettings, shopSettings } from "~/orders/core/shop-settings";
import { knownTimeZone } from "./time-zones";

type Ctx = Pick<AppContext, "db" | "jobs">;

export const MAX_DELAY_MINUTES = 7 * 24 * 60;
/** A year: past that a parcel is not coming, and a shorter limit is the owner's to choose. */
export const MAX_ABANDON_AFTER_DAYS = 365;

/** One row of the type rules as the form sends it. */
export interface TypeRuleRow {
  sourceChannel: string;
  type: string;
}

/** The most type rules a shop keeps: each order is matched against every one. */
export const MAX_TYPE_RULES = 50;

/** The form's fields, all strings as a browser sends them. */
export interface SettingsForm {
  autoSubmitDelayMinutes: string;
  /** Left out (a form without the field): the shop keeps its current value. */
  abandonAfterDays?: string;
  /** Left out (a form without the field): the shop keeps its current value. */
  reconcileEveryMinutes?: string;
  processingMode: string;
  /** In order: the first rule whose channel the order's source channel contains wins. */
  typeRules: TypeRuleRow[];
  personalizedProducts: string;
  previewKeys: string;
  designKeys: string;
  clientImageKeys: string;
  notifyCustomerOnShipment: boolean;
  timezone: string;
  /** One a line; left out (a form without the field), the shop keeps its list. */
  shipmentMethods?: string;
}

export function settingsToForm(settings: ShopSettings): SettingsForm {
  return {
    autoSubmitDelayMinutes: String(settings.autoSubmitDelayMinutes),
    abandonAfterDays: String(settings.abandonAfterDays),
    reconcileEveryMinutes: String(settings.reconcileEveryMinutes),
    processingMode: settings.processingMode,
    typeRules: settings.typeRules.map((r) => ({ sourceChannel: r.sourceChannel, type: r.type })),
    personalizedProducts: settings.personalizedProducts.join(", "),
    previewKeys: settings.personalizationKeys.preview.join(", "),
    designKeys: settings.personalizationKeys.design.join(", "),
    clientImageKeys: settings.personalizationKeys.clientImages.join(", "),
    notifyCustomerOnShipment: settings.notifyCustomerOnShipment,
    timezone: settings.timezone,
    shipmentMethods: settings.shipmentMethods.join("\n"),
  };
}

const commaList = (what: string, max: number) =>
  z
    .string()
    .max(5000, `The ${what} are at most 5000 characters`)
    .transform((text) => [
      ...new Set(
        text
          .split(/[,\n]/)
          .map((part) => part.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().max(200, `Each of the ${what} is at most 200 characters`))
        .max(max, `At most ${max} ${what}`),
    );

const TYPE_NAMES = ORDER_TYPES.map((t) => ORDER_TYPE_LABELS[t]).join(", ");

/**
 * Each row checked on its own, so the page can put the message next to the field it is about
 * (`typeRules.<row>.sourceChannel`). Channels are kept lower-cased, as orders are matched.
 */
const typeRules = z
  .array(
    z.object({
      sourceChannel: z
        .string()
        .trim()
        .toLowerCase()
        .min(1, "Enter the source channel as the cart names it (such as amazon), or remove the row")
        .max(100, "A source channel is at most 100 characters"),
      type: z.enum(ORDER_TYPES, { message: `Choose a type: ${TYPE_NAMES}` }),
    }),
  )
  .max(MAX_TYPE_RULES, `At most ${MAX_TYPE_RULES} type rules`)
  .superRefine((rules, issue) => {
    const firstRow = new Map<string, number>();
    for (const [index, rule] of rules.entries()) {
      const earlier = firstRow.get(rule.sourceChannel);
      if (earlier !== undefined) {
        issue.addIssue({
          code: "custom",
          path: [index, "sourceChannel"],
          message: `Row ${earlier + 1} already matches "${rule.sourceChannel}" and the first match wins: remove one`,
        });
      } else {
        firstRow.set(rule.sourceChannel, index);
      }
    }
  });

/** A whole number typed into a form field, within bounds, each refusal in the owner's words. */
function wholeNumber(
  unit: "minutes" | "days",
  min: { value: number; message: string },
  max: { value: number; message: string },
) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `Enter a whole number of ${unit}`)
    .transform(Number)
    .pipe(z.number().int().min(min.value, min.message).max(max.value, max.message));
}

export const settingsSchema = z.object({
  autoSubmitDelayMinutes: wholeNumber(
    "minutes",
    { value: 0, message: "Enter a whole number of minutes" },
    { value: MAX_DELAY_MINUTES, message: `At most ${MAX_DELAY_MINUTES} minutes (a week)` },
  ),
  abandonAfterDays: wholeNumber(
    "days",
    { value: 1, message: "Enter at least 1 day" },
    {
      value: MAX_ABANDON_AFTER_DAYS,
      message: `At most ${MAX_ABANDON_AFTER_DAYS} days (a year)`,
    },
  ).optional(),
  reconcileEveryMinutes: wholeNumber(
    "minutes",
    {
      value: RECONCILE_MINUTES.min,
      message: `Every ${RECONCILE_MINUTES.min} minutes at the most often`,
    },
    {
      value: RECONCILE_MINUTES.max,
      message: `At least once a day (${RECONCILE_MINUTES.max} minutes)`,
    },
  ).optional(),
  processingMode: z.enum(["automatic", "manual"], { message: "Choose automatic or manual" }),
  typeRules,
  personalizedProducts: commaList("product ids", 1000),
  previewKeys: commaList("preview keys", 20),
  designKeys: commaList("design keys", 20),
  clientImageKeys: commaList("client image keys", 20),
  notifyCustomerOnShipment: z.boolean(),
  shipmentMethods: z
    .string()
    .max(5000, "The shipment methods are at most 5000 characters")
    .transform((text) => [
      ...new Set(
        text
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().max(80, "A shipment method is at most 80 characters"))
        .min(1, "Keep at least one shipment method, so Update Shipment has one to offer")
        .max(50, "At most 50 shipment methods"),
    )
    .optional(),
  timezone: z
    .string()
    .trim()
    .transform((zone, issue) => {
      const valid = knownTimeZone(zone);
      if (!valid) {
        issue.addIssue({
          code: "custom",
          message: "Choose a time zone from the list, such as Europe/Berlin or America/New_York",
        });
        return z.NEVER;
      }
      return valid;
    }),
});

export type SaveSettingsResult =
  | { ok: true; settings: ShopSettings; countdowns: { stopped: number; started: number } }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; notFound: true };

export async function saveShopSettings(
  ctx: Ctx,
  shopId: string,
  form: SettingsForm,
  acting: { name: string },
): Promise<SaveSettingsResult> {
  const parsed = settingsSchema.safeParse(form);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      errors[issue.path.map(String).join(".") || "form"] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const input = parsed.data;
  return ctx.db.transaction(async (tx) => {
    const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).for("update");
    if (!shop) return { ok: false, notFound: true };
    const before = shopSettings(shop);
    const settings: ShopSettings = {
      ...before,
      autoSubmitDelayMinutes: input.autoSubmitDelayMinutes,
      abandonAfterDays: input.abandonAfterDays ?? before.abandonAfterDays,
      reconcileEveryMinutes: input.reconcileEveryMinutes ?? before.reconcileEveryMinutes,
      processingMode: input.processingMode,
      typeRules: input.typeRules,
      personalizedProducts: input.personalizedProducts,
      personalizationKeys: {
        preview: input.previewKeys,
        design: input.designKeys,
        clientImages: input.clientImageKeys,
      },
      notifyCustomerOnShipment: input.notifyCustomerOnShipment,
      shipmentMethods: input.shipmentMethods ?? before.shipmentMethods,
      timezone: input.timezone,
      // Saving the zone that was shown keeps where it came from; a different one is the owner's.
      timezoneSource: input.timezone === before.timezone ? before.timezoneSource : "owner",
    };
    await tx.update(shops).set({ settings, updatedAt: new Date() }).where(eq(shops.id, shopId));
    let countdowns = { stopped: 0, started: 0 };
    if (before.processingMode !== settings.processingMode) {
      countdowns =
        settings.processingMode === "manual"
          ? { stopped: await stopCountdowns(tx, shopId, acting), started: 0 }
          : { stopped: 0, started: await startCountdowns(ctx, tx, shopId, settings, acting) };
    }
    return { ok: true, settings, countdowns };
  });
}

/** Manual mode: nothing is submitted on its own, so running countdowns stop (their jobs go stale). */
async function stopCountdowns(tx: Tx, shopId: string, acting: { name: string }): Promise<number> {
  const stopped = await tx
    .update(orders)
    .set({ autoSubmitAt: null, updatedAt: new Date() })
    .where(and(eq(orders.shopId, shopId), eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)))
    .returning({ id: orders.id });
  for (const order of stopped) {
    await addTimelineEntry(tx, {
      shopId,
      orderId: order.id,
      actor: "owner",
      actorName: acting.name,
      action: "countdown_stopped",
      message: "Countdown stopped: the shop now processes orders manually",
    });
  }
  return stopped.length;
}

/** Automatic mode: New in-app orders the cart marks paid start counting down from now. */
async function startCountdowns(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  settings: ShopSettings,
  acting: { name: string },
): Promise<number> {
  const dueAt = new Date(Date.now() + settings.autoSubmitDelayMinutes * 60_000);
  const started = await tx
    .update(orders)
    .set({ autoSubmitAt: dueAt, updatedAt: new Date() })
    .where(
      and(
        eq(orders.shopId, shopId),
        eq(orders.state, "new"),
        eq(orders.type, "in_app"),
        eq(orders.cartStatus, "processing"),
        isNull(orders.autoSubmitAt),
        isNull(orders.autoSubmitRemainingMs),
      ),
    )
    .returning({ id: orders.id, shopId: orders.shopId });
  for (const order of started) {
    await scheduleAutoSubmit(ctx.jobs, tx, order, dueAt);
    await addTimelineEntry(tx, {
      shopId,
      orderId: order.id,
      actor: "owner",
      actorName: acting.name,
      action: "countdown_started",
      message: `Countdown started: the shop now processes orders automatically (${settings.autoSubmitDelayMinutes} min)`,
    });
  }
  return started.length;
}
