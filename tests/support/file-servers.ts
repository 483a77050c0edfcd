// Real FTP and SFTP servers on loopback, port 0, serving a temporary folder: a distributor's
// server as our code meets it (ftp-srv; ssh2's Server with its sftp subsystem). Tests read and
// write the folder directly to see what a distributor would see.
import { mkdtempSync, rmSync, type Stats } from "node:fs";
import fs from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { FtpSrv } from "ftp-srv";
import ssh2 from "ssh2";

export interface TestFileServer {
  protocol: "ftp" | "sftp";
  host: string;
  port: number;
  username: string;
  password: string;
  /** The folder the server serves: "/orders/x.csv" on the server is `${root}/orders/x.csv`. */
  root: string;
  /** Logins refused from now on (a changed password at the distributor). */
  refuseLogins(refuse: boolean): void;
  /** Connections accepted and then never answered (a hung server). */
  hang(hang: boolean): void;
  close(): Promise<void>;
}

const USER = "distributor";
const PASSWORD = "s3cret-pass";

function quietLogger(): unknown {
  const noop = () => undefined;
  const logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    child: () => logger,
  };
  return logger;
}

export async function startFtpServer(): Promise<TestFileServer> {
  const root = mkdtempSync(path.join(tmpdir(), "ol-ftp-"));
  let refuse = false;
  let hang = false;
  const server = new FtpSrv({
    url: "ftp://127.0.0.1:0",
    pasv_url: "127.0.0.1",
    pasv_min: 0,
    pasv_max: 0,
    anonymous: false,
    log: quietLogger() as never,
  });
  server.on("login", ({ username, password }, resolve, reject) => {
    if (hang) return; // never answered
    if (refuse || username !== USER || password !== PASSWORD) {
      reject(new Error("Login incorrect"));
      return;
    }
    resolve({ root });
  });
  await server.listen();
  const inner = (server as unknown as { server: { address(): AddressInfo } }).server;
  const { port } = inner.address();
  return {
    protocol: "ftp",
    host: "127.0.0.1",
    port,
    username: USER,
    password: PASSWORD,
    root,
    refuseLogins: (value) => (refuse = value),
    hang: (value) => (hang = value),
    async close() {
      await server.close().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

/** An SFTP server over a real folder: just the requests ssh2-sftp-client makes. */
export async function startSftpServer(): Promise<TestFileServer> {
  const root = mkdtempSync(path.join(tmpdir(), "ol-sftp-"));
  const hostKey = ssh2.utils.generateKeyPairSync("ed25519").private;
  let refuse = false;
  let hang = false;
  const local = (remote: string) => path.join(root, path.posix.normalize(`/${remote}`));
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on("error", () => undefined);
    client.on("authentication", (auth) => {
      if (hang) return;
      if (
        !refuse &&
        auth.method === "password" &&
        auth.username === USER &&
        auth.password === PASSWORD
      ) {
        auth.accept();
      } else auth.reject(["password"]);
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("sftp", (acceptSftp) => {
          const sftp = acceptSftp();
          const handles = new Map<number, fs.FileHandle>();
          const dirs = new Map<number, string[] | null>();
          let next = 0;
          const handleOf = (n: number) => {
            const b = Buffer.alloc(4);
            b.writeUInt32BE(n);
            return b;
          };
          const fail = (reqid: number, err: unknown) =>
            sftp.status(
              reqid,
              (err as { code?: string }).code === "ENOENT"
                ? STATUS_CODE.NO_SUCH_FILE
                : STATUS_CODE.FAILURE,
            );
          const attrsOf = (stat: Stats) => ({
            mode: stat.mode,
            uid: stat.uid,
            gid: stat.gid,
            size: stat.size,
            atime: Math.floor(stat.atimeMs / 1000),
            mtime: Math.floor(stat.mtimeMs / 1000),
          });
          sftp.on("OPEN", (reqid, filename, flags) => {
            const mode = flags & OPEN_MODE.WRITE ? (flags & OPEN_MODE.APPEND ? "a" : "w") : "r";
            fs.open(local(filename), mode).then(
              (fh) => {
                const n = next++;
                handles.set(n, fh);
                sftp.handle(reqid, handleOf(n));
              },
              (err) => fail(reqid, err),
            );
          });
          sftp.on("WRITE", (reqid, handle, offset, data) => {
            const fh = handles.get(handle.readUInt32BE(0));
            if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE);
            fh.write(data, 0, data.length, offset).then(
              () => sftp.status(reqid, STATUS_CODE.OK),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("READ", (reqid, handle, offset, length) => {
            const fh = handles.get(handle.readUInt32BE(0));
            if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const buffer = Buffer.alloc(length);
            fh.read(buffer, 0, length, offset).then(
              ({ bytesRead }) =>
                bytesRead === 0
                  ? sftp.status(reqid, STATUS_CODE.EOF)
                  : sftp.data(reqid, buffer.subarray(0, bytesRead)),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("FSTAT", (reqid, handle) => {
            const fh = handles.get(handle.readUInt32BE(0));
            if (!fh) return sftp.status(reqid, STATUS_CODE.FAILURE);
            fh.stat().then(
              (stat) => sftp.attrs(reqid, attrsOf(stat)),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("CLOSE", (reqid, handle) => {
            const n = handle.readUInt32BE(0);
            const fh = handles.get(n);
            handles.delete(n);
            dirs.delete(n);
            (fh ? fh.close() : Promise.resolve()).then(
              () => sftp.status(reqid, STATUS_CODE.OK),
              (err) => fail(reqid, err),
            );
          });
          const onStat = (reqid: number, remote: string) =>
            fs.stat(local(remote)).then(
              (stat) => sftp.attrs(reqid, attrsOf(stat)),
              (err) => fail(reqid, err),
            );
          sftp.on("STAT", onStat);
          sftp.on("LSTAT", onStat);
          sftp.on("REALPATH", (reqid, remote) => {
            const resolved = path.posix.normalize(`/${remote}`);
            sftp.name(reqid, [{ filename: resolved, longname: resolved, attrs: {} as never }]);
          });
          sftp.on("MKDIR", (reqid, remote) => {
            fs.mkdir(local(remote)).then(
              () => sftp.status(reqid, STATUS_CODE.OK),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("REMOVE", (reqid, remote) => {
            fs.rm(local(remote)).then(
              () => sftp.status(reqid, STATUS_CODE.OK),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("RENAME", (reqid, from, to) => {
            fs.rename(local(from), local(to)).then(
              () => sftp.status(reqid, STATUS_CODE.OK),
              (err) => fail(reqid, err),
            );
          });
          sftp.on("OPENDIR", (reqid, remote) => {
            fs.readdir(local(remote)).then(
              (names) => {
                const n = next++;
                dirs.set(n, names);
                sftp.handle(reqid, handleOf(n));
              },
              (err) => fail(reqid, err),
            );
          });
          sftp.on("READDIR", (reqid, handle) => {
            const n = handle.readUInt32BE(0);
            const names = dirs.get(n);
            if (!names) return sftp.status(reqid, STATUS_CODE.EOF);
            dirs.set(n, null);
            sftp.name(
              reqid,
              names.map((filename) => ({ filename, longname: filename, attrs: {} as never })),
            );
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    protocol: "sftp",
    host: "127.0.0.1",
    port,
    username: USER,
    password: PASSWORD,
    root,
    refuseLogins: (value) => (refuse = value),
    hang: (value) => (hang = value),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
