/**
 * A fake Kubernetes API server for integration tests, in the test process, on 127.0.0.1 (plain HTTP).
 *
 * Generic over group/version/resource: `/api/v1[/namespaces/NS]/RESOURCE[/NAME[/status]]` and
 * `/apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/status]]`. Objects are stored per
 * group+resource (any version is served: the stored object's apiVersion is rewritten to the one asked
 * for, the fake's "conversion", or a resource's `convert` runs, standing in for a conversion webhook). One global resourceVersion counter, an event history for watches
 * from a resourceVersion, and compaction (watches and continue tokens older than it get 410 Gone).
 *
 * Protocol served: list (`metadata.resourceVersion`, `limit`/`continue`, fieldSelector and
 * equality-based labelSelector; items without apiVersion/kind like the real server), watch
 * (newline-delimited ADDED/MODIFIED/DELETED/BOOKMARK/ERROR, `allowWatchBookmarks`, `timeoutSeconds`,
 * 410 as an in-stream ERROR event or as an HTTP status), get, create (POST), PUT, PATCH (merge,
 * strategic treated as merge, JSON patch; other content types get 415), DELETE, and the `status`
 * subresource (writes to it change only `status`; writes to the object keep its `status`). No-op
 * writes do not bump the resourceVersion. Discovery: `/api/v1`, `/apis/GROUP/VERSION`.
 *
 * Faults: `fault()` answers matching requests with a status, a dropped connection, a hang, or an
 * empty 200; `dropWatches()` / `closeWatches()` / `expireWatches()` act on open watches,
 * `dropConnections()` on every connection (a restarted server);
 * `compact()`; `silence()` keeps watch connections open but delivers nothing on them.
 * Every request is recorded (`requests`, `count()`), so tests can bound the request rate.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type Json = Record<string, unknown>;

export interface ResourceInfo {
  readonly group: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Default true: writes through the object keep `status`, writes through `/status` change only it. */
  readonly statusSubresource?: boolean;
  /**
   * A conversion webhook: the stored object (a copy, with its stored apiVersion) as the version
   * asked for. Without one, only apiVersion is rewritten.
   */
  readonly convert?: (stored: Json, toVersion: string) => Json;
}

export interface RequestRecord {
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  /** `resource` or `resource.group` (`services`, `bgppeers.metallb.io`); undefined for other paths. */
  readonly resource?: string;
  readonly version?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly contentType?: string;
  readonly authorization?: string;
  body?: unknown;
  /** The HTTP status answered (0 for a dropped or hung request). */
  status: number;
}

export type FaultAction =
  | { readonly status: number; readonly message?: string; readonly reason?: string }
  | { readonly drop: true }
  | { readonly hang: true }
  | { readonly empty: true };

export interface Fault {
  /** Which requests; default all. */
  readonly match?: (r: RequestRecord) => boolean;
  /** How many matching requests get the fault; default unlimited (until removed). */
  readonly times?: number;
  readonly action: FaultAction;
}

export interface FakeApiServerOptions {
  /** Send a BOOKMARK to every bookmark-enabled watch this often; default never (call `bookmark()`). */
  readonly bookmarkIntervalMs?: number;
  /** How a watch from a compacted resourceVersion is refused: in-stream ERROR event (the usual) or HTTP 410. */
  readonly expiredWatch?: 'event' | 'status';
  /** Honour `timeoutSeconds` on watches; default true. */
  readonly honorWatchTimeout?: boolean;
  /** Put apiVersion and kind on list items (the real server omits them for built-in kinds); default false. */
  readonly listItemsWithKind?: boolean;
}

/** `matchResource('services')`: a fault/watch filter for one resource (`resource` or `resource.group`). */
export function onResource(resource: string, extra?: (r: RequestRecord) => boolean): (r: RequestRecord) => boolean {
  return (r) => r.resource === resource && (extra === undefined || extra(r));
}

const BUILTIN: ResourceInfo[] = [
  { group: '', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', resource: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', resource: 'secrets', kind: 'Secret', namespaced: true, statusSubresource: false },
  { group: '', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, statusSubresource: false },
  { group: '', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', resource: 'events', kind: 'Event', namespaced: true, statusSubresource: false },
  { group: '', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: 'discovery.k8s.io', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true, statusSubresource: false },
  { group: 'events.k8s.io', resource: 'events', kind: 'Event', namespaced: true, statusSubresource: false },
  { group: 'coordination.k8s.io', resource: 'leases', kind: 'Lease', namespaced: true, statusSubresource: false },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
  { group: 'metallb.io', resource: 'bgppeers', kind: 'BGPPeer', namespaced: true },
  { group: 'metallb.io', resource: 'ipaddresspools', kind: 'IPAddressPool', namespaced: true },
  { group: 'metallb.io', resource: 'bgpadvertisements', kind: 'BGPAdvertisement', namespaced: true },
  { group: 'metallb.io', resource: 'l2advertisements', kind: 'L2Advertisement', namespaced: true },
  { group: 'metallb.io', resource: 'bfdprofiles', kind: 'BFDProfile', namespaced: true },
  { group: 'metallb.io', resource: 'communities', kind: 'Community', namespaced: true },
  { group: 'metallb.io', resource: 'servicebgpstatuses', kind: 'ServiceBGPStatus', namespaced: true },
  { group: 'metallb.io', resource: 'bgpsessionstates', kind: 'BGPSessionState', namespaced: true },
  { group: 'metallb.io', resource: 'servicel2statuses', kind: 'ServiceL2Status', namespaced: true },
  { group: 'frrk8s.metallb.io', resource: 'frrconfigurations', kind: 'FRRConfiguration', namespaced: true },
  { group: 'frrk8s.metallb.io', resource: 'frrnodestates', kind: 'FRRNodeState', namespaced: false },
  { group: 'frrk8s.metallb.io', resource: 'bgpsessionstates', kind: 'BGPSessionState', namespaced: true },
];

interface HistoryEntry {
  readonly rv: number;
  readonly key: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Json;
  readonly old?: Json;
}

interface OpenWatch {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  readonly namespace?: string;
  readonly fieldSelector: Selector;
  readonly labelSelector: Selector;
  readonly bookmarks: boolean;
  readonly res: http.ServerResponse;
  silent: boolean;
  timer?: NodeJS.Timeout;
}

type Selector = (obj: Json) => boolean;

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly resources = new Map<string, ResourceInfo>();
  private readonly store = new Map<string, Map<string, Json>>();
  private history: HistoryEntry[] = [];
  private rv = 1000;
  private compactedRv = 0;
  /** The last list of each resource and selector, for its next pages (`serveList`). */
  private readonly listSnapshots = new Map<string, { rv: number; items: Json[] }>();
  private readonly watches = new Set<OpenWatch>();
  private watchIds = 0;
  private faults: { fault: Fault; left: number }[] = [];
  private silenceNew: ((key: string) => boolean) | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private uid = 0;
  private port = 0;

  private constructor(private readonly opts: FakeApiServerOptions) {
    for (const r of BUILTIN) this.register(r);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.sendStatus(res, 500, 'InternalError', String(err));
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(opts);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as AddressInfo).port;
    if (opts.bookmarkIntervalMs) s.bookmarkTimer = setInterval(() => s.bookmark(), opts.bookmarkIntervalMs);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A KubeConfig for this server (plain HTTP needs `skipTLSVerify` in client-node) with a bearer token. */
  kubeConfig(token = 'fake-token'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  async close(): Promise<void> {
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const w of [...this.watches]) this.endWatch(w, 'end');
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- resources and objects

  register(info: ResourceInfo): void {
    this.resources.set(resKey(info.group, info.resource), info);
  }

  /** The current (global) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Creates or replaces (whole object, status included) and emits ADDED/MODIFIED. Returns the stored copy. */
  put(obj: Json): Json {
    const { info, namespace, name } = this.locate(obj);
    const key = resKey(info.group, info.resource);
    const existing = this.bucket(key).get(objKey(namespace, name));
    const next = structuredClone(obj) as Json;
    const meta = { ...(next.metadata as Json) };
    if (info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    next.metadata = meta;
    return existing ? this.write(key, existing, next) : this.insert(key, next);
  }

  /** Deletes and emits DELETED. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const { info } = this.locate({ apiVersion, kind, metadata: { name, namespace } });
    return this.delete(resKey(info.group, info.resource), objKey(info.namespaced ? namespace : undefined, name)) !== undefined;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Json | undefined {
    const { info } = this.locate({ apiVersion, kind, metadata: { name, namespace } });
    const o = this.bucket(resKey(info.group, info.resource)).get(objKey(info.namespaced ? namespace : undefined, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Stored objects of a resource (`services`, `bgppeers.metallb.io`), as stored (apiVersion and kind set). */
  objects(resource: string): Json[] {
    return [...this.bucket(resource).values()].map((o) => structuredClone(o));
  }

  /** Forgets the event history: watches from an older resourceVersion, and old continue tokens, get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  // ---------------------------------------------------------------- faults and watches

  /** Adds a fault; returns a function removing it. */
  fault(f: Fault): () => void {
    const entry = { fault: f, left: f.times ?? Infinity };
    this.faults.push(entry);
    return () => {
      this.faults = this.faults.filter((e) => e !== entry);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  openWatches(resource?: string): number {
    return [...this.watches].filter((w) => resource === undefined || w.key === resource).length;
  }

  /** Destroys the sockets of open watches (no proper end of the chunked response). */
  dropWatches(resource?: string): number {
    return this.forWatches(resource, (w) => this.endWatch(w, 'drop'));
  }

  /**
   * Destroys every open connection (watches, hanging requests, idle keep-alive sockets), as a
   * restarted API server does: what ends a stall (`silence()` plus requests answered with `hang`).
   */
  dropConnections(): number {
    for (const w of [...this.watches]) this.endWatch(w, 'drop');
    const sockets = [...this.sockets];
    for (const s of sockets) s.destroy();
    return sockets.length;
  }

  /** Ends open watches cleanly, as a server timeout does. */
  closeWatches(resource?: string): number {
    return this.forWatches(resource, (w) => this.endWatch(w, 'end'));
  }

  /** Sends an ERROR 410 event on open watches and ends them. */
  expireWatches(resource?: string): number {
    return this.forWatches(resource, (w) => {
      this.writeEvent(w, 'ERROR', goneStatus('too old resource version'), true);
      this.endWatch(w, 'end');
    });
  }

  /** Open watches (and, with `alsoNew`, watches opened later until `unsilence()`) get nothing, not even bookmarks. */
  silence(resource?: string, alsoNew = false): number {
    if (alsoNew) this.silenceNew = (key) => resource === undefined || key === resource;
    return this.forWatches(resource, (w) => {
      w.silent = true;
    });
  }

  unsilence(): void {
    this.silenceNew = undefined;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every open bookmark-enabled watch. */
  bookmark(resource?: string): void {
    this.forWatches(resource, (w) => {
      if (!w.bookmarks) return;
      const info = this.resources.get(w.key);
      this.writeEvent(w, 'BOOKMARK', {
        kind: info?.kind ?? '',
        apiVersion: gv(info?.group ?? '', w.version),
        metadata: { resourceVersion: String(this.rv) },
      });
    });
  }

  /** Requests matching a filter (all by default). */
  count(filter?: (r: RequestRecord) => boolean): number {
    return filter ? this.requests.filter(filter).length : this.requests.length;
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const route = parsePath(url.pathname);
    const watch = req.method === 'GET' && (query.watch === 'true' || query.watch === '1');
    const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readBody(req);
    const rec: RequestRecord = {
      time: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      watch,
      status: 0,
      ...(route?.resource === undefined ? {} : { resource: resKey(route.group, route.resource) }),
      ...(route?.version === undefined ? {} : { version: route.version }),
      ...(route?.namespace === undefined ? {} : { namespace: route.namespace }),
      ...(route?.name === undefined ? {} : { name: route.name }),
      ...(route?.subresource === undefined ? {} : { subresource: route.subresource }),
      ...(req.headers['content-type'] === undefined ? {} : { contentType: req.headers['content-type'] }),
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    };
    this.requests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });

    const fault = this.takeFault(rec);
    if (fault) {
      if ('drop' in fault) {
        req.socket.destroy();
        return;
      }
      if ('hang' in fault) return; // closed by close()
      if ('empty' in fault) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end();
        return;
      }
      this.sendStatus(res, fault.status, fault.reason ?? reasonOf(fault.status), fault.message ?? `injected ${fault.status}`);
      return;
    }

    if (body !== undefined && body.text !== '') {
      try {
        rec.body = JSON.parse(body.text);
      } catch {
        this.sendStatus(res, 400, 'BadRequest', 'the body is not JSON');
        return;
      }
    }

    if (!route) {
      this.sendStatus(res, 404, 'NotFound', `the server could not find the requested resource ${url.pathname}`);
      return;
    }
    if (route.resource === undefined) {
      this.discovery(res, route.group, route.version);
      return;
    }
    const key = resKey(route.group, route.resource);
    let info = this.resources.get(key);
    if (!info && req.method === 'POST' && isJson(rec.body) && typeof rec.body.kind === 'string') {
      info = { group: route.group, resource: route.resource, kind: rec.body.kind, namespaced: route.namespace !== undefined };
      this.register(info);
    }
    if (!info) {
      this.sendStatus(res, 404, 'NotFound', `the server could not find the requested resource (${key})`);
      return;
    }
    const namespace = info.namespaced ? route.namespace : undefined;

    if (route.name === undefined) {
      if (watch) return this.serveWatch(res, info, route.version, namespace, query);
      if (req.method === 'GET') return this.serveList(res, info, route.version, namespace, query);
      if (req.method === 'POST') return this.serveCreate(res, info, route.version, namespace, rec.body);
      this.sendStatus(res, 405, 'MethodNotAllowed', `${req.method} on a collection`);
      return;
    }
    if (route.subresource !== undefined && route.subresource !== 'status') {
      this.sendStatus(res, 404, 'NotFound', `subresource ${route.subresource} is not served`);
      return;
    }
    const ok = objKey(namespace, route.name);
    const existing = this.bucket(key).get(ok);
    if (!existing) {
      this.sendStatus(res, 404, 'NotFound', `${info.resource}${info.group ? '.' + info.group : ''} "${route.name}" not found`);
      return;
    }
    switch (req.method) {
      case 'GET':
        this.sendJson(res, 200, this.served(existing, info, route.version));
        return;
      case 'DELETE':
        this.sendJson(res, 200, this.served(this.delete(key, ok)!, info, route.version));
        return;
      case 'PUT':
      case 'PATCH': {
        let next: Json;
        if (req.method === 'PUT') {
          if (!isJson(rec.body)) return this.sendStatus(res, 400, 'BadRequest', 'PUT needs an object');
          next = structuredClone(rec.body);
        } else {
          const type = (rec.contentType ?? '').split(';')[0]!.trim().toLowerCase();
          try {
            if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
              if (!isJson(rec.body)) return this.sendStatus(res, 400, 'BadRequest', 'a merge patch must be an object');
              next = mergePatch(structuredClone(existing), rec.body) as Json;
            } else if (type === 'application/json-patch+json') {
              if (!Array.isArray(rec.body)) return this.sendStatus(res, 400, 'BadRequest', 'a JSON patch must be a list');
              next = jsonPatch(structuredClone(existing), rec.body);
            } else {
              return this.sendStatus(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(type)})`);
            }
          } catch (err) {
            return this.sendStatus(res, 422, 'Invalid', (err as Error).message);
          }
        }
        const wantRv = isJson(next.metadata) ? next.metadata.resourceVersion : undefined;
        if (typeof wantRv === 'string' && wantRv !== '' && wantRv !== (existing.metadata as Json).resourceVersion) {
          return this.sendStatus(res, 409, 'Conflict', `Operation cannot be fulfilled on ${info.resource} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        const subresourced = info.statusSubresource !== false;
        if (route.subresource === 'status') {
          next = { ...structuredClone(existing), status: next.status };
          if (next.status === undefined) delete next.status;
        } else if (subresourced) {
          next = { ...next, status: structuredClone(existing.status) };
          if (existing.status === undefined) delete next.status;
        }
        next.apiVersion = existing.apiVersion;
        next.kind = existing.kind;
        next.metadata = { ...(next.metadata as Json), name: route.name, ...(namespace === undefined ? {} : { namespace }) };
        this.sendJson(res, 200, this.served(this.write(key, existing, next), info, route.version));
        return;
      }
      default:
        this.sendStatus(res, 405, 'MethodNotAllowed', `${req.method} on an object`);
    }
  }

  private serveList(res: http.ServerResponse, info: ResourceInfo, version: string, namespace: string | undefined, q: Record<string, string>): void {
    const fs = parseFieldSelector(q.fieldSelector);
    const ls = parseLabelSelector(q.labelSelector);
    let offset = 0;
    if (q.continue) {
      const token = decodeContinue(q.continue);
      if (!token || token.rv < this.compactedRv) {
        this.sendStatus(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        return;
      }
      offset = token.offset;
    }
    // A list is one consistent snapshot, paged: kube-apiserver serves every page of a list from
    // the revision of its first page. Taking (and sorting) the whole bucket again for every page
    // made a 10,000-object list cost this server seconds, which the benchmark counted as the
    // sidecar's; a page of a snapshot no longer held is served from the current objects.
    const snapshotKey = `${resKey(info.group, info.resource)}|${namespace ?? ''}|${q.fieldSelector ?? ''}|${q.labelSelector ?? ''}`;
    const token = q.continue ? decodeContinue(q.continue) : undefined;
    const cached = this.listSnapshots.get(snapshotKey);
    let all: Json[];
    let listRv = this.rv;
    if (token !== undefined && cached !== undefined && cached.rv === token.rv) {
      all = cached.items;
      listRv = cached.rv;
    } else {
      all = [...this.bucket(resKey(info.group, info.resource)).values()]
        .filter((o) => namespace === undefined || (o.metadata as Json).namespace === namespace)
        .filter((o) => fs(o) && ls(o))
        .map((o) => ({ o, k: keyOfObj(o) }))
        .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)) // etcd's order: bytes of the key
        .map((x) => x.o);
      if (token === undefined) this.listSnapshots.set(snapshotKey, { rv: this.rv, items: all });
    }
    const limit = q.limit ? Number(q.limit) : 0;
    const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const more = limit > 0 && offset + limit < all.length;
    const items = page.map((o) => {
      const s = this.served(o, info, version);
      if (!this.opts.listItemsWithKind) {
        delete s.apiVersion;
        delete s.kind;
      }
      return s;
    });
    this.sendJson(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: gv(info.group, version),
      metadata: {
        resourceVersion: String(listRv),
        ...(more ? { continue: encodeContinue(listRv, offset + limit) } : {}),
      },
      items,
    });
  }

  private serveWatch(res: http.ServerResponse, info: ResourceInfo, version: string, namespace: string | undefined, q: Record<string, string>): void {
    const key = resKey(info.group, info.resource);
    const from = q.resourceVersion === undefined || q.resourceVersion === '' || q.resourceVersion === '0' ? undefined : Number(q.resourceVersion);
    const expired = from !== undefined && (Number.isNaN(from) || from < this.compactedRv);
    if (expired && this.opts.expiredWatch === 'status') {
      this.sendStatus(res, 410, 'Expired', `too old resource version: ${q.resourceVersion} (${this.compactedRv})`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = {
      id: ++this.watchIds,
      key,
      version,
      ...(namespace === undefined ? {} : { namespace }),
      fieldSelector: parseFieldSelector(q.fieldSelector),
      labelSelector: parseLabelSelector(q.labelSelector),
      bookmarks: q.allowWatchBookmarks === 'true' || q.allowWatchBookmarks === '1',
      res,
      silent: this.silenceNew?.(key) ?? false,
    };
    this.watches.add(w);
    res.on('close', () => {
      if (w.timer) clearTimeout(w.timer);
      this.watches.delete(w);
    });
    if (expired) {
      this.writeEvent(w, 'ERROR', goneStatus(`too old resource version: ${q.resourceVersion} (${this.compactedRv})`), true);
      this.endWatch(w, 'end');
      return;
    }
    const timeout = Number(q.timeoutSeconds);
    if (this.opts.honorWatchTimeout !== false && timeout > 0) {
      w.timer = setTimeout(() => this.endWatch(w, 'end'), timeout * 1000);
    }
    if (from === undefined) {
      const current = [...this.bucket(key).values()].sort((a, b) => rvOf(a) - rvOf(b));
      for (const o of current) this.deliver(w, { rv: rvOf(o), key, type: 'ADDED', object: o });
    } else {
      for (const h of this.history) if (h.key === key && h.rv > from) this.deliver(w, h);
    }
  }

  private serveCreate(res: http.ServerResponse, info: ResourceInfo, version: string, namespace: string | undefined, body: unknown): void {
    if (!isJson(body) || !isJson(body.metadata)) return this.sendStatus(res, 400, 'BadRequest', 'the object needs metadata');
    const meta = { ...body.metadata };
    if (typeof meta.name !== 'string' || meta.name === '') {
      if (typeof meta.generateName === 'string') meta.name = `${meta.generateName}${(++this.uid).toString(36).padStart(5, '0')}`;
      else return this.sendStatus(res, 422, 'Invalid', 'metadata.name: Required value');
    }
    if (info.namespaced) meta.namespace = namespace ?? meta.namespace ?? 'default';
    else delete meta.namespace;
    const key = resKey(info.group, info.resource);
    if (this.bucket(key).has(objKey(meta.namespace as string | undefined, meta.name as string))) {
      return this.sendStatus(res, 409, 'AlreadyExists', `${info.resource} "${String(meta.name)}" already exists`);
    }
    const obj: Json = { ...structuredClone(body), apiVersion: gv(info.group, version), kind: info.kind, metadata: meta };
    this.sendJson(res, 201, this.served(this.insert(key, obj), info, version));
  }

  private discovery(res: http.ServerResponse, group: string, version: string): void {
    const resources = [...this.resources.values()]
      .filter((r) => r.group === group)
      .flatMap((r) => [
        { name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
        ...(r.statusSubresource === false ? [] : [{ name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }]),
      ]);
    this.sendJson(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources });
  }

  // ---------------------------------------------------------------- storage and events

  private insert(key: string, obj: Json): Json {
    const meta = obj.metadata as Json;
    const stored: Json = {
      ...obj,
      metadata: {
        ...meta,
        uid: meta.uid ?? `uid-${++this.uid}`,
        creationTimestamp: meta.creationTimestamp ?? new Date(0).toISOString(),
        generation: 1,
        resourceVersion: String(++this.rv),
      },
    };
    this.bucket(key).set(keyOfObj(stored), stored);
    this.emit({ rv: this.rv, key, type: 'ADDED', object: stored });
    return structuredClone(stored);
  }

  private write(key: string, existing: Json, next: Json): Json {
    const oldMeta = existing.metadata as Json;
    const newMeta = { ...(next.metadata as Json) };
    for (const f of ['uid', 'creationTimestamp', 'generation', 'resourceVersion']) newMeta[f] = oldMeta[f];
    const candidate: Json = { ...next, metadata: newMeta };
    if (stableJson(candidate) === stableJson(existing)) return structuredClone(existing); // no-op: no new version, no event
    if (stableJson(candidate.spec) !== stableJson(existing.spec)) newMeta.generation = Number(oldMeta.generation ?? 1) + 1;
    newMeta.resourceVersion = String(++this.rv);
    this.bucket(key).set(keyOfObj(candidate), candidate);
    this.emit({ rv: this.rv, key, type: 'MODIFIED', object: candidate, old: existing });
    return structuredClone(candidate);
  }

  private delete(key: string, ok: string): Json | undefined {
    const existing = this.bucket(key).get(ok);
    if (!existing) return undefined;
    this.bucket(key).delete(ok);
    const gone: Json = { ...existing, metadata: { ...(existing.metadata as Json), resourceVersion: String(++this.rv) } };
    this.emit({ rv: this.rv, key, type: 'DELETED', object: gone });
    return structuredClone(gone);
  }

  private emit(h: HistoryEntry): void {
    this.history.push(h);
    for (const w of this.watches) if (w.key === h.key) this.deliver(w, h);
  }

  private deliver(w: OpenWatch, h: HistoryEntry): void {
    const inNs = (o: Json | undefined): boolean =>
      o !== undefined && (w.namespace === undefined || (o.metadata as Json).namespace === w.namespace) && w.fieldSelector(o) && w.labelSelector(o);
    const now = inNs(h.object);
    const before = h.type === 'MODIFIED' ? inNs(h.old) : h.type !== 'ADDED' && now;
    let type: string | undefined;
    if (h.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (h.type === 'DELETED') type = now ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type === undefined) return;
    const info = this.resources.get(w.key)!;
    this.writeEvent(w, type, this.served(h.object, info, w.version));
  }

  private writeEvent(w: OpenWatch, type: string, object: Json, force = false): void {
    if (w.silent && !force) return;
    if (w.res.writableEnded || w.res.destroyed) return;
    w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private endWatch(w: OpenWatch, how: 'end' | 'drop'): void {
    if (w.timer) clearTimeout(w.timer);
    this.watches.delete(w);
    if (how === 'drop') w.res.socket?.destroy();
    else if (!w.res.writableEnded) w.res.end();
  }

  private forWatches(resource: string | undefined, fn: (w: OpenWatch) => void): number {
    const list = [...this.watches].filter((w) => resource === undefined || w.key === resource);
    list.forEach(fn);
    return list.length;
  }

  private served(obj: Json, info: ResourceInfo, version: string): Json {
    const copy = structuredClone(obj);
    const converted = info.convert ? info.convert(copy, version) : copy;
    return { ...converted, apiVersion: gv(info.group, version), kind: info.kind };
  }

  private bucket(key: string): Map<string, Json> {
    let b = this.store.get(key);
    if (!b) {
      b = new Map();
      this.store.set(key, b);
    }
    return b;
  }

  private locate(obj: Json): { info: ResourceInfo; namespace: string | undefined; name: string } {
    const apiVersion = String(obj.apiVersion ?? '');
    const kind = String(obj.kind ?? '');
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    let info = [...this.resources.values()].find((r) => r.group === group && r.kind === kind);
    const meta = isJson(obj.metadata) ? obj.metadata : {};
    if (!info) {
      info = { group, resource: plural(kind), kind, namespaced: typeof meta.namespace === 'string' };
      this.register(info);
    }
    const name = String(meta.name ?? '');
    if (name === '') throw new Error(`${kind} needs metadata.name`);
    const namespace = info.namespaced ? String(meta.namespace ?? 'default') : undefined;
    return { info, namespace, name };
  }

  private takeFault(r: RequestRecord): FaultAction | undefined {
    for (const e of this.faults) {
      if (e.left <= 0 || (e.fault.match && !e.fault.match(r))) continue;
      e.left--;
      if (e.left <= 0) this.faults = this.faults.filter((x) => x !== e);
      return e.fault.action;
    }
    return undefined;
  }

  private sendJson(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private sendStatus(res: http.ServerResponse, code: number, reason: string, message: string): void {
    this.sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }
}

// ------------------------------------------------------------------ helpers

interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
}

function parsePath(path: string): Route | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  const route: Route = { group, version };
  if (rest.length === 0) return route;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    route.namespace = rest[1]!;
    rest = rest.slice(2);
  }
  route.resource = rest[0]!;
  if (rest[1] !== undefined) route.name = rest[1];
  if (rest[2] !== undefined) route.subresource = rest[2];
  return route;
}

function resKey(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function gv(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function objKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOfObj(o: Json): string {
  const m = o.metadata as Json;
  return objKey(m.namespace as string | undefined, String(m.name));
}

function rvOf(o: Json): number {
  return Number((o.metadata as Json).resourceVersion);
}

function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function goneStatus(message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}

function reasonOf(code: number): string {
  return (
    { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' }[code] ?? 'Unknown'
  );
}

function encodeContinue(rv: number, offset: number): string {
  return Buffer.from(JSON.stringify({ rv, offset })).toString('base64');
}

function decodeContinue(token: string): { rv: number; offset: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (isJson(v) && typeof v.rv === 'number' && typeof v.offset === 'number') return { rv: v.rv, offset: v.offset };
  } catch {
    // fall through
  }
  return undefined;
}

function getPath(o: Json, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = isJson(cur) ? cur[p] : undefined;
  return cur;
}

/** `a=b,c!=d,e==f` on any dotted path (`metadata.name`, `spec.nodeName`). */
function parseFieldSelector(s: string | undefined): Selector {
  if (!s) return () => true;
  const terms = s.split(',').map((t) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(t.trim());
    if (!m) throw new Error(`bad field selector ${s}`);
    return { path: m[1]!, neg: m[2] === '!=', value: m[3]! };
  });
  return (o) => terms.every((t) => (String(getPath(o, t.path) ?? '') === t.value) !== t.neg);
}

/** Equality-based label selectors: `a=b`, `a!=b`, `a`, `!a`. */
function parseLabelSelector(s: string | undefined): Selector {
  if (!s) return () => true;
  const terms = s.split(',').map((t) => t.trim());
  return (o) => {
    const labels = (getPath(o, 'metadata.labels') ?? {}) as Record<string, string>;
    return terms.every((t) => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(t);
      if (m) return (labels[m[1]!] === m[3]) !== (m[2] === '!=');
      if (t.startsWith('!')) return !(t.slice(1) in labels);
      return t in labels;
    });
  };
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJson(patch)) return structuredClone(patch);
  const out: Json = isJson(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902: add, remove, replace, test. */
function jsonPatch(doc: Json, ops: unknown[]): Json {
  for (const op of ops) {
    if (!isJson(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new Error('bad JSON patch operation');
    const segs = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segs.pop();
    if (last === undefined) throw new Error('cannot patch the root');
    let parent: unknown = doc;
    for (const s of segs) parent = Array.isArray(parent) ? parent[Number(s)] : isJson(parent) ? parent[s] : undefined;
    if (!isJson(parent) && !Array.isArray(parent)) throw new Error(`path ${op.path} does not exist`);
    const p = parent as Record<string, unknown>;
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else p[last] = op.value;
        break;
      case 'replace':
        if (!(last in p)) throw new Error(`path ${op.path} does not exist`);
        p[last] = op.value;
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete p[last];
        break;
      case 'test':
        if (stableJson(p[last]) !== stableJson(op.value)) throw new Error(`test failed at ${op.path}`);
        break;
      default:
        throw new Error(`unsupported JSON patch op ${op.op}`);
    }
  }
  return doc;
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    isJson(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val,
  );
}

function readBody(req: http.IncomingMessage): Promise<{ text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}
