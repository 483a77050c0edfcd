// Local FTP and SFTP servers that publish distributor feeds: the demo's two distributors fetch their
// feeds from them, and the tests fetch from them to exercise the real clients over real sockets.
// Loopback only; port 0 means any free port. Files come from a function, so a feed can be a fixed
// text, a file that is regenerated, or an endless generated stream (the "2 GB file" case) without
// anything being written to disk.
import type { AddressInfo } from "node:net";
import { Readable, Writable } from "node:stream";
import { FtpSrv, FileSystem } from "ftp-srv";
import ssh2 from "ssh2";

/** A file's contents by its path on the server ("/feeds/east.csv"); null when there is none. */
export type FeedFiles = (path: string) => Readable | string | Buffer | null;

export interface FeedServerOptions {
  /** 0: any free port. */
  port: number;
  user: string;
  password: string;
  files: FeedFiles;
  /** Where files uploaded to the server land (purchase-order files); ignored if absent. */
  onUpload?: (path: string, content: Buffer) => void;
}

export interface RunningFeedServer {
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";

function toStream(content: Readable | string | Buffer): Readable {
  return content instanceof Readable ? content : Readable.from([Buffer.from(content)]);
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

// A silent logger in bunyan's shape: ftp-srv otherwise prints JSON for every connection.
const quietLog = new Proxy(
  {},
  {
    get: (_target, prop) => (prop === "child" ? () => quietLog : () => undefined),
  },
) as unknown as ConstructorParameters<typeof FtpSrv>[0] extends infer O
  ? O extends { log?: infer L }
    ? L
    : never
  : never;

/** Serves FeedFiles for reading and takes uploads into onUpload; nothing touches the disk. */
class FeedFileSystem extends FileSystem {
  constructor(
    connection: ConstructorParameters<typeof FileSystem>[0],
    private readonly options: FeedServerOptions,
  ) {
    super(connection, { root: "/", cwd: "/" });
  }

  private here = "/";

  override currentDirectory() {
    return this.here;
  }

  override get(fileName: string) {
    const path = normalise(`${this.here}/${fileName}`);
    const isDir = path === "/" || !this.options.files(path);
    return Promise.resolve({
      name: fileName,
      isDirectory: () => isDir,
      size: 0,
      mtime: new Date(),
      mode: isDir ? 0o40755 : 0o100644,
    }) as unknown as ReturnType<FileSystem["get"]>;
  }

  override list() {
    return Promise.resolve([]) as unknown as ReturnType<FileSystem["list"]>;
  }

  override chdir(path = ".") {
    this.here = normalise(`${this.here}/${path}`);
    return Promise.resolve(this.here) as unknown as ReturnType<FileSystem["chdir"]>;
  }

  override read(fileName: string) {
    const clientPath = normalise(`${this.here}/${fileName}`);
    const content = this.options.files(clientPath);
    if (content === null) return Promise.reject(new Error("No such file"));
    return Promise.resolve({ stream: toStream(content), clientPath }) as unknown as ReturnType<
      FileSystem["read"]
    >;
  }

  override write(fileName: string) {
    const clientPath = normalise(`${this.here}/${fileName}`);
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        chunks.push(chunk);
        done();
      },
      final: (done) => {
        this.options.onUpload?.(clientPath, Buffer.concat(chunks));
        done();
      },
    });
    return { stream, clientPath } as unknown as ReturnType<FileSystem["write"]>;
  }
}

/** An FTP server on loopback that serves `files` to `user`/`password` and refuses anyone else. */
export async function startFtpFeedServer(options: FeedServerOptions): Promise<RunningFeedServer> {
  // ftp-srv needs its port before it starts: take a free one from the system when asked for 0.
  const port = options.port || (await freePort());
  const server = new FtpSrv({
    url: `ftp://${LOOPBACK}:${port}`,
    pasv_url: LOOPBACK,
    // A wide range, so tests running in parallel on one machine rarely meet; ftp-srv skips busy ports.
    pasv_min: 40_000,
    pasv_max: 49_999,
    anonymous: false,
    greeting: ["Orderlane feed server"],
    log: quietLog,
  });
  server.on("login", ({ connection, username, password }, resolve, reject) => {
    if (username !== options.user || password !== options.password) {
      reject(new Error("Login incorrect"));
      return;
    }
    resolve({ fs: new FeedFileSystem(connection, options) });
  });
  // A client that goes away mid-transfer is an ordinary event here, not a crash.
  server.on("client-error", () => undefined);
  await server.listen();
  return {
    port,
    close: async () => {
      await server.close().catch(() => undefined);
    },
  };
}

/** An SFTP server on loopback (ssh2's Server with the sftp subsystem), password login only. */
export async function startSftpFeedServer(options: FeedServerOptions): Promise<RunningFeedServer> {
  const { Server, utils } = ssh2;
  const { OPEN_MODE, STATUS_CODE } = utils.sftp;
  const hostKey = utils.generateKeyPairSync("ed25519").private;
  const clients = new Set<ssh2.Connection>();

  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      if (ctx.method === "password" && ctx.username === options.user) {
        if (ctx.password === options.password) return ctx.accept();
      }
      ctx.reject(["password"]);
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("sftp", (acceptSftp) => {
          const sftp = acceptSftp();
          let nextHandle = 0;
          const reading = new Map<number, { stream: Readable; ended: boolean }>();
          const writing = new Map<number, { path: string; chunks: Buffer[] }>();
          const handleOf = (buf: Buffer) => (buf.length === 4 ? buf.readUInt32BE(0) : -1);
          const newHandle = () => {
            const buf = Buffer.alloc(4);
            buf.writeUInt32BE(++nextHandle, 0);
            return buf;
          };

          sftp.on("REALPATH", (reqid, path) => {
            const name = normalise(path);
            sftp.name(reqid, [{ filename: name, longname: name, attrs: dirAttrs() }]);
          });
          sftp.on("STAT", (reqid, path) => statReply(reqid, path));
          sftp.on("LSTAT", (reqid, path) => statReply(reqid, path));
          function statReply(reqid: number, path: string) {
            const name = normalise(path);
            if (name === "/") return sftp.attrs(reqid, dirAttrs());
            const content = options.files(name);
            if (content === null) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
            if (content instanceof Readable) content.destroy();
            return sftp.attrs(reqid, fileAttrs(0));
          }
          sftp.on("OPEN", (reqid, filename, flags) => {
            const path = normalise(filename);
            if (flags & OPEN_MODE.WRITE) {
              const handle = newHandle();
              writing.set(handleOf(handle), { path, chunks: [] });
              return sftp.handle(reqid, handle);
            }
            const content = options.files(path);
            if (content === null) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
            const handle = newHandle();
            const stream = toStream(content);
            const entry = { stream, ended: false };
            stream.on("end", () => (entry.ended = true));
            // A file that fails mid-way is served as a server that drops the connection would.
            stream.on("error", () => client.end());
            stream.pause();
            reading.set(handleOf(handle), entry);
            return sftp.handle(reqid, handle);
          });
          sftp.on("FSTAT", (reqid) => sftp.attrs(reqid, fileAttrs(0)));
          sftp.on("READ", (reqid, handle, _offset, length) => {
            const entry = reading.get(handleOf(handle));
            if (!entry) return sftp.status(reqid, STATUS_CODE.FAILURE);
            // Reads arrive in order: hand out what the stream has next, up to `length` bytes.
            const give = () => {
              const chunk = entry.stream.read() as Buffer | null;
              if (chunk) {
                const part = chunk.subarray(0, length);
                if (chunk.length > length) entry.stream.unshift(chunk.subarray(length));
                sftp.data(reqid, part);
                return;
              }
              if (entry.ended) {
                sftp.status(reqid, STATUS_CODE.EOF);
                return;
              }
              const retry = () => {
                entry.stream.off("readable", retry);
                entry.stream.off("end", retry);
                give();
              };
              entry.stream.once("readable", retry);
              entry.stream.once("end", retry);
            };
            give();
          });
          sftp.on("WRITE", (reqid, handle, _offset, data) => {
            const entry = writing.get(handleOf(handle));
            if (!entry) return sftp.status(reqid, STATUS_CODE.FAILURE);
            entry.chunks.push(Buffer.from(data));
            return sftp.status(reqid, STATUS_CODE.OK);
          });
          sftp.on("CLOSE", (reqid, handle) => {
            const id = handleOf(handle);
            reading.get(id)?.stream.destroy();
            reading.delete(id);
            const written = writing.get(id);
            if (written) options.onUpload?.(written.path, Buffer.concat(written.chunks));
            writing.delete(id);
            sftp.status(reqid, STATUS_CODE.OK);
          });
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, LOOPBACK, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function dirAttrs(): ssh2.Attributes {
  const now = Math.floor(Date.now() / 1000);
  return { mode: 0o40755, uid: 0, gid: 0, size: 0, atime: now, mtime: now };
}

function fileAttrs(size: number): ssh2.Attributes {
  const now = Math.floor(Date.now() / 1000);
  return { mode: 0o100644, uid: 0, gid: 0, size, atime: now, mtime: now };
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
