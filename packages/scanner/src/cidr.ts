import ipaddr from "ipaddr.js";

/** 4 or 6. */
export type IpFamily = 4 | 6;

/** A parsed, normalised CIDR block. */
export interface Cidr {
  family: IpFamily;
  /** The network address as an unsigned integer (host bits cleared). */
  network: bigint;
  prefix: number;
  /** Canonical text: network address and prefix, e.g. `10.0.0.0/24` or `fd00::/64`. */
  text: string;
}

/** Thrown by {@link parseCidr} for text that is not an IPv4 or IPv6 address or CIDR block. */
export class InvalidCidrError extends Error {
  override readonly name = "InvalidCidrError";
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`${JSON.stringify(input)} is not a valid CIDR: ${reason}`);
  }
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function toBytes(value: bigint, length: number): number[] {
  const bytes = new Array<number>(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

const maskOf = (family: IpFamily, prefix: number) => {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
};

/** The canonical text of an address: dotted decimal, or RFC 5952 for IPv6 (`fd00::1`). */
export function formatAddress(family: IpFamily, value: bigint): string {
  const address = ipaddr.fromByteArray(toBytes(value, family === 4 ? 4 : 16));
  return address.kind() === "ipv6" ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

function parseAddress(input: string, text: string): { family: IpFamily; value: bigint } {
  if (text.includes(":")) {
    if (text.includes("%")) throw new InvalidCidrError(input, "zone ids are not supported");
    if (!ipaddr.IPv6.isValid(text)) throw new InvalidCidrError(input, "not an IPv6 address");
    const address = ipaddr.IPv6.parse(text);
    // An IPv4-mapped block must be written in its IPv4 form, so allow-lists are compared in one family.
    if (address.isIPv4MappedAddress())
      throw new InvalidCidrError(input, "write IPv4-mapped addresses as IPv4");
    return { family: 6, value: toBigInt(address.toByteArray()) };
  }
  // Dotted decimal only: ipaddr.js also accepts `10.1` and hex forms, which nobody means in a range.
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) throw new InvalidCidrError(input, "not an IPv4 address");
  return { family: 4, value: toBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
}

/**
 * Parses `10.0.0.0/24`, `fd00::/64` or a single address (`10.0.0.7` means `/32`). Host bits are cleared:
 * `10.0.0.7/24` becomes `10.0.0.0/24`.
 */
export function parseCidr(input: string): Cidr {
  const text = input.trim();
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const { family, value } = parseAddress(input, addressText);
  const bits = BITS[family];
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText))
      throw new InvalidCidrError(input, "the prefix length must be a number");
    prefix = Number(prefixText);
    if (prefix > bits) throw new InvalidCidrError(input, `the prefix length must be 0 to ${bits}`);
  }
  const network = value & maskOf(family, prefix);
  return { family, network, prefix, text: `${formatAddress(family, network)}/${prefix}` };
}

/** The canonical text of `input` (see {@link parseCidr}). */
export function normalizeCidr(input: string): string {
  return parseCidr(input).text;
}

/** First and last address of the block. */
export function cidrBounds(cidr: Cidr): { first: bigint; last: bigint } {
  const size = 1n << BigInt(BITS[cidr.family] - cidr.prefix);
  return { first: cidr.network, last: cidr.network + size - 1n };
}

/**
 * IPv4 blocks of /30 and wider skip their network and broadcast addresses, which no host uses (a connect to
 * the broadcast address could reach every host of the link); /31 and /32 have none (RFC 3021).
 */
function hostBounds(cidr: Cidr): { first: bigint; last: bigint } {
  const bounds = cidrBounds(cidr);
  if (cidr.family === 4 && cidr.prefix <= 30) return { first: bounds.first + 1n, last: bounds.last - 1n };
  return bounds;
}

/** How many addresses a scan of the block probes. */
export function countHostAddresses(cidr: Cidr): bigint {
  const { first, last } = hostBounds(cidr);
  return last - first + 1n;
}

/** The addresses a scan of the block probes, in order, as text. */
export function* hostAddresses(cidr: Cidr): Generator<string> {
  const { first, last } = hostBounds(cidr);
  for (let value = first; value <= last; value++) yield formatAddress(cidr.family, value);
}

/** Does `outer` contain `inner` entirely? */
export function isCidrInside(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.family === outer.family &&
    outer.prefix <= inner.prefix &&
    (inner.network & maskOf(outer.family, outer.prefix)) === outer.network
  );
}

/**
 * Drops duplicates and blocks nested in another one. Two CIDR blocks are either nested or disjoint, so what
 * remains never overlaps: no address is probed twice.
 */
export function collapseCidrs(cidrs: Cidr[]): Cidr[] {
  const sorted = [...cidrs].sort((a, b) =>
    a.family !== b.family
      ? a.family - b.family
      : a.network < b.network
        ? -1
        : a.network > b.network
          ? 1
          : a.prefix - b.prefix,
  );
  const kept: Cidr[] = [];
  for (const cidr of sorted) {
    const last = kept.at(-1);
    if (last && isCidrInside(cidr, last)) continue;
    kept.push(cidr);
  }
  return kept;
}

/**
 * The blocks of `cidrs` not covered by the union of `allowed` (so `10.0.0.0/24` is covered by the two allowed
 * halves `10.0.0.0/25` and `10.0.0.128/25`).
 */
export function findUncovered(cidrs: Cidr[], allowed: Cidr[]): Cidr[] {
  const intervals = collapseCidrs(allowed).map((cidr) => ({ family: cidr.family, ...cidrBounds(cidr) }));
  // Adjacent blocks merge into one interval.
  const merged: typeof intervals = [];
  for (const interval of intervals) {
    const last = merged.at(-1);
    if (last && last.family === interval.family && interval.first <= last.last + 1n) {
      if (interval.last > last.last) last.last = interval.last;
    } else merged.push({ ...interval });
  }
  return cidrs.filter((cidr) => {
    const { first, last } = cidrBounds(cidr);
    return !merged.some(
      (interval) => interval.family === cidr.family && interval.first <= first && last <= interval.last,
    );
  });
}

/** Blocks no scan may touch, whatever an admin allowed: a connect there means something else than a host. */
const SPECIAL_BLOCKS: { cidr: Cidr; reason: string }[] = [
  { text: "0.0.0.0/8", reason: "'this network' addresses (a connect to 0.0.0.0 reaches the local host)" },
  { text: "224.0.0.0/3", reason: "multicast, reserved and broadcast addresses" },
  { text: "::/128", reason: "the unspecified address" },
  { text: "ff00::/8", reason: "multicast addresses" },
].map(({ text, reason }) => ({ cidr: parseCidr(text), reason }));

/** Why a block may not be scanned at all, or null when it may. */
export function specialUseReason(cidr: Cidr): string | null {
  for (const special of SPECIAL_BLOCKS) {
    if (special.cidr.family !== cidr.family) continue;
    const a = cidrBounds(cidr);
    const b = cidrBounds(special.cidr);
    if (a.first <= b.last && b.first <= a.last) return `overlaps ${special.cidr.text}: ${special.reason}`;
  }
  return null;
}

/** True for 127.0.0.0/8 and ::1: addresses whose names must never be asked of a DNS server. */
export function isLoopbackAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "loopback";
}
