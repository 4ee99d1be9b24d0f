/** What a GET / told about an HTTP server. */
export interface HttpInfo {
  status: number;
  /** The `Server` header, when sent. */
  server: string | null;
  /** The page's `<title>`, whitespace collapsed. */
  title: string | null;
  /** Answered over TLS. */
  tls: boolean;
}

const MAX_TEXT = 200;

/** Printable text only, one line, bounded: banners come from untrusted hosts and end up in the UI and logs. */
export function sanitizeText(value: string, maxLength = MAX_TEXT): string {
  return (
    value
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, maxLength)
  );
}

/** The SSH identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`) from what a server sent first, if any. */
export function parseSshIdentification(greeting: string): string | null {
  // RFC 4253 §4.2: a server may send other lines before the identification line.
  const line = greeting.split(/\r?\n/).find((candidate) => candidate.startsWith("SSH-"));
  return line ? sanitizeText(line, 255) : null;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity[0] === "#") {
      const code =
        entity[1] === "x" || entity[1] === "X"
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[entity.toLowerCase()] ?? match;
  });
}

/**
 * Parses the start of an HTTP/1.x response: status, `Server` header and the `<title>` of the body. Returns null
 * when the text is not an HTTP response.
 */
export function parseHttpResponse(raw: string, tls: boolean): HttpInfo | null {
  const statusLine = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(raw);
  if (!statusLine) return null;
  const headerEnd = raw.search(/\r?\n\r?\n/);
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const body = headerEnd === -1 ? "" : raw.slice(headerEnd);
  const server = /^server:[ \t]*(.*)$/im.exec(head)?.[1];
  const title = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(body)?.[1];
  const cleanTitle = title === undefined ? "" : sanitizeText(decodeEntities(title));
  return {
    status: Number(statusLine[1]),
    server: server ? sanitizeText(server) || null : null,
    title: cleanTitle || null,
    tls,
  };
}

/** Operating systems that SSH and HTTP servers name in their banners, most specific first. */
const OS_HINTS: { pattern: RegExp; os: string }[] = [
  { pattern: /raspbian/i, os: "raspbian" },
  { pattern: /ubuntu/i, os: "ubuntu" },
  { pattern: /debian|\+deb\d+/i, os: "debian" },
  { pattern: /freebsd/i, os: "freebsd" },
  { pattern: /openbsd/i, os: "openbsd" },
  { pattern: /netbsd/i, os: "netbsd" },
  { pattern: /centos/i, os: "centos" },
  { pattern: /red ?hat|rhel/i, os: "rhel" },
  { pattern: /fedora/i, os: "fedora" },
  { pattern: /alpine/i, os: "alpine" },
  { pattern: /for_windows|microsoft-iis|win32|win64/i, os: "windows" },
];

/** An OS guess from banners (`OpenSSH_9.2p1 Debian-2` → `debian`), or null when none names one. */
export function guessOs(banners: readonly (string | null | undefined)[]): string | null {
  for (const banner of banners) {
    if (!banner) continue;
    const hint = OS_HINTS.find(({ pattern }) => pattern.test(banner));
    if (hint) return hint.os;
  }
  return null;
}
