import { createDefaultEsmPreset } from 'ts-jest';

const esm = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** Unit and golden tests run in parallel; tests that drive real FRR share machine-wide
 *  resources (namespaces, /etc/frr/<pathspace>) and run in their own projects. */
const shared = {
  ...esm,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

const REAL_FRR_TESTS = ['<rootDir>/test/frr/**/*.test.ts', '<rootDir>/test/conformance/**/*.test.ts'];

/**
 * The real-FRR layer once per supported FRR release (test/harness/installation.ts):
 * `frr-8.4` drives Debian 12's FRR 8.4.4 installed on the machine, `frr-10.3` Debian 13's FRR 10.3
 * from a root built by scripts/frr-root.sh trixie. `frr-latest` (Debian unstable's FRR, not gating)
 * only runs with FRR_LATEST=1: `npm run test:frr-latest`.
 */
const frrProject = (displayName, installation, testMatch = REAL_FRR_TESTS) => ({
  ...shared,
  displayName,
  testMatch,
  globals: { FRR_UNDER_TEST: installation },
});

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'] },
    { ...shared, displayName: 'hostile', testMatch: ['<rootDir>/test/hostile/**/*.test.ts'] },
    frrProject('frr-8.4', 'host'),
    frrProject('frr-10.3', 'trixie'),
    ...(process.env.FRR_LATEST === '1'
      ? [frrProject('frr-latest', 'sid', ['<rootDir>/test/frr/goldens.test.ts', '<rootDir>/test/conformance/**/*.test.ts'])]
      : []),
    // The fault-and-churn soak (test/soak/): the sidecar process on FRR 10.3 for 3 minutes, one
    // test per invariant (`npm run test:soak` runs it alone); `npm run soak -- --minutes N` runs it
    // longer, outside Jest.
    { ...shared, displayName: 'soak', testMatch: ['<rootDir>/test/soak/**/*.test.ts'], globals: { FRR_UNDER_TEST: 'trixie' } },
    // The image built from the Containerfile and the DaemonSet's pod run with podman (npm run test:image).
    { ...shared, displayName: 'image', testMatch: ['<rootDir>/test/image/**/*.test.ts'] },
  ],
};
