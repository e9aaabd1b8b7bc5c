/** The real-FRR test harness: FRR instances in network namespaces, links, cleanup, preconditions. */
export { FrrCommandError } from '../../src/frr/run.js';
export { FrrInstance, destroyByName } from './frr-instance.js';
export { cleanupStale } from './cleanup.js';
export { linkNamespaces, listNamespaces, execIn, type Link, type LinkEnd } from './namespaces.js';
export { describeWithFrr, frrUnavailableReason } from './preconditions.js';
export { installationUnderTest, defaultInstanceInstallation, type FrrInstallation } from './installation.js';
export { HARNESS_PREFIX, ownedName, isStaleName } from './names.js';
export { Scenario, configure, isNetnsVrfLine, withoutNetnsVrfLines, type Manifests, type ScenarioRenderOptions, type Speaker, type Applied } from './scenario.js';
export { routerConfig, type RouterSpec, type RouterNeighbor } from './router.js';
export { createLan, addRoute, addAddress, disableDad } from './topology.js';
export { pollUntil, expectStays, ConvergenceTimeout } from './wait.js';
export {
  receivedRoutes,
  neighbors,
  bfdPeers,
  numericCommunity,
  type Family,
  type ReceivedRoute,
  type ReceivedPath,
  type NeighborState,
  type BfdPeerState,
} from './bgp-state.js';
export {
  expectRoutes,
  expectRoutesNow,
  expectSession,
  expectSessionStaysDown,
  sessionCounters,
  expectNoSessionReset,
  expectBfd,
  routeDifferences,
  type ExpectedRoute,
} from './expect-bgp.js';
