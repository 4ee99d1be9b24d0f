import type { Subprocess } from "bun";
import { sleep, waitForUrl } from "./net.ts";

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  cmd: string[];
  /** Added to (and overriding) the current environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** When set, startProcess resolves only once a GET on this URL answers 2xx. */
  readyUrl?: string;
  /** How long to wait for `readyUrl`; default 30 s. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL in `stop()`; default 5 s. */
  stopGraceMs?: number;
}

/** A child process started by {@link startProcess}. */
export interface StartedProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Sends SIGTERM, then SIGKILL after the grace period; resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
  /** Everything the process wrote to stdout and stderr so far (the last 1 MiB), interleaved. */
  output(): string;
}

const MAX_OUTPUT = 1024 * 1024;

// Children still running when the test process exits would outlive it (and keep ports busy).
const running = new Set<Subprocess>();
process.on("exit", () => {
  for (const proc of running) proc.kill("SIGKILL");
});

async function collect(stream: ReadableStream<Uint8Array>, append: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) append(decoder.decode(chunk, { stream: true }));
  append(decoder.decode());
}

/** The current environment plus `extra`; an `undefined` value removes the variable. */
function mergeEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...extra }))
    if (value !== undefined) env[key] = value;
  return env;
}

/**
 * Spawns a command with Bun.spawn, keeps its output for debugging and optionally waits until it is ready.
 * Rejects (after killing the child) if the process exits or the ready URL stays unhealthy; the error
 * message carries the tail of the child's output.
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  const { cmd, readyUrl, timeoutMs = 30_000, stopGraceMs = 5_000 } = options;
  let buffer = "";
  const append = (text: string) => {
    buffer += text;
    if (buffer.length > MAX_OUTPUT) buffer = buffer.slice(-MAX_OUTPUT);
  };
  const proc = Bun.spawn({
    cmd,
    cwd: options.cwd,
    env: mergeEnv(options.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  const drained = Promise.all([collect(proc.stdout, append), collect(proc.stderr, append)]).catch(() => {});
  void proc.exited.then(() => running.delete(proc));

  let stopping: Promise<number | null> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), stopGraceMs);
        await proc.exited;
        clearTimeout(timer);
      }
      await drained;
      return proc.exitCode;
    })();
    return stopping;
  };
  const started: StartedProcess = { proc, stop, output: () => buffer };

  if (readyUrl) {
    try {
      await waitForUrl(readyUrl, {
        timeoutMs,
        abortIf: () =>
          proc.exitCode !== null || proc.signalCode !== null
            ? `process exited (${proc.exitCode ?? proc.signalCode})`
            : undefined,
      });
    } catch (error) {
      await stop();
      // Give the pipes a moment so the error shows the child's last words.
      await sleep(10);
      throw new Error(
        `${(error as Error).message}\n--- ${cmd.join(" ")} output ---\n${buffer.slice(-8_000)}`,
      );
    }
  }
  return started;
}
