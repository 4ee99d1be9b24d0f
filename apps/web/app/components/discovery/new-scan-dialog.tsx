import { useEffect } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { DiscoveryActionResult } from "../../lib/discovery.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { CheckboxField, TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

const SCAN_FIELDS = [
  "name",
  "description",
  "ranges",
  "ports",
  "timeoutMs",
  "concurrency",
  "reverseDns",
  "schedule",
  "schedule.cron",
  "schedule.timeZone",
];

export function NewScanDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<DiscoveryActionResult>({ key: "create-scan" });
  const result = fetcher.data?.intent === "create-scan" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);
  const unplaced = Object.entries(errors)
    .filter(([key]) => !SCAN_FIELDS.includes(key))
    .map(([key, message]) => (key === "_" ? message : `${key}: ${message}`));

  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      fetcher.reset();
      onClose();
    }
  }, [fetcher, result, onClose]);

  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title="New scan"
      description="Probes TCP ports on every address of the ranges, which must lie inside the allowed ranges."
    >
      <fetcher.Form method="post" action="/discovery" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="create-scan" />
        {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
          <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Name" name="name" placeholder="Lab sweep" error={errors.name} />
          <TextField label="Description" name="description" error={errors.description} />
          <TextField
            label="Ranges"
            name="ranges"
            placeholder="10.20.0.0/24, 10.20.1.7"
            hint="CIDR blocks or addresses, separated by commas."
            error={errors.ranges}
          />
          <TextField
            label="Ports"
            name="ports"
            placeholder="22, 80, 443"
            hint="A comma list; 8000-8010 for a run of ports."
            error={errors.ports}
          />
          <TextField
            label="Timeout (ms)"
            name="timeoutMs"
            inputMode="numeric"
            placeholder="1000"
            hint="Per connection attempt, 100–30000."
            error={errors.timeoutMs}
          />
          <TextField
            label="Concurrency"
            name="concurrency"
            inputMode="numeric"
            placeholder="200"
            hint="Probes at once, 1–1000."
            error={errors.concurrency}
          />
          <TextField
            label="Schedule (cron)"
            name="cron"
            placeholder="0 3 * * *"
            hint="Optional; leave empty to run by hand only."
            error={errors["schedule.cron"] ?? errors.schedule}
          />
          <TextField
            label="Time zone"
            name="timeZone"
            placeholder="UTC"
            error={errors["schedule.timeZone"]}
          />
        </div>
        <CheckboxField label="Look up reverse DNS names" name="reverseDns" />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Creating…">
            Create scan
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}
