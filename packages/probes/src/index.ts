export { type HttpProbeOptions, probeHttp } from "./http.ts";
export { elapsedSince, networkErrorKind, type ProbeErrorKind, type ProbeResult } from "./result.ts";
export { probeSsh, type SshProbeOptions } from "./ssh.ts";
export { probeTcp } from "./tcp.ts";
