/**
 * The speaker DaemonSet against the sidecar's own defaults: the DaemonSet's args and environment
 * go through the real command line parser (`main`), with `runCommand` replaced to capture what it
 * would run with; the probes, port, volumes and environment must agree with that.
 */
import { jest } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultConfigPath, type RunArgs } from '../../../src/cli/run-command.js';
import { DEFAULT_SPEAKER_ARGS } from '../../../src/cli/speaker-args.js';
import type { StatusArgs } from '../../../src/cli/status-command.js';
import { DEFAULT_RELOAD_SCRIPT, DEFAULT_VTYSH } from '../../../src/frr/context.js';
import { NAMESPACE, REPO, build, find, podSpec, type Json } from './kustomize.js';

const captured: { run?: RunArgs; status?: StatusArgs } = {};
jest.unstable_mockModule('../../../src/cli/run-command.js', () => ({
  runCommand: async (args: RunArgs) => {
    captured.run = args;
  },
}));
jest.unstable_mockModule('../../../src/cli/status-command.js', () => ({
  statusCommand: async (args: StatusArgs) => {
    captured.status = args;
  },
  sidecarUrl: () => '',
  readSidecar: async () => ({ error: 'unused' }),
}));
const { main } = await import('../../../src/cli/main.js');

const { objects } = build();
const daemonSet = find(objects, 'DaemonSet', 'frr-renderer')[0]!;
const pod = podSpec(daemonSet)!;
const containers = pod.containers as Json[];
const sidecar = containers.find((c) => c.name === 'frr-renderer')!;
const frr = containers.find((c) => c.name === 'frr')!;
const init = ((pod.initContainers ?? []) as Json[]).find((c) => c.name === 'cp-frr-files')!;
const volumeAt = (c: Json, path: string) => ((c.volumeMounts ?? []) as Json[]).find((m) => m.mountPath === path)?.name;

/** The environment the kubelet gives the sidecar (downward API resolved for one pod). */
function podEnv(): Record<string, string> {
  const pod = { 'spec.nodeName': 'worker-0', 'metadata.namespace': String((daemonSet.metadata as Json).namespace), 'metadata.name': 'frr-renderer-x7k2p', 'metadata.uid': '0b6f6e0c-1' };
  const env: Record<string, string> = {};
  for (const e of (sidecar.env ?? []) as Json[]) {
    const field = ((e.valueFrom as Json | undefined)?.fieldRef as Json | undefined)?.fieldPath as keyof typeof pod | undefined;
    env[String(e.name)] = field !== undefined ? pod[field] : String(e.value);
  }
  return env;
}

/** The environment variables src/cli reads (`env['NAME']`). */
function envReadByCli(): string[] {
  const dir = join(REPO, 'src', 'cli');
  const names = new Set<string>();
  for (const f of readdirSync(dir)) for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/env\['([A-Z_]+)'\]/g)) names.add(m[1]!);
  return [...names].sort();
}

function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

let run: RunArgs;
beforeAll(async () => {
  const io = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t), writeFile: async () => undefined, env: podEnv() };
  expect(sidecar.command).toBeUndefined(); // the image's entrypoint is frr-renderer (containerfile.test.ts)
  expect(await main((sidecar.args as string[]).map(String), io)).toBe(0);
  run = captured.run!;
  expect(await main(['status'], io)).toBe(0);
});

describe('the frr-renderer container', () => {
  it('runs the sidecar on the Kubernetes source, for its own node, in the DaemonSet namespace', () => {
    expect(sidecar.args).toEqual(['run', '--source', 'k8s', '--log-level', 'info']);
    expect(run).toMatchObject({ source: 'k8s', node: 'worker-0', namespace: NAMESPACE, apply: 'always', kubeconfig: undefined, frr: { pathspace: undefined, vtysh: undefined, reloadScript: undefined }, once: false });
    expect(run.status ?? 'auto').not.toBe('off');
  });

  it("MetalLB speaker options: --log-level info as MetalLB's manifests set it, the others at the CLI defaults (opt-in), each named in a comment", () => {
    expect(run.speaker).toEqual({ ...DEFAULT_SPEAKER_ARGS, logLevel: 'info' });
    expect(DEFAULT_SPEAKER_ARGS.logLevel).toBe('info');
    const text = readFileSync(join(REPO, 'manifests', 'daemonset.yaml'), 'utf8');
    const cli = readFileSync(join(REPO, 'src', 'cli', 'main.ts'), 'utf8');
    const speakerFlags = [...(/const SPEAKER = \{([\s\S]*?)\} as const;/.exec(cli)?.[1] ?? '').matchAll(/'([a-z-]+)': \{/g)].map((m) => `--${m[1]}`);
    expect(speakerFlags).toEqual(['--lb-class', '--ignore-exclude-lb', '--log-level', '--frr-log-level', '--bgp-extras']);
    for (const flag of speakerFlags) expect([flag, text.includes(`#   ${flag}`)]).toEqual([flag, true]);
  });

  it('gets NODE_NAME, METALLB_NAMESPACE, POD_NAME and POD_UID from the downward API: what the code reads, in-cluster config without KUBECONFIG', () => {
    const env = Object.fromEntries(((sidecar.env ?? []) as Json[]).map((e) => [String(e.name), ((e.valueFrom as Json)?.fieldRef as Json)?.fieldPath]));
    expect(env).toEqual({ NODE_NAME: 'spec.nodeName', METALLB_NAMESPACE: 'metadata.namespace', POD_NAME: 'metadata.name', POD_UID: 'metadata.uid' });
    expect(envReadByCli()).toEqual([...Object.keys(env), 'KUBECONFIG'].sort());
  });

  it('serves its endpoints on every address at the port the probes use, and `status` finds them', () => {
    const { host, port } = splitListen(run.listen);
    expect(['', '0.0.0.0', '::', '[::]']).toContain(host); // hostNetwork: the kubelet probes the node's address
    const ports = (sidecar.ports as Json[]).map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol }));
    expect(ports).toEqual([{ name: 'monitoring', port, protocol: 'TCP' }]);
    const resolve = (p: unknown) => (typeof p === 'number' ? p : ports.find((x) => x.name === p)?.port);
    const probe = (k: string) => {
      const g = (sidecar[k] as Json).httpGet as Json;
      return { path: g.path, port: resolve(g.port) };
    };
    expect(probe('livenessProbe')).toEqual({ path: '/healthz', port });
    expect(probe('readinessProbe')).toEqual({ path: '/readyz', port });
    expect(splitListen(captured.status!.listen).port).toBe(port);
  });

  it('writes the frr.conf FRR reads, and reaches FRR sockets, through volumes shared with the frr container', () => {
    // The default config path: the DaemonSet gives neither --frr-config nor --frr-pathspace.
    expect(run.frrConfig).toBeUndefined();
    expect(run.frr.pathspace).toBeUndefined();
    const configPath = defaultConfigPath(undefined);
    const configDir = dirname(configPath);
    expect(configPath).toBe('/etc/frr/frr.conf');
    for (const path of [configDir, '/var/run/frr']) {
      expect([path, volumeAt(sidecar, path)]).toEqual([path, volumeAt(frr, path)]);
      expect(volumeAt(sidecar, path)).toBeDefined();
      const v = (pod.volumes as Json[]).find((x) => x.name === volumeAt(sidecar, path))!;
      expect(v.emptyDir).toBeDefined();
    }
    expect(volumeAt(init, configDir)).toBe(volumeAt(sidecar, configDir));
    // frr-reload.py is called by absolute path, vtysh from PATH: both are in the image.
    expect(DEFAULT_RELOAD_SCRIPT).toBe('/usr/lib/frr/frr-reload.py');
    expect(DEFAULT_VTYSH).toBe('vtysh');
  });

  it('runs unprivileged, as the image frr user, in the frrvty group', () => {
    const sc = sidecar.securityContext as Json;
    expect(sc).toMatchObject({ runAsUser: 101, runAsGroup: 101, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect((pod.securityContext as Json).supplementalGroups).toEqual([102]);
    // Read-only root: every path it writes is a volume (frr.conf's folder, the sockets' folder, /tmp).
    expect(((sidecar.volumeMounts ?? []) as Json[]).map((m) => m.mountPath).sort()).toEqual(['/etc/frr', '/tmp', '/var/run/frr']);
  });
});

describe('the pod', () => {
  it('is on the node network, runs both containers from one image, and copies FRR startup files first', () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(new Set([sidecar.image, frr.image, init.image]).size).toBe(1);
    const script = (init.args as string[]).join('\n');
    for (const f of ['daemons', 'vtysh.conf', 'frr.conf']) expect(script).toContain(`/frr-startup/${f}`);
    expect(volumeAt(init, '/frr-startup')).toBeDefined();
    const v = (pod.volumes as Json[]).find((x) => x.name === volumeAt(init, '/frr-startup'))!;
    expect((v.configMap as Json).name).toBe('frr-renderer-startup');
  });

  it('starts FRR with frrinit.sh and stops it on SIGTERM', () => {
    const script = (frr.args as string[]).join('\n');
    expect(script).toContain('/usr/lib/frr/frrinit.sh start');
    expect(script).toMatch(/trap '\/usr\/lib\/frr\/frrinit\.sh stop; exit 0' TERM/);
    expect(((frr.livenessProbe as Json).exec as Json).command).toEqual(['/usr/lib/frr/frrinit.sh', 'status']);
    expect((frr.securityContext as Json).capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'NET_BIND_SERVICE'] });
  });
});
