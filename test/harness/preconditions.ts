/**
 * Real-FRR tests need root and FRR's tools, of the release this Jest project proves. Without them
 * the tests must never pass silently: in CI (`CI=true`) they fail with the reason; elsewhere they
 * are reported as skipped, with a warning that says why.
 */
import { delimiter, join } from 'node:path';
import { defaultInstanceName, installationUnavailableReason, installationUnderTest, isExecutable, underTestName, type InstallationName } from './installation.js';

export const FRRINIT = '/usr/lib/frr/frrinit.sh';
export const FRR_RELOAD = '/usr/lib/frr/frr-reload.py';


function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, program)));
}

/**
 * Why the real-FRR tests cannot run here, or `undefined` when they can. The host's FRR is always
 * needed (vtysh -C, the router side of some tests); `also` names further installations a suite
 * needs (the root of FRR's default instance).
 */
export function frrUnavailableReason(also: readonly InstallationName[] = []): string | undefined {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('not running as root (network namespaces need it)');
  if (!isExecutable(FRRINIT)) missing.push(`${FRRINIT} missing (apt-get install frr)`);
  if (!isExecutable(FRR_RELOAD)) missing.push(`${FRR_RELOAD} missing (apt-get install frr-pythontools)`);
  if (!onPath('vtysh')) missing.push('vtysh not on PATH (apt-get install frr)');
  if (!onPath('ip')) missing.push('ip not on PATH (apt-get install iproute2)');
  if (!onPath('unshare') || !onPath('chroot')) missing.push('unshare or chroot not on PATH (util-linux, coreutils)');
  // The host's tools are checked above; roots by their stamp.
  for (const name of new Set<InstallationName>([underTestName(), ...also])) {
    if (name === 'host') continue;
    const reason = installationUnavailableReason(name);
    if (reason !== undefined) missing.push(reason);
  }
  return missing.length === 0 ? undefined : missing.join('; ');
}

/**
 * `describe` for tests that drive real FRR. When FRR cannot run: in CI one failing test with the
 * reason; elsewhere `describe.skip` plus a console warning.
 */
export function describeWithFrr(name: string, body: () => void, opts: { readonly defaultInstance?: boolean } = {}): void {
  const reason = frrUnavailableReason(opts.defaultInstance === true ? [defaultInstanceName()] : []);
  if (reason === undefined) {
    describe(`${name} [FRR ${installationUnderTest().packageVersion}]`, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has root and FRR available (required when CI=true)', () => {
        throw new Error(`cannot run real-FRR tests: ${reason}`);
      });
    });
  } else {
    // Straight to stderr: Jest drops console output collected in a suite whose tests all skip.
    process.stderr.write(`WARNING: skipping real-FRR tests "${name}": ${reason}. With CI=true this is a failure.\n`);
    describe.skip(name, body);
  }
}
