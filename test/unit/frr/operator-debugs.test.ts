/**
 * Debug switches set by hand are the operator's (src/frr/operator-debugs.ts): what counts as one,
 * and that neither drift nor a difference is made of one. On real FRR: test/frr/apply-verification.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { debugLines, ignoringExtraDebugs, operatorDebugs, withoutDebugLines } from '../../../src/frr/operator-debugs.js';
import { splitNetworks } from '../../../src/frr/fast-delta.js';
import { checkRunningConfig } from '../../../src/frr/fast-verify.js';

const RUNNING = ['frr version 10.3', 'hostname vm', '!', 'router bgp 64500', ' address-family ipv4 unicast', '  network 198.51.100.10/32 route-map metallb-tag-1', ' exit-address-family', 'exit', '!'].join('\n');
/** The same, after `vtysh -c "debug zebra packet"`: FRR prints the line and a `!` after it. */
const WITH_DEBUG = RUNNING.replace('hostname vm\n!\n', 'hostname vm\n!\ndebug zebra packet\n!\n');

describe('operator debug switches', () => {
  it('are the top-level debug lines no config of ours has', () => {
    const ours = 'log stdout debugging\ndebug zebra events\ndebug bgp updates in\n';
    const running = 'debug zebra events\ndebug zebra packet\n router bgp 1\n debug nothing-indented\n';
    expect(debugLines(running)).toEqual(['debug zebra events', 'debug zebra packet']);
    expect(operatorDebugs(running, ours, undefined)).toEqual(['debug zebra packet']);
    expect(operatorDebugs(running, undefined, 'debug zebra packet')).toEqual(['debug zebra events']);
  });

  it('leave the text drift is judged on unchanged, separator included', () => {
    expect(withoutDebugLines(WITH_DEBUG)).toBe(RUNNING);
    expect(withoutDebugLines(RUNNING.replace('hostname vm', 'hostname other'))).not.toBe(RUNNING);
  });

  it('make no difference, while a render debug line FRR lacks or a route line still does', () => {
    const config = 'debug bfd peer\nrouter bgp 64500\n';
    const delta = { toDelete: ['no debug zebra packet', 'no debug bfd peer', 'router bgp 64500', ' no neighbor 192.0.2.1 bfd'], toAdd: ['debug bfd network'] };
    expect(ignoringExtraDebugs(delta, config)).toEqual({ toDelete: ['no debug bfd peer', 'router bgp 64500', ' no neighbor 192.0.2.1 bfd'], toAdd: ['debug bfd network'] });
    const only = { toDelete: ['no debug zebra packet'], toAdd: [] };
    expect(ignoringExtraDebugs(only, config)).toEqual({ toDelete: [], toAdd: [] });
  });

  it('do not stop the fast path verifying a running config', () => {
    const expected = splitNetworks(withoutDebugLines(RUNNING)).skeleton;
    expect(checkRunningConfig(expected, splitNetworks(RUNNING), WITH_DEBUG)).toBeUndefined();
    expect(checkRunningConfig(expected, splitNetworks(RUNNING), WITH_DEBUG.replace('hostname vm', 'hostname x'))).toMatch(/differs from the one last verified/);
  });
});
