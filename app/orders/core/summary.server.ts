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
  await tx.execute(sql`
    update "order" o set
      item_count = coalesce(
        (select sum(li.quantity)::int from line_item li where li.order_id = o.id), 0),
      submit_status = case
        when exists (select 1 from submission s where s.order_id = o.id and s.state = 'failed')
          then 'failed'::submit_status
        when exists (select 1 from submission s where s.order_id = o.id and s.state = 'submitted')
          and not exists (select 1 from submission s where s.order_id = o.id
                          and s.state in ('pending', 'submitting'))
          then 'submitted'::submit_status
        else null end,
      submit_failure_reason = (
        select s.last_error from submission s
        where s.order_id = o.id and s.state = 'failed'
        order by s.updated_at desc limit 1),
      updated_at = now()
    where o.id in (${ids}) and o.shop_id = ${shopId}
  `);
}
