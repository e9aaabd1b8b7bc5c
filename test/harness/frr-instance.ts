/**
 * One FRR under test: a network namespace plus an FRR pathspace of the same name, with
 * zebra, bgpd, staticd and bfdd running inside the namespace. Nothing runs in the root namespace.
 *
 *   const speaker = await FrrInstance.start('speaker');
 *   try { await speaker.load(file); expect(await speaker.testReload(file)).toEqual(...); }
 *   finally { await speaker.destroy(); }
 *
 * VRFs (measured on FRR 8.4.4, whose kernel here has no VRF devices):
 * - Default backend (what this harness starts): `router bgp ASN vrf NAME` for a VRF that does not
 *   exist is accepted, shown unchanged in the running config (the VRF is inactive, vrf-id -1, its
 *   neighbors stay Idle), and `frr-reload.py --test` reports nothing. Enough for round-trip checks
 *   of rendered VRF configs; no sessions can come up in such a VRF.
 * - Netns backend (` -n` in zebra_options): every network namespace on the machine becomes a VRF,
 *   including other runs' namespaces, and the running config gains `vrf NAME` / ` netns
 *   /run/netns/NAME` blocks for each, which `--test` then lists for deletion. Only for live VRF
 *   sessions (e2e), with those lines filtered out of any delta.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrrContext } from '../../src/frr/context.js';
import { applyConfig, testReload, type ApplyOptions, type ApplyResult, type ConfigDelta } from '../../src/frr/reload.js';
import { formatRejectedLine } from '../../src/frr/rejected-lines.js';
import { spawnRunner, type CommandResult } from '../../src/frr/run.js';
import { loadFile, show, showJson, type ShowOptions } from '../../src/frr/vtysh.js';
import { claimDefaultInstance, releaseDefaultInstance } from './default-instance.js';
import { defaultInstanceInstallation, installationUnderTest, type FrrInstallation } from './installation.js';
import { ownedName } from './names.js';
import { createNamespace, deleteNamespace, execIn } from './namespaces.js';
import {
  chownToFrr,
  daemonsFile,
  FRR_CONF_ROOT,
  FRR_RUN_ROOT,
  inInstallation,
  killPathspace,
  pathspaceConfDir,
  removePathspaceFiles,
  runFrrinit,
  startPathspace,
  waitForDaemons,
  writePathspaceFiles,
  type PathspaceOptions,
} from './pathspace.js';
import { sh } from './system.js';

export class FrrInstance {
  /** Context for the functions of `src/frr/` (vtysh, frr-reload.py) aimed at this instance. */
  readonly frr: FrrContext;
  private destroyed = false;

  private constructor(
    /** Namespace (and pathspace) name, e.g. `frrt-4242-speaker1`. */
    readonly name: string,
    /** The FRR it runs (the host's, or a root's: see installation.ts). */
    readonly installation: FrrInstallation,
    /** False for FRR's default instance (no pathspace), as in a pod. */
    readonly hasPathspace: boolean,
  ) {
    this.frr = {
      run: spawnRunner,
      ...(hasPathspace ? { pathspace: name } : {}),
      vtysh: installation.vtysh,
      reloadScript: installation.reloadScript,
      // The daemons' vty sockets as the host sees them: the polls ask them directly, as in a pod.
      vtyDir: join(installation.root, FRR_RUN_ROOT),
    };
  }

  /** Creates the namespace, writes the pathspace files, starts FRR and waits until it is up. */
  static async start(role = 'frr', opts: PathspaceOptions & { readonly installation?: FrrInstallation } = {}): Promise<FrrInstance> {
    const instance = new FrrInstance(ownedName(role), opts.installation ?? installationUnderTest(), true);
    try {
      await createNamespace(instance.name);
      await writePathspaceFiles(instance.name, instance.installation, opts);
      await startPathspace(instance.name, instance.installation);
      return instance;
    } catch (err) {
      await instance.destroy().catch(() => undefined);
      throw err;
    }
  }

  /**
   * FRR's default instance (no pathspace: /etc/frr/frr.conf, vtysh without -N), as a pod runs it,
   * in a network namespace of its own. It comes from a root of the release under test
   * (`defaultInstanceInstallation`): one at a time per root, claimed for this process.
   */
  static async startDefault(role = 'default'): Promise<FrrInstance> {
    const install = defaultInstanceInstallation();
    const instance = new FrrInstance(ownedName(role), install, false);
    await claimDefaultInstance(install, instance.name);
    try {
      await createNamespace(instance.name);
      const dir = join(install.root, FRR_CONF_ROOT);
      await writeFile(join(dir, 'daemons'), daemonsFile({ netns: false }));
      await writeFile(join(dir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
      await writeFile(join(dir, 'frr.conf'), '');
      await chownToFrr(install, FRR_CONF_ROOT);
      // zebra binds /run/frr/zserv.api as frr; the package makes /run/frr at boot (tmpfiles), a root does not.
      await inInstallation(install, 'install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '0755', '/run/frr']);
      await runFrrinit(['ip', 'netns', 'exec', instance.name, install.frrinit, 'start'], instance.name);
      await waitForDaemons(install, [], `default instance in ${instance.name}`);
      return instance;
    } catch (err) {
      await instance.destroy().catch(() => undefined);
      throw err;
    }
  }

  /** The namespace name, for `linkNamespaces` and `execIn`. */
  get namespace(): string {
    return this.name;
  }

  /**
   * The folder of this instance's frr.conf as the host sees it: `/etc/frr/<name>` (pathspace) or
   * `/etc/frr` (default instance), under the installation's root.
   */
  get confDir(): string {
    return this.hasPathspace ? pathspaceConfDir(this.installation, this.name) : join(this.installation.root, FRR_CONF_ROOT);
  }

  /**
   * The arguments that point `frr-renderer run|status|explain` at this instance: its pathspace, its
   * vty sockets, and for an FRR from a root the wrappers of its programs (`--vtysh`, `--frr-reload`).
   */
  get cliArgs(): string[] {
    const programs = this.installation.name === 'host' ? [] : ['--vtysh', this.installation.vtysh, '--frr-reload', this.installation.reloadScript];
    return [...(this.hasPathspace ? ['--frr-pathspace', this.name] : []), ...programs, '--frr-vty-dir', this.frr.vtyDir!];
  }

  /** The folder of its pid files and vty sockets as the host sees it (`/run/frr[/<name>]` in its root). */
  get runDir(): string {
    return join(this.installation.root, FRR_RUN_ROOT, this.hasPathspace ? this.name : '');
  }

  /** Adds the file's lines to the running config with `vtysh -f` (no deletions; for a fresh instance). Fails if FRR refused a line. */
  async load(file: string): Promise<void> {
    const rejected = await loadFile(this.frr, file);
    if (rejected.length > 0) throw new Error(`${this.name}: FRR refused lines of ${file}: ${rejected.map(formatRejectedLine).join('; ')}`);
  }

  /** `vtysh -c COMMAND`; passwords redacted unless asked otherwise. */
  show(command: string, opts?: ShowOptions): Promise<string> {
    return show(this.frr, command, opts);
  }

  showJson(command: string): Promise<unknown> {
    return showJson(this.frr, command);
  }

  /**
   * `vtysh -c "configure terminal" -c LINE ...`: a hand edit, as an operator would make one; with
   * `daemon`, sent to that daemon alone (`vtysh -d`), as if only it had lost or changed them.
   */
  async configure(lines: readonly string[], daemon?: string): Promise<void> {
    const args = [...(this.hasPathspace ? ['-N', this.name] : []), ...(daemon === undefined ? [] : ['-d', daemon])];
    await sh(this.installation.vtysh, [...args, '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l])], 30_000);
  }

  /** `frr-reload.py --test`: what would change to make the running config equal the file. */
  testReload(file: string): Promise<ConfigDelta> {
    return testReload(this.frr, file);
  }

  /** `applyConfig` of `src/frr/reload.ts`: reload, verify, reload again if needed. */
  apply(file: string, opts?: ApplyOptions): Promise<ApplyResult> {
    return applyConfig(this.frr, file, opts);
  }

  /** Runs a command inside this instance's namespace (ping, ip route ...). */
  exec(file: string, args: readonly string[], timeoutMs?: number): Promise<CommandResult> {
    return execIn(this.name, file, args, timeoutMs);
  }

  /** Kills the daemons, removes the pathspace files and the namespace. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    if (this.hasPathspace) await destroyByName(this.name);
    else {
      await releaseDefaultInstance(this.installation, this.name);
      await deleteNamespace(this.name);
    }
    this.destroyed = true;
  }
}

/** Removes everything of one harness instance by name; also used for stale leftovers. */
export async function destroyByName(name: string): Promise<void> {
  await killPathspace(name);
  await removePathspaceFiles(name);
  await deleteNamespace(name);
}
