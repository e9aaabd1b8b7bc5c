/** The real-FRR test harness: FRR instances in network namespaces, links, cleanup, preconditions. */
export { FrrInstance, destroyByName } from './frr-instance.js';
export { cleanupStale } from './cleanup.js';
export { linkNamespaces, listNamespaces, execIn, type Link, type LinkEnd } from './namespaces.js';
export { describeWithFrr, frrUnavailableReason } from './preconditions.js';
export { HARNESS_PREFIX, ownedName, isStaleName } from './names.js';
