import { escapeLike } from "@opsc/db/match";
import { AppError } from "@opsc/server-kit";
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import peggy from "peggy";
import type { TargetsDatabase } from "../database.ts";
import { SELECTOR_GRAMMAR } from "./grammar.ts";

interface Location {
  start: { offset: number; column: number };
}
export type SelectorTerm =
  | { type: "not"; term: SelectorTerm; location: Location }
  | { type: "in"; key: string; values: string[]; negated: boolean; location: Location }
  | { type: "compare"; key: string; value: string; negated: boolean; location: Location }
  | { type: "exists"; key: string; location: Location };

const parser = peggy.generate(SELECTOR_GRAMMAR);

/** Target fields a selector can test; any other key is a tag key. */
const FIELDS = {
  name: "name",
  address: "address",
  kind: "kind",
  health: "health_status",
  port: "port",
  enabled: "enabled",
  maintenance: "maintenance",
} as const;
type Field = keyof typeof FIELDS;
const isField = (key: string): key is Field => Object.hasOwn(FIELDS, key);

/** Parses a selector; a syntax error names the column and what was expected there. */
export function parseSelector(source: string): SelectorTerm[] {
  try {
    return parser.parse(source) as SelectorTerm[];
  } catch (error) {
    const syntax = error as {
      location?: Location;
      expected?: { type?: string; description?: string; text?: string }[];
      found?: string | null;
    };
    if (!syntax.location) throw error;
    const expected = [
      // Literal characters are quoted, so that an expected "," or ")" reads as text, not punctuation.
      ...new Set(
        (syntax.expected ?? []).map((item) =>
          item.type === "literal" ? JSON.stringify(item.text) : (item.description ?? "?"),
        ),
      ),
    ].slice(0, 6);
    const found = syntax.found === null ? "the end" : `"${syntax.found}"`;
    throw new AppError("BAD_REQUEST", {
      field: "selector",
      message: `selector: at column ${syntax.location.start.column}, expected ${expected.join(", ") || "something else"} but found ${found}`,
      context: { offset: syntax.location.start.offset },
    });
  }
}

function like(value: string): string {
  return escapeLike(value).replaceAll("*", "%");
}

type Eb = ExpressionBuilder<TargetsDatabase, "targets">;

function fieldMatches(eb: Eb, field: Field, value: string, location: Location): Expression<SqlBool> {
  const column = sql.ref(`targets.${FIELDS[field]}`);
  if (field === "enabled" || field === "maintenance") {
    if (value !== "true" && value !== "false") {
      throw new AppError("BAD_REQUEST", {
        field: "selector",
        message: `selector: at column ${location.start.column}, ${field} is true or false`,
      });
    }
    return eb(column, "=", value === "true");
  }
  if (field === "port") {
    const port = Number(value);
    if (!Number.isInteger(port)) {
      throw new AppError("BAD_REQUEST", {
        field: "selector",
        message: `selector: at column ${location.start.column}, port is a number`,
      });
    }
    return eb(column, "=", port);
  }
  if (value.includes("*")) return eb(sql`lower(${column})`, "like", like(value.toLowerCase()));
  return field === "name" || field === "address"
    ? eb(sql`lower(${column})`, "=", value.toLowerCase())
    : eb(column, "=", value);
}

function tagMatches(eb: Eb, key: string, value: string): Expression<SqlBool> {
  // Exact values use containment, which the GIN index on tags answers; wildcards fall back to a scan of matches.
  if (!value.includes("*")) return sql<SqlBool>`targets.tags @> ${JSON.stringify({ [key]: value })}::jsonb`;
  return eb(sql`targets.tags ->> ${key}`, "like", like(value));
}

function matches(eb: Eb, key: string, value: string, location: Location): Expression<SqlBool> {
  return isField(key) ? fieldMatches(eb, key, value, location) : tagMatches(eb, key, value);
}

function termToSql(eb: Eb, term: SelectorTerm): Expression<SqlBool> {
  switch (term.type) {
    case "not":
      return eb.not(termToSql(eb, term.term));
    case "exists":
      return isField(term.key) ? sql<SqlBool>`true` : sql<SqlBool>`targets.tags ? ${term.key}`;
    case "compare": {
      const match = matches(eb, term.key, term.value, term.location);
      // `env!=prod` holds for targets without an env tag too, like `!env=prod`.
      return term.negated ? eb.not(match) : match;
    }
    case "in": {
      const any = eb.or(term.values.map((value) => matches(eb, term.key, value, term.location)));
      return term.negated ? eb.not(any) : any;
    }
  }
}

/** The WHERE condition for a parsed selector (every term must hold); an empty selector matches everything. */
export function selectorCondition(terms: SelectorTerm[]) {
  return (eb: Eb): Expression<SqlBool> =>
    terms.length === 0 ? sql<SqlBool>`true` : eb.and(terms.map((term) => termToSql(eb, term)));
}
