// The HTTP edge: security headers, who may post, body-size limits, rate limits, the carts' webhook
// doors, compression, static files, then Remix with the AppContext as load context.
import express, { type NextFunction, type Request, type Response } from "express";
import type { ServerBuild } from "@remix-run/node";
import type { ViteDevServer } from "vite";
import { receiveShopifyDelivery, type DoorAnswer } from "~/carts/shopify/delivery.server";
import {
  WebhookBacklogError,
  describeDeliveryFailure,
  type HeaderLookup,
} from "~/carts/webhook-receipts.server";
import { receiveWooCommerceDelivery } from "~/carts/woocommerce/delivery.server";
import type { AppContext } from "~/context.server";
import { API_MAX_BODY_BYTES } from "~/api/http.server";
import {
  bodyCapFor,
  declaredLength,
  readCappedBody,
  tooLargeBody,
  type BodyCaps,
} from "./body-cap";
import { compressResponses } from "./compress";
import { baseSecurityHeaders, refuseCrossSitePosts, refuseNulInUrl } from "./edge-guards";
import { rateLimits } from "./rate-limits";
import { remixHandoff } from "./remix-handoff";

/** Owners' forms are small; a page form past this is a mistake or an attack. */
export const FORM_MAX_BODY_BYTES = 128 * 1024;

export interface WebOptions {
  ctx: AppContext;
  /** Production: the built server bundle. Development and demo: Vite compiles on request. */
  build: ServerBuild | (() => Promise<ServerBuild>);
  vite?: ViteDevServer;
  clientDir?: string;
}

export function createWebApp({ ctx, build, vite, clientDir }: WebOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Off unless TRUST_PROXY says which proxies to believe: otherwise any client could choose the
  // address the rate limits count it under, and the scheme and host the app sees.
  app.set("trust proxy", ctx.config.trustProxy);

  const caps: BodyCaps = {
    machine: ctx.config.maxBodyBytes,
    api: API_MAX_BODY_BYTES,
    form: FORM_MAX_BODY_BYTES,
  };
  app.use(baseSecurityHeaders);
  app.use(refuseNulInUrl);
  app.use(refuseDeclaredOversize(caps));
  app.use(refuseCrossSitePosts(ownOrigins(ctx)));
  // After the refusals that cost nothing (a forged or oversize post is not counted against anyone),
  // before the doors it limits: sign-in, the WooCommerce connect form and the JSON API.
  app.use(rateLimits(ctx.database, ctx.config.rateLimits));

  // The carts' webhook doors are served here, ahead of Remix, calling the same services a route
  // would: a delivery costs about half the CPU without Remix's request and response conversion
  // (docs/decisions/0017-webhook-door.md). Carts wait on the answer and send in bursts.
  app.all(
    "/webhooks/shopify",
    cartDoor(ctx.config.maxBodyBytes, (req, headers, body) =>
      receiveShopifyDelivery(ctx, { method: req.method, headers, body }),
    ),
  );
  app.all(
    "/webhooks/woocommerce/:shopId",
    cartDoor(ctx.config.maxBodyBytes, async (req, headers, body) => {
      if (req.method !== "POST") {
        return {
          status: 405,
          body: {
            error: { code: "method_not_allowed", message: "WooCommerce webhooks are POSTed" },
          },
          headers: { Allow: "POST" },
        };
      }
      return receiveWooCommerceDelivery(ctx, String(req.params.shopId ?? ""), headers, body);
    }),
  );

  // After the doors above (their answers are tiny and waited on), before everything that serves
  // pages and files (decision 40).
  app.use(compressResponses());

  if (vite) {
    app.use(vite.middlewares);
  } else if (clientDir) {
    app.use(
      "/assets",
      express.static(`${clientDir}/assets`, { immutable: true, maxAge: "1y", index: false }),
    );
    app.use(express.static(clientDir, { maxAge: "1h", index: false }));
  }
  if (vite) app.use(express.static("public", { maxAge: "1h", index: false }));

  app.all(
    "*",
    remixHandoff({
      build,
      mode: ctx.config.mode === "production" ? "production" : "development",
      ctx,
      caps,
    }),
  );
  return app;
}

/** The origins the app's own pages are served from, besides the request's own host. */
function ownOrigins(ctx: AppContext): string[] {
  const urls = [ctx.config.publicUrl, ctx.config.shopify?.appUrl].filter(
    (u): u is string => typeof u === "string" && u !== "",
  );
  return urls.flatMap((u) => {
    try {
      return [new URL(u).origin];
    } catch {
      return [];
    }
  });
}

type DoorHandler = (
  req: Request,
  headers: HeaderLookup,
  body: Buffer,
) => Promise<Pick<DoorAnswer, "status" | "headers"> & { body: unknown }>;

/** Reads the raw body (signatures cover the bytes as sent), then answers what the service says. */
function cartDoor(maxBytes: number, handle: DoorHandler) {
  return (req: Request, res: Response) => {
    const headers: HeaderLookup = {
      get: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(", ") : value;
      },
    };
    readCappedBody(req, maxBytes)
      .then((body) =>
        body === null ? { status: 413, body: tooLargeBody(maxBytes) } : handle(req, headers, body),
      )
      .then((answer) => {
        if (answer.headers) res.set(answer.headers);
        if (answer.body === null || answer.body === undefined) res.status(answer.status).end();
        else res.status(answer.status).json(answer.body);
      })
      .catch((err: unknown) => {
        const backlog = err instanceof WebhookBacklogError;
        if (!backlog) console.error(`[webhooks] delivery failed: ${describeDeliveryFailure(err)}`);
        if (res.headersSent) return res.end();
        // The cart retries a 5xx later, and the delivery is either stored whole or not at all.
        if (backlog) {
          res.set("Retry-After", "5");
          res.status(503).json({ error: { code: "busy", message: err.message } });
          return;
        }
        res.status(500).json({
          error: { code: "internal_error", message: "The delivery could not be stored; retry" },
        });
      });
  };
}

/** A declared length over the door's cap is refused before a byte is read. */
function refuseDeclaredOversize(caps: BodyCaps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const length = declaredLength(req);
    const cap = bodyCapFor(req.path, caps);
    if (length !== null && length > cap) {
      res.status(413).json(tooLargeBody(cap));
      return;
    }
    next();
  };
}
