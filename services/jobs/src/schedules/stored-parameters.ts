import {
  parameterValueSchema,
  parameterValuesSchema,
  type TParameter,
} from "@opsc/contracts/jobs/parameters";
import { AppError } from "@opsc/server-kit";
import { open, seal, type VaultKeys } from "@opsc/vault";

/**
 * Parameter values saved with a schedule or a webhook: plain values in a jsonb column, secret ones sealed together
 * with the vault (owner: the schedule's or webhook's id) and never returned. They are checked against the job's
 * parameters when saved (shape only: a choice's options are resolved when the run starts, and checked again then).
 */
export interface StoredParameters {
  plain: Record<string, unknown>;
  /** The sealed JSON object of secret values; null when there are none. */
  sealedSecrets: string | null;
  secretNames: string[];
}

function isSecret(parameters: TParameter[], name: string): boolean {
  return parameters.some((parameter) => parameter.name === name && parameter.type === "secret");
}

/** Opens the secret values stored for `owner` (empty when none). */
export function openSecrets(vault: VaultKeys, sealed: string | null, owner: string): Record<string, string> {
  return sealed ? (JSON.parse(open(vault, sealed, owner)) as Record<string, string>) : {};
}

function refuse(field: string, path: PropertyKey[], message: string): never {
  throw new AppError("BAD_REQUEST", { field: [field, ...path.map(String)].join("."), message });
}

/** Each value on its own, unknown names refused; nothing is required (a webhook's payload brings the rest). */
function parsePartial(parameters: TParameter[], values: Record<string, unknown>, field: string) {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const parameter = parameters.find((candidate) => candidate.name === name);
    if (!parameter) refuse(field, [name], `"${name}" is not a parameter of this job`);
    const parsed = parameterValueSchema(parameter).safeParse(value);
    if (!parsed.success) refuse(field, [name], parsed.error.issues[0]!.message);
    out[name] = parsed.data;
  }
  return out;
}

/**
 * Checks `given` against the job's parameters and splits it for storage. `complete`: the values must make a whole
 * set (required ones given or defaulted, as a schedule's must); otherwise each is checked on its own. `kept` are
 * the secret values stored before: a secret left out of `given` keeps its value, and `null` clears it. Issues name
 * `${field}.<parameter>`.
 */
export function prepareParameters(
  vault: VaultKeys,
  parameters: TParameter[],
  given: Record<string, unknown>,
  options: { owner: string; field: string; complete: boolean; kept?: Record<string, string> },
): StoredParameters {
  const merged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options.kept ?? {}))
    if (isSecret(parameters, name)) merged[name] = value;
  for (const [name, value] of Object.entries(given)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  let values: Record<string, unknown>;
  if (options.complete) {
    const parsed = parameterValuesSchema(parameters).safeParse(merged);
    if (!parsed.success) refuse(options.field, parsed.error.issues[0]!.path, parsed.error.issues[0]!.message);
    values = parsed.data;
  } else values = parsePartial(parameters, merged, options.field);
  // Only what was given is stored: defaults apply when the run starts, from the job's definition then.
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const name of Object.keys(merged)) {
    const value = values[name];
    if (value === undefined) continue;
    if (isSecret(parameters, name)) secrets[name] = String(value);
    else plain[name] = value;
  }
  const secretNames = Object.keys(secrets).sort();
  return {
    plain,
    sealedSecrets: secretNames.length > 0 ? seal(vault, JSON.stringify(secrets), options.owner) : null,
    secretNames,
  };
}
