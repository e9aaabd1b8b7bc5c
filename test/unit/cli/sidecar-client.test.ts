/**
 * `status` and `explain` read the sidecar's `/intent` with node:http: the whole snapshot, or with
 * a service only what explaining it reads; a sidecar that is not there, or answers an error, is
 * a reason, never a throw.
 */
import { readSidecar, sidecarUrl } from '../../../src/cli/sidecar-client.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import { startHttpServer, type RunningServer } from '../../../src/ops/http-server.js';

const asked: (string | undefined)[] = [];
let server: RunningServer;

beforeAll(async () => {
  server = await startHttpServer('127.0.0.1', 0, {
    status: () => ({}),
    ready: () => ({ ready: true, reason: 'ok' }),
    registry: createMetrics(() => 0).registry,
    intent: (service) => {
      asked.push(service);
      return { version: 1, node: 'worker-0', namespace: 'metallb-system', latest: null, applied: null, service: service ?? null };
    },
  });
});
afterAll(() => server.close());

test('without a service: the whole /intent; with one: /intent?service=NS/NAME, the name passed as it is', async () => {
  asked.length = 0;
  expect(await readSidecar(`127.0.0.1:${server.port}`)).toEqual({ snapshot: expect.objectContaining({ node: 'worker-0', service: null }) });
  expect(await readSidecar(`127.0.0.1:${server.port}`, 'shop/web & co')).toEqual({ snapshot: expect.objectContaining({ service: 'shop/web & co' }) });
  expect(asked).toEqual([undefined, 'shop/web & co']);
});

test('/intent?service= without a namespace is refused (400), and the client says so', async () => {
  const r = await readSidecar(`127.0.0.1:${server.port}`, 'web');
  expect(r).toEqual({ error: `${sidecarUrl(`127.0.0.1:${server.port}`, '/intent?service=web')} answered 400` });
});

test('no sidecar listening: the reason names the URL and the connection error', async () => {
  const port = server.port;
  const closed = await startHttpServer('127.0.0.1', 0, { status: () => ({}), ready: () => ({ ready: true, reason: 'ok' }), registry: createMetrics(() => 0).registry });
  const free = closed.port;
  await closed.close();
  expect(port).not.toBe(free);
  const r = await readSidecar(`127.0.0.1:${free}`);
  expect(r).toEqual({ error: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${free}/intent: connect ECONNREFUSED`)) });
});

test('a sidecar without /intent (404) is an error, not a snapshot', async () => {
  const bare = await startHttpServer('127.0.0.1', 0, { status: () => ({}), ready: () => ({ ready: true, reason: 'ok' }), registry: createMetrics(() => 0).registry });
  try {
    expect(await readSidecar(`127.0.0.1:${bare.port}`)).toEqual({ error: `http://127.0.0.1:${bare.port}/intent answered 404` });
  } finally {
    await bare.close();
  }
});
