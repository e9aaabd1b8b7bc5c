/**
 * The image variants the Containerfile offers, in one place: the image test builds each one, and
 * `scripts/image-prereqs.sh` makes the base image each one needs (it reads this file).
 *
 * `podChecks`: whether the pod checks run for the variant. A variant whose sidecar cannot converge
 * yet says why in `podChecksPending`, and the test reports that by name (never silently).
 */
export interface ImageVariant {
  /** Short name used in test names and podman object names. */
  readonly name: string;
  /** Debian release of the base image: `--build-arg DEBIAN_RELEASE` (absent: the Containerfile's default). */
  readonly debianRelease: 'trixie' | 'bookworm';
  /** Whether the Containerfile's default selects this variant (built without any build argument). */
  readonly isDefault: boolean;
  /** The FRR upstream release Debian's package must carry (Debian version `RELEASE-...`). */
  readonly frrRelease: string;
  /** Why the pod checks do not run yet for this variant; undefined when they run. */
  readonly podChecksPending?: string;
}

export const IMAGE_VARIANTS: readonly ImageVariant[] = [
  {
    name: 'trixie',
    debianRelease: 'trixie',
    isDefault: true,
    frrRelease: '10.3',
  },
  { name: 'bookworm', debianRelease: 'bookworm', isDefault: false, frrRelease: '8.4.4' },
];

/** The base image the Containerfile's `FROM node:20-${DEBIAN_RELEASE}-slim` names for a variant. */
export function baseImageOf(variant: ImageVariant): string {
  return `docker.io/library/node:20-${variant.debianRelease}-slim`;
}
