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
import type { FrrContext } from '../../src/frr/context.js';
import { applyConfig, testReload, type ApplyOptions, type ApplyResult, type ConfigDelta } from '../../src/frr/reload.js';
import { execaRunner, type CommandResult } from '../../src/frr/run.js';
import { loadFile, show, showJson, type ShowOptions } from '../../src/frr/vtysh.js';
import { ownedName } from './names.js';
import { createNamespace, deleteNamespace, execIn } from './namespaces.js';
import {
  killPathspace,
  removePathspaceFiles,
  startPathspace,
  writePathspaceFiles,
  type PathspaceOptions,
} from './pathspace.js';

export class FrrInstance {
  /** Context for the functions of `src/frr/` (vtysh, frr-reload.py) aimed at this instance. */
  readonly frr: FrrContext;
  private destroyed = false;

  private constructor(
    /** Namespace and pathspace name, e.g. `frrt-4242-speaker1`. */
    readonly name: string,
  ) {
    this.frr = { run: execaRunner, pathspace: name };
  }

  /** Creates the namespace, writes the pathspace files, starts FRR and waits until it is up. */
  static async start(role = 'frr', opts: PathspaceOptions = {}): Promise<FrrInstance> {
    const instance = new FrrInstance(ownedName(role));
    try {
      await createNamespace(instance.name);
      await writePathspaceFiles(instance.name, opts);
      await startPathspace(instance.name);
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

  /** Adds the file's lines to the running config with `vtysh -f` (no deletions; for a fresh instance). */
  load(file: string): Promise<void> {
    return loadFile(this.frr, file);
  }

  /** `vtysh -c COMMAND`; passwords redacted unless asked otherwise. */
  show(command: string, opts?: ShowOptions): Promise<string> {
    return show(this.frr, command, opts);
  }

  showJson(command: string): Promise<unknown> {
    return showJson(this.frr, command);
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
    await destroyByName(this.name);
    this.destroyed = true;
  }
}

/** Removes everything of one harness instance by name; also used for stale leftovers. */
export async function destroyByName(name: string): Promise<void> {
  await killPathspace(name);
  await removePathspaceFiles(name);
  await deleteNamespace(name);
}
