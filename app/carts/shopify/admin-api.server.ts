// One door to a shop's Admin GraphQL API for the connector: the offline session's client, Shopify's
// throttling honoured (THROTTLED errors wait for the cost bucket to refill, 429s for Retry-After),
// and every other failure turned into a CartReadError that says whether waiting may help.
import { GraphqlQueryError, HttpResponseError, HttpThrottlingError } from "@shopify/shopify-api";
import { CartReadError, type ConnectorContext } from "../connector";

export type Graphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<Response>;

export interface AdminApi {
  /** Runs a query or mutation and answers its `data`; throws CartReadError when it cannot. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface AdminApiOptions {
  /** How many times a throttled call is tried in all. */
  attempts?: number;
  /** Longest single wait for the bucket, in ms (Shopify restores 50–500 points a second). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface GraphqlErrorBody {
  errors?: {
    graphQLErrors?: { message: string; extensions?: { code?: string } }[];
    message?: string;
  };
  extensions?: {
    cost?: {
      requestedQueryCost?: number;
      throttleStatus?: {
        maximumAvailable?: number;
        currentlyAvailable?: number;
        restoreRate?: number;
      };
    };
  };
}

/** How long until the bucket holds what the query costs (Shopify's leaky-bucket figures). */
export function throttleWaitMs(body: GraphqlErrorBody, maxWaitMs: number): number {
  const cost = body.extensions?.cost;
  const status = cost?.throttleStatus;
  const wanted = cost?.requestedQueryCost ?? status?.maximumAvailable ?? 100;
  const available = status?.currentlyAvailable ?? 0;
  const rate = status?.restoreRate && status.restoreRate > 0 ? status.restoreRate : 50;
  const ms = Math.ceil((Math.max(0, wanted - available) / rate) * 1000);
  return Math.min(maxWaitMs, Math.max(50, ms));
}

function graphqlMessages(body: GraphqlErrorBody | undefined, fallback: string): string {
  const messages = body?.errors?.graphQLErrors?.map((e) => e.message).filter(Boolean) ?? [];
  return messages.length > 0 ? messages.join("; ") : (body?.errors?.message ?? fallback);
}

export async function openAdminApi(
  ctx: ConnectorContext,
  shopDomain: string,
  options: AdminApiOptions = {},
): Promise<AdminApi> {
  if (!ctx.shopify) throw new CartReadError("Shopify is not configured on this server", false);
  let graphql: Graphql;
  try {
    ({
      admin: { graphql },
    } = await ctx.shopify.unauthenticated.admin(shopDomain));
  } catch {
    throw new CartReadError(
      "Orderlane has no access to this shop any more (was the app uninstalled?)",
      false,
    );
  }
  const attempts = options.attempts ?? 6;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;

  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const last = attempt >= attempts;
        let response: Response;
        try {
          response = await graphql(query, { variables });
        } catch (err) {
          if (err instanceof GraphqlQueryError) {
            const body = err.body as GraphqlErrorBody | undefined;
            const throttled = body?.errors?.graphQLErrors?.some(
              (e) => e.extensions?.code === "THROTTLED",
            );
            if (throttled && !last) {
              await sleep(throttleWaitMs(body ?? {}, maxWaitMs));
              continue;
            }
            throw new CartReadError(
              `Shopify: ${graphqlMessages(body, err.message)}`,
              Boolean(throttled),
            );
          }
          if (err instanceof HttpThrottlingError) {
            if (!last) {
              const after = err.response.retryAfter;
              await sleep(Math.min(maxWaitMs, after && after > 0 ? after * 1000 : 1000));
              continue;
            }
            throw new CartReadError("Shopify kept refusing: too many requests", true);
          }
          if (err instanceof HttpResponseError) {
            const code = err.response.code;
            // 401/403/404 will not change by waiting; 5xx and the rest may.
            const retryable = !(code === 401 || code === 403 || code === 404);
            throw new CartReadError(
              `Shopify answered ${code} ${err.response.statusText ?? ""}`.trim(),
              retryable,
            );
          }
          throw new CartReadError(
            `Shopify could not be reached: ${err instanceof Error ? err.message : String(err)}`,
            true,
          );
        }
        const body = (await response.json()) as { data?: T };
        if (!body.data) throw new CartReadError("Shopify answered without data", true);
        return body.data;
      }
    },
  };
}
