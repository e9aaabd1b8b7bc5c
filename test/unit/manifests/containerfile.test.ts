/**
 * Containerfile, read as instructions (no container engine needed): pinned multi-stage build, the
 * FRR release paired with each Debian release (test/image builds every one of them), only the runtime files in the final stage and no build tools, the
 * unprivileged user the DaemonSet runs as, a healthcheck on the sidecar's port, and a build context
 * (.dockerignore) that holds what the stages copy and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseImageOf, IMAGE_VARIANTS } from '../../image/variants.js';
import { REPO, build, find, podSpec, type Json } from './kustomize.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Instructions with continuation lines joined and comment lines dropped, as the builders read them. */
export function parseContainerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (buf === '' && line.trim() === '')) return;
    if (buf === '') start = i + 1;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      return;
    }
    buf += line;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(buf);
    if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = '';
  });
  return out;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ image: m[1]!, name: m[2], instructions: [] });
    } else stages.at(-1)?.instructions.push(ins);
  }
  return stages;
}

/** `ARG NAME=value` defaults of a stage. */
function argsOf(stage: Stage): Record<string, string> {
  return Object.fromEntries(
    stage.instructions
      .filter((i) => i.op === 'ARG')
      .map((i) => i.args.split('='))
      .map(([k, v]) => [k!, v ?? '']),
  );
}

function jsonArray(args: string): string[] {
  const v = JSON.parse(args) as unknown;
  if (!Array.isArray(v)) throw new Error(`not an exec-form array: ${args}`);
  return v.map(String);
}

const text = readFileSync(join(REPO, 'Containerfile'), 'utf8');
const instructions = parseContainerfile(text);
const stages = stagesOf(instructions);
const final = stages.at(-1)!;
const finalArgs = argsOf(final);
const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => finalArgs[(a ?? b)!] ?? `\${${(a ?? b)!}}`);

const { objects } = build();
const pod = podSpec(find(objects, 'DaemonSet', 'frr-renderer')[0]!)!;
const sidecar = (pod.containers as Json[]).find((c) => c.name === 'frr-renderer')!;

describe('Containerfile', () => {
  it('is a multi-stage build on base images pinned by tag, for every Debian release it offers', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set<string>();
    for (const s of stages) {
      if (names.has(s.image)) continue;
      // The one variable part is the Debian release (a global ARG); every value gives a pinned tag.
      expect(s.image).toBe('node:20-${DEBIAN_RELEASE}-slim');
      for (const v of IMAGE_VARIANTS) {
        const image = s.image.replace('${DEBIAN_RELEASE}', v.debianRelease);
        expect(image).toMatch(/^[\w.\-/]+(:[\w.-]+)(@sha256:[0-9a-f]{64})?$|^[\w.\-/]+@sha256:[0-9a-f]{64}$/);
        expect(image).not.toMatch(/:latest\b/);
        expect(`docker.io/library/${image}`).toBe(baseImageOf(v));
      }
      if (s.name) names.add(s.name);
    }
  });

  it('builds with the dev dependencies in one stage and installs only production dependencies in another', () => {
    const buildStage = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
    expect(buildStage).toBeDefined();
    expect(runs(buildStage!).some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    const deps = stages.find((s) => runs(s).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)));
    expect(deps).toBeDefined();
    // `npm ci` would run the `prepare` script (tsc, a dev dependency): scripts are skipped.
    for (const s of stages) for (const r of runs(s).filter((x) => /\bnpm ci\b/.test(x))) expect(r).toContain('--ignore-scripts');
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
  });

  it('defaults to Debian 13 and pairs each Debian release with the FRR release tested on it, failing the build on another', () => {
    const globalArgs = Object.fromEntries(
      instructions
        .slice(0, instructions.findIndex((i) => i.op === 'FROM'))
        .filter((i) => i.op === 'ARG')
        .map((i) => i.args.split('=') as [string, string]),
    );
    expect(globalArgs.DEBIAN_RELEASE).toBe(IMAGE_VARIANTS.find((v) => v.isDefault)!.debianRelease);
    expect(globalArgs.DEBIAN_RELEASE).toBe('trixie');
    expect(final.instructions.some((i) => i.op === 'ARG' && i.args === 'DEBIAN_RELEASE')).toBe(true);
    const install = runs(final).find((r) => /apt-get install/.test(r))!;
    // The table: Debian release -> FRR upstream release, the same as the image test's variants.
    const table = Object.fromEntries([...install.matchAll(/\b(\w+)\) frr_release=([\d.]+) ;;/g)].map((m) => [m[1]!, m[2]!]));
    expect(table).toEqual(Object.fromEntries(IMAGE_VARIANTS.map((v) => [v.debianRelease, v.frrRelease])));
    expect(table).toEqual({ trixie: '10.3', bookworm: '8.4.4' });
    // Any other release, and a package of another upstream release, end the build.
    expect(install).toMatch(/\*\) echo "DEBIAN_RELEASE=[^"]*" >&2; exit 1 ;;/);
    expect(install).toContain(`frr_package="$(dpkg-query -W -f='\${Version}' frr)"`);
    expect(install).toMatch(/"\$\{frr_release\}"-\*\) echo [^;]*;;\s+\*\) echo "[^"]*" >&2; exit 1 ;;/);
    expect(install).toMatch(/--no-install-recommends/);
    expect(install).toMatch(/\bfrr\b/);
    expect(install).toMatch(/\bfrr-pythontools\b/);
    expect(install).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('has no build tools in the final stage', () => {
    const all = runs(final).join('\n');
    expect(all).not.toMatch(/\b(gcc|g\+\+|make|build-essential|python3-dev|git|curl|wget)\b/);
    // The package managers are removed, and never run there.
    expect(all).toMatch(/rm -rf [^\n]*\/usr\/local\/lib\/node_modules\/npm\b/);
    for (const r of runs(final)) expect(r.replace(/rm -rf [^&]*/g, '')).not.toMatch(/\b(npm|npx|tsc|yarn|corepack)\b/);
  });

  it('copies only dist/, bin/, templates/, production node_modules and package.json into the final stage', () => {
    const deps = stages.find((s) => runs(s).some((r) => /--omit=dev/.test(r)))!;
    const compiled = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)))!;
    const copies = final.instructions
      .filter((i) => i.op === 'COPY' || i.op === 'ADD')
      .map((i) => {
        expect(i.op).toBe('COPY');
        const parts = i.args.split(/\s+/);
        const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
        const paths = parts.filter((p) => !p.startsWith('--'));
        return { from, sources: paths.slice(0, -1).map((p) => p.replace(/^\/src\//, '').replace(/\/$/, '')) };
      });
    expect(copies).toEqual(
      expect.arrayContaining([
        { from: deps.name, sources: ['node_modules'] },
        { from: compiled.name, sources: ['dist'] },
        { from: undefined, sources: ['bin'] },
        { from: undefined, sources: ['templates'] },
        { from: undefined, sources: ['package.json'] },
      ]),
    );
    expect(copies).toHaveLength(5);
  });

  it('runs as the unprivileged frr user the DaemonSet names, in frrvty', () => {
    const user = final.instructions.filter((i) => i.op === 'USER').at(-1)!;
    const [uid, gid] = expand(user.args).split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect((sidecar.securityContext as Json).runAsUser).toBe(Number(uid));
    expect((sidecar.securityContext as Json).runAsGroup).toBe(Number(gid));
    expect((pod.securityContext as Json).supplementalGroups).toEqual([Number(finalArgs.FRRVTY_GID)]);
    expect(runs(final).join('\n')).toMatch(/useradd --system --uid "\$\{FRR_UID\}" --gid frr --groups frrvty/);
  });

  it('checks health on the sidecar port and starts frr-renderer, which is also on PATH for `oc exec`', () => {
    const port = (sidecar.ports as Json[]).find((p) => p.name === 'monitoring')!.containerPort;
    const health = final.instructions.find((i) => i.op === 'HEALTHCHECK')!;
    expect(health.args).toContain(`http://127.0.0.1:${String(port)}/healthz`);
    expect(final.instructions.find((i) => i.op === 'EXPOSE')?.args).toBe(String(port));
    const bin = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).bin['frr-renderer'] as string;
    const entry = jsonArray(final.instructions.find((i) => i.op === 'ENTRYPOINT')!.args);
    expect(entry).toEqual(['node', `/app/${bin}`]);
    expect(runs(final).join('\n')).toContain(`ln -s /app/${bin} /usr/local/bin/frr-renderer`);
    expect(readFileSync(join(REPO, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('V8 memory settings', () => {
  it('the image runs with the NODE_OPTIONS the benchmark measured memory with', () => {
    const image = /NODE_OPTIONS=(\S+)/.exec(readFileSync(join(REPO, 'Containerfile'), 'utf8'))?.[1];
    const bench = /NODE_OPTIONS=(\S+)/.exec(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.bench as string)?.[1];
    expect(image).toBe('--max-semi-space-size=4');
    expect(bench).toBe(image);
  });
});

describe('.dockerignore (the build context)', () => {
  const patterns = readFileSync(join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const toRegex = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*')}$`);
  /** Docker's rule: the last pattern matching the path or one of its parent folders decides. */
  const included = (path: string) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let inc = true;
    for (const p of patterns) {
      const neg = p.startsWith('!');
      const re = toRegex(neg ? p.slice(1) : p);
      if (prefixes.some((x) => re.test(x))) inc = neg;
    }
    return inc;
  };

  it('holds every path the stages copy from the context', () => {
    const fromContext = stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    );
    expect(fromContext.length).toBeGreaterThan(0);
    for (const p of fromContext) expect([p, included(p)]).toEqual([p, true]);
    for (const p of ['src/cli/main.ts', 'templates/frr.conf.hbs', 'bin/frr-renderer.js']) expect([p, included(p)]).toEqual([p, true]);
  });

  it('leaves out local builds, dependencies, git and tests', () => {
    for (const p of ['node_modules', 'node_modules/yaml/package.json', 'dist', 'dist/cli/main.js', '.git', 'out', 'test', 'fixtures', 'manifests']) expect([p, included(p)]).toEqual([p, false]);
  });
});
