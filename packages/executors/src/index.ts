export {
  ArtifactCollector,
  contentTypeOf,
  sanitizeArtifactName,
} from "./artifacts.ts";
export type { CreateExecutorsOptions, ExecutorSelection, Executors } from "./create-executors.ts";
export { createExecutors } from "./create-executors.ts";
export type { SealedCredential } from "./credentials.ts";
export { CredentialUnavailableError, openCredential, secretValues } from "./credentials.ts";
export type {
  ArtifactFile,
  ArtifactOptions,
  ArtifactSink,
  CancelSummary,
  ExecuteErrorKind,
  ExecuteRequest,
  ExecuteResult,
  ExecuteStatus,
  Executor,
  OutputStream,
  SavedArtifact,
  SecretSink,
} from "./executor.ts";
export type { HttpExecutorOptions } from "./http-executor.ts";
export { HttpExecutor } from "./http-executor.ts";
export type { LocalExecutorOptions } from "./local-executor.ts";
export { LocalExecutor } from "./local-executor.ts";
export { NoopExecutor } from "./noop-executor.ts";
export type { Redactor } from "./redact.ts";
export { createRedactor, redactText } from "./redact.ts";
export type { SshExecutorOptions } from "./ssh-executor.ts";
export { SshExecutor } from "./ssh-executor.ts";
export type { SshLease, SshPoolOptions } from "./ssh-pool.ts";
export { PoolClosedError, SshConnectionPool } from "./ssh-pool.ts";
