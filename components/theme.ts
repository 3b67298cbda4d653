/**
 * Colour by meaning, in one place. With NO_COLOR set, every colour is undefined, so no
 * component emits colour codes (https://no-color.org).
 */
import { createContext, useContext } from 'react';
import type { Level, JobStatus, Verdict, Alias, TrafficAlias } from '../src/engine/snapshot.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'dim' | 'accent';

export interface Theme {
  color: boolean;
  /** Ink colour name for a tone, or undefined when colour is off. */
  tone(t: Tone | undefined): string | undefined;
}

const palette: Record<Tone, string> = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  info: 'cyan',
  dim: 'gray',
  accent: 'magenta',
};

export function makeTheme(color: boolean): Theme {
  return { color, tone: (t) => (color && t ? palette[t] : undefined) };
}

/** NO_COLOR: present and non-empty disables colour. */
export function colorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

export const ThemeContext = createContext<Theme>(makeTheme(false));
export const useTheme = (): Theme => useContext(ThemeContext);

export const levelTone = (l: Level): Tone => (l === 'drift' ? 'bad' : l === 'warn' ? 'warn' : 'ok');

export const verdictTone = (v: Verdict): Tone | undefined =>
  v === 'better' ? 'ok' : v === 'worse' ? 'bad' : v === 'insufficient' ? 'dim' : undefined;

export const jobTone = (s: JobStatus): Tone | undefined =>
  s === 'running' ? 'info' : s === 'done' ? 'ok' : s === 'failed' || s === 'interrupted' ? 'bad' : s === 'cancelled' ? 'dim' : undefined;

export const aliasTone = (a: Alias | TrafficAlias): Tone | undefined => (a === 'active' ? 'ok' : a === 'shadow' ? 'info' : 'dim');
