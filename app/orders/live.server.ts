// Live pages: the database announces every committed change a shop's pages show (triggers in
// migration 0002 notify `orderlane_shop_change` with the shop id), and this process listens once,
// whatever the number of open pages, and tells each page of that shop. The payload is only the
// shop id: pages reload their own data, so no order detail travels through here.
import pg from "pg";
import type { Database } from "~/db/client.server";

export const SHOP_CHANGE_CHANNEL = "orderlane_shop_change";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LiveHub {
  /** Calls `onChange` after each committed change to the shop's orders; returns the unsubscribe. */
  subscribe(shopId: string, onChange: () => void): () => void;
  /** True once the database listener is established (and again after a reconnect). */
  readonly listening: boolean;
  /**
   * Resolves once the database listener is established, or after `timeoutMs` regardless (a page
   * then still gets the changes after the listener comes up).
   */
  whenListening(timeoutMs?: number): Promise<boolean>;
  /** Open subscriptions across all shops (what a page left open would leak). */
  readonly subscriberCount: number;
  stop(): Promise<void>;
}

interface Listener {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: boolean;
}

/**
 * The hub listens lazily: a worker-only process, which never serves a page, never opens the
 * listening connection.
 */
export function createLiveHub(
  database: Database,
  options: { log?: Pick<Console, "error" | "info"> } = {},
): LiveHub {
  const log = options.log ?? console;
  const subscribers = new Map<string, Set<() => void>>();
  let listener: Listener | null = null;
  let stopped = false;

  const deliver = (payload: string) => {
    if (!UUID.test(payload)) return;
    const forShop = subscribers.get(payload.toLowerCase());
    if (!forShop) return;
    for (const notify of [...forShop]) {
      try {
        notify();
      } catch (err) {
        log.error("[live] a subscriber failed", err);
      }
    }
  };

  const ensureListening = () => {
    if (listener || stopped) return;
    listener = database.pglite
      ? pgliteListener(database, deliver, log)
      : postgresListener(
          database.url!,
          deliver,
          () => [...subscribers.keys()].forEach(deliver),
          log,
        );
    void listener.start().catch((err: unknown) => log.error("[live] cannot listen", err));
  };

  return {
    subscribe(shopId, onChange) {
      const key = shopId.toLowerCase();
      let set = subscribers.get(key);
      if (!set) subscribers.set(key, (set = new Set()));
      set.add(onChange);
      ensureListening();
      return () => {
        set.delete(onChange);
        if (set.size === 0 && subscribers.get(key) === set) subscribers.delete(key);
      };
    },
    get listening() {
      return listener?.listening ?? false;
    },
    async whenListening(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(listener?.listening ?? false)) {
        if (stopped || Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    get subscriberCount() {
      let n = 0;
      for (const set of subscribers.values()) n += set.size;
      return n;
    },
    async stop() {
      stopped = true;
      subscribers.clear();
      await listener?.stop();
      listener = null;
    },
  };
}

function pgliteListener(
  database: Database,
  deliver: (payload: string) => void,
  log: Pick<Console, "error">,
): Listener {
  let unlisten: (() => Promise<void>) | null = null;
  let stopping = false;
  return {
    async start() {
      const stop = await database.pglite!.listen(SHOP_CHANGE_CHANNEL, deliver);
      if (stopping) await stop().catch(() => {});
      else unlisten = stop;
    },
    get listening() {
      return unlisten !== null;
    },
    async stop() {
      stopping = true;
      // The database may already be closing; there is nothing left to stop then.
      await unlisten?.().catch((err: unknown) => log.error("[live] unlisten failed", err));
      unlisten = null;
    },
  };
}

/**
 * PostgreSQL: LISTEN needs a connection of its own for as long as the process runs (a pooled one
 * would be handed to other queries). After an error or a dropped connection it reconnects with a
 * growing delay, up to 10 s; pages get one change notice on reconnect, since changes may have been
 * missed meanwhile.
 */
function postgresListener(
  url: string,
  deliver: (payload: string) => void,
  reconnected: () => void,
  log: Pick<Console, "error" | "info">,
): Listener {
  let client: pg.Client | null = null;
  let connected = false;
  let stopping = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let everConnected = false;

  const scheduleReconnect = () => {
    if (stopping || retryTimer) return;
    const delay = Math.min(10_000, 250 * 2 ** attempt);
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
  };

  const connect = async (): Promise<void> => {
    if (stopping) return;
    const next = new pg.Client({ connectionString: url, application_name: "orderlane-live" });
    client = next;
    const lost = (reason: string) => {
      if (client !== next) return;
      connected = false;
      client = null;
      next.removeAllListeners();
      next.on("error", () => {});
      void next.end().catch(() => {});
      if (!stopping) {
        log.error(`[live] listener connection lost (${reason}); reconnecting`);
        scheduleReconnect();
      }
    };
    next.on("error", (err) => lost(err.message));
    next.on("end", () => lost("connection ended"));
    next.on("notification", (msg) => {
      if (msg.channel === SHOP_CHANGE_CHANNEL && msg.payload) deliver(msg.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${SHOP_CHANGE_CHANNEL}`);
    } catch (err) {
      lost(err instanceof Error ? err.message : String(err));
      return;
    }
    if (client !== next) return;
    connected = true;
    attempt = 0;
    if (everConnected) {
      // Whatever changed while we were deaf: every open page re-reads once.
      log.info("[live] listener reconnected");
      reconnected();
    }
    everConnected = true;
  };

  return {
    start: connect,
    get listening() {
      return connected;
    },
    async stop() {
      stopping = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const current = client;
      client = null;
      connected = false;
      if (current) {
        current.removeAllListeners();
        current.on("error", () => {});
        await current.end().catch(() => {});
      }
    },
  };
}

/**
 * A Server-Sent Events stream for one shop: a `change` event after each committed change (at most
 * one per `coalesceMs`, since one import can commit many transactions a second), a comment every
 * `heartbeatMs` so proxies keep the connection open, and everything released when the client goes.
 */
export function shopChangeStream(
  hub: LiveHub,
  shopId: string,
  signal: AbortSignal,
  options: { heartbeatMs?: number; coalesceMs?: number } = {},
): ReadableStream<Uint8Array> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const coalesceMs = options.coalesceMs ?? 250;
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let pending: NodeJS.Timeout | null = null;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = hub.subscribe(shopId, () => {
        if (pending) return;
        pending = setTimeout(() => {
          pending = null;
          send(`event: change\ndata: ${Date.now()}\n\n`);
        }, coalesceMs);
      });
      let heartbeat: NodeJS.Timeout | undefined;
      cleanup = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        if (pending) clearTimeout(pending);
        signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed by the reader going away
        }
      };
      signal.addEventListener("abort", cleanup);
      if (signal.aborted) return cleanup();
      // "ready" promises that every change from now on will be announced, so it waits for the
      // LISTEN to be in place (the first page a process serves opens the listening connection).
      await hub.whenListening();
      // Tells the client how long to wait before reconnecting, and that the stream is open.
      send(`retry: 3000\nevent: ready\ndata: ${Date.now()}\n\n`);
      if (!closed) heartbeat = setInterval(() => send(`: heartbeat\n\n`), heartbeatMs);
    },
    cancel() {
      cleanup();
    },
  });
}
