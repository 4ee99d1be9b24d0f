import type { TTarget } from "@opsc/contracts/targets/targets";
import { useState } from "react";
import { useFetcher } from "react-router";
import { formatDateTime } from "../../lib/format.ts";
import type { TargetsActionResult } from "../../lib/targets.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";

/** The SSH host key pinned on first use; admins may trust a new one after a reinstall. */
export function HostKeyPanel({ target, isAdmin }: { target: TTarget; isAdmin: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const key = target.hostKey;
  return (
    <Card
      id="host-key"
      title="Host key"
      description="Pinned on the first successful connection; a different key later is refused before any credential is sent."
    >
      {key ? (
        <dl className="space-y-2 text-sm" data-host-key>
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Fingerprint ({key.algorithm})</dt>
            <dd className="break-all font-mono text-xs">{key.fingerprintSha256}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Pinned</dt>
            <dd>{formatDateTime(key.pinnedAt)}</dd>
          </div>
        </dl>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400" data-host-key="none">
          Not pinned yet: the first connection test or health check that reaches the host pins its key.
        </p>
      )}
      {isAdmin ? (
        <div className="mt-4">
          <Button variant="secondary" size="sm" onClick={() => setConfirming(true)}>
            Re-pin host key
          </Button>
          <RepinDialog target={target} open={confirming} onClose={() => setConfirming(false)} />
        </div>
      ) : null}
    </Card>
  );
}

function RepinDialog({ target, open, onClose }: { target: TTarget; open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "repin-host-key" });
  const result = fetcher.data?.intent === "repin-host-key" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result, onClose);
  return (
    <Dialog open={open} onClose={onClose} title={`Re-pin the host key of ${target.name}?`}>
      <fetcher.Form method="post" className="space-y-4">
        <input type="hidden" name="intent" value="repin-host-key" />
        <input type="hidden" name="id" value={target.id} />
        <input type="hidden" name="label" value={target.name} />
        <div className="space-y-2 text-sm text-slate-600 dark:text-slate-300">
          <p>
            OpsConductor connects now and trusts whatever key{" "}
            <span className="font-mono">{target.address}</span> presents, replacing the pinned one.
          </p>
          <p className="font-medium text-amber-800 dark:text-amber-200">
            Only do this when you know why the key changed: the host was reinstalled or its keys were rotated.
            If nobody expected a change, someone may be intercepting the connection, and re-pinning would hand
            them every credential used on this target from now on.
          </p>
        </div>
        {result && !result.ok ? <Alert tone="error">{result.message}</Alert> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose} autoFocus>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            isPending={fetcher.state !== "idle"}
            pendingLabel="Connecting…"
          >
            Trust the new key
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}
