import { describe, expect, test } from "bun:test";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from "kysely";
import { containsPattern, equalsAnyIgnoringCase, escapeLike } from "./match.ts";

describe("LIKE patterns", () => {
  test("wildcards and the escape character in the text are matched literally", () => {
    expect(escapeLike("50%_off\\now")).toBe("50\\%\\_off\\\\now");
    expect(containsPattern("a_b")).toBe("%a\\_b%");
    expect(containsPattern("plain")).toBe("%plain%");
  });
});

describe("equalsAnyIgnoringCase", () => {
  test("compiles to lower(column) in (...) with the values lower-cased", () => {
    // Compiled only: the repositories' integration tests run it against PostgreSQL.
    const db = new Kysely<{ items: { name: string } }>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (kysely) => new PostgresIntrospector(kysely),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    const query = db
      .selectFrom("items")
      .selectAll()
      .where((eb) => equalsAnyIgnoringCase(eb, "name", ["Web-1", "DB"]))
      .compile();
    expect(query.sql).toBe('select * from "items" where lower("name") in ($1, $2)');
    expect(query.parameters).toEqual(["web-1", "db"]);
  });
});
