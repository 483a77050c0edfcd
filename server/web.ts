// The HTTP edge: static files, body-size limits, then Remix with the AppContext as load context.
import express, { type NextFunction, type Request, type Response } from "express";
import { createRequestHandler } from "@remix-run/express";
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
  app.set("trust proxy", true);

  app.use(limitBodySize(ctx.config.maxBodyBytes));

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
    createRequestHandler({
      build,
      mode: ctx.config.mode === "production" ? "production" : "development",
      getLoadContext: () => ctx,
    }),
  );
  return app;
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
    readBody(req, maxBytes)
      .then((body) => (body === null ? tooLarge(maxBytes) : handle(req, headers, body)))
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

function tooLarge(maxBytes: number) {
  return {
    status: 413,
    body: {
      error: {
        code: "body_too_large",
        message: `Request body is larger than ${Math.round(maxBytes / 1024)} KiB`,
      },
    },
  };
}

/** The whole body, or null once it passes the cap (a declared length was checked already). */
function readBody(req: Request, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(over ? null : Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

// Bodies are read by Remix from the raw stream, so the cap is enforced on the declared length; a
// body without one is refused on the machine-to-machine paths that never legitimately omit it.
function limitBodySize(maxBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const length = req.headers["content-length"];
    if (length === undefined) {
      if (req.headers["transfer-encoding"] && /^\/(webhooks|api)\//.test(req.path)) {
        res
          .status(411)
          .json({ error: { code: "length_required", message: "Send Content-Length" } });
        return;
      }
      return next();
    }
    if (Number(length) > maxBytes) {
      res.status(413).json({
        error: {
          code: "body_too_large",
          message: `Request body is larger than ${Math.round(maxBytes / 1024)} KiB`,
        },
      });
      return;
    }
    next();
  };
}
