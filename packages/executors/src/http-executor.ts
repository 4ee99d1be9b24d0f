import type { TAction, TExecutionTarget } from "@opsc/contracts/execution/actions";
import type { TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { networkErrorKind } from "@opsc/probes/result";
import type { VaultKeys } from "@opsc/vault";
import { ArtifactCollector } from "./artifacts.ts";
import { CredentialUnavailableError, openCredential, secretValues } from "./credentials.ts";
import type { ExecuteRequest, ExecuteResult, Executor, SecretSink } from "./executor.ts";
import { ExecutorError, TaskControl } from "./task-control.ts";

type HttpAction = Extract<TAction, { type: "http" }>;

/** Options for {@link HttpExecutor}. */
export interface HttpExecutorOptions {
  vault: VaultKeys;
}

const ABORTED = { outcome: "aborted", survivors: [], outputHeldOpen: false };

/** The header a credential becomes, plus every value of it that must be redacted (the encoded form too). */
function credentialHeader(secret: TCredentialSecret): { name: string; value: string; secrets: string[] } {
  switch (secret.kind) {
    case "http_bearer":
      return { name: "authorization", value: `Bearer ${secret.token}`, secrets: secretValues(secret) };
    case "http_basic": {
      const encoded = Buffer.from(`${secret.username}:${secret.password}`).toString("base64");
      return {
        name: "authorization",
        value: `Basic ${encoded}`,
        secrets: [...secretValues(secret), encoded],
      };
    }
    case "http_header":
      return { name: secret.headerName, value: secret.value, secrets: secretValues(secret) };
    default:
      throw new ExecutorError(
        "credential",
        `the target's credential is of kind ${secret.kind}, which cannot authenticate an HTTP request`,
      );
  }
}

function urlOf(target: TExecutionTarget, action: HttpAction): string {
  const host = target.address.includes(":") ? `[${target.address}]` : target.address;
  return `${target.http?.scheme ?? "https"}://${host}:${target.port}${action.path}`;
}

/**
 * Sends the action's request to the target (`scheme://address:port` + `action.path`) with the target's
 * credential as a header (it overrides a header of the same name in the action). Redirects are not followed:
 * a 3xx is the result. The status line (`HTTP 200 OK`) and then the body stream to stdout, with backpressure.
 * Succeeds when the status is in `expectStatus`, or is any 2xx when that is empty.
 */
export class HttpExecutor implements Executor {
  constructor(private readonly options: HttpExecutorOptions) {}

  execute(request: ExecuteRequest, secrets: SecretSink): Promise<ExecuteResult> {
    const control = new TaskControl(request);
    return this.run(request, secrets, control).finally(() => control.dispose());
  }

  private async run(
    request: ExecuteRequest,
    secrets: SecretSink,
    control: TaskControl,
  ): Promise<ExecuteResult> {
    const { action, target } = request;
    if (action.type !== "http")
      return control.finish({
        error: { kind: "unsupported", message: `http cannot run a ${action.type} action` },
      });
    if (control.stopCause) return control.finishNotStarted();

    const headers = new Headers({ "user-agent": "OpsConductor" });
    let response: Response;
    try {
      for (const [name, value] of Object.entries(action.headers)) {
        try {
          headers.set(name, value);
        } catch {
          throw new ExecutorError("invalid_request", `header ${name} has a value HTTP cannot carry`);
        }
      }
      if (target.credential) {
        const header = credentialHeader(this.open(target.credential));
        control.registerSecrets(header.secrets, secrets);
        headers.set(header.name, header.value);
      }
      if (action.body !== undefined && (action.method === "GET" || action.method === "HEAD"))
        throw new ExecutorError("invalid_request", `a ${action.method} request cannot have a body`);
      response = await fetch(urlOf(target, action), {
        method: action.method,
        headers,
        ...(action.body === undefined ? {} : { body: action.body }),
        redirect: "manual",
        signal: control.signal,
        ...(target.http?.insecureTls ? { tls: { rejectUnauthorized: false } } : {}),
      });
    } catch (error) {
      if (error instanceof ExecutorError) return control.finishWithError(error);
      if (control.stopCause) return control.finish({ cancel: ABORTED });
      const message = (error as Error)?.message ?? String(error);
      return control.finish({ error: { kind: networkErrorKind(error), message } });
    }

    const statusLine = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}\n`;
    const delivered = control.deliver("stdout", Buffer.from(statusLine));
    if (delivered) await delivered;
    let artifacts: ReturnType<typeof control.finish>["artifacts"];
    if (action.saveBody && request.artifacts && response.body) {
      // Saved instead of printed: a body worth keeping is rarely one worth reading in a log.
      const collector = new ArtifactCollector(request.artifacts, control.signal);
      const length = Number(response.headers.get("content-length") ?? Number.NaN);
      try {
        await collector.save("response.body", response.body, {
          size: Number.isSafeInteger(length) ? length : null,
          contentType: response.headers.get("content-type") || "application/octet-stream",
        });
      } catch (error) {
        if (control.stopCause) return control.finish({ cancel: ABORTED, artifacts: collector.saved });
        return control.finishWithError(error, { artifacts: collector.saved });
      }
      artifacts = collector.saved;
    } else if (response.body) {
      const reader = response.body.getReader();
      try {
        while (!control.stopCause) {
          const { done, value } = await reader.read();
          if (done) break;
          const pending = control.deliver(
            "stdout",
            Buffer.from(value.buffer, value.byteOffset, value.byteLength),
          );
          if (pending) await pending;
        }
      } catch (error) {
        if (!control.stopCause)
          return control.finish({
            error: { kind: "protocol", message: `the response body broke off: ${(error as Error).message}` },
          });
      }
      if (control.stopCause) {
        await reader.cancel().catch(() => {});
        return control.finish({ cancel: ABORTED });
      }
    }
    const expected = action.expectStatus;
    const isExpected = expected.length > 0 ? expected.includes(response.status) : response.ok;
    if (isExpected) return control.finish({ isSuccess: true, ...(artifacts ? { artifacts } : {}) });
    return control.finish({
      ...(artifacts ? { artifacts } : {}),
      error: {
        kind: "http_status",
        message: `${urlOf(target, action)} answered ${response.status}, expected ${expected.length > 0 ? expected.join(", ") : "a 2xx status"}`,
      },
    });
  }

  private open(credential: NonNullable<TExecutionTarget["credential"]>): TCredentialSecret {
    try {
      return openCredential(this.options.vault, credential);
    } catch (error) {
      if (error instanceof CredentialUnavailableError) throw new ExecutorError("credential", error.message);
      throw error;
    }
  }

  async close(): Promise<void> {}
}
