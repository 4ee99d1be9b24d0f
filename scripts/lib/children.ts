import type { Subprocess } from "bun";
import type { Color } from "./log.ts";
import { paint, prettyLine } from "./log.ts";

/** A long-running child process whose output is shown with a name prefix. */
export interface Child {
  name: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** True once the process has exited. */
  readonly done: boolean;
  /** Sends a signal to the child's whole process group (it may have children of its own). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const COLORS: Color[] = ["cyan", "magenta", "blue", "yellow", "green"];
let nextColor = 0;
let prefixWidth = 6;

/** Pads every prefix to the longest child name so the columns line up. */
export function setPrefixWidth(names: string[]): void {
  prefixWidth = Math.max(prefixWidth, ...names.map((name) => name.length));
}

async function pipeLines(stream: ReadableStream<Uint8Array>, write: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) write(line.replace(/\r$/, ""));
  }
  pending += decoder.decode();
  if (pending) write(pending);
}

/**
 * Spawns a child with stdin closed (so it works without a terminal, e.g. in CI) and prints every line it
 * writes as `name | line`, pretty-printing JSON log lines.
 */
export function spawnChild(options: {
  name: string;
  cmd: string[];
  env: Record<string, string | undefined>;
  cwd: string;
}): Child {
  const color = COLORS[nextColor++ % COLORS.length] ?? "cyan";
  const prefix = `${paint(color, options.name.padEnd(prefixWidth))} ${paint("gray", "|")} `;
  const proc = Bun.spawn({
    cmd: options.cmd,
    cwd: options.cwd,
    env: options.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    // Own process group: a Ctrl+C in the terminal reaches only the orchestrator, which then stops the
    // children in order instead of having them all die at once (and look like crashes).
    detached: true,
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      proc.kill(signal); // the group is gone already or could not be signalled
    }
  };
  const print = (line: string) => process.stdout.write(`${prefix}${prettyLine(line)}\n`);
  const drained = Promise.all([pipeLines(proc.stdout, print), pipeLines(proc.stderr, print)]).catch(() => {});
  let done = false;
  const exited = proc.exited.then(async () => {
    done = true;
    await drained;
    return proc.signalCode ?? proc.exitCode ?? 0;
  });
  return {
    name: options.name,
    proc,
    exited,
    get done() {
      return done;
    },
    kill,
    async stop(graceMs = 10_000) {
      if (!done) {
        kill("SIGTERM");
        const timer = setTimeout(() => {
          if (!done) {
            process.stdout.write(
              `${prefix}${paint("red", `still running after ${graceMs / 1000} s, sending SIGKILL`)}\n`,
            );
            kill("SIGKILL");
          }
        }, graceMs);
        await proc.exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
}
