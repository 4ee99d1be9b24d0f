import type { TCredential } from "@opsc/contracts/targets/credentials";
import type { TTarget } from "@opsc/contracts/targets/targets";
import { useCallback, useEffect, useState } from "react";
import { Link, useFetcher, useNavigate } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { useProfile } from "../../lib/app-data.ts";
import { formatDateTime } from "../../lib/format.ts";
import { hasRole } from "../../lib/roles.ts";
import type { TargetDetail, TargetsActionResult } from "../../lib/targets.client.ts";
import {
  formatEndpoint,
  presentHealth,
  TARGET_KIND_LABELS,
  tagChips,
  unplacedErrors,
} from "../../lib/targets.presenter.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { ConfirmDeleteForm } from "../ui/confirm-delete-form.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { useResultToast, useToast } from "../ui/toast.tsx";
import { AttachedCredentials } from "./attached-credentials.tsx";
import { ConnectionTestResult, TestConnectionButton } from "./connection-test.tsx";
import { HealthBadge, StateBadges, TagChips } from "./health-badge.tsx";
import { HealthHistory } from "./health-history.tsx";
import { HostKeyPanel } from "./host-key-panel.tsx";
import { TARGET_FIELD_NAMES, TargetFields } from "./target-fields.tsx";
import { useCredentials } from "./use-credentials.ts";

export function TargetDetailPage({ detail }: { detail: TargetDetail }) {
  const { target, history } = detail;
  const { effectiveRole } = useProfile();
  const canEdit = hasRole(effectiveRole, "operator");
  const isAdmin = hasRole(effectiveRole, "admin");
  const credentials = useCredentials(canEdit);
  const [deleting, setDeleting] = useState(false);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link
          to="/targets"
          className="rounded text-slate-500 hover:text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-400 dark:hover:text-white"
        >
          ← Targets
        </Link>
      </nav>
      <PageHeader
        title={target.name}
        description={
          <span className="font-mono">
            {TARGET_KIND_LABELS[target.kind]} · {formatEndpoint(target.address, target.port)}
          </span>
        }
        actions={
          canEdit ? (
            <div className="flex gap-2">
              <TestConnectionButton target={target} />
              <Button
                variant="secondary"
                className="text-red-600 dark:text-red-400"
                onClick={() => setDeleting(true)}
              >
                Delete
              </Button>
            </div>
          ) : null
        }
      />
      <div className="space-y-6">
        <ConnectionTestResult />
        <div className="grid gap-6 lg:grid-cols-3">
          <div className="space-y-6 lg:col-span-2">
            <Overview target={target} />
            <HealthHistory checks={history} />
          </div>
          <div className="space-y-6">
            <AttachedCredentials target={target} credentials={credentials} canRead={canEdit} />
            {target.kind === "ssh" ? <HostKeyPanel target={target} isAdmin={isAdmin} /> : null}
          </div>
        </div>
        {canEdit ? <EditTarget key={target.updatedAt} target={target} credentials={credentials} /> : null}
      </div>
      {canEdit ? (
        <DeleteTargetDialog target={target} open={deleting} onClose={() => setDeleting(false)} />
      ) : null}
    </>
  );
}

function Overview({ target }: { target: TTarget }) {
  const health = presentHealth(target.health, new Date());
  const tags = tagChips(target.tags);
  return (
    <Card id="overview" title="Overview">
      <dl className="grid gap-4 text-sm sm:grid-cols-2">
        <div>
          <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Health</dt>
          <dd>
            <HealthBadge health={health} />
            {health.error ? (
              <p className="mt-1 text-xs text-red-700 dark:text-red-300">{health.error}</p>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">State</dt>
          <dd>
            <StateBadges enabled={target.enabled} maintenance={target.maintenance} />
          </dd>
        </div>
        <div className="sm:col-span-2">
          <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Tags</dt>
          <dd>
            <TagChips tags={tags} empty="No tags" />
          </dd>
        </div>
        {target.description ? (
          <div className="sm:col-span-2">
            <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Description</dt>
            <dd className="whitespace-pre-line">{target.description}</dd>
          </div>
        ) : null}
        <div>
          <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Health check interval</dt>
          <dd>{target.healthIntervalSeconds ? `every ${target.healthIntervalSeconds} s` : "the default"}</dd>
        </div>
        {target.kind === "http" && target.http ? (
          <div>
            <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Request</dt>
            <dd className="font-mono text-xs">
              GET {target.http.scheme}://{formatEndpoint(target.address, target.port)}
              {target.http.path} → {target.http.expectStatus ?? "2xx/3xx"}
              {target.http.insecureTls ? " (any certificate)" : ""}
            </dd>
          </div>
        ) : null}
        <div>
          <dt className="mb-1 text-xs text-slate-500 dark:text-slate-400">Updated</dt>
          <dd>{formatDateTime(target.updatedAt)}</dd>
        </div>
      </dl>
    </Card>
  );
}

function EditTarget({ target, credentials }: { target: TTarget; credentials: TCredential[] | null }) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "update-target" });
  const result = fetcher.data?.intent === "update" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);
  const unplaced = unplacedErrors(errors, TARGET_FIELD_NAMES);
  return (
    <Card
      id="settings"
      title="Settings"
      description="Changing the address or port forgets the pinned host key."
    >
      {credentials === null ? (
        <p className="text-sm text-slate-500" aria-busy="true">
          Loading…
        </p>
      ) : (
        <fetcher.Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="id" value={target.id} />
          {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
            <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>
          ) : null}
          <TargetFields target={target} credentials={credentials} errors={errors} />
          <div className="flex justify-end">
            <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
              Save changes
            </Button>
          </div>
        </fetcher.Form>
      )}
    </Card>
  );
}

function DeleteTargetDialog({
  target,
  open,
  onClose,
}: {
  target: TTarget;
  open: boolean;
  onClose: () => void;
}) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "delete-target" });
  const result = fetcher.data?.intent === "delete" ? fetcher.data : undefined;
  const navigate = useNavigate();
  const toast = useToast();
  const leave = useCallback(() => navigate("/targets"), [navigate]);
  // The toast lives in the app layout, so it outlasts this page.
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      toast("success", result.message);
      fetcher.reset();
      leave();
    }
  }, [fetcher, result, toast, leave]);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Delete ${target.name}?`}
      description="The target and its health history are removed for good. Disabling keeps them instead."
    >
      <ConfirmDeleteForm
        fetcher={fetcher}
        intent="delete"
        id={target.id}
        label={target.name}
        result={result}
        onCancel={onClose}
        submitLabel="Delete target"
      />
    </Dialog>
  );
}
