// Hands a request to Remix with its body bounded as it streams, and keeps internals out of error
// answers. Built on Remix's own Express helpers: only the body and the 5xx answers differ.
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type ServerBuild,
} from "@remix-run/node";
import type { AppContext } from "~/context.server";
import { bodyCapFor, cappedBody, tooLargeBody, type BodyCaps } from "./body-cap";

/** The header that carries a request's error reference to the app's error log (entry.server). */
export const ERROR_REF_HEADER = "x-orderlane-error-ref";

export function remixHandoff(options: {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: "production" | "development";
  ctx: AppContext;
  caps: BodyCaps;
}) {
  const handle = createRequestHandler(options.build, options.mode);
  return async (req: Request, res: Response, next: NextFunction) => {
    const cap = bodyCapFor(req.path, options.caps);
    const body = req.method === "GET" || req.method === "HEAD" ? null : cappedBody(req, cap);
    const ref = randomBytes(4).toString("hex");
    try {
      const request = remixRequest(req, res, body?.stream ?? null, ref);
      const response = await handle(request, options.ctx);
      if (body?.exceeded()) {
        await response.body?.cancel();
        res.status(413).json(tooLargeBody(cap));
        return;
      }
      if (response.status >= 500 && !isDocument(response)) {
        // A data or resource answer's 5xx could carry a driver's message or a query; the owner
        // gets a reference the log line also carries instead.
        await response.body?.cancel();
        res.status(response.status).json(internalError(ref));
        return;
      }
      await sendResponse(res, response);
    } catch (error) {
      if (body?.exceeded()) {
        res.status(413).json(tooLargeBody(cap));
        return;
      }
      next(error);
    }
  };
}

export function internalError(ref: string) {
  return {
    error: {
      code: "internal_error",
      message: `Something went wrong on our side; nothing was changed. Reference ${ref}.`,
      reference: ref,
    },
  };
}

function isDocument(response: globalThis.Response): boolean {
  return /text\/html/i.test(response.headers.get("content-type") ?? "");
}

/** As Remix's Express adapter builds it, with the capped body and the error reference added. */
function remixRequest(
  req: Request,
  res: Response,
  body: Readable | null,
  ref: string,
): globalThis.Request {
  // X-Forwarded-Host counts only from a proxy TRUST_PROXY believes, as it does for req.hostname.
  const trusted = (req.app.get("trust proxy fn") as TrustProxyFn)(req.socket.remoteAddress, 0);
  const forwardedHost = trusted ? req.get("X-Forwarded-Host")?.split(",")[0]?.trim() : undefined;
  const [, forwardedPort] = forwardedHost?.split(":") ?? [];
  const [, hostPort] = req.get("host")?.split(":") ?? [];
  const port = [Number.parseInt(forwardedPort ?? "", 10), Number.parseInt(hostPort ?? "", 10)].find(
    (p) => Number.isSafeInteger(p),
  );
  const url = new URL(
    `${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`,
  );
  const headers = webHeaders(req.headers);
  headers.set(ERROR_REF_HEADER, ref);
  let controller: AbortController | null = new AbortController();
  const signal = controller.signal;
  // Abort loaders and actions once the answer can no longer be written (closed before finished).
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal };
  if (body) {
    init.body = createReadableStreamFromReadable(body);
    init.duplex = "half";
  }
  return new Request(url.href, init);
}

/** What Express compiles `trust proxy` into: is the hop at this distance a trusted proxy? */
type TrustProxyFn = (address: string | undefined, hop: number) => boolean;

function webHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

async function sendResponse(res: Response, response: globalThis.Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  // The live page's event stream must reach the browser before its first event.
  if (/text\/event-stream/i.test(response.headers.get("content-type") ?? "")) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
