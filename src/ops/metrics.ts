/** Prometheus metrics of the sidecar, on its own registry (no global state between tests). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly reloads: Counter<'result'>;
  readonly reloadDuration: Histogram;
  readonly configValid: Gauge;
  readonly frrReachable: Gauge;
  readonly sourceRestarts: Counter<'resource'>;
  /** Called by the reconciler after each successful apply, for `frr_renderer_config_age_seconds`. */
  markApplied(atMs: number): void;
}

export function createMetrics(now: () => number = Date.now): Metrics {
  const registry = new Registry();
  let appliedAt: number | undefined;
  const m: Metrics = {
    registry,
    reconciles: new Counter({
      name: 'frr_renderer_reconciles_total',
      help: 'Reconcile passes by result: applied, unchanged, invalid (config errors), failed (FRR refused), skipped (source not synced).',
      labelNames: ['result'],
      registers: [registry],
    }),
    reloads: new Counter({ name: 'frr_renderer_reloads_total', help: 'frr-reload.py applies by result.', labelNames: ['result'], registers: [registry] }),
    reloadDuration: new Histogram({
      name: 'frr_renderer_reload_duration_seconds',
      help: 'Time to apply a config to FRR: dry run, reload and verification.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    configValid: new Gauge({ name: 'frr_renderer_config_valid', help: '1 when the last rendered configuration was valid, 0 when it had errors.', registers: [registry] }),
    frrReachable: new Gauge({ name: 'frr_renderer_frr_reachable', help: '1 when the last vtysh call succeeded.', registers: [registry] }),
    sourceRestarts: new Counter({ name: 'frr_renderer_informer_restarts_total', help: 'Watches restarted after an error or a silent period, by resource.', labelNames: ['resource'], registers: [registry] }),
    markApplied(at) {
      appliedAt = at;
    },
  };
  new Gauge({
    name: 'frr_renderer_config_age_seconds',
    help: 'Seconds since FRR last ran a config this sidecar applied or adopted; absent before the first.',
    registers: [registry],
    collect() {
      if (appliedAt !== undefined) this.set((now() - appliedAt) / 1000);
    },
  });
  return m;
}
