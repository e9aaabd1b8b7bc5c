import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { compareReleases, DEFAULT_FRR_RELEASE, formatRelease, type FrrRelease } from '../../src/intent/frr-release.js';
import type { RenderOptions } from '../../src/pipeline.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/**
 * One golden case: `fixtures/<name>/{case.yaml,input/,expected.frr.conf|expected.error}`.
 * `expected.frr.conf` is the config for the default FRR release (the image's); a case whose config
 * differs on another tested release also has `expected.frr-<X.Y>.conf` for it (fixtures/README.md).
 */
export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly inputDir: string;
  readonly node: string;
  readonly description: string;
  /** Render options from case.yaml (`exampleServices`, `namespace`), without node and redaction. */
  readonly options: Omit<RenderOptions, 'node' | 'redactPasswords' | 'hostname'>;
  readonly expectedConfigFile: string;
  readonly expectedErrorFile: string;
  readonly expectedWarningsFile: string;
  /** True when the case must be rejected. */
  readonly rejected: boolean;
}

/** Where the config expected for `release` is kept (the file may not exist: then it equals the default's). */
export function expectedConfigFileFor(c: GoldenCase, release: FrrRelease): string {
  return compareReleases(release, DEFAULT_FRR_RELEASE) === 0 ? c.expectedConfigFile : join(c.dir, `expected.frr-${formatRelease(release)}.conf`);
}

export function loadCases(): GoldenCase[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURES_DIR, e.name, 'case.yaml')))
    .map((e) => loadCase(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function loadCase(name: string): GoldenCase {
  const dir = join(FIXTURES_DIR, name);
  const meta = (parse(readFileSync(join(dir, 'case.yaml'), 'utf8')) ?? {}) as {
    node?: string;
    description?: string;
    rejected?: boolean;
    options?: {
      exampleServices?: boolean;
      namespace?: string;
      // MetalLB speaker flags (render's --lb-class, --ignore-exclude-lb, --log-level, --frr-log-level, --bgp-extras).
      loadBalancerClass?: string;
      ignoreExcludeLb?: boolean;
      logLevel?: RenderOptions['logLevel'];
      frrLogLevel?: RenderOptions['frrLogLevel'];
      bgpExtras?: RenderOptions['bgpExtras'];
    };
  };
  const o = meta.options ?? {};
  return {
    name,
    dir,
    inputDir: join(dir, 'input'),
    node: meta.node ?? 'worker-0',
    description: meta.description ?? '',
    options: {
      ...(o.exampleServices ? { exampleServices: true } : {}),
      ...(o.namespace ? { metallbNamespace: o.namespace } : {}),
      ...(o.loadBalancerClass !== undefined ? { loadBalancerClass: o.loadBalancerClass } : {}),
      ...(o.ignoreExcludeLb !== undefined ? { ignoreExcludeLb: o.ignoreExcludeLb } : {}),
      ...(o.logLevel !== undefined ? { logLevel: o.logLevel } : {}),
      ...(o.frrLogLevel !== undefined ? { frrLogLevel: o.frrLogLevel } : {}),
      ...(o.bgpExtras !== undefined ? { bgpExtras: o.bgpExtras } : {}),
    },
    expectedConfigFile: join(dir, 'expected.frr.conf'),
    expectedErrorFile: join(dir, 'expected.error'),
    expectedWarningsFile: join(dir, 'expected.warnings'),
    rejected: meta.rejected === true,
  };
}
