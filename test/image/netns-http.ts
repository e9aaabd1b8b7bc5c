/**
 * HTTP requests from inside a network namespace: the pod's ports live in the test's namespace
 * (hostNetwork mapped there), which the test process, in the machine's own namespace, cannot
 * reach. A short Node process started with `ip netns exec` makes the request, as the kubelet
 * probes the pod's (node's) address.
 */
import { execa } from 'execa';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

const FETCH = `
const [url, timeout] = process.argv.slice(1);
fetch(url, { signal: AbortSignal.timeout(Number(timeout)) }).then(
  async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })),
  (e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e && e.cause ? e.cause : e) })),
);`;

/** GET `url` from inside namespace `ns`; status 0 when nothing answered. */
export async function httpGetIn(ns: string, url: string, timeoutMs = 5_000): Promise<HttpAnswer> {
  const r = await execa('ip', ['netns', 'exec', ns, process.execPath, '-e', FETCH, url, String(timeoutMs)], {
    reject: false,
    timeout: timeoutMs + 10_000,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) throw new Error(`GET ${url} in ${ns}: exit ${String(r.exitCode)}: ${String(r.stderr)}`);
  return JSON.parse(String(r.stdout)) as HttpAnswer;
}
