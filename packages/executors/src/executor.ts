import type { TAction, TExecutionTarget } from "@opsc/contracts/execution/actions";

/** Which output stream a chunk came from. */
export type OutputStream = "stdout" | "stderr";

/** One task for an {@link Executor}: what to run, where, and how the caller follows it. */
export interface ExecuteRequest {
  taskId: string;
  runId: string;
  target: TExecutionTarget;
  action: TAction;
  /** The run's environment; reaches the process as environment variables, never through a command line. */
  env: Record<string, string>;
  /** Run the command or script as root through `sudo` (ssh only). */
  sudo: boolean;
  /** The whole task: waiting for a connection, connecting and running. Past it the task is killed (`timed_out`). */
  timeoutMs: number;
  /** Time between TERM and KILL when the task is cancelled or times out. */
  killGraceMs: number;
  /** Aborting cancels the task: TERM to its process group, KILL after `killGraceMs`. */
  signal: AbortSignal;
  /**
   * Receives output chunk by chunk, as it arrives. Returning a promise pauses that stream until it settles
   * (backpressure, down to the process on the target). Throwing or rejecting stops the task (`output_failed`).
   */
  onOutput(stream: OutputStream, chunk: Buffer): void | Promise<void>;
  /**
   * Where the files a task saves go, and how many it may save. Without it no artifact is collected (no
   * `OPSC_ARTIFACTS_DIR`, and an http action's `saveBody` streams the body to the output as usual).
   */
  artifacts?: ArtifactOptions;
}

/** A file a task saved, on its way to the caller's {@link ArtifactSink}. */
export interface ArtifactFile {
  /** Sanitized (`[A-Za-z0-9._-]`, no leading dot, at most 200 characters) and unique within the task. */
  name: string;
  contentType: string;
  /** The size the file had when it was listed (null when unknown, as for an HTTP body without a length). */
  size: number | null;
  /** The bytes, read as the sink consumes them; the sink must read it to the end or cancel it. */
  body: ReadableStream<Uint8Array>;
}

/**
 * Stores a task's files while they stream (never a whole file in memory). The executor counts, limits and hashes
 * the bytes on the way; the sink says where they went.
 */
export interface ArtifactSink {
  /** Rejects when the file could not be stored; `signal` aborts when the task is stopped meanwhile. */
  save(file: ArtifactFile, signal: AbortSignal): Promise<{ key: string }>;
}

/** Artifact collection for one task: the sink and the task's limits (going over fails it as `artifact_limit`). */
export interface ArtifactOptions {
  sink: ArtifactSink;
  /** Files per task, at most. */
  maxFiles: number;
  /** Bytes per task, all files together, at most. */
  maxBytes: number;
}

/** A file stored through the sink, as the result reports it. */
export interface SavedArtifact {
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes stored. */
  sha256: string;
  contentType: string;
  /** Where the sink stored it (the object key). */
  key: string;
}

/** How a task ended. */
export type ExecuteStatus = "succeeded" | "failed" | "timed_out" | "cancelled";

/**
 * Why a task failed, when it is more than its exit code:
 * - connection (ssh, http): `dns`, `refused`, `timeout`, `auth`, `host_key_mismatch`, `tls`, `protocol`
 * - `http_status`: the response status is not an expected one
 * - `no_credential`, `credential`: the target has no usable credential, or it does not open with VAULT_KEYS
 * - `invalid_request`: an environment variable or script that cannot be passed on (bad name, NUL byte)
 * - `disabled`: local execution is off on this worker; `unsupported`: no executor for this action and target
 * - `spawn`: the local shell could not be started; `output_failed`: `onOutput` threw, so the task was stopped
 * - `artifact_limit`: the task saved more files or bytes than {@link ArtifactOptions} allow
 * - `artifact_failed`: the saved files could not be fetched or stored
 */
export type ExecuteErrorKind =
  | "dns"
  | "refused"
  | "timeout"
  | "auth"
  | "host_key_mismatch"
  | "tls"
  | "protocol"
  | "http_status"
  | "no_credential"
  | "credential"
  | "invalid_request"
  | "disabled"
  | "unsupported"
  | "spawn"
  | "output_failed"
  | "artifact_limit"
  | "artifact_failed";

/** What a cancel or timeout did to the task's processes. */
export interface CancelSummary {
  /**
   * `terminated` (gone after TERM), `killed` (needed KILL), `survived` (see `survivors`), `not_running`
   * (already finished), `not_started` (stopped before it started), `unknown` (the group could not be
   * signalled), or for http `aborted` (the request was abandoned; what the server does is up to it).
   */
  outcome: string;
  /** Processes of the task's group still alive after KILL. */
  survivors: { pid: number; command: string }[];
  /** A process that left the group (a daemon) still held the output open, so it was closed by us. */
  outputHeldOpen: boolean;
}

/** The outcome of {@link Executor.execute}. Error messages never contain a secret. */
export interface ExecuteResult {
  status: ExecuteStatus;
  /** The process's exit code (0 for a noop); null when it was killed by a signal, never started, or for http. */
  exitCode: number | null;
  /** Signal name (`SIGTERM`) when the process was killed by one. */
  signal: string | null;
  /** Null on success and for a plain non-zero exit (see `exitCode`). */
  error: { kind: ExecuteErrorKind; message: string } | null;
  /** Present when the task was cancelled, timed out or stopped because its output could not be delivered. */
  cancel: CancelSummary | null;
  /** ssh: the host key the server presented and that was verified; the caller pins it when none is pinned. */
  observedHostKey: { algorithm: string; fingerprintSha256: string } | null;
  durationMs: number;
  /** The files the task saved (with `request.artifacts`), in the order they were stored. */
  artifacts?: SavedArtifact[];
}

/**
 * Receives every secret value an executor opened for a task (passwords, keys, tokens), before any output is
 * delivered, so the caller can redact them from output and logs (see `createRedactor`).
 */
export type SecretSink = (values: string[]) => void;

/** Runs tasks of one kind (ssh, local, http, noop). */
export interface Executor {
  /** Never rejects for problems of the task or target: they are reported in the result. */
  execute(request: ExecuteRequest, secrets: SecretSink): Promise<ExecuteResult>;
  /** Releases what the executor holds (ssh: closes its connections). */
  close(): Promise<void>;
}
