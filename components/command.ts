/** The `:` command line, parsed into plain intents; App decides what each one does. */
import type { ScreenId } from './state.js';
import { SCREENS } from './state.js';

export type Intent =
  | { kind: 'promote'; target: string; force: boolean }
  | { kind: 'rollback'; name?: string }
  | { kind: 'retrain'; model?: string; type?: 'logreg' | 'mlp'; rows?: number }
  | { kind: 'cancel'; id: string }
  | { kind: 'reference'; target: string }
  | { kind: 'screen'; id: ScreenId }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'error'; message: string };

export const COMMAND_HELP = [
  ':promote NAME@VERSION [--force]',
  ':rollback [NAME]',
  ':retrain [NAME] [--type logreg|mlp] [--rows N]',
  ':cancel JOB',
  ':reference NAME@VERSION   (pin its CBPE reference period)',
  ':overview :drift :shadow :models :jobs :events',
  ':help  :quit (:q)',
];

const TARGET = /^[^@\s]+@\d+$/;

export function parseCommand(line: string): Intent {
  const words = line.trim().replace(/^:/, '').trim().split(/\s+/).filter(Boolean);
  const [verb, ...args] = words;
  if (!verb) return { kind: 'error', message: 'Empty command; try :help.' };
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--type', '--rows'].includes(args[i - 1])));
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  switch (verb) {
    case 'q':
    case 'quit':
    case 'q!':
      return { kind: 'quit' };
    case 'help':
    case 'h':
      return { kind: 'help' };
    case 'promote': {
      const target = positional[0];
      if (!target || !TARGET.test(target)) return { kind: 'error', message: 'Usage: :promote NAME@VERSION [--force].' };
      return { kind: 'promote', target, force: flags.has('--force') };
    }
    case 'rollback':
      return positional[0] ? { kind: 'rollback', name: positional[0] } : { kind: 'rollback' };
    case 'retrain': {
      const type = option('--type');
      if (type !== undefined && type !== 'logreg' && type !== 'mlp') return { kind: 'error', message: `Unknown model type "${type}"; use logreg or mlp.` };
      const rowsText = option('--rows');
      const rows = rowsText === undefined ? undefined : Number(rowsText);
      if (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) return { kind: 'error', message: '--rows needs a positive whole number.' };
      const intent: Intent = { kind: 'retrain' };
      if (positional[0]) intent.model = positional[0];
      if (type) intent.type = type;
      if (rows !== undefined) intent.rows = rows;
      return intent;
    }
    case 'reference': {
      const target = positional[0];
      if (!target || !TARGET.test(target)) return { kind: 'error', message: 'Usage: :reference NAME@VERSION.' };
      return { kind: 'reference', target };
    }
    case 'cancel':
      return positional[0] ? { kind: 'cancel', id: positional[0] } : { kind: 'error', message: 'Usage: :cancel JOB.' };
    default:
      if (verb === 'jobs') return { kind: 'screen', id: 'retrain' };
      if ((SCREENS as readonly string[]).includes(verb)) return { kind: 'screen', id: verb as ScreenId };
      return { kind: 'error', message: `Unknown command ":${verb}"; try :help.` };
  }
}
