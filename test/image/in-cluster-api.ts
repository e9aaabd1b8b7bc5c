/**
 * The project's fake API server (test/integration/fake-apiserver.ts, plain HTTP on the test
 * process's 127.0.0.1) made reachable from the pod's network namespace the way a pod reaches
 * Kubernetes: HTTPS on the `kubernetes` Service address, a server certificate signed by the
 * cluster CA, and a ServiceAccount token, with the files where the kubelet mounts them.
 *
 *   pod (netns) --TCP--> 203.0.113.1:443 relay (ip netns exec, in the pod's namespace)
 *               --unix socket--> TLS server in the test process --TCP--> fake API server
 *
 * The relay listens only inside the test's namespace; the unix socket crosses namespaces without
 * any address in the machine's own network. Certificates come from the openssl command line.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { FakeApiServer } from '../integration/fake-apiserver.js';
import { addAddress } from '../harness/topology.js';
import { pollUntil } from '../harness/wait.js';

/** The `kubernetes` Service address in the test: a documentation address on the namespace's lo. */
export const API_ADDRESS = '203.0.113.1';
export const API_PORT = 443;

const RELAY = `
const net = require('node:net');
const [host, port, socket] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(socket);
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close); upstream.on('error', close);
});
server.listen(Number(port), host, () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface InClusterApi {
  readonly server: FakeApiServer;
  /** Folder holding token, ca.crt and namespace: mount it at the ServiceAccount path. */
  readonly serviceAccountDir: string;
  readonly token: string;
  /** What the kubelet sets in every container for in-cluster config. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a server certificate for `API_ADDRESS` (IP SAN), in `dir`. */
function makeCertificates(dir: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=frrt-img test cluster CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kubernetes'], dir);
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=IP:${API_ADDRESS},DNS:kubernetes.default.svc\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext'], dir);
}

export async function startInClusterApi(netns: string, workDir: string, namespace: string): Promise<InClusterApi> {
  const certs = join(workDir, 'api-certs');
  makeCertificates(certs);
  const server = await FakeApiServer.start();
  server.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
  const upstreamPort = Number(new URL(server.kubeConfig().getCurrentCluster()!.server).port);

  const socketPath = join(workDir, 'api.sock');
  const tls: TlsServer = createTlsServer({ key: readFileSync(join(certs, 'server.key')), cert: readFileSync(join(certs, 'server.crt')) }, (client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen(socketPath, () => resolve());
  });

  await addAddress(netns, `${API_ADDRESS}/32`);
  const relay: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', RELAY, API_ADDRESS, String(API_PORT), socketPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let relayOut = '';
  relay.stdout?.on('data', (d: Buffer) => (relayOut += d.toString()));
  relay.stderr?.on('data', (d: Buffer) => (relayOut += d.toString()));
  await pollUntil(async () => relayOut, (o) => o.includes('listening'), { what: 'the API relay in the pod namespace to listen', timeoutMs: 15_000 });

  const serviceAccountDir = join(workDir, 'serviceaccount');
  mkdirSync(serviceAccountDir, { recursive: true });
  const token = `frrt-img-token-${randomBytes(12).toString('hex')}`;
  writeFileSync(join(serviceAccountDir, 'token'), token, { mode: 0o644 });
  writeFileSync(join(serviceAccountDir, 'ca.crt'), readFileSync(join(certs, 'ca.crt')), { mode: 0o644 });
  writeFileSync(join(serviceAccountDir, 'namespace'), namespace, { mode: 0o644 });

  return {
    server,
    serviceAccountDir,
    token,
    env: { KUBERNETES_SERVICE_HOST: API_ADDRESS, KUBERNETES_SERVICE_PORT: String(API_PORT) },
    async close() {
      relay.kill('SIGTERM');
      await new Promise<void>((resolve) => tls.close(() => resolve()));
      await server.close();
    },
  };
}

