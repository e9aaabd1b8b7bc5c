/**
 * One supervised list/watch loop (a "reflector") for one resource.
 *
 * client-node's `ListWatch` informer is not used: it stops for good on any error but 410, has no
 * bookmarks, no field selector through `makeInformer`, no watchdog, and cannot be stopped cleanly
 * while a watch is connecting. This loop keeps the same protocol and adds the supervision:
 *
 * - list (paged) → store replaced, `resourceVersion` kept → watch from it with bookmarks;
 * - every event and bookmark advances the resourceVersion and feeds the watchdog;
 * - a clean end of a healthy watch (server timeout) re-watches at once from the last resourceVersion;
 * - 410 Gone (HTTP status or ERROR event) relists: at once the first time, then with backoff;
 * - any other failure (HTTP error, dropped connection, a watch that ends at once with nothing, a
 *   watch silent for `watchdogMs`) restarts the watch after an exponential backoff with jitter,
 *   reset only by a watch that delivers something;
 * - one attempt in flight at a time: every callback carries the attempt number it belongs to and
 *   is ignored once that attempt is over, so restarts never pile up watches.
 */
import type { RawObject } from '../../api/decode.js';
import { backoffDelay, type Backoff } from '../../ops/backoff.js';
import type { Clock } from '../../ops/clock.js';
import type { SourceEvent } from '../source.js';
import { apiVersionOf, collectionPath, type ResourceSpec } from './resources.js';
import { isRecord, type KubeStatus, type KubeTransport, type WatchHandle } from './transport.js';

export interface ReflectorOptions {
  readonly transport: KubeTransport;
  readonly spec: ResourceSpec;
  readonly clock: Clock;
  readonly random: () => number;
  readonly watchdogMs: number;
  readonly backoff: Backoff;
  /** Server-side watch timeout, randomised in [base, 2·base) like client-go. */
  readonly watchTimeoutSeconds: number;
  /** A watch that ends cleanly after at least this long without events is normal (idle resource). */
  readonly healthyWatchMs: number;
  /** `limit` for list pages; 0 for none. */
  readonly pageSize: number;
  readonly onChange: () => void;
  readonly onEvent: (e: SourceEvent) => void;
}

export interface ReflectorStatus {
  readonly resource: string;
  readonly synced: boolean;
  readonly objects: number;
  readonly resourceVersion: string;
  readonly consecutiveFailures: number;
  readonly restarts: number;
  readonly relists: number;
}

export class Reflector {
  private store = new Map<string, RawObject>();
  private rv = '';
  private needList = true;
  private isSynced = false;
  private failures = 0;
  private restarts = 0;
  private relists = 0;
  /** The current attempt; callbacks of other attempts are ignored. */
  private attempt = 0;
  private stopped = false;
  private retryTimer: unknown;
  private watchdogTimer: unknown;
  private watch: WatchHandle | undefined;
  private listAbort: AbortController | undefined;
  private watchStartedAt = 0;
  private watchDelivered = false;
  private watchError: { message: string; gone: boolean } | undefined;
  private readonly path: string;
  private readonly apiVersion: string;

  constructor(private readonly o: ReflectorOptions) {
    this.path = collectionPath(o.spec);
    this.apiVersion = apiVersionOf(o.spec);
  }

  get id(): string {
    return this.o.spec.id;
  }

  get synced(): boolean {
    return this.isSynced;
  }

  objects(): IterableIterator<RawObject> {
    return this.store.values();
  }

  status(): ReflectorStatus {
    return {
      resource: this.id,
      synced: this.isSynced,
      objects: this.store.size,
      resourceVersion: this.rv,
      consecutiveFailures: this.failures,
      restarts: this.restarts,
      relists: this.relists,
    };
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.attempt++;
    this.clearTimers();
    this.abortRequests();
  }

  // ---- the loop ----

  private schedule(delayMs: number): void {
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped) return;
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.run();
    }, Math.max(0, delayMs));
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.abortRequests();
    const attempt = ++this.attempt;
    try {
      if (this.needList) {
        await this.list(attempt);
        if (attempt !== this.attempt) return;
      }
      await this.startWatch(attempt);
    } catch (err) {
      if (attempt !== this.attempt) return;
      this.fail(err);
    }
  }

  /**
   * Lists every page and replaces the store at once. An object whose resourceVersion is the one
   * already held is kept as held, page by page: the listed copy is dropped while it is young. At
   * 10,000 Services a relist (410 Gone) used to hold every page's items until the end, then a
   * second copy of the whole store beside the first, which was the sidecar's peak RSS.
   */
  private async list(attempt: number): Promise<void> {
    const ac = new AbortController();
    this.listAbort = ac;
    const next = new Map<string, RawObject>();
    let changed = false;
    let rv = '';
    let cont: string | undefined;
    do {
      const query: Record<string, string> = { ...this.selectors() };
      if (this.o.pageSize > 0) query.limit = String(this.o.pageSize);
      if (cont !== undefined) query.continue = cont;
      const page = await this.o.transport.list(this.path, query, ac.signal);
      if (attempt !== this.attempt) return;
      for (const item of page.items) {
        const raw = this.toRaw(item);
        const key = storeKey(raw);
        const prev = this.store.get(key);
        if (prev !== undefined && sameVersion(prev, raw)) {
          next.set(key, prev);
        } else {
          next.set(key, raw);
          changed = true;
        }
      }
      rv = page.resourceVersion;
      cont = page.continue;
    } while (cont !== undefined);
    this.listAbort = undefined;

    // Objects gone since the last list: fewer keys than held (every listed key is in `next`).
    if (next.size !== this.store.size) changed = true;
    this.store = next;
    this.rv = rv;
    this.needList = false;
    if (!this.isSynced) {
      this.isSynced = true;
      this.emit({ type: 'synced', resource: this.id });
      changed = true;
    }
    if (changed) this.o.onChange();
  }

  private async startWatch(attempt: number): Promise<void> {
    const base = this.o.watchTimeoutSeconds;
    const query: Record<string, string> = {
      ...this.selectors(),
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(Math.floor(base * (1 + this.o.random()))),
    };
    if (this.rv !== '') query.resourceVersion = this.rv;
    this.watchStartedAt = this.o.clock.now();
    this.watchDelivered = false;
    this.watchError = undefined;
    this.armWatchdog(attempt);
    const handle = await this.o.transport.watch(
      this.path,
      query,
      (type, obj) => this.onWatchEvent(attempt, type, obj),
      (err) => this.onWatchDone(attempt, err),
    );
    if (attempt !== this.attempt) {
      // Stopped, timed out by the watchdog or already ended while connecting.
      handle.abort();
      return;
    }
    this.watch = handle;
  }

  private onWatchEvent(attempt: number, type: string, obj: Record<string, unknown>): void {
    if (attempt !== this.attempt) return;
    this.armWatchdog(attempt);
    const objRv = resourceVersionOf(obj);
    switch (type) {
      case 'ADDED':
      case 'MODIFIED': {
        const raw = this.toRaw(obj);
        const key = storeKey(raw);
        const prev = this.store.get(key);
        this.delivered(objRv);
        if (prev === undefined || !sameVersion(prev, raw)) {
          this.store.set(key, raw);
          this.o.onChange();
        }
        return;
      }
      case 'DELETED': {
        const raw = this.toRaw(obj);
        this.delivered(objRv);
        if (this.store.delete(storeKey(raw))) this.o.onChange();
        return;
      }
      case 'BOOKMARK':
        this.delivered(objRv);
        return;
      case 'ERROR': {
        const status = obj as KubeStatus;
        const gone = status.code === 410;
        const message = `${status.code ?? '?'} ${status.reason ?? ''}: ${status.message ?? 'watch error'}`.trim();
        this.watchError = { message, gone };
        if (!gone) this.emit({ type: 'error', resource: this.id, error: message });
        // The server ends the stream after an ERROR; do not wait for it.
        this.onWatchDone(attempt, null);
        return;
      }
      default:
        this.emit({ type: 'error', resource: this.id, error: `unknown watch event type ${JSON.stringify(type)}` });
    }
  }

  private delivered(rv: string): void {
    if (rv !== '') this.rv = rv;
    this.watchDelivered = true;
    this.failures = 0;
  }

  private onWatchDone(attempt: number, err: unknown): void {
    if (attempt !== this.attempt || this.stopped) return;
    this.attempt++;
    this.clearWatchdog();
    const handle = this.watch;
    this.watch = undefined;
    handle?.abort();

    const streamError = this.watchError;
    if (streamError?.gone || statusCodeOf(err) === 410) {
      this.relistAfterGone(streamError?.message ?? errorMessage(err));
      return;
    }
    if (streamError) {
      this.fail(new Error(streamError.message), true);
      return;
    }
    if (err) {
      this.fail(err, true);
      return;
    }
    // A clean end: the server's timeoutSeconds, or a proxy cutting long requests.
    const lived = this.o.clock.now() - this.watchStartedAt;
    if (this.watchDelivered || lived >= this.o.healthyWatchMs) {
      this.failures = 0;
      this.schedule(0);
      return;
    }
    this.fail(new Error(`the watch ended after ${lived} ms without any event`), true);
  }

  private relistAfterGone(reason: string): void {
    this.needList = true;
    this.relists++;
    this.failures++;
    const delayMs = this.failures <= 1 ? 0 : backoffDelay(this.failures - 1, this.o.backoff, this.o.random);
    this.emit({ type: 'relist', resource: this.id, reason: `410 Gone: ${reason}` });
    this.schedule(delayMs);
  }

  private fail(err: unknown, alreadyEnded = false): void {
    if (this.stopped) return;
    if (!alreadyEnded) this.attempt++;
    this.clearWatchdog();
    this.abortRequests();
    if (statusCodeOf(err) === 410) {
      // An expired `continue` token, or a 410 on connect.
      this.relistAfterGone(errorMessage(err));
      return;
    }
    this.failures++;
    this.restarts++;
    const delayMs = backoffDelay(this.failures, this.o.backoff, this.o.random);
    this.emit({ type: 'restart', resource: this.id, error: errorMessage(err), delayMs });
    this.schedule(delayMs);
  }

  // ---- watchdog ----

  private armWatchdog(attempt: number): void {
    this.clearWatchdog();
    if (this.o.watchdogMs <= 0) return;
    this.watchdogTimer = this.o.clock.setTimeout(() => {
      this.watchdogTimer = undefined;
      if (attempt !== this.attempt || this.stopped) return;
      this.fail(new Error(`watchdog: no event or bookmark for ${this.o.watchdogMs} ms`));
    }, this.o.watchdogMs);
  }

  private clearWatchdog(): void {
    if (this.watchdogTimer !== undefined) this.o.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  private clearTimers(): void {
    this.clearWatchdog();
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private abortRequests(): void {
    const w = this.watch;
    this.watch = undefined;
    w?.abort();
    const l = this.listAbort;
    this.listAbort = undefined;
    l?.abort();
  }

  // ---- objects ----

  private selectors(): Record<string, string> {
    const q: Record<string, string> = {};
    if (this.o.spec.fieldSelector) q.fieldSelector = this.o.spec.fieldSelector;
    if (this.o.spec.labelSelector) q.labelSelector = this.o.spec.labelSelector;
    return q;
  }

  /** The wire object as the decoders expect it: kind and apiVersion set (list items omit them). */
  private toRaw(obj: Record<string, unknown>): RawObject {
    const meta: Record<string, unknown> = isRecord(obj.metadata) ? { ...obj.metadata } : {};
    delete meta.managedFields;
    const name = typeof meta.name === 'string' ? meta.name : '';
    return { ...obj, apiVersion: this.apiVersion, kind: this.o.spec.kind, metadata: { ...meta, name }, source: 'k8s' };
  }

  private emit(e: SourceEvent): void {
    try {
      this.o.onEvent(e);
    } catch {
      // A listener's failure is not the watch's.
    }
  }
}

function storeKey(obj: RawObject): string {
  const ns = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
  return `${ns}/${obj.metadata.name}`;
}

function resourceVersionOf(obj: Record<string, unknown>): string {
  const meta = obj.metadata;
  return isRecord(meta) && typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
}

function sameVersion(a: RawObject, b: RawObject): boolean {
  const ra = a.metadata.resourceVersion;
  return typeof ra === 'string' && ra !== '' && ra === b.metadata.resourceVersion;
}

function statusCodeOf(err: unknown): number | undefined {
  if (!isRecord(err) && !(err instanceof Error)) return undefined;
  const e = err as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = statusCodeOf(err);
    return code !== undefined && !err.message.includes(String(code)) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}
