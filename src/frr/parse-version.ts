/** `show version` (text): `FRRouting 8.4.4 (host) on Linux(...)`. */
export function parseFrrVersion(text: string): string {
  return /FRRouting\s+(\S+)/.exec(text)?.[1] ?? 'unknown';
}
