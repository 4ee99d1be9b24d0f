import type { TTarget } from "@opsc/contracts/targets/targets";
import { useFetcher } from "react-router";
import type { TargetsActionResult } from "../../lib/targets.client.ts";
import { presentConnectionTest } from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";

const FETCHER_KEY = "test-connection";

/** "Test connection": for SSH a handshake, authentication and `true`; for HTTP one request. */
export function TestConnectionButton({ target }: { target: TTarget }) {
  const fetcher = useFetcher<TargetsActionResult>({ key: FETCHER_KEY });
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="test-connection" />
      <input type="hidden" name="id" value={target.id} />
      <input type="hidden" name="label" value={target.name} />
      <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Testing…">
        Test connection
      </Button>
    </fetcher.Form>
  );
}

/** The last test's outcome, in plain words; nothing until a test ran. */
export function ConnectionTestResult() {
  const fetcher = useFetcher<TargetsActionResult>({ key: FETCHER_KEY });
  const result = fetcher.data?.intent === "test-connection" ? fetcher.data : undefined;
  if (fetcher.state !== "idle") {
    return (
      <p className="text-sm text-slate-500 dark:text-slate-400" aria-busy="true">
        Connecting… (this can take as long as the connect timeout)
      </p>
    );
  }
  if (!result) return null;
  if (!result.ok) return <Alert tone="error">{result.message}</Alert>;
  if (!result.data.test) return null;
  const view = presentConnectionTest(result.data.test);
  return (
    <section
      aria-label="Connection test result"
      className={`space-y-2 rounded-lg border p-4 text-sm ${
        view.ok
          ? "border-emerald-200 bg-emerald-50 dark:border-emerald-500/30 dark:bg-emerald-500/10"
          : "border-red-200 bg-red-50 dark:border-red-500/30 dark:bg-red-500/10"
      }`}
      data-connection-test={view.ok ? "ok" : "failed"}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={view.ok ? "green" : "red"}>{view.headline}</Badge>
        <span className="tabular-nums text-slate-700 dark:text-slate-200">in {view.latency}</span>
        {view.detail ? (
          <code className="rounded bg-white/70 px-1.5 py-0.5 text-xs dark:bg-slate-950/50" data-test-detail>
            {view.detail}
          </code>
        ) : null}
      </div>
      {view.explanation ? (
        <div className="space-y-1">
          <p className="font-medium text-red-800 dark:text-red-200">{view.explanation}</p>
          <p className="text-xs text-red-700 dark:text-red-300">
            <span className="font-mono">{view.errorKind}</span>: {view.errorMessage}
          </p>
        </div>
      ) : null}
      {view.hostKey ? (
        <p className="text-xs text-slate-700 dark:text-slate-300">
          Host key <span className="font-mono">{view.hostKey.algorithm}</span>{" "}
          <span className="break-all font-mono">{view.hostKey.fingerprint}</span>{" "}
          {view.hostKey.pinnedNow ? (
            <Badge tone="indigo">Pinned now</Badge>
          ) : (
            <span className="text-slate-500">(matches the pinned key)</span>
          )}
        </p>
      ) : null}
    </section>
  );
}
