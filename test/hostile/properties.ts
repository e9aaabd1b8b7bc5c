/**
 * What must hold for every hostile input (issue 15), as checks that return the violations found
 * (an empty list when the run is fine), so one test can report every failing case at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES_DIR } from '../../src/render/templates.js';

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The text of `--out` after the run, or undefined when the run wrote to stdout. */
  readonly outFile?: string;
  /** What `--out` held before the run. */
  readonly outBefore?: string;
  readonly ms?: number;
  readonly maxRssKiB?: number;
}

/** Raw characters that could start, end or rewrite a line: none may reach stderr or frr.conf. */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
/** `error: ` or `warning: `, a kind, the object (`ns/name`, `name` or a quoted name), then `: ` and the rest. */
const NAME = '(?:"(?:[^"\\\\]|\\\\.)*"(?:\\.\\.\\.)?|[^\\s"]+)';
const PROBLEM_LINE = new RegExp(`^(error|warning): [A-Z][A-Za-z]* ${NAME}(?:/${NAME})?: \\S.*$`);
const MARKERS = ['INJECTED', '6.6.6.6', 'FORGED'];
/** A password is one word of printable characters ('!' and non-ASCII letters included, as FRR keeps them), at most 80 bytes. */
const PASSWORD_LINE = /^ neighbor [A-Za-z0-9_.:-]+ password [^\s]{1,80}$/u;

export interface Limits {
  readonly maxMs: number;
  readonly maxRssKiB: number;
}

export function violations(r: RunResult, limits?: Limits): string[] {
  const out: string[] = [];
  if (![0, 1, 2].includes(r.exitCode)) out.push(`exit code ${r.exitCode}`);
  if (r.stderr.includes('internal error')) out.push(`internal error: ${r.stderr.slice(0, 300)}`);
  if (RAW_UNSAFE.test(r.stderr)) out.push(`raw control character on stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  if (/^\(node:\d+\)/m.test(r.stderr)) out.push('a Node.js warning line on stderr');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (r.exitCode === 1) {
    for (const line of lines) if (!PROBLEM_LINE.test(line)) out.push(`stderr line is not one problem: ${JSON.stringify(line.slice(0, 300))}`);
  }
  for (const line of lines) {
    if (line.startsWith('error: BGPPeer metallb-system/peer1: spec.myASN: FORGED')) out.push('a forged line on stderr');
  }
  if (r.exitCode !== 0) {
    if (r.stdout !== '') out.push('stdout not empty on error');
    if (r.outBefore !== undefined && r.outFile !== r.outBefore) out.push('--out changed on error');
  } else {
    const config = r.outFile ?? r.stdout;
    if (r.outFile !== undefined && r.stdout !== '') out.push('stdout not empty with --out');
    out.push(...configViolations(config));
  }
  if (limits && r.ms !== undefined && r.ms > limits.maxMs) out.push(`took ${Math.round(r.ms)} ms (limit ${limits.maxMs})`);
  if (limits && r.maxRssKiB !== undefined && r.maxRssKiB > limits.maxRssKiB) out.push(`max RSS ${Math.round(r.maxRssKiB / 1024)} MiB (limit ${limits.maxRssKiB / 1024} MiB)`);
  return out;
}

/** Every line of the config is one the templates can write, and holds no attack marker. */
export function configViolations(config: string): string[] {
  const out: string[] = [];
  if (RAW_UNSAFE.test(config)) out.push('raw control character in frr.conf');
  const grammar = templateGrammar();
  for (const line of config.split('\n')) {
    if (line === '') continue;
    // A password is a validated value of its own (one printable word, FRR keeps it as written): it may hold anything else.
    if (MARKERS.some((m) => line.includes(m)) && !PASSWORD_LINE.test(line)) out.push(`attack text in frr.conf: ${JSON.stringify(line.slice(0, 200))}`);
    else if (!grammar.some((g) => g.test(line))) out.push(`line no template writes: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return out;
}

/** A value the renderer writes: one token of the characters validated values are made of. */
const TOKEN = '[A-Za-z0-9_.:/<>-]+';
/** Values that are space-separated lists (communities, the advertisements a tag stands for). */
const LIST_FIELDS = new Set(['communities', 'largeCommunities']);

let cached: RegExp[] | undefined;

/**
 * One regular expression per template line: literal text as it is, each `{{value}}` a token,
 * inline `{{#if}}...{{/if}}` optional and `{{#each}}...{{/each}}` repeated. Lines holding only
 * block helpers or partials write nothing themselves. Derived from the templates, so it follows
 * them when they change.
 */
export function templateGrammar(): RegExp[] {
  if (cached) return cached;
  const files = [join(TEMPLATES_DIR, 'frr.conf.hbs'), ...readdirSync(join(TEMPLATES_DIR, 'partials')).filter((f) => f.endsWith('.hbs')).map((f) => join(TEMPLATES_DIR, 'partials', f))];
  const out: RegExp[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '' || /^\s*(\{\{[#/>^][^}]*\}\}|\{\{else\}\}|\{\{!.*\}\})\s*$/.test(line)) continue;
      out.push(new RegExp(`^${lineToPattern(line)}$`));
    }
  }
  return (cached = out);
}

function lineToPattern(line: string): string {
  let pattern = '';
  let rest = line;
  for (;;) {
    const m = /\{\{([^}]*)\}\}/.exec(rest);
    if (!m) break;
    pattern += escapeRegExp(rest.slice(0, m.index));
    const tag = m[1]!.trim();
    if (tag.startsWith('#if') || tag.startsWith('#unless') || tag.startsWith('#each') || tag.startsWith('#with')) pattern += '(?:';
    else if (tag === '/if' || tag === '/unless' || tag === '/with') pattern += ')?';
    else if (tag === '/each') pattern += ')*';
    else if (tag === 'else') pattern += ')?(?:';
    else if (LIST_FIELDS.has(tag)) pattern += `${TOKEN}(?: ${TOKEN})*`;
    else if (tag === 'password') pattern += '[^\\s]{1,80}';
    else pattern += TOKEN;
    rest = rest.slice(m.index + m[0].length);
  }
  return pattern + escapeRegExp(rest);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
