// The order's timeline. Every lifecycle transition and every owner action writes one row here, in
// the same transaction as the change it describes.
import type { DbOrTx } from "~/db/client.server";
import { orderEvents } from "~/db/schema";
import type { LifecycleState } from "./model";

export type Actor = "system" | "owner" | "cart" | "provider";

export interface TimelineEntry {
  shopId: string;
  orderId: string;
  actor: Actor;
  actorName?: string | null;
  action: string;
  fromState?: LifecycleState | null;
  toState?: LifecycleState | null;
  message?: string | null;
  data?: Record<string, unknown> | null;
  at?: Date;
}

export async function addTimelineEntry(tx: DbOrTx, event: TimelineEntry): Promise<void> {
  await addTimelineEntries(tx, [event]);
}

/** Several timeline rows in one insert (changes made to many orders at once). */
export async function addTimelineEntries(tx: DbOrTx, events: TimelineEntry[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(orderEvents).values(events.map(timelineRow));
}

/** The row a timeline entry is stored as; entries without a time get the database's now. */
export function timelineRow(event: TimelineEntry): typeof orderEvents.$inferInsert {
  return {
    shopId: event.shopId,
    orderId: event.orderId,
    actor: event.actor,
    actorName: event.actorName ?? null,
    action: event.action,
    fromState: event.fromState ?? null,
    toState: event.toState ?? null,
    message: event.message ?? null,
    data: event.data ?? null,
    ...(event.at ? { createdAt: event.at } : {}),
  };
}
