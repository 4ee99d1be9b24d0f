import { describe, expect, test } from "bun:test";
import { guessOs, parseHttpResponse, parseSshIdentification, sanitizeText } from "./banner.ts";

describe("banners", () => {
  test("the SSH identification line, after optional pre-banner lines", () => {
    expect(parseSshIdentification("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")).toBe(
      "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
    );
    expect(parseSshIdentification("Welcome\r\nSSH-2.0-dropbear_2022.83\r\n")).toBe(
      "SSH-2.0-dropbear_2022.83",
    );
    expect(parseSshIdentification("220 mail ESMTP\r\n")).toBeNull();
  });

  test("HTTP status, Server header and title, entities decoded", () => {
    const raw =
      "HTTP/1.1 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\nContent-Type: text/html\r\n\r\n" +
      "<html><head><TITLE lang=en>\n  Status &amp; metrics &#8211; node&#x31; </TITLE></head>";
    expect(parseHttpResponse(raw, false)).toEqual({
      status: 200,
      server: "Apache/2.4.57 (Debian)",
      title: "Status & metrics – node1",
      tls: false,
    });
    expect(parseHttpResponse("HTTP/1.0 404 Not Found\r\n\r\n", true)).toEqual({
      status: 404,
      server: null,
      title: null,
      tls: true,
    });
    expect(parseHttpResponse("SSH-2.0-x\r\n", false)).toBeNull();
  });

  test("untrusted text is one printable, bounded line", () => {
    expect(sanitizeText("a\u0000b\u001b[31mc\r\nd")).toBe("a b [31mc d");
    expect(sanitizeText("x".repeat(500))).toHaveLength(200);
  });

  test("OS hints from SSH and HTTP banners", () => {
    expect(guessOs(["SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"])).toBe("debian");
    expect(guessOs(["SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"])).toBe("ubuntu");
    expect(guessOs([null, "Microsoft-IIS/10.0"])).toBe("windows");
    expect(guessOs(["SSH-2.0-OpenSSH_9.6", "nginx"])).toBeNull();
  });
});
