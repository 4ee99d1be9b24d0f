import type {
  CancelSummary,
  ExecuteErrorKind,
  ExecuteRequest,
  ExecuteResult,
  OutputStream,
  SavedArtifact,
  SecretSink,
} from "./executor.ts";
import { redactText } from "./redact.ts";

/** A failure of the task or its target, turned into a `failed` result by the executor. */
export class ExecutorError extends Error {
  override readonly name = "ExecutorError";
  constructor(
    readonly kind: ExecuteErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a task was stopped before it finished on its own. */
export type StopCause = "cancelled" | "timed_out" | "output_failed";

/**
 * One task's stop conditions as a single AbortSignal: the caller's cancel signal, the task deadline
 * (`timeoutMs`, counted from construction) and an output handler that failed. The first one wins.
 */
export class TaskControl {
  readonly startedAt = performance.now();
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  private cause: StopCause | undefined;
  private outputError: unknown;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onCancel = () => this.stop("cancelled");
  /** The secret values opened for this task; every error message is scrubbed of them. */
  readonly secrets: string[] = [];

  constructor(private readonly request: Pick<ExecuteRequest, "signal" | "timeoutMs" | "onOutput">) {
    if (request.signal.aborted) this.stop("cancelled");
    else request.signal.addEventListener("abort", this.onCancel, { once: true });
    this.timer = setTimeout(() => this.stop("timed_out"), request.timeoutMs);
  }

  /** Hands opened secret values to the caller's sink, and keeps them to scrub this task's error messages. */
  registerSecrets(values: string[], sink: SecretSink): void {
    const fresh = values.filter((value) => value.length > 0 && !this.secrets.includes(value));
    if (fresh.length === 0) return;
    this.secrets.push(...fresh);
    sink(fresh);
  }

  get stopCause(): StopCause | undefined {
    return this.cause;
  }

  stop(cause: StopCause): void {
    if (this.cause) return;
    this.cause = cause;
    this.controller.abort();
  }

  /**
   * Hands a chunk to the caller's `onOutput`, passing its promise on (backpressure). When it throws or
   * rejects, the task is stopped and later output is dropped.
   */
  deliver(stream: OutputStream, chunk: Buffer): void | Promise<void> {
    if (this.cause === "output_failed" || chunk.length === 0) return;
    try {
      const result = this.request.onOutput(stream, chunk);
      if (result && typeof result.then === "function")
        return result.then(undefined, (error: unknown) => this.failOutput(error));
    } catch (error) {
      this.failOutput(error);
    }
  }

  private failOutput(error: unknown): void {
    this.outputError ??= error;
    this.stop("output_failed");
  }

  /** Stops the deadline timer and lets go of the caller's signal. */
  dispose(): void {
    clearTimeout(this.timer);
    this.request.signal.removeEventListener("abort", this.onCancel);
  }

  /**
   * The result. With a `cancel` summary, the stop cause decides the status; otherwise an error means
   * `failed`, and `isSuccess` or else the exit code decides.
   */
  finish(outcome: {
    /** For results without an exit code (http): whether it succeeded. */
    isSuccess?: boolean;
    exitCode?: number | null;
    signal?: string | null;
    error?: { kind: ExecuteErrorKind; message: string } | null;
    cancel?: CancelSummary | null;
    observedHostKey?: { algorithm: string; fingerprintSha256: string } | null;
    artifacts?: SavedArtifact[];
  }): ExecuteResult {
    this.dispose();
    const exitCode = outcome.exitCode ?? null;
    let error = outcome.error ?? null;
    let status: ExecuteResult["status"];
    if (outcome.cancel && this.cause) {
      if (this.cause === "cancelled") status = "cancelled";
      else if (this.cause === "timed_out") {
        status = "timed_out";
        error ??= { kind: "timeout", message: `the task ran longer than ${this.request.timeoutMs} ms` };
      } else {
        status = "failed";
        error ??= {
          kind: "output_failed",
          message: `the output could not be delivered, so the task was stopped: ${(this.outputError as Error)?.message ?? this.outputError}`,
        };
      }
    } else status = !error && (outcome.isSuccess ?? exitCode === 0) ? "succeeded" : "failed";
    return {
      status,
      exitCode,
      signal: outcome.signal ?? null,
      error: error && { kind: error.kind, message: redactText(error.message, this.secrets) },
      cancel: outcome.cancel ?? null,
      observedHostKey: outcome.observedHostKey ?? null,
      durationMs: Math.round((performance.now() - this.startedAt) * 10) / 10,
      ...(outcome.artifacts ? { artifacts: outcome.artifacts } : {}),
    };
  }

  /** The result for a task stopped (cancel, deadline) before anything ran. */
  finishNotStarted(): ExecuteResult {
    return this.finish({ cancel: { outcome: "not_started", survivors: [], outputHeldOpen: false } });
  }

  /** The result for a failure: an {@link ExecutorError}'s kind, or `protocol` for anything unexpected. */
  finishWithError(caught: unknown, extra: Parameters<TaskControl["finish"]>[0] = {}): ExecuteResult {
    const error =
      caught instanceof ExecutorError
        ? { kind: caught.kind, message: caught.message }
        : { kind: "protocol" as const, message: (caught as Error)?.message ?? String(caught) };
    return this.finish({ ...extra, error });
  }
}
