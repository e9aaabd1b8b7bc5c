import { createMetrics } from '../../../src/ops/metrics.js';
import { startHttpServer, type RunningServer } from '../../../src/ops/http-server.js';
import { isReady, type ReconcilerStatus } from '../../../src/reconciler/status.js';

/** The release the sidecar renders for, as FRR reported it. */
const FRR_STATUS = { release: '10.3', from: 'frr', formsOf: '10.3', tested: true } as const;

describe('HTTP endpoints', () => {
  let status: ReconcilerStatus = { synced: false, conversion: undefined, apply: undefined, appliedAt: undefined, frr: FRR_STATUS };
  const metrics = createMetrics(() => 10_000);
  let server: RunningServer;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { code: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    server = await startHttpServer('127.0.0.1', 0, { status: () => status, ready: () => isReady(status), registry: metrics.registry });
  });
  afterAll(() => server.close());

  it('/healthz answers whatever FRR does (liveness must not depend on convergence)', async () => {
    expect(await get('/healthz')).toEqual({ code: 200, body: 'ok\n' });
  });

  it('/readyz is 503 with the reason until a config of ours runs, then 200', async () => {
    expect(await get('/readyz')).toEqual({ code: 503, body: 'waiting for the first full listing of the sources\n' });
    status = { ...status, synced: true, conversion: { at: 1, valid: false, errors: ['BGPPeer a/b: spec.x: bad'], warnings: [] } };
    expect(await get('/readyz')).toEqual({ code: 503, body: 'configuration invalid: BGPPeer a/b: spec.x: bad\n' });
    status = { ...status, apply: { at: 2, result: 'success', passes: 1, description: 'applied' }, appliedAt: 2 };
    expect(await get('/readyz')).toEqual({ code: 200, body: 'ok\n' });
  });

  it('/metrics serves the registry in Prometheus text format', async () => {
    metrics.reloads.inc({ result: 'success' });
    metrics.markApplied(4_000);
    const { code, body } = await get('/metrics');
    expect(code).toBe(200);
    expect(body).toContain('frr_renderer_reloads_total{result="success"} 1');
    expect(body).toContain('frr_renderer_config_age_seconds 6');
  });

  it('/status is JSON with a version field; unknown paths are 404', async () => {
    const { code, body } = await get('/status');
    expect(code).toBe(200);
    expect(JSON.parse(body)).toEqual(expect.objectContaining({ version: 1, synced: true, appliedAt: 2 }));
    expect((await get('/nope')).code).toBe(404);
  });
});
