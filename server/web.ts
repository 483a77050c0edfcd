// The HTTP edge: static files, body-size limits, then Remix with the AppContext as load context.
import express, { type NextFunction, type Request, type Response } from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import type { ViteDevServer } from "vite";
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
