import Handlebars from 'handlebars';
import type { NodeIntent } from '../intent/model.js';

/** Template sources by name: `frr.conf` plus one entry per partial (`router-bgp`, ...). */
export interface TemplateSources {
  readonly main: string;
  readonly partials: Readonly<Record<string, string>>;
}

export type Renderer = (intent: NodeIntent) => string;

/**
 * Compiles the templates once. `noEscape`: frr.conf is not HTML, and escaping would corrupt `=`,
 * quotes and `&` in passwords. `strict`: a field the intent does not have is a bug, not an empty
 * string in the config.
 */
export function createRenderer(sources: TemplateSources): Renderer {
  const hbs = Handlebars.create();
  const options = { noEscape: true, strict: true } as const;
  for (const [name, text] of Object.entries(sources.partials)) {
    hbs.registerPartial(name, hbs.compile(text, options));
  }
  const main = hbs.compile<NodeIntent>(sources.main, options);
  return (intent) => main(intent);
}
