import { constants } from "node:fs";
import { lstat, mkdtemp, open, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Subprocess } from "bun";
import { ArtifactCollector } from "./artifacts.ts";
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
  /** Where each task's artifacts directory is made (with a sink); default the OS temp directory. */
  artifactsRoot?: string;
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
 * Streams each regular file directly in `dir` (name order; links, subdirectories and other entries are skipped)
 * through the collector. Limits are checked on the listing first.
 */
async function collectLocalArtifacts(dir: string, collector: ArtifactCollector): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: { name: string; size: number }[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isFile()) continue;
    files.push({ name: entry.name, size: (await lstat(join(dir, entry.name))).size });
  }
  collector.checkListing(files);
  for (const file of files) {
    // O_NOFOLLOW: a file swapped for a link since the listing is not followed.
    const handle = await open(join(dir, file.name), constants.O_RDONLY | constants.O_NOFOLLOW);
    const stream = handle.createReadStream();
    await collector.save(file.name, Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, {
      size: file.size,
    });
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
    const done = this.runWithArtifacts(request, control);
    const entry = { control, done };
    this.running.add(entry);
    return done.finally(() => {
      control.dispose();
      this.running.delete(entry);
    });
  }

  /**
   * With a sink, the task gets a fresh directory (mode 0700) as `OPSC_ARTIFACTS_DIR`; its files are collected
   * once the command has finished on its own (whatever the exit code), and the directory is removed in any case.
   */
  private async runWithArtifacts(request: ExecuteRequest, control: TaskControl): Promise<ExecuteResult> {
    if (!request.artifacts || !this.options.enabled) return this.run(request, control);
    let dir: string;
    try {
      dir = await mkdtemp(join(this.options.artifactsRoot ?? tmpdir(), "opsc-artifacts-"));
    } catch (error) {
      return control.finish({
        error: {
          kind: "artifact_failed",
          message: `could not create the artifacts directory: ${(error as Error).message}`,
        },
      });
    }
    try {
      return await this.run(request, control, dir);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Collects the files of a command that finished on its own, into the result. */
  private async collect(
    request: ExecuteRequest,
    control: TaskControl,
    dir: string,
    finished: { exitCode: number | null; signal: string | null },
  ): Promise<ExecuteResult> {
    const collector = new ArtifactCollector(request.artifacts!, control.signal);
    try {
      await collectLocalArtifacts(dir, collector);
    } catch (error) {
      if (control.stopCause)
        // Stopped while collecting (cancel, deadline): the command had finished, nothing was left to kill.
        return control.finish({
          ...finished,
          cancel: { outcome: "not_running", survivors: [], outputHeldOpen: false },
          artifacts: collector.saved,
        });
      return control.finishWithError(
        error instanceof ExecutorError
          ? error
          : new ExecutorError("artifact_failed", `could not read the artifacts: ${(error as Error).message}`),
        { ...finished, artifacts: collector.saved },
      );
    }
    return control.finish({ ...finished, artifacts: collector.saved });
  }

  private async run(
    request: ExecuteRequest,
    control: TaskControl,
    artifactsDir?: string,
  ): Promise<ExecuteResult> {
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
      program = plainInvocation(
        buildShellProgram(
          buildTaskEnvironment({ ...request, ...(artifactsDir === undefined ? {} : { artifactsDir }) }),
          action,
        ),
      ).stdin;
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
    if (isFinished) {
      const finished = { exitCode: proc.exitCode, signal: signalName(proc) };
      if (artifactsDir !== undefined) return this.collect(request, control, artifactsDir, finished);
      return control.finish(finished);
    }

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
