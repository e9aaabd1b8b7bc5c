/**
 * The speaker pod of `manifests/daemonset.yaml`, run with podman the way a kubelet runs it: every
 * container's image, command, args, env, user, groups, capabilities, read-only root, resources,
 * volumes and mounts come from the DaemonSet as kustomize builds it (never a copy of it).
 *
 * Where a kubelet and podman differ, the mapping is written down here:
 * - `hostNetwork: true`: the node's network is, in the test, a network namespace the test made
 *   (`--network ns:/run/netns/NAME`), so bgpd never runs in the machine's own namespace. The node's
 *   host name is given to every container, as hostNetwork pods see the node's.
 * - Capabilities: a container that does not drop ALL starts from CRI-O's default set (OpenShift's
 *   runtime; containerd's default is a superset), plus its `add`, minus its `drop`.
 * - emptyDir: a fresh folder, mode 0777 as the kubelet makes it; configMap: its data as files,
 *   mounted read-only; the ServiceAccount token, CA and namespace where the kubelet mounts them.
 * - Podman's own extras are turned off: no tmpfs on a read-only root (`--read-only-tmpfs=false`),
 *   no image HEALTHCHECK (`--no-healthcheck`: the kubelet ignores it and runs the DaemonSet's
 *   probes), the machine's ulimits (`--ulimit host`, ../shared/reference/containers-here.md).
 * - A restart is what the kubelet does: the container is stopped with the pod's grace period and
 *   a new one is created from the image (a fresh writable layer), with the same volumes.
 * Fields the test does not map (envFrom, lifecycle hooks, ...) fail the test, so a change to the
 * DaemonSet is mapped on purpose instead of being ignored.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { build, find, imageName, podSpec, type Json } from '../unit/manifests/kustomize.js';
import type { Podman } from './podman.js';

/** Capabilities CRI-O gives a container by default (crio.conf `default_capabilities`). */
export const CRIO_DEFAULT_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'KILL'] as const;

/** Where the kubelet mounts the ServiceAccount's token, CA and namespace (client-node reads them there). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const MAPPED_CONTAINER_FIELDS = new Set([
  'name', 'image', 'imagePullPolicy', 'command', 'args', 'env', 'ports', 'livenessProbe', 'readinessProbe', 'securityContext', 'resources', 'volumeMounts',
]);
const MAPPED_POD_FIELDS = new Set([
  'serviceAccountName', 'hostNetwork', 'dnsPolicy', 'nodeSelector', 'tolerations', 'terminationGracePeriodSeconds', 'securityContext', 'initContainers', 'containers', 'volumes',
]);

export interface DaemonSetPod {
  readonly namespace: string;
  readonly spec: Json;
  readonly init: readonly Json[];
  readonly containers: readonly Json[];
  /** The kustomized image every container names (e.g. `frr-renderer:0.1.0`). */
  readonly image: string;
  /** ConfigMaps of the same build, by name: their `data`. */
  readonly configMaps: ReadonlyMap<string, Record<string, string>>;
}

/** Reads the DaemonSet and the ConfigMaps it mounts from `manifests/` as kustomize builds them. */
export function readDaemonSetPod(): DaemonSetPod {
  const { objects } = build();
  const ds = find(objects, 'DaemonSet', 'frr-renderer')[0];
  if (!ds) throw new Error('manifests/ builds no DaemonSet frr-renderer');
  const spec = podSpec(ds);
  if (!spec) throw new Error('DaemonSet frr-renderer has no pod template');
  const unmapped = Object.keys(spec).filter((k) => !MAPPED_POD_FIELDS.has(k));
  if (unmapped.length > 0) throw new Error(`pod fields not mapped to podman by test/image/pod.ts: ${unmapped.join(', ')}`);
  const init = (spec.initContainers ?? []) as Json[];
  const containers = spec.containers as Json[];
  for (const c of [...init, ...containers]) {
    const extra = Object.keys(c).filter((k) => !MAPPED_CONTAINER_FIELDS.has(k));
    if (extra.length > 0) throw new Error(`container ${String(c.name)}: fields not mapped to podman by test/image/pod.ts: ${extra.join(', ')}`);
  }
  const images = new Set([...init, ...containers].map((c) => String(c.image)));
  if (images.size !== 1) throw new Error(`the pod's containers name several images: ${[...images].join(', ')}`);
  const configMaps = new Map<string, Record<string, string>>();
  for (const cm of find(objects, 'ConfigMap')) configMaps.set(String((cm.metadata as Json).name), (cm.data ?? {}) as Record<string, string>);
  return { namespace: String((ds.metadata as Json).namespace), spec, init, containers, image: [...images][0]!, configMaps };
}

export function container(pod: DaemonSetPod, name: string): Json {
  const c = [...pod.init, ...pod.containers].find((x) => x.name === name);
  if (!c) throw new Error(`the DaemonSet has no container ${name}`);
  return c;
}

/** The pod's identity as the downward API gives it. */
export interface PodIdentity {
  readonly nodeName: string;
  readonly podName: string;
  readonly podUid: string;
}

/** A container's env with `fieldRef`s resolved for one pod. */
export function resolveEnv(pod: DaemonSetPod, c: Json, who: PodIdentity): Record<string, string> {
  const fields: Record<string, string> = {
    'spec.nodeName': who.nodeName,
    'metadata.namespace': pod.namespace,
    'metadata.name': who.podName,
    'metadata.uid': who.podUid,
  };
  const env: Record<string, string> = {};
  for (const e of (c.env ?? []) as Json[]) {
    const name = String(e.name);
    if (e.value !== undefined) env[name] = String(e.value);
    else {
      const path = ((e.valueFrom as Json | undefined)?.fieldRef as Json | undefined)?.fieldPath;
      if (typeof path !== 'string' || fields[path] === undefined) throw new Error(`env ${name}: only value and fieldRef (${Object.keys(fields).join(', ')}) are mapped`);
      env[name] = fields[path]!;
    }
  }
  return env;
}

/** `--cap-drop/--cap-add` for a container's securityContext (see the header for the default set). */
export function capabilityArgs(c: Json): string[] {
  const caps = ((c.securityContext as Json | undefined)?.capabilities ?? {}) as { add?: string[]; drop?: string[] };
  const drop = new Set((caps.drop ?? []).map((x) => x.toUpperCase()));
  const add = (caps.add ?? []).map((x) => x.toUpperCase());
  const effective = drop.has('ALL') ? add : [...CRIO_DEFAULT_CAPABILITIES.filter((x) => !drop.has(x)), ...add];
  return ['--cap-drop', 'all', ...(effective.length > 0 ? ['--cap-add', [...new Set(effective)].join(',')] : [])];
}

/** Kubernetes quantities of memory (`32Mi`, `1Gi`) in bytes. */
export function memoryBytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q} not mapped`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
  return Number(m[1]) * unit;
}

/** CPU quantities (`100m`, `2`) in CPUs. */
export function cpus(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

export interface PodmanPodOptions {
  readonly podman: Podman;
  readonly pod: DaemonSetPod;
  /** The image built for this variant, standing in for `pod.image`. */
  readonly image: string;
  /** The network namespace standing in for the node's network (hostNetwork). */
  readonly netns: string;
  readonly who: PodIdentity;
  /** Folder for the pod's volumes (emptyDirs, ConfigMaps). */
  readonly workDir: string;
  /** Prefix of the podman container names, e.g. `frrt-img-4242-bookworm`. */
  readonly namePrefix: string;
  /** ServiceAccount files (token, ca.crt, namespace) mounted into every container, as the kubelet does. */
  readonly serviceAccountDir?: string;
}

/** What the test changes for one run of a container, on top of the DaemonSet. */
export interface ContainerOverrides {
  /** Replaces the container's args (for `--source dir:`); the DaemonSet's are used otherwise. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Extra bind mounts `hostPath:containerPath[:ro]` (the folder source). */
  readonly mounts?: readonly string[];
}

/** The pod's volumes made on disk, and podman containers created from the DaemonSet's containers. */
export class PodmanPod {
  /** Volume name -> host folder. */
  readonly volumes = new Map<string, string>();

  constructor(private readonly o: PodmanPodOptions) {
    for (const v of (o.pod.spec.volumes ?? []) as Json[]) {
      const name = String(v.name);
      const dir = join(o.workDir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      if (v.emptyDir !== undefined) chmodSync(dir, 0o777);
      else if (v.configMap !== undefined) {
        const cm = String((v.configMap as Json).name);
        const data = o.pod.configMaps.get(cm);
        if (!data) throw new Error(`volume ${name}: ConfigMap ${cm} is not in manifests/`);
        for (const [file, text] of Object.entries(data)) writeFileSync(join(dir, file), text, { mode: 0o644 });
      } else throw new Error(`volume ${name}: only emptyDir and configMap are mapped`);
      this.volumes.set(name, dir);
    }
  }

  /** The podman name of a DaemonSet container in this pod. */
  nameOf(containerName: string): string {
    return `${this.o.namePrefix}-${containerName}`;
  }

  /** `podman run` arguments for a DaemonSet container (without `--rm`/`-d`). */
  runArgs(containerName: string, over: ContainerOverrides = {}): string[] {
    const { pod, who } = this.o;
    const c = container(pod, containerName);
    const sc = (c.securityContext ?? {}) as Json;
    const podSc = (pod.spec.securityContext ?? {}) as Json;
    if (pod.spec.hostNetwork !== true) throw new Error('the DaemonSet is not hostNetwork: map its pod network here');
    const args = ['--name', this.nameOf(containerName), '--hostname', who.nodeName];
    // hostNetwork -> the test's namespace standing in for the node (see the header).
    args.push('--network', `ns:/run/netns/${this.o.netns}`, '--ulimit', 'host');
    // The kubelet ignores the image's HEALTHCHECK (the DaemonSet's probes apply); so does the test.
    args.push('--no-healthcheck');
    if (sc.runAsUser !== undefined) {
      if (sc.runAsNonRoot === true && Number(sc.runAsUser) === 0) throw new Error(`${containerName}: runAsNonRoot with runAsUser 0`);
      args.push('--user', sc.runAsGroup !== undefined ? `${String(sc.runAsUser)}:${String(sc.runAsGroup)}` : String(sc.runAsUser));
    } else if (sc.runAsNonRoot === true) throw new Error(`${containerName}: runAsNonRoot without runAsUser is not mapped`);
    for (const g of (podSc.supplementalGroups ?? []) as number[]) args.push('--group-add', String(g));
    if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
    if (sc.readOnlyRootFilesystem === true) args.push('--read-only', '--read-only-tmpfs=false');
    if (sc.privileged === true) throw new Error(`${containerName}: privileged is not mapped`);
    args.push(...capabilityArgs(c));
    const limits = ((c.resources as Json | undefined)?.limits ?? {}) as Json;
    if (limits.memory !== undefined) args.push('--memory', String(memoryBytes(String(limits.memory))));
    if (limits.cpu !== undefined) args.push('--cpus', String(cpus(limits.cpu as string)));
    for (const m of (c.volumeMounts ?? []) as Json[]) {
      const host = this.volumes.get(String(m.name));
      if (!host) throw new Error(`${containerName}: mount of unknown volume ${String(m.name)}`);
      args.push('--volume', `${host}:${String(m.mountPath)}${m.readOnly === true ? ':ro' : ''}`);
    }
    if (this.o.serviceAccountDir !== undefined) args.push('--volume', `${this.o.serviceAccountDir}:${SERVICE_ACCOUNT_DIR}:ro`);
    for (const m of over.mounts ?? []) args.push('--volume', m);
    const env = { ...resolveEnv(pod, c, who), ...(over.env ?? {}) };
    for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
    const command = c.command as string[] | undefined;
    if (command !== undefined) args.push('--entrypoint', JSON.stringify(command));
    if (imageName(String(c.image)) !== imageName(pod.image)) throw new Error(`${containerName}: unexpected image ${String(c.image)}`);
    args.push(this.o.image);
    args.push(...((over.args ?? (c.args as string[] | undefined) ?? []).map(String)));
    return args;
  }

  /** Runs an init container to its end; returns its exit code and output. */
  async runInit(containerName: string): Promise<{ exitCode: number; output: string }> {
    const r = await this.o.podman.run(['run', '--rm', ...this.runArgs(containerName)], 120_000);
    return { exitCode: r.exitCode, output: `${r.stdout}${r.stderr}` };
  }

  /** Starts a long-running container in the background. */
  async start(containerName: string, over: ContainerOverrides = {}): Promise<void> {
    await this.o.podman.ok(['run', '--detach', ...this.runArgs(containerName, over)], 120_000);
  }

  /** Stops a container with the pod's grace period, as the kubelet does; it stays for its logs. */
  async stop(containerName: string): Promise<void> {
    const grace = Number(this.o.pod.spec.terminationGracePeriodSeconds ?? 30);
    await this.o.podman.ok(['stop', '--time', String(grace), this.nameOf(containerName)], (grace + 30) * 1000);
  }

  /** A kubelet restart: stop, then a new container from the image with the same volumes. Returns the old one's logs. */
  async restart(containerName: string, over: ContainerOverrides = {}): Promise<string> {
    await this.stop(containerName);
    const logs = await this.logs(containerName);
    await this.o.podman.ok(['rm', this.nameOf(containerName)]);
    await this.start(containerName, over);
    return logs;
  }

  /** stdout and stderr of a container (podman logs). */
  async logs(containerName: string): Promise<string> {
    const r = await this.o.podman.run(['logs', this.nameOf(containerName)]);
    return `${r.stdout}${r.stderr}`;
  }

  async exec(containerName: string, command: readonly string[], timeoutMs = 30_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return this.o.podman.run(['exec', this.nameOf(containerName), ...command], timeoutMs);
  }
}
