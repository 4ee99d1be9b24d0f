import { createHash, randomBytes } from "node:crypto";
import type { TExecutionTarget } from "@opsc/contracts/execution/actions";
import type { TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { connectSsh, execCommand, type HostKeyInfo, type SshAuth, SshError } from "@opsc/ssh";
import type { VaultKeys } from "@opsc/vault";
import { ArtifactCollector, ArtifactsDirParser } from "./artifacts.ts";
import {
  CredentialUnavailableError,
  openCredential,
  type SealedCredential,
  secretValues,
} from "./credentials.ts";
import type { ExecuteRequest, ExecuteResult, Executor, SecretSink } from "./executor.ts";
import { buildShellProgram, buildTaskEnvironment, plainInvocation, sudoInvocation } from "./shell-program.ts";
import { collectRemoteArtifacts, discardRemoteArtifacts } from "./ssh-artifacts.ts";
import { SshConnectionPool, type SshPoolOptions } from "./ssh-pool.ts";
import { ExecutorError, TaskControl } from "./task-control.ts";

/** Options for {@link SshExecutor}. */
export interface SshExecutorOptions {
  vault: VaultKeys;
  /** Deadline for DNS + TCP connect, and again for the handshake + authentication; default 10 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive on pooled connections (a dead peer is noticed after 3 misses); default 15 s. */
  keepaliveIntervalMs?: number;
  pool?: SshPoolOptions;
}

interface Login {
  username: string;
  auth: SshAuth;
}

function loginOf(secret: TCredentialSecret): Login {
  if (secret.kind === "ssh_key")
    return {
      username: secret.username,
      auth: {
        type: "key",
        privateKey: secret.privateKey,
        ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
      },
    };
  if (secret.kind === "ssh_password")
    return { username: secret.username, auth: { type: "password", password: secret.password } };
  throw new ExecutorError("credential", `a credential of kind ${secret.kind} cannot log in over SSH`);
}

/** The base64 lines of a private key: output that prints the key reformatted still shows them. */
function privateKeyLines(secret: TCredentialSecret): string[] {
  if (secret.kind !== "ssh_key") return [];
  return secret.privateKey
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith("-----") && !line.includes(":"));
}

const hostKeyOf = (key: HostKeyInfo | undefined) =>
  key ? { algorithm: key.algorithm, fingerprintSha256: key.fingerprintSha256 } : null;

/**
 * One pooled connection per target address, port, user, credential (id and sealed value, so a rotated secret
 * gets a new connection) and pinned host key. The key holds no secret.
 */
function poolKey(target: TExecutionTarget, username: string, credential: SealedCredential): string {
  const digest = createHash("sha256").update(credential.sealed).digest("base64url");
  const pin = target.expectedHostKey
    ? `${target.expectedHostKey.algorithm} ${target.expectedHostKey.fingerprintSha256}`
    : "unpinned";
  return [target.address, target.port, username, credential.id, digest, pin].join("\n");
}

/**
 * Runs commands and scripts on SSH targets over pooled connections. The host key is checked `strict` against
 * the target's pin, or pinned on first use (reported as `observedHostKey`). The program (environment exports,
 * then the code) reaches `/bin/sh -s` on the channel's stdin, optionally under sudo; cancel and timeout kill
 * the remote process group through `@opsc/ssh`'s `execCommand`.
 */
export class SshExecutor implements Executor {
  /** Exposed for metrics and tests. */
  readonly pool: SshConnectionPool;
  private readonly running = new Set<{ control: TaskControl; done: Promise<unknown> }>();

  constructor(private readonly options: SshExecutorOptions) {
    this.pool = new SshConnectionPool(options.pool);
  }

  execute(request: ExecuteRequest, secrets: SecretSink): Promise<ExecuteResult> {
    const control = new TaskControl(request);
    const done = this.run(request, secrets, control);
    const entry = { control, done };
    this.running.add(entry);
    return done.finally(() => {
      control.dispose();
      this.running.delete(entry);
    });
  }

  private async run(
    request: ExecuteRequest,
    secrets: SecretSink,
    control: TaskControl,
  ): Promise<ExecuteResult> {
    const { action, target } = request;
    if (action.type !== "command" && action.type !== "script")
      return control.finish({
        error: { kind: "unsupported", message: `ssh cannot run a ${action.type} action` },
      });
    if (control.stopCause) return control.finishNotStarted();

    let login: Login;
    let invocation: ReturnType<typeof plainInvocation>;
    const credential = target.credential;
    // With a sink, the program makes a fresh directory for the task's files and announces it on stdout.
    const artifactsNonce = request.artifacts ? randomBytes(12).toString("hex") : undefined;
    try {
      if (!credential)
        throw new ExecutorError("no_credential", `target ${target.name} has no credential to log in with`);
      const secret = this.open(credential);
      control.registerSecrets([...secretValues(secret), ...privateKeyLines(secret)], secrets);
      login = loginOf(secret);
      const program = buildShellProgram(
        buildTaskEnvironment(request),
        action,
        artifactsNonce ? { artifactsDir: { nonce: artifactsNonce, handToSudoUser: request.sudo } } : {},
      );
      invocation = request.sudo
        ? sudoInvocation(program, this.sudoPassword(target, secret, control, secrets))
        : plainInvocation(program);
    } catch (error) {
      return control.finishWithError(error);
    }

    let lease: Awaited<ReturnType<SshConnectionPool["acquire"]>>;
    try {
      lease = await this.pool.acquire(
        poolKey(target, login.username, credential!),
        () =>
          connectSsh({
            host: target.address,
            port: target.port,
            username: login.username,
            auth: login.auth,
            hostKey: target.expectedHostKey
              ? { mode: "strict", expected: target.expectedHostKey }
              : { mode: "pin-on-first-use" },
            timeoutMs: this.options.connectTimeoutMs ?? 10_000,
            keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 15_000,
          }),
        control.signal,
      );
    } catch (error) {
      if (error instanceof SshError)
        return control.finish({
          error: { kind: error.kind, message: error.message },
          // On a mismatch the key is the impostor's: not one to pin.
          observedHostKey: error.kind === "host_key_mismatch" ? null : hostKeyOf(error.hostKey),
        });
      if (control.stopCause) return control.finishNotStarted();
      return control.finishWithError(error);
    }

    const observedHostKey = hostKeyOf(lease.connection.hostKey);
    const announcement = artifactsNonce ? new ArtifactsDirParser(artifactsNonce) : undefined;
    try {
      const result = await execCommand(lease.connection, invocation.command, {
        stdin: invocation.stdin,
        onStdout: (chunk) => control.deliver("stdout", announcement ? announcement.push(chunk) : chunk),
        onStderr: (chunk) => control.deliver("stderr", chunk),
        signal: control.signal,
        killGraceMs: request.killGraceMs,
      });
      const held = announcement?.flush();
      if (held?.length) await control.deliver("stdout", held);
      const cancelled = result.cancelled;
      const outcome = {
        exitCode: result.exitCode,
        signal: result.signal,
        cancel: cancelled
          ? {
              outcome: cancelled.outcome,
              survivors: cancelled.survivors,
              outputHeldOpen: cancelled.isOutputHeldOpen,
            }
          : null,
        observedHostKey,
      };
      const dir = announcement?.directory;
      if (!request.artifacts || !dir) return control.finish(outcome);
      if (cancelled || control.stopCause) {
        await discardRemoteArtifacts(lease.connection, dir);
        return control.finish(outcome);
      }
      // The files are fetched whatever the exit code: a failed task's reports are often what is wanted.
      const collector = new ArtifactCollector(request.artifacts, control.signal);
      try {
        await collectRemoteArtifacts(lease.connection, dir, collector, control.signal);
      } catch (error) {
        if (control.stopCause) {
          // Stopped while fetching (cancel, deadline): the command had finished, nothing was left to kill.
          await discardRemoteArtifacts(lease.connection, dir);
          return control.finish({
            ...outcome,
            cancel: { outcome: "not_running", survivors: [], outputHeldOpen: false },
            artifacts: collector.saved,
          });
        }
        return control.finishWithError(error, { ...outcome, artifacts: collector.saved });
      }
      return control.finish({ ...outcome, artifacts: collector.saved });
    } catch (error) {
      // The connection broke during the command; the pool drops it and the next task reconnects.
      const kind = error instanceof SshError ? error.kind : "protocol";
      return control.finish({ error: { kind, message: (error as Error).message }, observedHostKey });
    } finally {
      lease.release();
    }
  }

  private open(credential: SealedCredential): TCredentialSecret {
    try {
      return openCredential(this.options.vault, credential);
    } catch (error) {
      if (error instanceof CredentialUnavailableError) throw new ExecutorError("credential", error.message);
      throw error;
    }
  }

  /** The target's sudo credential, or else the login password; undefined means `sudo -n` (no prompt). */
  private sudoPassword(
    target: TExecutionTarget,
    login: TCredentialSecret,
    control: TaskControl,
    secrets: SecretSink,
  ): string | undefined {
    if (!target.sudoCredential) return login.kind === "ssh_password" ? login.password : undefined;
    const secret = this.open(target.sudoCredential);
    if (secret.kind !== "sudo_password" && secret.kind !== "ssh_password")
      throw new ExecutorError("credential", `a credential of kind ${secret.kind} cannot be a sudo password`);
    control.registerSecrets(secretValues(secret), secrets);
    return secret.password;
  }

  /** Cancels running commands (their process groups are killed over their connections), then closes those. */
  async close(): Promise<void> {
    const running = [...this.running];
    for (const { control } of running) control.stop("cancelled");
    await Promise.all(running.map(({ done }) => done));
    await this.pool.close();
  }
}
