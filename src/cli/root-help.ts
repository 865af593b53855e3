/**
 * The root's help text (`cmwatch --help` alone) as commander prints it on a
 * stdout that is not a terminal: 80 columns, no colour. The build renders it
 * into the bundle (scripts/bundle.mjs) for entry.ts to print without loading
 * the program; the test renders it live to check the two agree.
 */
import { buildProgram } from './main.js';

export function renderRootHelp(name: string): string {
  const program = buildProgram(async () => 0, name, { rootOptions: false });
  let out = '';
  // outputHelp() writes to stdout's side only: its width and colour are what commander takes off a terminal.
  program.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => 80, getOutHasColors: () => false });
  program.outputHelp();
  return out;
}
