import { join, normalize, sep } from "node:path";

const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=3600";

/**
 * Serves a file from the client build (`build/client`): content-hashed `/assets/*` are cached forever, the rest
 * (favicon) briefly. Returns null when there is no such file, so the request falls through to SSR.
 */
export function createStaticFiles(clientDir: string) {
  const root = normalize(clientDir) + sep;
  return async function serveStatic(request: Request, pathname: string): Promise<Response | null> {
    if (request.method !== "GET" && request.method !== "HEAD") return null;
    if (pathname === "/" || pathname.endsWith("/")) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    const path = normalize(join(root, decoded));
    // `..` or an encoded separator must never reach outside the build folder.
    if (!path.startsWith(root)) return null;
    const file = Bun.file(path);
    if (!(await file.exists())) return null;
    const headers = { "cache-control": pathname.startsWith("/assets/") ? IMMUTABLE : SHORT };
    return new Response(request.method === "HEAD" ? null : file, {
      headers: { ...headers, "content-type": file.type },
    });
  };
}
