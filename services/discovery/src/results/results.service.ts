import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TRunDiff,
  ZImportHostsRequestSchema,
  ZListResultsRequestSchema,
} from "@opsc/contracts/discovery/results";
import type { TCreateTargetRequest } from "@opsc/contracts/targets/targets";
import { InvalidCidrError, parseCidr } from "@opsc/scanner";
import { AppError, callInternal, type InternalCallContext, notFound } from "@opsc/server-kit";
import type { z } from "zod";
import type { DiscoveryServiceDeps } from "../deps.ts";
import { findTargetsAt } from "../inventory.ts";
import * as runs from "../runs/runs.repository.ts";
import { type ResultRow, toHost } from "./results.dto.ts";
import * as repo from "./results.repository.ts";
import { describeChanges, suggestTarget } from "./suggestions.ts";

type Deps = Pick<DiscoveryServiceDeps, "db" | "inventory">;

export async function listResults(deps: Pick<Deps, "db">, input: z.output<typeof ZListResultsRequestSchema>) {
  const run = await runs.findById(deps.db, input.runId);
  if (!run) throw notFound("Run");
  const { rows, total } = await repo.listPage(deps.db, input.runId, input.limit, input.offset);
  return { items: rows.map((row) => ({ ...toHost(row), importedTargetId: row.imported_target_id })), total };
}

/**
 * The run against the inventory and the previous completed run of the same scan: new hosts (no target at the
 * address) with the target an import would create, changed hosts (a target exists; ports or banners differ
 * from the previous run), known hosts, and vanished hosts (in the previous run, not in this one; only once
 * this run has completed, since an unfinished run has not looked everywhere yet).
 */
export async function diffRun(deps: Deps, context: InternalCallContext, runId: string): Promise<TRunDiff> {
  const run = await runs.findById(deps.db, runId);
  if (!run) throw notFound("Run");
  const previousRun = await runs.findPreviousCompleted(deps.db, run.scan_id, run.created_at);
  const [current, previous] = await Promise.all([
    repo.listAll(deps.db, runId),
    previousRun ? repo.listAll(deps.db, previousRun.id) : Promise.resolve([] as ResultRow[]),
  ]);
  const currentAddresses = new Set(current.map((row) => row.address));
  const vanished =
    run.status === "completed" ? previous.filter((row) => !currentAddresses.has(row.address)) : [];
  const targets = await findTargetsAt(deps.inventory, context, [
    ...current.map((row) => row.address),
    ...vanished.map((row) => row.address),
  ]);
  const previousByAddress = new Map(previous.map((row) => [row.address, toHost(row)]));
  const diff: TRunDiff = {
    runId,
    previousRunId: previousRun?.id ?? null,
    new: [],
    changed: [],
    known: [],
    vanished: [],
  };
  for (const row of current) {
    const host = toHost(row);
    const target = targets.get(row.address.toLowerCase());
    const before = previousByAddress.get(row.address);
    const changes = before ? describeChanges(before, host) : [];
    if (!target)
      diff.new.push({ host, suggestion: suggestTarget(host, run.scan_name), seenBefore: !!before, changes });
    else if (changes.length > 0) diff.changed.push({ host, target, changes });
    else diff.known.push({ address: row.address, target });
  }
  for (const row of vanished) {
    diff.vanished.push({
      address: row.address,
      previous: toHost(row),
      target: targets.get(row.address.toLowerCase()) ?? null,
    });
  }
  return diff;
}

/** The canonical form of an address the user typed, or a 400 naming the field. */
function canonicalAddress(text: string, field: string): string {
  try {
    const cidr = parseCidr(text);
    if (cidr.prefix !== (cidr.family === 4 ? 32 : 128)) throw new InvalidCidrError(text, "a single address");
    return cidr.text.replace(/\/\d+$/, "");
  } catch (error) {
    if (error instanceof InvalidCidrError)
      throw new AppError("BAD_REQUEST", { field, message: error.message });
    throw error;
  }
}

/**
 * Creates targets for selected hosts of a run, as the suggestions say unless the request overrides name or
 * tags. The targets service creates them all or none and audits them as the importing user (the internal call
 * carries the caller); this service records which results were imported, audited too.
 */
export async function importHosts(
  deps: Deps,
  actor: AuditActor,
  context: InternalCallContext,
  input: z.output<typeof ZImportHostsRequestSchema>,
) {
  const run = await runs.findById(deps.db, input.runId);
  if (!run) throw notFound("Run");
  const addresses = input.hosts.map((host, index) =>
    canonicalAddress(host.address, `hosts.${index}.address`),
  );
  const duplicate = addresses.findIndex((address, index) => addresses.indexOf(address) !== index);
  if (duplicate !== -1)
    throw new AppError("BAD_REQUEST", { field: `hosts.${duplicate}.address`, message: "Listed twice" });
  const rows = await repo.findByAddresses(deps.db, input.runId, addresses);
  const byAddress = new Map(rows.map((row) => [canonicalAddress(row.address, "address"), row]));
  const missing = addresses.findIndex((address) => !byAddress.has(address));
  if (missing !== -1)
    throw new AppError("BAD_REQUEST", {
      field: `hosts.${missing}.address`,
      message: "Not among the hosts this run found",
    });
  const existing = await findTargetsAt(deps.inventory, context, addresses);
  const taken = addresses.findIndex((address) => existing.has(address));
  if (taken !== -1)
    throw new AppError("CONFLICT", {
      field: `hosts.${taken}.address`,
      message: `Target ${existing.get(addresses[taken]!)!.name} already has this address`,
    });

  const names = new Set<string>();
  const targets: TCreateTargetRequest[] = input.hosts.map((choice, index) => {
    const suggestion = suggestTarget(toHost(byAddress.get(addresses[index]!)!), run.scan_name);
    let name = choice.name ?? suggestion.name;
    // Two hosts of one import may suggest the same name (same PTR name): the later one gets its address.
    if (names.has(name.toLowerCase()) && !choice.name)
      name = `${name}-${addresses[index]!.replace(/[^a-z0-9]+/gi, "-")}`.slice(0, 100);
    names.add(name.toLowerCase());
    return {
      name,
      address: addresses[index]!,
      port: suggestion.port,
      kind: suggestion.kind,
      tags: choice.tags ?? suggestion.tags,
      description: suggestion.description,
      ...(suggestion.http ? { http: { ...suggestion.http, insecureTls: false } } : {}),
    };
  });
  const { items } = await callInternal(() => deps.inventory(context).inventory.create.mutate({ targets }));
  const imported = items.map((target) => ({
    address: target.address,
    targetId: target.id,
    name: target.name,
    kind: target.kind,
  }));
  await deps.db.transaction().execute(async (trx) => {
    await repo.markImported(trx, input.runId, imported);
    await recordAudit(trx, actor, {
      action: "discovery.hosts.imported",
      resourceType: "discovery_run",
      resourceId: input.runId,
      after: { hosts: imported },
    });
  });
  return { items: imported };
}
