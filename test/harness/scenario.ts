/**
 * One conformance scenario: FRR speakers (one per simulated node) and routers in network
 * namespaces, links between them, and MetalLB manifests rendered for a node and applied to its
 * speaker exactly as the sidecar does (`applyConfig`: frr-reload.py, verified). Everything it
 * creates is tracked and removed by `destroy()`, which the test calls in `afterAll`/`finally`.
 *
 *   const sc = await Scenario.create('single-peer');
 *   try {
 *     const speaker = await sc.speaker('worker-0');
 *     const router = await sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [...] });
 *     await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
 *     await sc.apply(speaker, { 'all.yaml': '...' });
 *     await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '64500' }]);
 *   } finally { await sc.destroy(); }
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDirectory, type RenderOptions } from '../../src/pipeline.js';
import type { ApplyResult, ConfigDelta } from '../../src/frr/reload.js';
import { cleanupStale } from './cleanup.js';
import { FrrInstance } from './frr-instance.js';
import { ownedName } from './names.js';
import { createNamespace, deleteNamespace, linkNamespaces, type Link } from './namespaces.js';
import { routerConfig, type RouterSpec } from './router.js';
import { createLan, disableDad } from './topology.js';

/** Manifests of one apply: file name -> YAML text (multi-document allowed). */
export type Manifests = Readonly<Record<string, string>>;

/** Render options a scenario may set; node, host name and FRR release are the speaker's. */
export type ScenarioRenderOptions = Omit<RenderOptions, 'node' | 'hostname' | 'frrRelease'>;

export interface Speaker {
  readonly frr: FrrInstance;
  /** The Kubernetes node this speaker plays. */
  readonly node: string;
  /** Started with the netns VRF backend (`zebra -n`). */
  readonly netnsVrfs: boolean;
}

export interface Applied {
  /** The rendered frr.conf (passwords in clear: never print it in a failure message). */
  readonly config: string;
  readonly file: string;
  readonly result: ApplyResult;
  readonly warnings: readonly string[];
}

/** Lines zebra's netns VRF backend adds to the running config (one `vrf X` / ` netns ...` block per namespace on the machine). */
export function isNetnsVrfLine(line: string): boolean {
  return /^\s*(no )?vrf \S+$/.test(line) || /^\s*(no )?netns \S+$/.test(line) || /^\s*exit-vrf$/.test(line);
}

/** A frr-reload.py delta without the netns VRF backend's own lines. */
export function withoutNetnsVrfLines(delta: ConfigDelta): ConfigDelta {
  return { toDelete: delta.toDelete.filter((l) => !isNetnsVrfLine(l)), toAdd: delta.toAdd.filter((l) => !isNetnsVrfLine(l)) };
}

export class Scenario {
  private readonly instances: FrrInstance[] = [];
  private readonly namespaces: string[] = [];
  private applies = 0;

  private constructor(
    readonly title: string,
    /** Temporary folder for manifests and rendered configs. */
    readonly dir: string,
  ) {}

  /** Removes leftovers of killed runs, then makes the scenario's work folder. */
  static async create(title: string): Promise<Scenario> {
    await cleanupStale();
    return new Scenario(title, await mkdtemp(join(tmpdir(), 'frrt-scenario-')));
  }

  /** A speaker FRR for `node` (empty config until `apply`). */
  async speaker(node: string, opts: { netnsVrfs?: boolean } = {}): Promise<Speaker> {
    const frr = await this.track(FrrInstance.start('speaker', { netnsVrfs: opts.netnsVrfs === true }));
    await disableDad(frr.namespace);
    return { frr, node, netnsVrfs: opts.netnsVrfs === true };
  }

  /** A router FRR with `spec` loaded (see `router.ts`). */
  async router(spec: RouterSpec): Promise<FrrInstance> {
    return this.routerWithConfig(routerConfig(spec));
  }

  /** A router FRR with a hand-written config loaded. */
  async routerWithConfig(config: string): Promise<FrrInstance> {
    const frr = await this.track(FrrInstance.start('router'));
    await disableDad(frr.namespace);
    const file = join(this.dir, `${frr.name}.conf`);
    await writeFile(file, config, { mode: 0o600 });
    await frr.load(file);
    return frr;
  }

  /** A bare namespace (LAN switch, routed hop, netns VRF), removed with the scenario. */
  async namespace(role: string, maxLength?: number): Promise<string> {
    const name = ownedName(role);
    if (maxLength !== undefined && name.length > maxLength) {
      throw new Error(`namespace name ${name} is longer than ${maxLength} characters`);
    }
    this.namespaces.push(name);
    await createNamespace(name);
    await disableDad(name);
    return name;
  }

  /** A veth pair between two namespaces (FrrInstance or name), addressed at both ends. */
  link(a: FrrInstance | string, aAddresses: readonly string[], b: FrrInstance | string, bAddresses: readonly string[]): Promise<Link> {
    return linkNamespaces({ namespace: nsOf(a), addresses: aAddresses }, { namespace: nsOf(b), addresses: bAddresses });
  }

  /** One L2 segment joining every member (a bridge in a namespace of its own). */
  async lan(members: ReadonlyArray<readonly [FrrInstance | string, readonly string[]]>): Promise<void> {
    const sw = await this.namespace('lan');
    await createLan(
      sw,
      members.map(([m, addresses]) => ({ namespace: nsOf(m), addresses })),
    );
  }

  /**
   * Writes the manifests to a fresh folder and renders `speaker.node`'s frr.conf, as the sidecar
   * would (host name included). `options`: the sidecar's flags that change the config (MetalLB
   * speaker options such as `loadBalancerClass` or `logLevel`).
   */
  async render(speaker: Speaker, manifests: Manifests, options: ScenarioRenderOptions = {}): Promise<{ config: string; file: string; warnings: string[] }> {
    this.applies += 1;
    const dir = join(this.dir, `manifests-${this.applies}`);
    await mkdir(dir);
    for (const [name, text] of Object.entries(manifests)) await writeFile(join(dir, name), text);
    const rendered = await renderDirectory(dir, { ...options, node: speaker.node, hostname: hostname(), frrRelease: speaker.frr.installation.release });
    const errors = rendered.problems.filter((p) => p.severity === 'error');
    if (rendered.config === undefined || errors.length > 0) {
      throw new Error(
        `scenario "${this.title}": rendering for node ${speaker.node} failed:\n` +
          rendered.problems.map((p) => `    ${p.severity}: ${JSON.stringify(p)}`).join('\n'),
      );
    }
    const file = join(this.dir, `${speaker.frr.name}-${this.applies}.frr.conf`);
    await writeFile(file, rendered.config, { mode: 0o600 });
    const warnings = rendered.problems.filter((p) => p.severity === 'warning').map((p) => p.message);
    return { config: rendered.config, file, warnings };
  }

  /**
   * Renders and applies to the speaker with `applyConfig`; fails when FRR did not end up with the
   * rendered config (what frr-reload.py --test still lists is in the message).
   * A netns-VRF speaker can only be applied once, on an empty config: `vtysh -f`, then the
   * frr-reload.py delta minus zebra's own `vrf`/`netns` lines must be empty.
   */
  async apply(speaker: Speaker, manifests: Manifests, options: ScenarioRenderOptions = {}): Promise<Applied> {
    const { config, file, warnings } = await this.render(speaker, manifests, options);
    let result: ApplyResult;
    if (speaker.netnsVrfs) {
      if ((await speaker.frr.show('show running-config')).includes('router bgp')) {
        throw new Error('a netns-VRF speaker can only be applied once (frr-reload.py would delete the netns VRF lines)');
      }
      await speaker.frr.load(file);
      const remaining = withoutNetnsVrfLines(await speaker.frr.testReload(file));
      const converged = remaining.toAdd.length === 0 && remaining.toDelete.length === 0;
      result = { passes: 1, remaining, converged, rejected: [], reloadErrors: [] };
    } else {
      result = await speaker.frr.apply(file);
    }
    if (!result.converged) {
      throw new Error(
        `scenario "${this.title}": FRR on ${speaker.frr.name} did not converge to the rendered config after ${result.passes} reloads; ` +
          `frr-reload.py --test still lists:\n  to delete:\n${result.remaining.toDelete.map((l) => `    ${l}`).join('\n')}\n` +
          `  to add:\n${result.remaining.toAdd.map((l) => `    ${l}`).join('\n')}`,
      );
    }
    return { config, file, result, warnings };
  }

  /** Removes every instance and namespace the scenario made, and its work folder. Never throws on the first failure. */
  async destroy(): Promise<void> {
    const errors: unknown[] = [];
    for (const instance of this.instances.splice(0).reverse()) await instance.destroy().catch((e: unknown) => errors.push(e));
    for (const ns of this.namespaces.splice(0).reverse()) await deleteNamespace(ns).catch((e: unknown) => errors.push(e));
    await rm(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, `scenario "${this.title}": cleanup failed`);
  }

  private async track(starting: Promise<FrrInstance>): Promise<FrrInstance> {
    const instance = await starting;
    this.instances.push(instance);
    return instance;
  }
}

function nsOf(x: FrrInstance | string): string {
  return typeof x === 'string' ? x : x.namespace;
}

/** `vtysh -c "configure terminal" -c LINE ...` on an instance (to change a router's config during a transition). */
export async function configure(frr: FrrInstance, lines: readonly string[]): Promise<void> {
  await frr.configure(lines);
}
