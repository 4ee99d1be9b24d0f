import { BlockList, isIP } from "node:net";

/** Matches addresses against a list of IPs and CIDR ranges (IPv4 and IPv6). */
export function createAddressMatcher(entries: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    if (!address) continue;
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number.parseInt(prefix, 10), family);
  }
  return (address) => {
    const family = isIP(address);
    if (family === 0) return false;
    return list.check(address, family === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The client address of a request. X-Forwarded-For is believed only when the peer is a trusted proxy, and then
 * read from the right, skipping trusted hops, so a client cannot choose its own address by sending the header.
 */
export function resolveClientIp(
  headers: Headers,
  peerAddress: string | null,
  isTrustedProxy: (address: string) => boolean,
): string | null {
  if (!peerAddress) return null;
  if (!isTrustedProxy(peerAddress)) return peerAddress;
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded) return peerAddress;
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (isIP(hop) === 0) return peerAddress;
    if (!isTrustedProxy(hop)) return hop;
  }
  return hops[0] ?? peerAddress;
}
