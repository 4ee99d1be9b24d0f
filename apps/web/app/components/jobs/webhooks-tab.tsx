import type { TWebhook } from "@opsc/contracts/jobs/webhooks";
import { Fragment, useCallback, useEffect, useId, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { WebhookActionResult, WebhookDeliveries } from "../../lib/job-detail.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDeleteDialog } from "../ui/confirm-delete-form.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { inputClass, TextField } from "../ui/field.tsx";
import { HistoryTable, RunIdCell } from "../ui/history-table.tsx";
import { KeyValueEditor } from "../ui/key-value-editor.tsx";
import { DetailRow, ListTable } from "../ui/list-table.tsx";
import { useResultToast } from "../ui/toast.tsx";

const td = "px-3 py-2.5 align-top text-sm text-slate-700 dark:text-slate-300";

function outcomeTone(outcome: string): BadgeTone {
  if (outcome === "started") return "green";
  if (outcome === "queued" || outcome === "skipped") return "amber";
  return "red";
}

/**
 * The job's webhook triggers. Creating one shows its URL and HMAC secret once (copy them then); rotating makes a new
 * secret, shown once too. Operators enable, disable and delete; everyone sees the last deliveries.
 */
export function WebhooksTab({
  jobId,
  webhooks,
  canWrite,
}: {
  jobId: string;
  webhooks: TWebhook[];
  canWrite: boolean;
}) {
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<TWebhook | null>(null);
  const [openDeliveries, setOpenDeliveries] = useState<string | null>(null);
  // The secret of the last create or rotate: shown until the dialog is closed, then gone for good.
  const [revealed, setRevealed] = useState<{ name: string; url: string | null; secret: string } | null>(null);
  const closeCreate = useCallback(() => setCreating(false), []);
  return (
    <div className="space-y-4">
      {canWrite ? (
        <Button onClick={() => setCreating(true)} variant="secondary">
          New webhook
        </Button>
      ) : null}
      {webhooks.length ? (
        <ListTable
          frame="plain"
          columns={[
            { label: "Webhook" },
            { label: "Parameters from the payload" },
            { label: "Last call" },
            { label: "State" },
            { label: "Actions", isHidden: true },
          ]}
          cellClass="px-3 py-2"
        >
          {webhooks.map((webhook) => (
            <Fragment key={webhook.id}>
              <WebhookRow
                webhook={webhook}
                canWrite={canWrite}
                deliveriesOpen={openDeliveries === webhook.id}
                onToggleDeliveries={() =>
                  setOpenDeliveries((current) => (current === webhook.id ? null : webhook.id))
                }
                onDelete={() => setDeleting(webhook)}
                onSecret={(secret) => setRevealed({ name: webhook.name, url: null, secret })}
              />
              {openDeliveries === webhook.id ? (
                <DetailRow columns={5}>
                  <Deliveries webhook={webhook} />
                </DetailRow>
              ) : null}
            </Fragment>
          ))}
        </ListTable>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No webhooks: nothing outside starts this job.
        </p>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Callers sign each request: <code>X-OpsC-Timestamp</code>, <code>X-OpsC-Nonce</code> and{" "}
        <code>X-OpsC-Signature: sha256=HMAC(secret, "timestamp.nonce.body")</code>.
      </p>
      {canWrite ? (
        <>
          <CreateWebhookDialog
            open={creating}
            jobId={jobId}
            onClose={closeCreate}
            onCreated={(created) => {
              setCreating(false);
              setRevealed(created);
            }}
          />
          <ConfirmDeleteDialog
            item={deleting}
            intent="delete-webhook"
            noun="webhook"
            description="Calls to its URL are refused from then on."
            onClose={() => setDeleting(null)}
          />
        </>
      ) : null}
      <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} />
    </div>
  );
}

function WebhookRow({
  webhook,
  canWrite,
  deliveriesOpen,
  onToggleDeliveries,
  onDelete,
  onSecret,
}: {
  webhook: TWebhook;
  canWrite: boolean;
  deliveriesOpen: boolean;
  onToggleDeliveries: () => void;
  onDelete: () => void;
  onSecret: (secret: string) => void;
}) {
  const fetcher = useFetcher<WebhookActionResult>();
  const result = fetcher.data;
  useResultToast(result);
  useEffect(() => {
    if (fetcher.state !== "idle" || !result?.ok || result.intent !== "rotate-webhook" || !result.data.secret)
      return;
    onSecret(result.data.secret);
    fetcher.reset();
  }, [fetcher, result, onSecret]);
  const mapping = Object.entries(webhook.parameterMapping);
  const post = (intent: string) =>
    void fetcher.submit({ intent, id: webhook.id, label: webhook.name }, { method: "post" });
  return (
    <tr data-webhook-row={webhook.name}>
      <td className={`${td} font-medium text-slate-900 dark:text-white`}>{webhook.name}</td>
      <td className={`${td} font-mono text-xs`}>
        {mapping.length ? mapping.map(([parameter, path]) => `${parameter} ← ${path}`).join(", ") : "—"}
      </td>
      <td className={`${td} whitespace-nowrap`}>{formatDateTime(webhook.lastCalledAt)}</td>
      <td className={td}>
        {webhook.enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="amber">Disabled</Badge>}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <div className="flex justify-end gap-1">
          <Button
            variant="ghost"
            size="sm"
            aria-expanded={deliveriesOpen}
            onClick={onToggleDeliveries}
            aria-label={`Deliveries of ${webhook.name}`}
          >
            Deliveries
          </Button>
          {canWrite ? (
            <>
              <Button
                variant="ghost"
                size="sm"
                isPending={fetcher.state !== "idle"}
                onClick={() => post(webhook.enabled ? "disable-webhook" : "enable-webhook")}
                aria-label={`${webhook.enabled ? "Disable" : "Enable"} ${webhook.name}`}
              >
                {webhook.enabled ? "Disable" : "Enable"}
              </Button>
              <Button
                variant="ghost"
                size="sm"
                onClick={() => post("rotate-webhook")}
                aria-label={`Rotate the secret of ${webhook.name}`}
              >
                Rotate secret
              </Button>
              <Button variant="ghost" size="sm" onClick={onDelete} aria-label={`Delete ${webhook.name}`}>
                Delete
              </Button>
            </>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function Deliveries({ webhook }: { webhook: TWebhook }) {
  const fetcher = useFetcher<WebhookDeliveries>();
  const { load } = fetcher;
  useEffect(() => {
    void load(`/webhooks/${webhook.id}/deliveries`);
  }, [webhook.id, load]);
  const data = fetcher.data?.webhookId === webhook.id ? fetcher.data : undefined;
  return (
    <HistoryTable
      label={`Deliveries of ${webhook.name}`}
      marker="data-deliveries"
      items={data?.items}
      loadingText="Loading the deliveries…"
      emptyText="No calls yet."
      columns={["Received", "Status", "Outcome", "Run", "Reason"]}
      row={(delivery) => (
        <tr key={delivery.id} className="align-top">
          <td className="whitespace-nowrap py-1 pr-3">{formatDateTime(delivery.receivedAt)}</td>
          <td className="py-1 pr-3 tabular-nums">{delivery.status}</td>
          <td className="py-1 pr-3">
            <Badge tone={outcomeTone(delivery.outcome)}>{delivery.outcome}</Badge>
          </td>
          <RunIdCell runId={delivery.runId} />
          <td className="py-1 text-slate-600 dark:text-slate-300">{delivery.reason ?? ""}</td>
        </tr>
      )}
    />
  );
}

function CreateWebhookDialog({
  open,
  jobId,
  onClose,
  onCreated,
}: {
  open: boolean;
  jobId: string;
  onClose: () => void;
  onCreated: (created: { name: string; url: string; secret: string }) => void;
}) {
  const fetcher = useFetcher<WebhookActionResult>({ key: "create-webhook" });
  const result = fetcher.data?.intent === "create-webhook" ? fetcher.data : undefined;
  const errors = fieldErrorsOf(result);
  useEffect(() => {
    if (fetcher.state !== "idle" || !result?.ok) return;
    const { webhook, url, secret } = result.data;
    fetcher.reset();
    if (webhook && url && secret) onCreated({ name: webhook.name, url, secret });
  }, [fetcher, result, onCreated]);
  const dismiss = () => {
    fetcher.reset();
    onClose();
  };
  return (
    <Dialog
      size="wide"
      open={open}
      onClose={dismiss}
      title="New webhook"
      description="An URL that starts this job when called with a valid signature. Its secret is shown once."
    >
      <fetcher.Form method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="create-webhook" />
        <input type="hidden" name="jobId" value={jobId} />
        {result &&
        !result.ok &&
        !Object.keys(errors).some((key) => ["name", "parameterMapping", "staticParameters"].includes(key)) ? (
          <Alert tone="error">{result.message}</Alert>
        ) : null}
        <TextField
          label="Webhook name"
          name="name"
          placeholder="GitHub push"
          autoComplete="off"
          error={errors.name}
        />
        <KeyValueEditor
          legend="Parameters from the payload"
          noun="Mapping"
          names={{ key: "mappingKey", value: "mappingValue" }}
          placeholders={{ key: "PARAMETER", value: "repository.name" }}
          initial={[{ key: "", value: "" }]}
          error={errors.parameterMapping}
          hint="A job parameter ← a dotted path into the JSON payload."
        />
        <KeyValueEditor
          legend="Fixed parameters"
          noun="Fixed value"
          names={{ key: "staticKey", value: "staticValue" }}
          placeholders={{ key: "PARAMETER", value: "value" }}
          initial={[]}
          error={errors.staticParameters}
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={dismiss}>
            Cancel
          </Button>
          <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Creating…">
            Create webhook
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}

/** The URL and the secret, once: they cannot be read again after this dialog closes. */
function SecretDialog({
  revealed,
  onClose,
}: {
  revealed: { name: string; url: string | null; secret: string } | null;
  onClose: () => void;
}) {
  const urlId = useId();
  const secretId = useId();
  const fullUrl = revealed?.url
    ? `${typeof window === "undefined" ? "" : window.location.origin}${revealed.url}`
    : null;
  return (
    <Dialog
      size="wide"
      open={revealed !== null}
      onClose={onClose}
      title={revealed?.url ? `Webhook ${revealed.name} created` : `New secret for ${revealed?.name ?? ""}`}
      description="Copy these now: they are shown only this once."
    >
      {revealed ? (
        <div className="space-y-4" data-webhook-secret>
          {fullUrl ? (
            <div className="space-y-1.5">
              <label htmlFor={urlId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
                URL
              </label>
              <div className="flex gap-2">
                <input id={urlId} readOnly value={fullUrl} className={`${inputClass} font-mono text-xs`} />
                <CopyButton value={fullUrl} targetId={urlId} ariaLabel="Copy the URL" />
              </div>
            </div>
          ) : null}
          <div className="space-y-1.5">
            <label
              htmlFor={secretId}
              className="block text-sm font-medium text-slate-700 dark:text-slate-200"
            >
              Secret
            </label>
            <div className="flex gap-2">
              <input
                id={secretId}
                readOnly
                value={revealed.secret}
                className={`${inputClass} font-mono text-xs`}
              />
              <CopyButton value={revealed.secret} targetId={secretId} ariaLabel="Copy the secret" />
            </div>
          </div>
          <div className="flex justify-end">
            <Button onClick={onClose}>Done</Button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
