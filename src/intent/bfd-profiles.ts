import type { BfdProfile } from '../api/model.js';
import type { BfdProfileIntent } from './model.js';

/**
 * FRR 8.4.4's defaults. FRR hides a value equal to its default in the running config, so a
 * rendered `receive-interval 300` would be "added" again by every reload: render only what differs.
 */
const FRR_DEFAULTS = {
  receiveInterval: 300,
  transmitInterval: 300,
  detectMultiplier: 3,
  echoInterval: 50,
  minimumTtl: 254,
} as const;

export function bfdProfileIntent(p: BfdProfile): BfdProfileIntent {
  const unlessDefault = (v: number | undefined, d: number): number | null => (v === undefined || v === d ? null : v);
  return {
    name: p.ref.name,
    receiveInterval: unlessDefault(p.receiveInterval, FRR_DEFAULTS.receiveInterval),
    transmitInterval: unlessDefault(p.transmitInterval, FRR_DEFAULTS.transmitInterval),
    detectMultiplier: unlessDefault(p.detectMultiplier, FRR_DEFAULTS.detectMultiplier),
    echoMode: p.echoMode,
    echoInterval: unlessDefault(p.echoInterval, FRR_DEFAULTS.echoInterval),
    passiveMode: p.passiveMode,
    minimumTtl: unlessDefault(p.minimumTtl, FRR_DEFAULTS.minimumTtl),
  };
}
