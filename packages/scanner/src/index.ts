export { guessOs, type HttpInfo, parseHttpResponse, parseSshIdentification, sanitizeText } from "./banner.ts";
export {
  type Cidr,
  cidrBounds,
  collapseCidrs,
  countHostAddresses,
  findUncovered,
  formatAddress,
  hostAddresses,
  InvalidCidrError,
  type IpFamily,
  isCidrInside,
  isLoopbackAddress,
  normalizeCidr,
  parseCidr,
  specialUseReason,
} from "./cidr.ts";
export {
  createHostnameResolver,
  DEFAULT_HOSTS_FILE,
  type HostnameResolverOptions,
  parseHostsFile,
  type ReverseLookup,
} from "./hostnames.ts";
export {
  DEFAULT_MAX_ADDRESSES,
  planScan,
  type ScanPlan,
  type ScanRefusalReason,
  ScanRefusedError,
} from "./plan.ts";
export {
  HTTP_PORTS,
  HTTPS_PORTS,
  type PortProbe,
  type PortState,
  type ProbePortOptions,
  probePort,
} from "./probe.ts";
export {
  type HostResult,
  type OpenPort,
  type ScanHostsOptions,
  type ScanProgress,
  type ScanSummary,
  scanHosts,
} from "./scan.ts";
