// Every request body is bounded as it streams, whatever its framing: a declared Content-Length over
// the cap is refused before a byte is read, and a body without one (chunked) is counted and stopped
// at the cap. The rest of an oversize body is read and thrown away, never kept, so the client still
// gets its 413 instead of a reset connection.
import { Transform, type TransformCallback } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Caps by door: carts and providers send whole orders; owners' forms and the JSON API far less. */
export interface BodyCaps {
  /** Cart webhooks and provider events. */
  machine: number;
  /** The JSON API (bearer tokens). */
  api: number;
  /** Everything else: page forms, sign-in, WooCommerce's key callback. */
  form: number;
}

/** Paths are matched case-insensitively, as Express routes them. */
export function bodyCapFor(path: string, caps: BodyCaps): number {
  const lower = path.toLowerCase();
  if (lower.startsWith("/webhooks/") || lower.startsWith("/api/providers/")) return caps.machine;
  if (lower.startsWith("/api/")) return caps.api;
  return caps.form;
}

export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers["content-length"];
  if (header === undefined) return null;
  const length = Number(header);
  return Number.isFinite(length) ? length : null;
}

export class BodyTooLargeError extends Error {
  constructor(readonly cap: number) {
    super(`Request body is larger than ${Math.round(cap / 1024)} KiB`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * The request body as a stream that fails with BodyTooLargeError once more than `cap` bytes came
 * through; `exceeded()` says whether it did. Past the cap the request keeps being read and dropped.
 */
export function cappedBody(req: IncomingMessage, cap: number) {
  let seen = 0;
  let exceeded = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen <= cap) return done(null, chunk);
      exceeded = true;
      done(new BodyTooLargeError(cap));
    },
  });
  counter.on("error", () => {
    req.unpipe(counter);
    stopReading(req);
  });
  req.pipe(counter);
  return { stream: counter, exceeded: () => exceeded };
}

/** The whole body, or null once it passes the cap; the rest is read and dropped. */
export function readCappedBody(req: IncomingMessage, cap: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > cap) {
        over = true;
        chunks.length = 0;
        stopReading(req);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(over ? null : Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

/**
 * Past the cap nothing more is read: the answer (413) goes out, then the connection is closed, so
 * a sender that goes on pushing bytes costs us neither memory nor time.
 */
function stopReading(req: IncomingMessage): void {
  req.pause();
  const close = () => req.socket.destroy();
  const res = (req as IncomingMessage & { res?: ServerResponse }).res;
  if (res && !res.writableFinished) res.once("finish", close);
  else close();
}

export function tooLargeBody(cap: number) {
  return {
    error: { code: "body_too_large", message: new BodyTooLargeError(cap).message },
  };
}
