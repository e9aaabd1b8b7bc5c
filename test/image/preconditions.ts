/**
 * What the image test needs: root, podman and openssl (scripts/image-prereqs.sh installs them),
 * and the host's FRR for the router. Missing, the test fails in CI (`CI=true`) with the reason, and
 * elsewhere is reported as skipped with a warning: never a silent pass.
 *
 * The machine's TLS trust for the build: when this machine reaches the npm registry through a
 * TLS-inspecting proxy, its npm is given a CA file (`npm config get cafile`, or
 * NODE_EXTRA_CA_CERTS). The build's `npm ci` gets the same trust through a read-only mount over
 * /usr/local/etc (npm's global config folder, empty in the base image), so nothing of it enters
 * the image and the Containerfile stays unchanged. On a machine without such a CA, no mount.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { frrUnavailableReason } from '../harness/preconditions.js';
import { podmanEnv } from './podman.js';

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}

export function imageUnavailableReason(): string | undefined {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('not running as root (podman, network namespaces)');
  for (const tool of ['podman', 'openssl']) if (!onPath(tool)) missing.push(`${tool} not on PATH (scripts/image-prereqs.sh installs it)`);
  const frr = frrUnavailableReason();
  if (frr !== undefined) missing.push(frr);
  return missing.length === 0 ? undefined : missing.join('; ');
}

/** `describe` for the image test: in CI a missing prerequisite is one failing test with the reason. */
export function describeWithImage(name: string, body: () => void): void {
  const reason = imageUnavailableReason();
  if (reason === undefined) describe(name, body);
  else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has root, podman, openssl and FRR available (required when CI=true)', () => {
        throw new Error(`cannot run the image test: ${reason}`);
      });
    });
  } else {
    process.stderr.write(`WARNING: skipping the image test "${name}": ${reason}. With CI=true this is a failure.\n`);
    describe.skip(name, body);
  }
}

/** The CA file this machine's npm trusts beyond Node's own, if any. */
function machineCaFile(): string | undefined {
  const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return cafile !== '' && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile) ? cafile : undefined;
  } catch {
    return undefined;
  }
}

/** `podman build` arguments giving the build's npm this machine's TLS trust (see the header); none when not needed. */
export function buildTrustMount(): string[] {
  const ca = machineCaFile();
  if (ca === undefined) return [];
  const dir = join(dirname(podmanEnv().CONTAINERS_CONF!), 'build-trust');
  mkdirSync(dir, { recursive: true });
  copyFileSync(ca, join(dir, 'build-ca.crt'));
  writeFileSync(join(dir, 'npmrc'), 'cafile=/usr/local/etc/build-ca.crt\n');
  return ['--volume', `${dir}:/usr/local/etc:ro`];
}
