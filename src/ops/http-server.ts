/**
 * The sidecar's HTTP endpoints: `/healthz` (liveness: the process answers; never depends on FRR,
 * so a slow FRR does not get the pod killed), `/readyz` (sources synced and a config of ours in
 * force), `/metrics` (Prometheus) and `/status` (the reconciler's last results, as JSON).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HttpDeps {
  /** `/status`: the reconciler's last results (any JSON). */
  readonly status: () => object;
  /** `/readyz`: passed in, so ops knows nothing of the reconciler. */
  readonly ready: () => { readonly ready: boolean; readonly reason: string };
  readonly registry: Registry;
  /**
   * `/intent`: what `frr-renderer status|explain` read from the sidecar (JSON); narrowed to what
   * explaining one service reads with `?service=NAMESPACE/NAME`, to what `status` reads with `?view=status`.
   */
  readonly intent?: (narrow: IntentQuery) => unknown;
  /** `/explain?service=NAMESPACE/NAME`: the per-peer verdict, with FRR asked now (JSON). */
  readonly explain?: (service: string) => Promise<unknown>;
}

export type IntentQuery = { readonly service: string } | { readonly view: 'status' } | 'whole';

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpServer(host: string, port: number, deps: HttpDeps): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    const [path, query = ''] = (req.url ?? '/').split('?');
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return send(200, 'ok\n');
      case '/readyz': {
        const r = deps.ready();
        return send(r.ready ? 200 : 503, `${r.reason}\n`);
      }
      case '/metrics':
        deps.registry.metrics().then(
          (text) => send(200, text, deps.registry.contentType),
          (err: unknown) => send(500, `${String(err)}\n`),
        );
        return;
      case '/status':
        return send(200, `${JSON.stringify({ version: 1, ...deps.status() }, null, 2)}\n`, 'application/json');
      case '/intent': {
        if (!deps.intent) return send(404, 'not found\n');
        const params = new URLSearchParams(query);
        const service = params.get('service');
        const view = params.get('view');
        if (service !== null && !service.includes('/')) return send(400, 'intent takes ?service=NAMESPACE/NAME\n');
        if (view !== null && view !== 'status') return send(400, 'intent takes ?view=status\n');
        const narrow: IntentQuery = service !== null ? { service } : view !== null ? { view } : 'whole';
        return send(200, `${JSON.stringify(deps.intent(narrow))}\n`, 'application/json');
      }
      case '/explain': {
        const service = new URLSearchParams(query).get('service');
        if (!deps.explain) return send(404, 'not found\n');
        if (!service || !service.includes('/')) return send(400, 'explain needs ?service=NAMESPACE/NAME\n');
        deps.explain(service).then(
          (body) => send(200, `${JSON.stringify(body, null, 2)}\n`, 'application/json'),
          (err: unknown) => send(500, `${String(err)}\n`),
        );
        return;
      }
      default:
        return send(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
