import { connect, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { type HttpInfo, parseHttpResponse, parseSshIdentification, sanitizeText } from "./banner.ts";

/** open: accepted; closed: refused; filtered: no answer in time; unreachable: the network said no route. */
export type PortState = "open" | "closed" | "filtered" | "unreachable";

/** What one (host, port) probe found. */
export interface PortProbe {
  port: number;
  state: PortState;
  /** Time to the connection's outcome. */
  latencyMs: number;
  service: "ssh" | "http" | "https" | null;
  /** SSH: the identification line; another server-first protocol: its first line. */
  banner: string | null;
  http: HttpInfo | null;
}

/** Ports where HTTP is spoken at once, so the probe sends GET / without waiting for a server greeting. */
export const HTTP_PORTS: ReadonlySet<number> = new Set([80, 8000, 8008, 8080, 8888]);
/** Ports probed with HTTPS (TLS, certificate not checked: only the banner is read). */
export const HTTPS_PORTS: ReadonlySet<number> = new Set([443, 8443]);

/** Server-first protocols (SSH, SMTP, FTP) greet within this; silence means the client must speak (HTTP). */
const GREETING_WAIT_MS = 750;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface ProbePortOptions {
  host: string;
  port: number;
  /** Budget for the connection, and again for reading banners. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Read banners of open ports (the default); off, only the state is reported. */
  grabBanners?: boolean;
}

const elapsed = (startedAt: number) => Math.round((performance.now() - startedAt) * 10) / 10;

function stateOf(error: unknown): PortState {
  const code = (error as { code?: string }).code ?? "";
  if (code === "ECONNREFUSED" || code === "ECONNRESET") return "closed";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EHOSTDOWN") return "unreachable";
  return "filtered";
}

/** Opens a TCP connection; resolves the socket, or the state when it did not open. */
function openSocket(options: ProbePortOptions): Promise<Socket | PortState> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
    let settled = false;
    const settle = (outcome: Socket | PortState) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (outcome !== socket) socket.destroy();
      resolve(outcome);
    };
    // Our own timer: a socket's idle timeout does not reliably cover the connect phase.
    const timer = setTimeout(() => settle("filtered"), options.timeoutMs);
    const onAbort = () => settle("filtered");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => settle(socket));
    socket.once("error", (error) => settle(stateOf(error)));
  });
}

/**
 * Reads from `socket` until `isEnough(text)`, the peer closes, `waitMs` passes or `signal` aborts; returns what
 * arrived (latin1 keeps every byte; banners are sanitised later).
 */
function readFor(
  socket: Socket,
  waitMs: number,
  isEnough: (text: string) => boolean,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const text = () => Buffer.concat(chunks).toString("latin1");
    const finish = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", finish);
      socket.off("error", finish);
      signal?.removeEventListener("abort", finish);
      resolve(text());
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_RESPONSE_BYTES || isEnough(text())) finish();
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", onData);
    socket.once("close", finish);
    socket.once("error", finish);
    signal?.addEventListener("abort", finish, { once: true });
  });
}

const hasTitleOrEnough = (text: string) => /<\/title\s*>/i.test(text) || text.length > 16 * 1024;

function httpRequest(host: string): string {
  const hostHeader = host.includes(":") ? `[${host}]` : host;
  return `GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: OpsConductor-Discovery/1\r\nAccept: text/html,*/*;q=0.8\r\nConnection: close\r\n\r\n`;
}

/** GET / over TLS, certificate unchecked (a banner read, nothing is trusted or sent). */
function grabHttps(options: ProbePortOptions): Promise<HttpInfo | null> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host: options.host,
      port: options.port,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    });
    let settled = false;
    const settle = (info: HttpInfo | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => settle(null), options.timeoutMs);
    socket.once("error", () => settle(null));
    socket.once("secureConnect", () => {
      socket.write(httpRequest(options.host));
      void readFor(socket as unknown as Socket, options.timeoutMs, hasTitleOrEnough, options.signal).then(
        (text) => settle(parseHttpResponse(text, true)),
      );
    });
  });
}

/** Greeting first (SSH and other server-first protocols), else GET / on the same connection. */
async function grabPlain(socket: Socket, options: ProbePortOptions) {
  const speaksFirst = !HTTP_PORTS.has(options.port);
  const greeting = speaksFirst
    ? await readFor(
        socket,
        Math.min(options.timeoutMs, GREETING_WAIT_MS),
        (text) => text.includes("\n"),
        options.signal,
      )
    : "";
  if (greeting) {
    const ssh = parseSshIdentification(greeting);
    if (ssh) return { service: "ssh" as const, banner: ssh, http: null };
    return { service: null, banner: sanitizeText(greeting.split(/\r?\n/)[0] ?? "") || null, http: null };
  }
  if (socket.destroyed || options.signal?.aborted) return { service: null, banner: null, http: null };
  socket.write(httpRequest(options.host));
  const response = await readFor(socket, options.timeoutMs, hasTitleOrEnough, options.signal);
  const http = parseHttpResponse(response, false);
  return { service: http ? ("http" as const) : null, banner: null, http };
}

/**
 * Probes one TCP port: a connect (no SYN scanning: no raw sockets, no root), then, when it opened, a banner read.
 * Never throws; aborting resolves promptly with the state known so far.
 */
export async function probePort(options: ProbePortOptions): Promise<PortProbe> {
  const startedAt = performance.now();
  const opened = await openSocket(options);
  const latencyMs = elapsed(startedAt);
  const none = { service: null, banner: null, http: null };
  if (typeof opened === "string") return { port: options.port, state: opened, latencyMs, ...none };
  if (options.grabBanners === false || options.signal?.aborted) {
    opened.destroy();
    return { port: options.port, state: "open", latencyMs, ...none };
  }
  opened.on("error", () => undefined);
  try {
    if (HTTPS_PORTS.has(options.port)) {
      opened.destroy();
      const http = await grabHttps(options);
      return {
        port: options.port,
        state: "open",
        latencyMs,
        service: http ? "https" : null,
        banner: null,
        http,
      };
    }
    return { port: options.port, state: "open", latencyMs, ...(await grabPlain(opened, options)) };
  } finally {
    opened.destroy();
  }
}
