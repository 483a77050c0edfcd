// Opens a distributor's feed file as a stream, over FTP/FTPS (basic-ftp), SFTP (ssh2-sftp-client) or
// HTTPS (fetch under the outbound-request policy). The caller reads the stream as it arrives and
// must also await `done`: a transfer can end early with its bytes looking complete (FTP closes the
// data connection, then reports the failure on the control connection), and only `done` says the
// whole file arrived.
import { PassThrough, Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Client as FtpClient, FTPError } from "basic-ftp";
import SftpClient from "ssh2-sftp-client";
import {
  outboundFetch,
  outboundRefusal,
  publicAddresses,
  type OutboundPolicy,
} from "~/security/outbound.server";
import { DEFAULT_PORTS, type FeedProtocol } from "./feed-settings";

export interface FeedSource {
  protocol: FeedProtocol;
  host: string;
  port: number | null;
  path: string;
  username?: string;
  password?: string;
}

export interface FeedFetchOptions {
  policy: OutboundPolicy;
  /**
   * "ftp://127.0.0.1:2121"-style addresses reached without the public-address check: only the
   * demo's own feed servers, which this process started.
   */
  trustedAddresses?: readonly string[];
  /** No byte for this long (connecting or mid-file) fails the fetch. */
  timeoutMs: number;
  /** A file larger than this is refused as it streams, before it is read whole. */
  maxBytes: number;
}

export type FeedFailure =
  "login" | "timeout" | "not_found" | "connection" | "refused" | "too_large";

/** Why a feed could not be fetched, in the owner's words. */
export class FeedFetchError extends Error {
  constructor(
    readonly failure: FeedFailure,
    message: string,
  ) {
    super(message);
    this.name = "FeedFetchError";
  }
}

export interface OpenedFeed {
  stream: Readable;
  /** Resolves once the server confirmed the whole file was sent; rejects with FeedFetchError. */
  done: Promise<void>;
  /** Ends the connection (after `done`, or to give up). */
  close(): Promise<void>;
}

export function feedAddress(source: Pick<FeedSource, "protocol" | "host" | "port">): string {
  return `${source.protocol}://${source.host}:${source.port ?? DEFAULT_PORTS[source.protocol]}`;
}

/** The address to connect to: the host itself if trusted or private calls are allowed, else a checked public IP. */
async function reachable(source: FeedSource, options: FeedFetchOptions): Promise<string> {
  if (options.policy.allowPrivate || options.trustedAddresses?.includes(feedAddress(source))) {
    return source.host;
  }
  try {
    const [first] = await publicAddresses(source.host, options.policy.lookup);
    return first!.address;
  } catch (error) {
    const refused = outboundRefusal(error);
    if (refused) throw new FeedFetchError("refused", `${capitalise(refused.message)}`);
    throw new FeedFetchError("connection", `${source.host} could not be found`);
  }
}

export async function openFeed(source: FeedSource, options: FeedFetchOptions): Promise<OpenedFeed> {
  switch (source.protocol) {
    case "ftp":
    case "ftps":
      return openFtp(source, options);
    case "sftp":
      return openSftp(source, options);
    case "https":
      return openHttps(source, options);
  }
}

/**
 * Counts bytes (refusing a file over the limit) and watches for silence (a server that stops
 * sending mid-file without closing): either destroys the stream with a FeedFetchError.
 */
function guard(options: FeedFetchOptions, onFail: (error: FeedFetchError) => void): Transform {
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const error = new FeedFetchError(
        "timeout",
        `The feed server stopped sending for ${Math.round(options.timeoutMs / 1000)} seconds mid-file`,
      );
      onFail(error);
      guarded.destroy(error);
    }, options.timeoutMs);
  };
  const guarded = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        clearTimeout(timer);
        const error = new FeedFetchError(
          "too_large",
          `The feed is larger than ${formatBytes(options.maxBytes)}; it was not read`,
        );
        onFail(error);
        callback(error);
        return;
      }
      arm();
      callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(timer);
      callback();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
  arm();
  return guarded;
}

function ftpFailure(error: unknown, source: FeedSource): FeedFetchError {
  if (error instanceof FeedFetchError) return error;
  if (error instanceof FTPError) {
    if (error.code === 530) {
      return new FeedFetchError("login", "The feed server refused the user name or password");
    }
    if (error.code === 550) {
      return new FeedFetchError("not_found", `The feed server has no file at ${source.path}`);
    }
    return new FeedFetchError("connection", `The feed server answered: ${error.message}`);
  }
  return networkFailure(error, source);
}

function networkFailure(error: unknown, source: FeedSource): FeedFetchError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  if (/timeout|timed out/i.test(message) || code === "ETIMEDOUT") {
    return new FeedFetchError(
      "timeout",
      `The feed server at ${source.host} did not answer in time`,
    );
  }
  if (code === "ECONNREFUSED") {
    return new FeedFetchError(
      "connection",
      `Nothing answered at ${source.host} on port ${source.port ?? DEFAULT_PORTS[source.protocol]}`,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new FeedFetchError("connection", `${source.host} could not be found`);
  }
  return new FeedFetchError(
    "connection",
    `The connection to the feed server was lost: ${message.replace(/\s+/g, " ").slice(0, 200)}`,
  );
}

async function openFtp(source: FeedSource, options: FeedFetchOptions): Promise<OpenedFeed> {
  const host = await reachable(source, options);
  const client = new FtpClient(options.timeoutMs);
  try {
    await client.access({
      host,
      port: source.port ?? DEFAULT_PORTS[source.protocol],
      user: source.username || "anonymous",
      password: source.password ?? "",
      secure: source.protocol === "ftps",
      secureOptions: source.protocol === "ftps" ? { servername: source.host } : undefined,
    });
  } catch (error) {
    client.close();
    throw ftpFailure(error, source);
  }
  let failed: FeedFetchError | null = null;
  const sink = new PassThrough();
  const guarded = guard(options, (error) => {
    failed = error;
    client.close();
  });
  const stream = sink.pipe(guarded);
  sink.on("error", (error) => guarded.destroy(error));
  const done = client.downloadTo(sink, source.path).then(
    () => {
      if (failed) throw failed;
    },
    (error: unknown) => {
      const reason = failed ?? ftpFailure(error, source);
      guarded.destroy(reason);
      throw reason;
    },
  );
  done.catch(() => undefined);
  return {
    stream,
    done,
    close: async () => client.close(),
  };
}

async function openSftp(source: FeedSource, options: FeedFetchOptions): Promise<OpenedFeed> {
  const host = await reachable(source, options);
  const client = new SftpClient("orderlane-feed");
  try {
    await client.connect({
      host,
      port: source.port ?? DEFAULT_PORTS.sftp,
      username: source.username ?? "",
      password: source.password,
      readyTimeout: options.timeoutMs,
      retries: 0,
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    if (/authentication|auth methods/i.test(message)) {
      throw new FeedFetchError("login", "The feed server refused the user name or password");
    }
    throw networkFailure(error, source);
  }
  let failed: FeedFetchError | null = null;
  const guarded = guard(options, (error) => {
    failed = error;
  });
  let remote: Readable;
  try {
    remote = client.createReadStream(source.path) as unknown as Readable;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw networkFailure(error, source);
  }
  const done = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      const message = error instanceof Error ? error.message : String(error);
      const reason =
        failed ??
        (/no such file/i.test(message)
          ? new FeedFetchError("not_found", `The feed server has no file at ${source.path}`)
          : networkFailure(error, source));
      guarded.destroy(reason);
      reject(reason);
    };
    remote.on("error", fail);
    guarded.on("error", fail);
    remote.on("end", () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    // A connection that closes mid-file ends the remote stream without "end".
    remote.on("close", () => {
      if (!settled) fail(new Error("the server closed the connection mid-file"));
    });
    client.on("close", () => {
      if (!settled) fail(new Error("the server closed the connection mid-file"));
    });
  });
  done.catch(() => undefined);
  remote.pipe(guarded);
  return {
    stream: guarded,
    done,
    close: async () => {
      remote.destroy();
      await client.end().catch(() => undefined);
    },
  };
}

async function openHttps(source: FeedSource, options: FeedFetchOptions): Promise<OpenedFeed> {
  const port = source.port && source.port !== 443 ? `:${source.port}` : "";
  const path = source.path.startsWith("/") ? source.path : `/${source.path}`;
  const url = `https://${source.host}${port}${path}`;
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: "text/csv, text/plain, */*" };
  if (source.username || source.password) {
    headers.authorization = `Basic ${Buffer.from(`${source.username ?? ""}:${source.password ?? ""}`).toString("base64")}`;
  }
  const connectTimer = setTimeout(() => controller.abort(), options.timeoutMs);
  let response: Response;
  try {
    response = await outboundFetch(url, { headers, signal: controller.signal }, options.policy);
  } catch (error) {
    const refused = outboundRefusal(error);
    if (refused) throw new FeedFetchError("refused", capitalise(refused.message));
    if (controller.signal.aborted) {
      throw new FeedFetchError(
        "timeout",
        `The feed server at ${source.host} did not answer in time`,
      );
    }
    throw networkFailure((error as { cause?: unknown }).cause ?? error, source);
  } finally {
    clearTimeout(connectTimer);
  }
  if (response.status === 401 || response.status === 403) {
    throw new FeedFetchError("login", "The feed server refused the user name or password");
  }
  if (response.status === 404) {
    throw new FeedFetchError("not_found", `The feed server has no file at ${path}`);
  }
  if (!response.ok || !response.body) {
    throw new FeedFetchError("connection", `The feed server answered ${response.status}`);
  }
  let failed: FeedFetchError | null = null;
  const guarded = guard(options, (error) => {
    failed = error;
    controller.abort();
  });
  const body = Readable.fromWeb(response.body as WebReadableStream);
  const done = new Promise<void>((resolve, reject) => {
    body.on("end", resolve);
    body.on("error", (error) => {
      const reason = failed ?? networkFailure(error, source);
      guarded.destroy(reason);
      reject(reason);
    });
    guarded.on("error", (error) =>
      reject(error instanceof FeedFetchError ? error : networkFailure(error, source)),
    );
  });
  done.catch(() => undefined);
  body.pipe(guarded);
  return { stream: guarded, done, close: async () => controller.abort() };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${Math.round((bytes / 1024 ** 3) * 10) / 10} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}
