// Compression of the edge's answers (decision 40): pages, scripts, stylesheets and JSON go out with
// brotli (or gzip, for a client that asks only for that), through the `compression` middleware.
// Left alone:
//   - the carts' webhook doors and the providers' event door: their answers are a few bytes, and
//     the machines waiting on them count milliseconds, not bytes (they are answered before this
//     middleware in any case; the paths are listed so a reordering cannot change it);
//   - event streams (the live page updates): a compressor holds bytes back until it has enough to
//     pack, and an event that waits in it is an update the owner does not see.
// Brotli at quality 4 (the middleware's default) packs about as well as gzip -6 at a similar cost;
// the higher qualities take tens of milliseconds per megabyte, on every request, on the web process.
import compression from "compression";
import type { Request, Response, RequestHandler } from "express";

/** Paths answered to machines that wait on them: never compressed. */
const UNCOMPRESSED_PATHS = [/^\/webhooks(\/|$)/, /^\/api\/providers(\/|$)/];

export function isUncompressedPath(path: string): boolean {
  return UNCOMPRESSED_PATHS.some((pattern) => pattern.test(path));
}

function shouldCompress(req: Request, res: Response): boolean {
  if (isUncompressedPath(req.path)) return false;
  const type = String(res.getHeader("Content-Type") ?? "");
  if (/^text\/event-stream/i.test(type)) return false;
  // The middleware's own test: compressible types (HTML, JS, CSS, JSON, SVG…), not images or fonts
  // that are packed already.
  return compression.filter(req, res);
}

export function compressResponses(): RequestHandler {
  return compression({ filter: shouldCompress, threshold: 1024 });
}
