import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import type { SshConnection } from "./connect.ts";
import { SshError } from "./errors.ts";
import type { KillGroupReport } from "./remote-process-group.ts";
import {
  buildGroupLeaderCommand,
  buildKillGroupCommand,
  PgidAnnouncementParser,
  parseKillGroupOutput,
} from "./remote-process-group.ts";

/** Receives output as it arrives. Returning a promise pauses that stream until it settles (backpressure). */
export type OutputHandler = (chunk: Buffer) => void | Promise<void>;

/** Options for {@link execCommand}. */
export interface ExecOptions {
  onStdout?: OutputHandler;
  onStderr?: OutputHandler;
  /** Aborting cancels the command: TERM to its process group, KILL after `killGraceMs`. */
  signal?: AbortSignal;
  /** Cancels the command like `signal` once it has run this long. */
  timeoutMs?: number;
  /** Time between TERM and KILL when cancelling; default 5 s. */
  killGraceMs?: number;
  /**
   * Written to the command's standard input, which is then closed (EOF). Without it, stdin stays open and
   * empty. The way to hand a command data that must not appear in its command line (scripts, secrets).
   */
  stdin?: string | Buffer;
}

/** How a cancelled command ended. */
export interface CancelReport {
  /** What triggered the cancel: the AbortSignal, `timeoutMs`, or an output handler that threw. */
  reason: "aborted" | "timeout" | "output_handler_failed";
  /**
   * `terminated` (gone after TERM), `killed` (needed KILL), `survived` (still there after KILL: see
   * `survivors`), `not_running` (already finished), `not_started` (signal aborted before the start) or
   * `unknown` (the process group was never announced or the kill could not be run; the channel was closed).
   */
  outcome: KillGroupReport["outcome"] | "not_started" | "unknown";
  /** Processes still in the group after KILL (e.g. stuck in uninterruptible I/O). */
  survivors: KillGroupReport["survivors"];
  /**
   * True when the output stayed open after the cancel and the channel had to be closed by us: a process
   * outside the group (one that called setsid, i.e. daemonized) still holds it and was not killed.
   */
  isOutputHeldOpen: boolean;
}

/** Result of {@link execCommand}. */
export interface ExecResult {
  /** The command's exit code, or null when it was killed by a signal (or the server sent no status). */
  exitCode: number | null;
  /** Signal name as Node spells it (e.g. `SIGTERM`) when the command was killed by one. */
  signal: string | null;
  /** Present when the command was cancelled. */
  cancelled?: CancelReport;
}

// Once the kill script is done, give sshd this long to report the exit before closing the channel ourselves.
const CLOSE_AFTER_KILL_MS = 3_000;
// How long a cancel keeps asking for a channel for the kill script when the server refuses one.
const KILL_CHANNEL_RETRY_MS = 10_000;
// How long a command keeps asking for its channel: sessions just closed on our side may still count on the server's.
const COMMAND_CHANNEL_RETRY_MS = 2_000;

/** An exec channel whose exit status and close are tracked from the moment ssh2 hands it over. */
interface ExecChannel {
  channel: ClientChannel;
  exitStatus(): { code: number | null; signal: string | null } | undefined;
  closed: Promise<void>;
}

/**
 * Opens an exec channel. ssh2 calls back only when the server confirmed the exec request, and a fast
 * command's exit status can arrive in the same TCP read: the "exit" listener must be attached inside the
 * callback, since a promise continuation would run after ssh2 emitted it.
 */
function openExecChannel(client: Client, command: string): Promise<ExecChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (error, channel) => {
        if (error)
          return reject(
            new SshError("protocol", `could not start a command: ${error.message}`, { cause: error }),
          );
        let exit: { code: number | null; signal: string | null } | undefined;
        channel.on("exit", (code: number | null, signal?: string) => {
          exit = { code: code ?? null, signal: signal ?? null };
        });
        const closed = new Promise<void>((onClose) => channel.once("close", () => onClose()));
        resolve({ channel, exitStatus: () => exit, closed });
      });
    } catch (error) {
      // ssh2 throws synchronously when the connection is already gone.
      reject(
        new SshError("protocol", `could not start a command: ${(error as Error).message}`, { cause: error }),
      );
    }
  });
}

/**
 * Opens a channel, asking again while the server refuses it. A server refuses sessions beyond its limit (OpenSSH:
 * MaxSessions, 10), and it frees a session a little after our side saw it close, so a connection that runs many
 * short commands meets brief refusals; a connection running many commands reaches the limit when several are
 * cancelled at once (each finished kill frees two sessions, its own and the command's). Only refusals are retried,
 * and only while the connection is up. With every session taken by commands no kill can start: callers running many
 * commands on one connection keep one free.
 */
async function openChannelRetrying(
  connection: SshConnection,
  command: string,
  retryMs: number,
): Promise<ExecChannel> {
  const deadline = performance.now() + retryMs;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 500)) {
    try {
      return await openExecChannel(connection.client, command);
    } catch (error) {
      const refused = /Channel open failure/.test((error as Error).message);
      if (!refused || connection.isClosed() || performance.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Runs the kill script on a second channel of the same connection and parses what it printed. */
async function killRemoteGroup(
  connection: SshConnection,
  pgid: number,
  graceMs: number,
): Promise<KillGroupReport | undefined> {
  const { channel, closed } = await openChannelRetrying(
    connection,
    buildKillGroupCommand(pgid, graceMs),
    KILL_CHANNEL_RETRY_MS,
  );
  let output = "";
  channel.stderr.resume();
  channel.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        channel.close();
        resolve();
      }, graceMs + 10_000);
    }),
  ]);
  clearTimeout(timer);
  return parseKillGroupOutput(output);
}

/**
 * Delivers a stream's chunks to `handler` in order. While a handler promise is pending the stream is paused
 * (later chunks already in flight queue behind it), which through the SSH window also pauses the command.
 * Resolves once the stream ended and every chunk was handled; `flush` supplies bytes held back until the end.
 */
function forward(
  stream: Readable,
  handler: OutputHandler | undefined,
  onHandlerError: (error: unknown) => void,
  transform: (chunk: Buffer) => Buffer = (chunk) => chunk,
  flush: () => Buffer = () => Buffer.alloc(0),
): Promise<void> {
  let backlog: Promise<void> = Promise.resolve();
  let pendingCount = 0;
  const enqueue = (work: () => void | Promise<void>) => {
    pendingCount++;
    stream.pause();
    backlog = backlog.then(work).then(
      () => {
        if (--pendingCount === 0) stream.resume();
      },
      (error: unknown) => {
        if (--pendingCount === 0) stream.resume();
        onHandlerError(error);
      },
    );
  };
  const deliver = (chunk: Buffer) => {
    if (!handler || chunk.length === 0) return;
    if (pendingCount > 0) return enqueue(() => handler(chunk));
    // Synchronous handlers (the common case) cost no promise per chunk.
    try {
      const result = handler(chunk);
      if (result && typeof result.then === "function") enqueue(() => result);
    } catch (error) {
      onHandlerError(error);
    }
  };
  // Always consume (flowing mode): unread data would stop the SSH window and stall the command.
  stream.on("data", (raw: Buffer) => deliver(transform(raw)));
  return new Promise<void>((resolve) => {
    let isDone = false;
    const done = () => {
      if (isDone) return;
      isDone = true;
      deliver(flush());
      resolve(backlog);
    };
    if (stream.readableEnded) return done();
    stream.once("end", done);
    stream.once("close", done);
  });
}

/**
 * Runs `command` through the user's login shell on an open connection, streaming stdout and stderr to the
 * handlers chunk by chunk (nothing is buffered beyond a 64 KiB preamble). The command runs as the leader
 * of its own process group, so cancelling (AbortSignal, `timeoutMs`) terminates the whole tree: TERM to
 * the group, KILL after `killGraceMs`, and the result's `cancelled` says what survived.
 *
 * `command` is passed to the shell as is: build it with {@link shellQuote} for every interpolated value, or
 * better, pass data on `options.stdin`.
 * Resolves also when the command fails or is cancelled; rejects with an `SshError` (`protocol`) when the
 * connection breaks, or with the handler's error when an output handler throws.
 */
export async function execCommand(
  connection: SshConnection,
  command: string,
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { signal, timeoutMs, killGraceMs = 5_000 } = options;
  if (signal?.aborted)
    return {
      exitCode: null,
      signal: null,
      cancelled: { reason: "aborted", outcome: "not_started", survivors: [], isOutputHeldOpen: false },
    };

  const nonce = randomBytes(8).toString("hex");
  const { channel, exitStatus, closed } = await openChannelRetrying(
    connection,
    buildGroupLeaderCommand(command, nonce),
    COMMAND_CHANNEL_RETRY_MS,
  );
  // ssh2 sends it as the window allows and then EOF; writes after the channel closed are dropped.
  if (options.stdin !== undefined) channel.end(options.stdin);

  let announcePgid: (pgid: number | undefined) => void = () => {};
  const pgidAnnounced = new Promise<number | undefined>((resolve) => {
    announcePgid = resolve;
  });
  const parser = new PgidAnnouncementParser(nonce, (pgid) => announcePgid(pgid));

  let cancellation: Promise<CancelReport> | undefined;
  let handlerError: { error: unknown } | undefined;
  let isChannelClosed = false;
  void closed.then(() => {
    isChannelClosed = true;
  });
  let isOutputHeldOpen = false;

  const cancel = (reason: CancelReport["reason"]): void => {
    cancellation ??= (async (): Promise<CancelReport> => {
      // The announcement is the first thing the command prints, so it is normally already here.
      let waitTimer: ReturnType<typeof setTimeout> | undefined;
      const pgid = await Promise.race([
        pgidAnnounced,
        new Promise<undefined>((resolve) => {
          waitTimer = setTimeout(() => resolve(undefined), 2_000);
        }),
      ]);
      clearTimeout(waitTimer);
      let report: KillGroupReport | undefined;
      if (pgid !== undefined)
        report = await killRemoteGroup(connection, pgid, killGraceMs).catch(() => undefined);
      if (!isChannelClosed) {
        // Processes outside the group may hold stdout open; without a report the channel is all we can close.
        const closeTimer = setTimeout(
          () => {
            isOutputHeldOpen = report !== undefined;
            channel.close();
          },
          report ? CLOSE_AFTER_KILL_MS : 0,
        );
        void closed.then(() => clearTimeout(closeTimer));
      }
      return {
        reason,
        outcome: report?.outcome ?? "unknown",
        survivors: report?.survivors ?? [],
        isOutputHeldOpen,
      };
    })();
  };
  const onHandlerError = (error: unknown) => {
    handlerError ??= { error };
    cancel("output_handler_failed");
  };

  // After a handler failed, the remaining output is dropped while the command is being cancelled.
  const guard = (handler: OutputHandler | undefined): OutputHandler | undefined =>
    handler && ((chunk) => (handlerError ? undefined : handler(chunk)));
  const outputDone = Promise.all([
    forward(
      channel,
      guard(options.onStdout),
      onHandlerError,
      (chunk) => parser.push(chunk),
      () => parser.flush(),
    ),
    forward(channel.stderr, guard(options.onStderr), onHandlerError),
  ]);

  const onAbort = () => cancel("aborted");
  signal?.addEventListener("abort", onAbort, { once: true });
  // The signal may have fired while the channel was being opened.
  if (signal?.aborted) onAbort();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => cancel("timeout"), timeoutMs);

  await closed;
  clearTimeout(timer);
  signal?.removeEventListener("abort", onAbort);
  // ssh2 emits "close" after stdout ended; stderr and async handlers may still be busy.
  await outputDone;
  const report = cancellation ? await cancellation : undefined;
  if (handlerError) throw handlerError.error;
  const exit = exitStatus();
  if (!exit && !report)
    throw new SshError("protocol", "the connection closed before the command reported its exit status");
  return {
    exitCode: exit?.code ?? null,
    signal: exit?.signal ?? null,
    ...(report ? { cancelled: { ...report, isOutputHeldOpen } } : {}),
  };
}
