import type { TAllowedRange } from "@opsc/contracts/discovery/ranges";
import { useEffect, useRef } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { DiscoveryActionResult } from "../../lib/discovery.client.ts";
import { formatDate } from "../../lib/format.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

/** The networks scans may touch. Everyone sees them; admins add and remove them. */
export function RangesPanel({ ranges, isAdmin }: { ranges: TAllowedRange[]; isAdmin: boolean }) {
  return (
    <Card
      id="ranges"
      title="Allowed ranges"
      description="Scans may only probe addresses inside these networks."
    >
      {ranges.length ? (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {ranges.map((range) => (
            <RangeRow key={range.id} range={range} isAdmin={isAdmin} />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No ranges are allowed yet{isAdmin ? "" : "; an admin adds them"}. Scans cannot run until one is.
        </p>
      )}
      {isAdmin ? <AddRangeForm /> : null}
    </Card>
  );
}

function RangeRow({ range, isAdmin }: { range: TAllowedRange; isAdmin: boolean }) {
  const fetcher = useFetcher<DiscoveryActionResult>();
  useResultToast(fetcher.data);
  return (
    <li className="flex items-center justify-between gap-3 py-2" data-range-row={range.cidr}>
      <div className="min-w-0">
        <p className="font-mono text-sm text-slate-900 dark:text-white">{range.cidr}</p>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">
          {range.description || "No description"} · added {formatDate(range.createdAt)}
        </p>
      </div>
      {isAdmin ? (
        <fetcher.Form method="post" action="/discovery">
          <input type="hidden" name="intent" value="delete-range" />
          <input type="hidden" name="id" value={range.id} />
          <input type="hidden" name="label" value={range.cidr} />
          <Button
            type="submit"
            variant="ghost"
            size="sm"
            isPending={fetcher.state !== "idle"}
            pendingLabel="Removing…"
            aria-label={`Remove ${range.cidr}`}
          >
            Remove
          </Button>
        </fetcher.Form>
      ) : null}
    </li>
  );
}

function AddRangeForm() {
  const fetcher = useFetcher<DiscoveryActionResult>({ key: "create-range" });
  const result = fetcher.data?.intent === "create-range" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) form.current?.reset();
  }, [fetcher.state, result]);
  return (
    <fetcher.Form
      ref={form}
      method="post"
      action="/discovery"
      noValidate
      className="mt-4 space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <input type="hidden" name="intent" value="create-range" />
      {result && !result.ok && !errors.cidr && !errors.description ? (
        <Alert tone="error">{result.message}</Alert>
      ) : null}
      <TextField label="CIDR" name="cidr" placeholder="10.20.0.0/24" error={errors.cidr} />
      <TextField
        label="Description"
        name="description"
        placeholder="Lab network"
        error={errors.description}
      />
      <div className="flex justify-end">
        <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Adding…">
          Add range
        </Button>
      </div>
    </fetcher.Form>
  );
}
