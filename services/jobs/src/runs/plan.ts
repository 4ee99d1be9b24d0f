import type { TResolvedChildJob, TRunPlan, TStep } from "@opsc/contracts/execution/plan";
import type { TJobDefinition } from "@opsc/contracts/jobs/definition";
import { AppError } from "@opsc/server-kit";
import type { Kysely } from "kysely";
import type { JobsDatabase } from "../database.ts";
import type { JobRow } from "../jobs/jobs.dto.ts";
import * as repo from "../jobs/jobs.repository.ts";
import { type LoadedVersion, loadVersion } from "../jobs/load-version.ts";

/** "Run another job" steps nest this deep at most (the started job is level 0). */
export const MAX_JOB_DEPTH = 5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface JobRef {
  id: string;
  name: string;
}

function refuse(message: string): never {
  throw new AppError("BAD_REQUEST", { field: "id", message });
}

/**
 * A job's plan as a run starts it: its steps, each "run another job" step with the child job's latest version
 * resolved (parameters, plan, worker group, exclusivity), recursively. Cycles and nesting deeper than
 * MAX_JOB_DEPTH are refused, naming the step.
 */
export async function buildPlan(
  db: Kysely<JobsDatabase>,
  job: JobRef,
  definition: TJobDefinition,
): Promise<TRunPlan> {
  const loaded = new Map<string, LoadedVersion>();
  const findChild = async (reference: string): Promise<LoadedVersion | null> => {
    const row: JobRow | undefined = UUID.test(reference)
      ? await repo.findById(db, reference)
      : await repo.findByName(db, reference);
    if (!row) return null;
    const cached = loaded.get(row.id);
    if (cached) return cached;
    const version = await loadVersion(db, row.id);
    loaded.set(row.id, version);
    return version;
  };

  const planOf = async (chain: JobRef[], current: TJobDefinition): Promise<TRunPlan> => {
    const owner = chain.at(-1)!;
    const steps: TStep[] = [];
    for (const step of current.steps) {
      if (step.action.type !== "job") {
        steps.push(step);
        continue;
      }
      const where = `Step "${step.key}" of job "${owner.name}"`;
      const child = await findChild(step.action.job);
      if (!child) refuse(`${where} runs job "${step.action.job}", which does not exist`);
      const childRef = { id: child.job.id, name: child.job.name };
      if (chain.some((ancestor) => ancestor.id === childRef.id))
        refuse(
          `${where} runs job "${childRef.name}" again: a cycle (${[...chain, childRef]
            .map((entry) => entry.name)
            .join(" → ")})`,
        );
      if (chain.length > MAX_JOB_DEPTH)
        refuse(`${where} runs job "${childRef.name}" deeper than ${MAX_JOB_DEPTH} levels of nested jobs`);
      const unknown = Object.keys(step.action.parameters).filter(
        (name) => !child.definition.parameters.some((parameter) => parameter.name === name),
      );
      if (unknown.length > 0)
        refuse(`${where} passes "${unknown[0]}", which is not a parameter of job "${childRef.name}"`);
      const resolved: TResolvedChildJob = {
        job: { ...childRef, version: child.version },
        parameters: child.definition.parameters,
        plan: await planOf([...chain, childRef], child.definition),
        workerGroup: child.definition.workerGroup,
        exclusive: child.definition.exclusive,
      };
      // A new object: the definition's steps (and zod's shared defaults) stay untouched.
      steps.push({ ...step, action: { ...step.action, resolved } });
    }
    return { steps, strategy: current.strategy };
  };

  return planOf([job], definition);
}
