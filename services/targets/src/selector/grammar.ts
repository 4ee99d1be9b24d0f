/**
 * The target selector language (PEG, compiled by peggy at start-up).
 *
 *   env=prod role in (web,api) !name=db-*      every term must hold (AND)
 *   key=value   key!=value   key in (a,b)   key notin (a,b)   key (the tag exists)   !term (negation)
 *
 * Keys are tag keys, or the fields name, address, kind, health, port, enabled, maintenance. Values may be
 * quoted ("a b"); `*` in a value is a wildcard. Terms may be separated by spaces or commas.
 */
export const SELECTOR_GRAMMAR = String.raw`
Selector
  = _ first:Term rest:(Separator @Term)* _ { return [first, ...rest]; }
  / _ { return []; }

Separator = _ "," _ / __

Term
  = "!" _ term:Term { return { type: "not", term, location: location() }; }
  / Membership
  / Comparison
  / Exists

Membership
  = key:Key __ op:("notin"i / "in"i) _ "(" _ values:ValueList _ ")"
    { return { type: "in", key, values, negated: op.toLowerCase() === "notin", location: location() }; }

Comparison
  = key:Key _ op:("!=" / "==" / "=") _ value:Value
    { return { type: "compare", key, value, negated: op === "!=", location: location() }; }

Exists
  = key:Key !(_ ("=" / "!=" / "(")) !(__ ("in"i / "notin"i) _ "(")
    { return { type: "exists", key, location: location() }; }

ValueList = first:Value rest:(_ "," _ @Value)* { return [first, ...rest]; }

Key "a key" = $([A-Za-z0-9] [A-Za-z0-9._/-]*)

Value "a value"
  = "\"" chars:$([^"\\] / "\\" .)* "\"" { return chars.replace(/\\(.)/g, "$1"); }
  / $([A-Za-z0-9._:/@+*-]+)

_ "whitespace" = [ \t\n\r]*
__ "whitespace" = [ \t\n\r]+
`;
