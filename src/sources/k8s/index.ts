export { createKubernetesSource, type KubernetesSource, type KubernetesSourceOptions } from './source.js';
export { nodeResources, collectionPath, apiVersionOf, type ResourceSpec } from './resources.js';
export type { ReflectorStatus } from './reflector.js';
export { createKubeTransport, ApiError, type KubeTransport, type ListPage, type WatchHandle, type KubeStatus } from './transport.js';
