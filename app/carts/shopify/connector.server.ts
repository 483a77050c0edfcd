// Shopify as a cart, through the Admin GraphQL API (version pinned in shopify.server.ts).
import { CartReadError } from "../connector";
import type { CartConnector, ConnectorContext, PushOutcome, TrackingPush } from "../connector";

const FULFILLMENT_ORDERS = `#graphql
  query OrderlaneFulfillmentOrders($id: ID!) {
    order(id: $id) {
      id
      fulfillmentOrders(first: 50) {
        nodes {
          id
          status
          lineItems(first: 250) {
            nodes { id remainingQuantity lineItem { id } }
          }
        }
      }
    }
  }`;

const FULFILLMENT_CREATE = `#graphql
  mutation OrderlaneFulfillmentCreate($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment { id status }
      userErrors { field message }
    }
  }`;

interface FulfillmentOrdersData {
  order: {
    fulfillmentOrders: {
      nodes: {
        id: string;
        status: string;
        lineItems: {
          nodes: { id: string; remainingQuantity: number; lineItem: { id: string } }[];
        };
      }[];
    };
  } | null;
}

interface FulfillmentCreateData {
  fulfillmentCreate: {
    fulfillment: { id: string } | null;
    userErrors: { field: string[] | null; message: string }[];
  } | null;
}

/** Fulfillment orders Shopify lets an app fulfil. */
const FULFILLABLE = new Set(["OPEN", "IN_PROGRESS"]);

export const gid = (type: string, id: string) =>
  id.startsWith("gid://") ? id : `gid://shopify/${type}/${id}`;

type Graphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<Response>;

async function run<T>(graphql: Graphql, query: string, variables: Record<string, unknown>) {
  const response = await graphql(query, { variables });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  if (!body.data) throw new Error("Shopify answered without data");
  return body.data;
}

/** Which fulfillment order lines carry the parcel's items, and how many of each. */
export function planFulfillment(
  fulfillmentOrders: NonNullable<FulfillmentOrdersData["order"]>["fulfillmentOrders"]["nodes"],
  items: TrackingPush["items"],
): { fulfillmentOrderId: string; fulfillmentOrderLineItems: { id: string; quantity: number }[] }[] {
  const wanted = new Map(items.map((i) => [gid("LineItem", i.cartLineId), i.quantity]));
  const plan = [];
  for (const fo of fulfillmentOrders) {
    if (!FULFILLABLE.has(fo.status)) continue;
    const lines = [];
    for (const line of fo.lineItems.nodes) {
      const left = wanted.get(line.lineItem.id) ?? 0;
      const quantity = Math.min(left, line.remainingQuantity);
      if (quantity <= 0) continue;
      lines.push({ id: line.id, quantity });
      wanted.set(line.lineItem.id, left - quantity);
    }
    if (lines.length > 0)
      plan.push({ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: lines });
  }
  return plan;
}

export function createShopifyConnector(ctx: ConnectorContext): CartConnector {
  // TODO(order sync): reading orders and writing status arrive with the order-sync work.
  const notYet = { ok: false as const, retryable: false, reason: "Not available yet for Shopify" };
  return {
    async fetchOrder() {
      return notYet;
    },
    // eslint-disable-next-line require-yield
    async *importOrders() {
      throw new CartReadError(notYet.reason, false);
    },
    async setOrderStatus() {
      return notYet;
    },
    orderEditorUrl(order) {
      return `shopify://admin/orders/${order.cartOrderId}`;
    },
    async pushTracking(push): Promise<PushOutcome> {
      if (!ctx.shopify) return { ok: false, retryable: false, reason: "Shopify is not configured" };
      let graphql: Graphql;
      try {
        ({
          admin: { graphql },
        } = await ctx.shopify.unauthenticated.admin(push.shopDomain));
      } catch {
        return {
          ok: false,
          retryable: false,
          reason: "Orderlane has no access to this shop any more (was the app uninstalled?)",
        };
      }
      try {
        const data = await run<FulfillmentOrdersData>(graphql, FULFILLMENT_ORDERS, {
          id: gid("Order", push.cartOrderId),
        });
        if (!data.order)
          return { ok: false, retryable: false, reason: "Shopify no longer has this order" };
        const plan = planFulfillment(data.order.fulfillmentOrders.nodes, push.items);
        if (plan.length === 0) {
          // Already fulfilled in Shopify (by hand, or an earlier attempt that timed out after
          // succeeding): the tracking has nowhere left to go, and nothing is lost by stopping.
          return { ok: true };
        }
        const created = await run<FulfillmentCreateData>(graphql, FULFILLMENT_CREATE, {
          fulfillment: {
            lineItemsByFulfillmentOrder: plan,
            notifyCustomer: push.notifyCustomer,
            trackingInfo: {
              company: push.carrier ?? undefined,
              number: push.trackingNumber,
              url: push.trackingUrl ?? undefined,
            },
          },
        });
        const errors = created.fulfillmentCreate?.userErrors ?? [];
        if (errors.length > 0 || !created.fulfillmentCreate?.fulfillment) {
          return {
            ok: false,
            retryable: false,
            reason: `Shopify refused the fulfillment: ${errors.map((e) => e.message).join("; ") || "no reason given"}`,
          };
        }
        return { ok: true };
      } catch (err) {
        // Throttling, 5xx and network errors: the push job retries with backoff.
        return {
          ok: false,
          retryable: true,
          reason: `Shopify: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}
