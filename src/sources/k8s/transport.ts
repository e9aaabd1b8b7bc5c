/**
 * The only file that talks to `@kubernetes/client-node` (R50): list and watch, raw JSON.
 *
 * Lists are plain GETs with the KubeConfig's credentials and TLS agent (`applyToHTTPSOptions`), so
 * what reaches the decoders is the wire JSON: client-node's typed APIs deserialise into model classes
 * (Dates for timestamps, unknown fields dropped), which is not what `api/` decodes. Watches use
 * client-node's `Watch`, which already hands over the raw JSON of each event.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';

/** A Kubernetes `Status` (the body of an error response or of a watch ERROR event). */
export interface KubeStatus {
  readonly kind?: string;
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** An HTTP error from the API server: `statusCode` 410 means "resourceVersion too old". */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly status?: KubeStatus,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListPage {
  readonly items: readonly Record<string, unknown>[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export interface WatchHandle {
  abort(): void;
}


export interface KubeTransport {
  /** One page of a list. Rejects with `ApiError` on an HTTP error. */
  list(path: string, query: Record<string, string>, signal: AbortSignal): Promise<ListPage>;
  /**
   * Opens a watch. `onDone` is called once when the stream ends: `null` for a clean end, else the
   * error (an `ApiError`-like object with `statusCode` for an HTTP error). The promise resolves once
   * the response headers are in (client-node cannot cancel a watch before that: see `abort`).
   */
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, object: Record<string, unknown>) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle>;
}

export interface TransportOptions {
  /** Per list request; default 60 s. */
  readonly listTimeoutMs?: number;
}

export function createKubeTransport(kc: KubeConfig, opts: TransportOptions = {}): KubeTransport {
  const watcher = new Watch(kc);
  const listTimeoutMs = opts.listTimeoutMs ?? 60_000;

  return {
    async list(path, query, signal) {
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error('the kubeconfig has no current cluster');
      const url = new URL(cluster.server.replace(/\/+$/, '') + path);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const reqOpts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(reqOpts);
      const body = await get(url, reqOpts, signal, listTimeoutMs);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.text);
      } catch {
        parsed = undefined;
      }
      if (body.status !== 200) {
        const status = isRecord(parsed) ? (parsed as KubeStatus) : undefined;
        const message = status?.message ?? (body.text.slice(0, 200) || http.STATUS_CODES[body.status] || 'error');
        throw new ApiError(`GET ${url.pathname}: ${body.status} ${message}`, body.status, status);
      }
      if (!isRecord(parsed)) throw new Error(`GET ${url.pathname}: the response is not a JSON object`);
      const meta = isRecord(parsed.metadata) ? parsed.metadata : {};
      const items = Array.isArray(parsed.items) ? parsed.items.filter(isRecord) : [];
      const cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      return {
        items,
        resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '',
        ...(cont === undefined ? {} : { continue: cont }),
      };
    },

    async watch(path, query, onEvent, onDone) {
      const controller = await watcher.watch(
        path,
        query,
        (type, obj) => {
          if (isRecord(obj)) onEvent(type, obj);
        },
        onDone,
      );
      return { abort: () => controller.abort() };
    },
  };
}

function get(
  url: URL,
  base: https.RequestOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const headers = { ...(base.headers as Record<string, string> | undefined), Accept: 'application/json' };
    const req = mod.request(url, { ...base, method: 'GET', headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was aborted')));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
