import { formatRejectedLine, parseRejectedLines } from '../../../src/frr/rejected-lines.js';

describe('parseRejectedLines', () => {
  it('reads the line a daemon refused and pairs it with its reason (vtysh -f on FRR 8.4.4 and 10.3)', () => {
    const stdout = '% Cannot have local-as same as BGP AS number\n';
    const stderr = 'line 3: Failure to communicate[13] to bgpd, line:  neighbor 192.0.2.9 local-as 64500\n\n';
    expect(parseRejectedLines(stdout, stderr)).toEqual([
      { daemon: 'bgpd', line: ' neighbor 192.0.2.9 local-as 64500', reason: '% Cannot have local-as same as BGP AS number' },
    ]);
  });

  it('lists a line refused by several vtysh runs of one frr-reload.py --reload once (FRR 10.3)', () => {
    const reason = "% Malformed communities attribute 'internet 64500:10'";
    const stdout = ['[1|zebra] sending configuration', reason, 'Waiting for children to finish applying config...', reason, reason].join('\n');
    const stderr = [27, 2, 35].map((n) => `line ${n}: Failure to communicate[13] to bgpd, line:  set community internet 64500:10 additive`).join('\n\n');
    expect(parseRejectedLines(stdout, stderr)).toEqual([{ daemon: 'bgpd', line: ' set community internet 64500:10 additive', reason }]);
  });

  it("reads vtysh's own refusals (warnings, unknown commands)", () => {
    const stderr = 'line 4: Warning[13]...: neighbor 192.0.2.1 graceful-restart\nline 9: % Unknown command[4]: wrong line\n';
    expect(parseRejectedLines('', stderr).map((r) => [r.daemon, r.line])).toEqual([
      ['vtysh', 'neighbor 192.0.2.1 graceful-restart'],
      ['vtysh', 'wrong line'],
    ]);
  });

  it('finds nothing in progress output (10.x vtysh -f prints it on success too)', () => {
    const stdout = '[10316|watchfrr] sending configuration\nWaiting for children to finish applying config...\nMGMTD: No changes found to be committed!\n';
    expect(parseRejectedLines(stdout, '[10316|watchfrr] done\n')).toEqual([]);
  });

  it('never lets a password out', () => {
    const stderr = 'line 7: Failure to communicate[13] to bgpd, line:  neighbor 192.0.2.1 password hunter2\n';
    const [rejected] = parseRejectedLines('% Specify remote-as or peer-group commands first\n', stderr);
    expect(formatRejectedLine(rejected!)).toBe('bgpd refused " neighbor 192.0.2.1 password <redacted>": % Specify remote-as or peer-group commands first');
  });
});
