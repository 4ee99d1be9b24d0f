import { tmpdir } from "node:os";
import type { Subprocess } from "bun";
import type { ExecuteRequest, ExecuteResult, Executor, OutputStream, SecretSink } from "./executor.ts";
import { killProcessGroup } from "./process-group.ts";
import { buildShellProgram, buildTaskEnvironment, plainInvocation } from "./shell-program.ts";
import { ExecutorError, TaskControl } from "./task-control.ts";

/** Options for {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  /** Off by default: local commands run on the worker host itself, with the worker's privileges. */
  enabled: boolean;
  /**
   * The environment the shell starts from, before the task's variables. The worker's own environment (its
   * database URLs, VAULT_KEYS) is never passed on. Default: a standard PATH only.
   */
  baseEnv?: Record<string, string>;
  /** Working directory of the shell; default the OS temp directory. */
  cwd?: string;
}

const DEFAULT_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
// After the kill, how long the output may stay open before we stop reading it (a daemon holds it).
const CLOSE_AFTER_KILL_MS = 3_000;

type ShellProcess = Subprocess<"pipe", "pipe", "pipe">;

const signalName = (proc: ShellProcess) => (proc.signalCode === null ? null : String(proc.signalCode));

const waitMs = (ms: number) => new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));

/** Writes the program and closes stdin; a shell that died early (EPIPE) is reported through its exit. */
async function writeStdin(proc: ShellProcess, text: string): Promise<void> {
  try {
    proc.stdin.write(text);
    await proc.stdin.end();
  } catch {}
}

/** Reads one output stream to its end, one chunk at a time: the next read waits for the caller (backpressure). */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  stream: OutputStream,
  control: TaskControl,
): Promise<void> {
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      const delivered = control.deliver(
        stream,
        Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      );
      if (delivered) await delivered;
    }
  } catch {
    // The reader was cancelled (output held open after a cancel).
  }
}

/**
 * Runs commands and scripts on the worker host (`runOn: local`), as `/bin/sh -s` reading the same program an
 * SSH target gets. The shell leads its own process group (setsid), so cancel and timeout reach the whole
 * tree: TERM to the group, KILL after the grace period, survivors reported.
 */
export class LocalExecutor implements Executor {
  private readonly running = new Set<{ control: TaskControl; done: Promise<unknown> }>();

  constructor(private readonly options: LocalExecutorOptions) {}

  /** Opens no credential, so registers no secret. */
  execute(request: ExecuteRequest, _secrets?: SecretSink): Promise<ExecuteResult> {
    const control = new TaskControl(request);
    const done = this.run(request, control);
    const entry = { control, done };
    this.running.add(entry);
    return done.finally(() => {
      control.dispose();
      this.running.delete(entry);
    });
  }

  private async run(request: ExecuteRequest, control: TaskControl): Promise<ExecuteResult> {
    const { action } = request;
    if (!this.options.enabled)
      return control.finish({
        error: {
          kind: "disabled",
          message:
            "local execution is disabled on this worker: commands with runOn 'local' run on the worker host " +
            "itself, so a worker runs them only when its operator enables local execution",
        },
      });
    if (action.type !== "command" && action.type !== "script")
      return control.finish({
        error: { kind: "unsupported", message: `local runs commands and scripts, not ${action.type}` },
      });
    if (request.sudo)
      return control.finish({
        error: {
          kind: "unsupported",
          message: "sudo is not available for local commands: they run with the worker's own privileges",
        },
      });
    if (control.stopCause) return control.finishNotStarted();

    let proc: ShellProcess;
    let program: string;
    try {
      program = plainInvocation(buildShellProgram(buildTaskEnvironment(request), action)).stdin;
      proc = Bun.spawn({
        cmd: ["/bin/sh", "-s"],
        cwd: this.options.cwd ?? tmpdir(),
        env: this.options.baseEnv ?? DEFAULT_ENV,
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
        // setsid(): the shell leads a new session and process group, whose id is its pid.
        detached: true,
      });
    } catch (error) {
      if (error instanceof ExecutorError) return control.finishWithError(error);
      return control.finish({
        error: { kind: "spawn", message: `could not start /bin/sh: ${(error as Error).message}` },
      });
    }

    void writeStdin(proc, program);
    const readers = [proc.stdout.getReader(), proc.stderr.getReader()] as const;
    const output = Promise.all([pump(readers[0], "stdout", control), pump(readers[1], "stderr", control)]);
    const stopped = new Promise<void>((resolve) => {
      if (control.signal.aborted) resolve();
      else control.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const isFinished = await Promise.race([
      Promise.all([proc.exited, output]).then(() => true),
      stopped.then(() => false),
    ]);
    if (isFinished) return control.finish({ exitCode: proc.exitCode, signal: signalName(proc) });

    const report = await killProcessGroup(proc.pid, request.killGraceMs);
    await Promise.race([proc.exited, waitMs(CLOSE_AFTER_KILL_MS)]);
    const isDrained = await Promise.race([output.then(() => true), waitMs(CLOSE_AFTER_KILL_MS)]);
    if (!isDrained) await Promise.all(readers.map((reader) => reader.cancel().catch(() => {})));
    return control.finish({
      exitCode: proc.exitCode,
      signal: signalName(proc),
      cancel: { outcome: report.outcome, survivors: report.survivors, outputHeldOpen: !isDrained },
    });
  }

  /** Cancels what still runs (TERM, grace, KILL) and waits for it. */
  async close(): Promise<void> {
    const running = [...this.running];
    for (const { control } of running) control.stop("cancelled");
    await Promise.all(running.map(({ done }) => done));
  }
}
