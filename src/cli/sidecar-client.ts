/**
 * How `status` and `explain` (other processes in the speaker pod) read the sidecar's `/intent`
 * on localhost (`--listen`).
 *
 * With `node:http` rather than the global `fetch`: `fetch` loads undici on first use, ~25 ms of a
 * command whose target is 300 ms from spawn to exit, for one GET on localhost.
 */
import { get } from 'node:http';
import type { IntentSnapshot } from '../status/intent-view.js';
import { UsageError } from './errors.js';

/** A slow sidecar (a render of 50,000 services in progress) still answers well within this. */
const TIMEOUT_MS = 10_000;

export function sidecarUrl(listen: string, path: string): string {
  const i = listen.lastIndexOf(':');
  if (i < 0) throw new UsageError(`--listen: ${JSON.stringify(listen)} is not HOST:PORT`);
  let host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  if (host === '' || host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--listen: ${JSON.stringify(listen)} is not HOST:PORT`);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

/** Which part of the intent: what explaining one service reads, or what `status` reads. */
export type IntentPart = { readonly service: string } | 'status';

/**
 * The sidecar's `/intent`, or the reason it could not be read: only what explaining `service`
 * reads (`/intent?service=NS/NAME`, `status/intent-of-service.ts`), or what `status` reads
 * (`/intent?view=status`, `status/intent-for-status.ts`). A sidecar that does not know the
 * parameter answers the whole snapshot, which gives the same answers.
 */
export async function readSidecar(listen: string, part: IntentPart): Promise<{ snapshot: IntentSnapshot } | { error: string }> {
  const url = sidecarUrl(listen, part === 'status' ? '/intent?view=status' : `/intent?service=${encodeURIComponent(part.service)}`);
  try {
    const { status, body } = await getText(url, TIMEOUT_MS);
    if (status !== 200) return { error: `${url} answered ${status}` };
    return { snapshot: JSON.parse(body) as IntentSnapshot };
  } catch (err) {
    return { error: `${url}: ${String((err as Error)?.message ?? err)}` };
  }
}

function getText(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
