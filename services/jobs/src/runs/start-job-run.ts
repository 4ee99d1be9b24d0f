import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TRunTrigger,
  TStartPlanRunRequest,
  TStartPlanRunResponse,
} from "@opsc/contracts/execution/plan";
import type { TJobDefinition } from "@opsc/contracts/jobs/definition";
import {
  maskSecrets,
  parameterEnv,
  parameterValuesSchema,
  type TParameterValues,
} from "@opsc/contracts/jobs/parameters";
import { AppError, callInternal, describeIssues, type InternalCallContext } from "@opsc/server-kit";
import { findActiveBlackout } from "../calendars/blackout.ts";
import { isChoiceParameter, resolveChoices, substitutionValues } from "../choices/choices.service.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { loadVersion } from "../jobs/load-version.ts";
import { buildPlan } from "./plan.ts";

export interface StartJobRunInput {
  jobId: string;
  /** The latest version when omitted. */
  version?: number;
  parameters: Record<string, unknown>;
  trigger: TRunTrigger;
  /** The user the run counts as started by; null for the system (a schedule without owner, say). */
  createdBy: string | null;
  overrideReason?: string;
  idempotencyKey?: string;
  /** `enforce`: a run inside a blackout window needs an override reason; `ignore`: the caller decided already. */
  blackout: "enforce" | "ignore";
  /** The caller, passed on to the targets and execution services. */
  context: InternalCallContext;
}

/** Choice options as offered now, for the parameters that have a value: a value not offered now is refused. */
async function currentChoices(
  deps: JobsServiceDeps,
  context: InternalCallContext,
  definition: TJobDefinition,
  values: Record<string, unknown>,
): Promise<Record<string, string[]>> {
  const substitution = substitutionValues(definition.parameters, values);
  const entries = await Promise.all(
    definition.parameters
      .filter(isChoiceParameter)
      .filter((parameter) => substitution[parameter.name] !== undefined)
      .map(async (parameter) => {
        const choices = await resolveChoices(
          deps,
          context,
          parameter,
          substitution,
          `parameters.${parameter.name}`,
        );
        return [parameter.name, choices.map((choice) => choice.value)] as const;
      }),
  );
  return Object.fromEntries(entries);
}

function validateValues(
  definition: TJobDefinition,
  given: Record<string, unknown>,
  choices: Record<string, string[]>,
): TParameterValues {
  const parsed = parameterValuesSchema(definition.parameters, choices).safeParse(given);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: ["parameters", ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))],
    message: issue.message,
  }));
  throw new AppError("BAD_REQUEST", { field: issues[0]!.path.join("."), message: describeIssues(issues) });
}

function targetsOf(definition: TJobDefinition, values: TParameterValues): TStartPlanRunRequest["targets"] {
  const targets = definition.targets;
  if (!("parameter" in targets)) return targets;
  const selector = String(values[targets.parameter] ?? "").trim();
  if (!selector)
    throw new AppError("BAD_REQUEST", {
      field: `parameters.${targets.parameter}`,
      message: `${targets.parameter}: choose the targets (a selector)`,
    });
  return { selector };
}

/**
 * Starts a run of a job version: checks the blackout windows, validates the values against the parameters (the
 * choices resolved again here), resolves the targets and the plan (child jobs included), and asks the execution
 * service to start it. Manual runs, schedules and webhooks all come through here; the run is audited as `job.run`
 * with secret values masked.
 */
export async function startJobRun(
  deps: JobsServiceDeps,
  actor: AuditActor,
  input: StartJobRunInput,
): Promise<TStartPlanRunResponse> {
  const { job, version, definition } = await loadVersion(deps.db, input.jobId, input.version);
  const blackout =
    input.blackout === "enforce"
      ? await findActiveBlackout(deps.db, { folder: job.folder, tags: job.tags }, new Date())
      : null;
  if (blackout && !input.overrideReason)
    throw new AppError("BAD_REQUEST", {
      field: "overrideReason",
      message: `"${job.name}" is inside a blackout window of calendar "${blackout.calendarName}" until ${blackout.endsAt.toISOString()}; give a reason to run it anyway`,
    });

  // The reason counts only where there is something to override (or where the caller checked the windows itself).
  const overrideReason = blackout || input.blackout === "ignore" ? input.overrideReason : undefined;

  const choices = await currentChoices(deps, input.context, definition, input.parameters);
  const values = validateValues(definition, input.parameters, choices);
  const targets = targetsOf(definition, values);
  const plan = await buildPlan(deps.db, { id: job.id, name: job.name }, definition);
  const { env, secretEnv } = parameterEnv(definition.parameters, values);
  const masked = maskSecrets(definition.parameters, values);

  const result = await callInternal(() =>
    deps.execution(input.context).runs.startPlan.mutate({
      name: job.name,
      job: { id: job.id, name: job.name, version },
      plan,
      targets,
      env,
      secretEnv,
      parameters: masked,
      ...(definition.fanOut !== undefined ? { fanOut: definition.fanOut } : {}),
      ...(definition.failureThreshold !== undefined ? { failureThreshold: definition.failureThreshold } : {}),
      workerGroup: definition.workerGroup,
      exclusive: definition.exclusive,
      concurrency: definition.concurrency,
      trigger: input.trigger,
      createdBy: input.createdBy,
      parent: null,
      ...(overrideReason !== undefined ? { overrideReason } : {}),
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    }),
  ).catch((error: unknown) => {
    // Targets chosen through a parameter: the caller's field is that parameter, not the plan request's.
    const targetsParameter = "parameter" in definition.targets ? definition.targets.parameter : null;
    if (error instanceof AppError && targetsParameter && error.field?.startsWith("targets"))
      throw new AppError(error.code, {
        field: `parameters.${targetsParameter}`,
        message: error.message,
        cause: error,
      });
    throw error;
  });
  // A retried start that returned the first run started nothing new: the first one was audited. A start the job's
  // concurrency policy skipped is audited: someone asked.
  if (result.created || result.outcome === "skipped")
    await recordAudit(deps.db, actor, {
      action: "job.run",
      resourceType: "job",
      resourceId: job.id,
      after: {
        name: job.name,
        version,
        parameters: masked,
        trigger: input.trigger,
        outcome: result.outcome,
        runId: result.runId,
        activeRunId: result.activeRunId,
        ...(blackout
          ? { blackout: { calendarId: blackout.calendarId, calendarName: blackout.calendarName } }
          : {}),
        ...(overrideReason !== undefined ? { overrideReason } : {}),
      },
    });
  return result;
}
