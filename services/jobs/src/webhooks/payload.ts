/** A mapped value the job cannot take: an object, or a list of something other than strings. */
export class PayloadMappingError extends Error {
  override readonly name = "PayloadMappingError";
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The value at a dotted path (`repository.name`, `commits.0.id`); undefined when the path leads nowhere. */
export function valueAt(payload: unknown, path: string): unknown {
  let current: unknown = payload;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/**
 * Job parameter values from a payload: for each `parameter → path`, the value found there. A path that leads
 * nowhere gives no value (the parameter's default applies, or "required" is reported when the run starts); the
 * job's parameter rules check the values afterwards.
 */
export function mapPayload(payload: unknown, mapping: Record<string, string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [parameter, path] of Object.entries(mapping)) {
    const value = valueAt(payload, path);
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && !value.every((item) => typeof item === "string"))
      throw new PayloadMappingError(
        parameter,
        `the payload's ${path} is a list of something other than strings`,
      );
    if (typeof value === "object" && !Array.isArray(value))
      throw new PayloadMappingError(parameter, `the payload's ${path} is an object, not a value`);
    values[parameter] = value;
  }
  return values;
}
