import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import type { OpsClient } from "@opsc/sdk";
import { createHttpTargets } from "./execution.ts";
import { type SignedInUser, startSystem, type TestSystem } from "./system.ts";

/**
 * The system with an operator and a viewer signed in. With `suite`, also one HTTP target tagged `suite=<suite>` for
 * the jobs' runs to select (with no worker nothing executes them, so they stay queued).
 */
export async function startJobsSystem(
  options: { suite?: string } = {},
): Promise<{ system: TestSystem; operator: SignedInUser; viewer: SignedInUser }> {
  const system = await startSystem();
  try {
    const operator = await system.createUser("operator");
    const viewer = await system.createUser("viewer");
    if (options.suite) await createHttpTargets(system, options.suite, 1);
    return { system, operator, viewer };
  } catch (error) {
    await system.stop();
    throw error;
  }
}

/**
 * A function that creates a job through `jobs()` on each call: named `<name>-<n>`, selecting `suite=<suite>`, one
 * local `true` command step, tagged `<tag>-<n>` (`tag` defaults to `name`). `definition`, then each call's `extra`,
 * override these defaults.
 */
export function createJobFactory(
  jobs: () => OpsClient["jobs"],
  options: { name: string; tag?: string; suite: string; definition?: Partial<TJobDefinitionInput> },
) {
  let count = 0;
  return (extra: Partial<TJobDefinitionInput> = {}) => {
    count++;
    return jobs().create.mutate({
      name: `${options.name}-${count}`,
      definition: {
        targets: { selector: `suite=${options.suite}` },
        steps: [{ key: "main", name: "Main", action: { type: "command", command: "true" }, runOn: "local" }],
        tags: [`${options.tag ?? options.name}-${count}`],
        ...options.definition,
        ...extra,
      },
    });
  };
}
