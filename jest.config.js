import { createDefaultEsmPreset } from 'ts-jest';

const esm = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** Unit and golden tests run in parallel; tests that drive real FRR share machine-wide
 *  resources (namespaces, /etc/frr/<pathspace>) and run in their own project, serially. */
const shared = {
  ...esm,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'] },
    { ...shared, displayName: 'frr', testMatch: ['<rootDir>/test/frr/**/*.test.ts', '<rootDir>/test/conformance/**/*.test.ts'] },
    // The image built from the Containerfile and the DaemonSet's pod run with podman (npm run test:image).
    { ...shared, displayName: 'image', testMatch: ['<rootDir>/test/image/**/*.test.ts'] },
  ],
};
