// The catalog filters on a few fields that summarise other rows (item count, submit status and its
// reason). This is the only function that writes them, always inside the transaction that changed
// the rows they summarise, so the summary can never drift from the truth.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";

export async function refreshOrderSummary(
  tx: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<void> {
  await refreshOrderSummaries(tx, shopId, [orderId]);
}

/** The same, for many orders of one shop in one statement (Import stores pages of 250). */
export async function refreshOrderSummaries(
  tx: DbOrTx,
  shopId: string,
  orderIds: readonly string[],
): Promise<void> {
  if (orderIds.length === 0) return;
  const ids = sql.join(
    orderIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  // Each order's submissions are read once; a row whose summary is already right is not written
  // again (no new row version, no trigger, no live-page notification for nothing).
  await tx.execute(sql`
    update "order" o set
      item_count = v.item_count,
      submit_status = v.submit_status,
      submit_failure_reason = v.submit_failure_reason,
      updated_at = now()
    from (
      select o2.id,
        coalesce((select sum(li.quantity)::int from line_item li where li.order_id = o2.id), 0)
          as item_count,
        case
          when s.failed > 0 then 'failed'::submit_status
          when s.submitted > 0 and s.open = 0 then 'submitted'::submit_status
          else null end as submit_status,
        s.failure_reason as submit_failure_reason
      from "order" o2
      cross join lateral (
        select count(*) filter (where sub.state = 'failed') as failed,
          count(*) filter (where sub.state = 'submitted') as submitted,
          count(*) filter (where sub.state in ('pending', 'submitting')) as open,
          (array_agg(sub.last_error order by sub.updated_at desc)
            filter (where sub.state = 'failed'))[1] as failure_reason
        from submission sub where sub.order_id = o2.id) s
      where o2.id in (${ids}) and o2.shop_id = ${shopId}
    ) v
    where o.id = v.id and o.shop_id = ${shopId}
      and (o.item_count, o.submit_status, o.submit_failure_reason)
        is distinct from (v.item_count, v.submit_status, v.submit_failure_reason)
  `);
}
