import type { Expression, ExpressionBuilder, SqlBool, StringReference } from "kysely";

/** `text` with LIKE's wildcards (`%`, `_`) and its escape character (`\`) escaped, to be matched literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** A LIKE / ILIKE pattern matching any text that contains `text` (taken literally). */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/**
 * `lower(column) in (...values lower-cased)`: `column` equals one of `values`, ignoring case. `values` must not be
 * empty (`in ()` is not SQL): callers return early on an empty list.
 */
export function equalsAnyIgnoringCase<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: StringReference<DB, TB>,
  values: readonly string[],
): Expression<SqlBool> {
  return eb(
    eb.fn<string>("lower", [column]),
    "in",
    values.map((value) => value.toLowerCase()),
  );
}
