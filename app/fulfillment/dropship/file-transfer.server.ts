// Files on a distributor's FTP, FTPS or SFTP server: purchase-order files we upload and the
// shipments file we read. Maintained clients do the protocols (basic-ftp, ssh2-sftp-client); this
// module only decides where they may connect, how long they may take, and how a file is written so
// the distributor never picks up half of one.
import { posix } from "node:path";
import { PassThrough, Readable, type Writable } from "node:stream";
import { Client as FtpClient, FTPError } from "basic-ftp";
import SftpClient from "ssh2-sftp-client";
import {
  OutboundRefusedError,
  publicAddresses,
  type OutboundPolicy,
} from "~/security/outbound.server";

export const FILE_PROTOCOLS = ["ftp", "ftps", "sftp"] as const;
export type FileProtocol = (typeof FILE_PROTOCOLS)[number];

export interface FileServer {
  protocol: FileProtocol;
  host: string;
  /** Null: the protocol's usual port (21, or 22 for SFTP). */
  port: number | null;
  username: string;
  password: string;
}

/** Why a transfer did not happen, in the owner's words; `missing` when the file is not there. */
export class FileTransferError extends Error {
  override name = "FileTransferError";
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The address to connect to: the host's, once the policy has judged it. */
async function addressFor(server: FileServer, policy: OutboundPolicy): Promise<string> {
  if (policy.allowPrivate) return server.host;
  try {
    const [first] = await publicAddresses(server.host, policy.lookup);
    if (!first) throw new FileTransferError(`${server.host} has no address`);
    return first.address;
  } catch (err) {
    if (err instanceof OutboundRefusedError || err instanceof FileTransferError) throw err;
    throw new FileTransferError(`${server.host} could not be found`);
  }
}

function describe(server: FileServer, err: unknown): string {
  const where = `${server.protocol.toUpperCase()} server ${server.host}`;
  if (err instanceof FileTransferError || err instanceof OutboundRefusedError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof FTPError && err.code === 530) return `The ${where} refused the login`;
  if (/authentication|All configured authentication methods failed/i.test(message)) {
    return `The ${where} refused the login`;
  }
  if (/timeout|timed out/i.test(message)) return `The ${where} did not answer in time`;
  if (/ECONNREFUSED/.test(message)) return `The ${where} refused the connection`;
  return `The ${where} failed: ${message}`;
}

function isMissing(err: unknown): boolean {
  if (err instanceof FTPError) return err.code === 550;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 2 || code === "ENOENT" || /No such file/i.test(String(err));
}

/**
 * Writes `content` to `remotePath`: first under a temporary name, then renamed, so a distributor
 * that polls the folder sees the whole file or nothing. Writing the same path again replaces it,
 * which is what makes a retried upload of one purchase order still one order.
 */
export async function uploadFile(
  server: FileServer,
  policy: OutboundPolicy,
  remotePath: string,
  content: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const temporary = posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.part`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const host = await addressFor(server, policy);
    if (server.protocol === "sftp") {
      await withSftp(server, host, timeoutMs, options.signal, async (sftp) => {
        const folder = posix.dirname(remotePath);
        if (folder !== "." && folder !== "/" && !(await sftp.exists(folder))) {
          await sftp.mkdir(folder, true);
        }
        await sftp.put(Buffer.from(content, "utf8"), temporary);
        if (await sftp.exists(remotePath)) await sftp.delete(remotePath);
        await sftp.rename(temporary, remotePath);
      });
    } else {
      await withFtp(server, host, timeoutMs, options.signal, async (ftp) => {
        const folder = posix.dirname(remotePath);
        if (folder !== "." && folder !== "/") {
          await ftp.ensureDir(folder);
          await ftp.cd("/");
        }
        await ftp.uploadFrom(Readable.from([Buffer.from(content, "utf8")]), temporary);
        await ftp.remove(remotePath, true);
        await ftp.rename(temporary, remotePath);
      });
    }
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw err;
    throw new FileTransferError(describe(server, err));
  }
}

/**
 * Streams `remotePath` into `consume` (never the whole file in memory). Throws FileTransferError
 * with `missing` set when there is no such file.
 */
export async function readFile<T>(
  server: FileServer,
  policy: OutboundPolicy,
  remotePath: string,
  consume: (stream: Readable) => Promise<T>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const host = await addressFor(server, policy);
    if (server.protocol === "sftp") {
      return await withSftp(server, host, timeoutMs, options.signal, async (sftp) => {
        if (!(await sftp.exists(remotePath))) throw new FileTransferError("missing", true);
        const source = sftp.createReadStream(remotePath) as Readable;
        // The file's handle is closed before the session ends (a request still open when the
        // channel closes is an error of its own); a read error reaches the consumer through pipe.
        const closed = new Promise<void>((resolve) => source.once("close", () => resolve()));
        const pipe = new PassThrough();
        source.on("error", (err) => pipe.destroy(err));
        source.pipe(pipe);
        try {
          return await consume(pipe);
        } finally {
          if (!source.destroyed && !source.readableEnded) source.destroy();
          await closed;
        }
      });
    }
    return await withFtp(server, host, timeoutMs, options.signal, async (ftp) => {
      const pipe = new PassThrough();
      const consumed = consume(pipe);
      try {
        await ftp.downloadTo(pipe as Writable, remotePath);
      } catch (err) {
        pipe.destroy();
        await consumed.catch(() => undefined);
        throw err;
      }
      return consumed;
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw err;
    if (err instanceof FileTransferError && err.missing) {
      throw new FileTransferError(`${remotePath} is not on the server`, true);
    }
    if (isMissing(err)) throw new FileTransferError(`${remotePath} is not on the server`, true);
    throw new FileTransferError(describe(server, err));
  }
}

async function withFtp<T>(
  server: FileServer,
  host: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (client: FtpClient) => Promise<T>,
): Promise<T> {
  const client = new FtpClient(timeoutMs);
  const abort = () => client.close();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    await client.access({
      host,
      port: server.port ?? 21,
      user: server.username,
      password: server.password,
      secure: server.protocol === "ftps",
      // A name checked above may have been given as an address; the certificate names the host.
      secureOptions: server.protocol === "ftps" ? { servername: server.host } : undefined,
    });
    return await work(client);
  } finally {
    signal?.removeEventListener("abort", abort);
    client.close();
  }
}

async function withSftp<T>(
  server: FileServer,
  host: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (client: SftpClient) => Promise<T>,
): Promise<T> {
  const client = new SftpClient();
  const abort = () => void client.end().catch(() => undefined);
  signal?.addEventListener("abort", abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.connect({
      host,
      port: server.port ?? 22,
      username: server.username,
      password: server.password,
      readyTimeout: timeoutMs,
    });
    // ssh2 has no per-transfer timeout: a server that stops answering is cut here.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error("timed out"));
        void client.end().catch(() => undefined);
      }, timeoutMs);
    });
    return await Promise.race([work(client), timedOut]);
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
    await client.end().catch(() => undefined);
  }
}
