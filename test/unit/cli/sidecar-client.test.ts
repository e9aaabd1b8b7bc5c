/**
 * `status` and `explain` read the sidecar's `/intent` with node:http, each only the part it reads
 * (`?view=status`, `?service=NS/NAME`); a sidecar that is not there, or answers an error, is a
 * reason, never a throw.
 */
import { readSidecar, sidecarUrl } from '../../../src/cli/sidecar-client.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import { startHttpServer, type RunningServer } from '../../../src/ops/http-server.js';

import type { IntentQuery } from '../../../src/ops/http-server.js';

const asked: IntentQuery[] = [];
let server: RunningServer;

beforeAll(async () => {
  server = await startHttpServer('127.0.0.1', 0, {
    status: () => ({}),
    ready: () => ({ ready: true, reason: 'ok' }),
    registry: createMetrics(() => 0).registry,
    intent: (narrow) => {
      asked.push(narrow);
      return { version: 1, node: 'worker-0', namespace: 'metallb-system', latest: null, applied: null, narrow };
    },
  });
});
afterAll(() => server.close());

test("status asks for its view (?view=status), explain for its service's part (?service=NS/NAME, the name passed as it is)", async () => {
  asked.length = 0;
  expect(await readSidecar(`127.0.0.1:${server.port}`, 'status')).toEqual({ snapshot: expect.objectContaining({ node: 'worker-0', narrow: { view: 'status' } }) });
  expect(await readSidecar(`127.0.0.1:${server.port}`, { service: 'shop/web & co' })).toEqual({ snapshot: expect.objectContaining({ narrow: { service: 'shop/web & co' } }) });
  expect(asked).toEqual([{ view: 'status' }, { service: 'shop/web & co' }]);
});

test('the sidecar answers the whole intent without a parameter, and refuses a view it does not know', async () => {
  const whole = await fetch(`http://127.0.0.1:${server.port}/intent`);
  expect(await whole.json()).toEqual(expect.objectContaining({ narrow: 'whole' }));
  expect((await fetch(`http://127.0.0.1:${server.port}/intent?view=everything`)).status).toBe(400);
});

test('/intent?service= without a namespace is refused (400), and the client says so', async () => {
  const r = await readSidecar(`127.0.0.1:${server.port}`, { service: 'web' });
  expect(r).toEqual({ error: `${sidecarUrl(`127.0.0.1:${server.port}`, '/intent?service=web')} answered 400` });
});

test('no sidecar listening: the reason names the URL and the connection error', async () => {
  const port = server.port;
  const closed = await startHttpServer('127.0.0.1', 0, { status: () => ({}), ready: () => ({ ready: true, reason: 'ok' }), registry: createMetrics(() => 0).registry });
  const free = closed.port;
  await closed.close();
  expect(port).not.toBe(free);
  const r = await readSidecar(`127.0.0.1:${free}`, 'status');
  expect(r).toEqual({ error: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${free}/intent\\?view=status: connect ECONNREFUSED`)) });
});

test('a sidecar without /intent (404) is an error, not a snapshot', async () => {
  const bare = await startHttpServer('127.0.0.1', 0, { status: () => ({}), ready: () => ({ ready: true, reason: 'ok' }), registry: createMetrics(() => 0).registry });
  try {
    expect(await readSidecar(`127.0.0.1:${bare.port}`, 'status')).toEqual({ error: `http://127.0.0.1:${bare.port}/intent?view=status answered 404` });
  } finally {
    await bare.close();
  }
});
