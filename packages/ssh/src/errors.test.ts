import { describe, expect, test } from "bun:test";
import { SshError, toSshError } from "./errors.ts";

const context = { host: "db1.example.test", port: 2222, username: "deploy" };
const withCode = (code: unknown, extra: object = {}) => Object.assign(new Error("x"), { code, ...extra });

describe("toSshError", () => {
  test("maps resolver failures to dns", () => {
    for (const code of ["ENOTFOUND", "EAI_AGAIN"]) {
      const error = toSshError(withCode(code), context);
      expect(error.kind).toBe("dns");
      expect(error.message).toContain("db1.example.test");
    }
  });

  test("maps the other socket and ssh2 failures", () => {
    expect(toSshError(withCode("ECONNREFUSED"), context).kind).toBe("refused");
    expect(toSshError(withCode("ETIMEDOUT"), context).kind).toBe("timeout");
    expect(toSshError(withCode(undefined, { level: "client-timeout" }), context).kind).toBe("timeout");
    const auth = toSshError(withCode(undefined, { level: "client-authentication" }), context);
    expect(auth.kind).toBe("auth");
    expect(auth.message).toContain('"deploy"');
    // SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE
    expect(toSshError(withCode(14), context).kind).toBe("auth");
    const other = toSshError(withCode("ECONNRESET"), context);
    expect(other.kind).toBe("protocol");
    expect(other.cause).toBeInstanceOf(Error);
  });

  test("passes SshError through unchanged", () => {
    const original = new SshError("host_key_mismatch", "changed");
    expect(toSshError(original, context)).toBe(original);
  });
});
