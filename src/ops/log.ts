/**
 * The logger. Logs go to stderr (data goes to stdout). Text format is one
 * human line per record, coloured with chalk only when stderr is a TTY and
 * NO_COLOR is unset; JSON format is one object per line with ts, level, msg
 * and the record's fields. chalk is loaded only when colours are wanted: a
 * sidecar's stderr is a pipe, and chalk costs about 1.6 MiB of RSS (issue #18).
 */
import { droppedMessage, LineSink } from './line-sink.js';

import type { Fields, LogFormat, LogLevel, Logger as LoggerShape } from '../base/logger.js';

export type { Fields, LogFormat, LogLevel };

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Force colour on or off; default: stderr is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Where lines go (tests); default stderr, batched and bounded (see defaultSink). */
  write?: (line: string) => void;
  /** A sink other than stderr's (tests). */
  sink?: LineSink;
}

/**
 * The default sink: stderr, through a LineSink (batched, bounded when
 * nobody reads; see line-sink.ts). process.stderr is asynchronous on a pipe
 * and its buffer is unbounded, so the sink waits for 'drain' when a write
 * returns false. Anything else written to stderr flushes the pending lines
 * first, and so does the process's exit: the order of stderr is the order
 * of the calls.
 */
let stderrSink: LineSink | undefined;

function defaultSink(): LineSink {
  if (stderrSink) return stderrSink;
  const raw = process.stderr.write;
  const sink = new LineSink({
    write: (text) => raw.call(process.stderr, text),
    onceDrain: (fn) => process.stderr.once('drain', fn),
  });
  stderrSink = sink;
  process.stderr.write = function (this: NodeJS.WriteStream, ...args: unknown[]) {
    sink.flush();
    return (raw as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof process.stderr.write;
  // At exit stderr cannot drain any more: what was dropped is reported now.
  process.on('exit', () => sink.finish());
  return sink;
}

/** Writes the log lines still pending on stderr now. */
export function flushLogs(): void {
  stderrSink?.flush();
}

export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The styles a text line uses; identity functions without colour. */
export interface Paint {
  red(s: string): string;
  redBold(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  magenta(s: string): string;
  gray(s: string): string;
  bold(s: string): string;
}

const same = (s: string) => s;
const PLAIN: Paint = { red: same, redBold: same, yellow: same, green: same, magenta: same, gray: same, bold: same };

type ChalkModule = typeof import('chalk');
/** chalk, once loaded (at start when stderr shows colours; loadColor() otherwise). */
let chalkModule: ChalkModule | undefined = colorWanted(process.stderr) ? await import('chalk') : undefined;

/** Loads chalk, for a Logger asked for colour on a stderr that would not show it (tests). */
export async function loadColor(): Promise<void> {
  chalkModule ??= await import('chalk');
}

function chalkPaint(m: ChalkModule): Paint {
  const c = m.chalkStderr.level > 0 ? m.chalkStderr : new m.Chalk({ level: 1 });
  return {
    red: (s) => c.red(s), redBold: (s) => c.red.bold(s), yellow: (s) => c.yellow(s), green: (s) => c.green(s),
    magenta: (s) => c.magenta(s), gray: (s) => c.gray(s), bold: (s) => c.bold(s),
  };
}

export class Logger implements LoggerShape {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly c: Paint;
  private readonly min: number;
  private readonly write: (line: string) => void;

  constructor(opts: LoggerOptions = {}) {
    this.level = opts.level ?? 'info';
    this.format = opts.format ?? 'text';
    this.min = LEVELS[this.level];
    const color = opts.color ?? colorWanted(process.stderr);
    if (color && !chalkModule) throw new Error('Logger: colour asked for before loadColor()');
    this.c = color && chalkModule ? chalkPaint(chalkModule) : PLAIN;
    if (opts.write) this.write = opts.write;
    else {
      const sink = opts.sink ?? defaultSink();
      // Dropped lines are reported in this logger's format, at warn level.
      const report = (n: number) => this.warn(droppedMessage(n), { reason: 'dropped', dropped: n });
      this.write = (line) => sink.line(line, report);
    }
  }

  enabled(level: LogLevel): boolean {
    return LEVELS[level] >= this.min;
  }

  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }

  log(level: LogLevel, msg: string, fields?: Fields): void {
    if (LEVELS[level] < this.min) return;
    if (this.format === 'json') {
      const rec: Record<string, unknown> = { ts: new Date().toISOString(), level, msg };
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) rec[k] = v;
      this.write(JSON.stringify(rec));
      return;
    }
    const c = this.c;
    const tag =
      level === 'error' ? c.redBold('error') :
      level === 'warn' ? c.yellow('warn') :
      level === 'debug' ? c.gray('debug') : '';
    let line = tag ? `${tag} ${msg}` : msg;
    if (fields) {
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined && v !== null && v !== '' && !(level === 'info' && saidInMessage(msg, v)))
        .map(([k, v]) => `${c.gray(k + '=')}${String(v)}`);
      if (extra.length) line += ' ' + extra.join(' ');
    }
    this.write(line);
  }

  /** The one human line per watch event, e.g. `MODIFIED default/webapp-config selector=app=webapp`. */
  event(type: string, key: string, fields?: Fields): void {
    if (this.format === 'json') {
      this.log('info', 'event', { type, key, ...fields });
      return;
    }
    if (!this.enabled('info')) return;
    const c = this.c;
    const t =
      type === 'ADDED' || type === 'SYNC' ? c.green(type) :
      type === 'MODIFIED' ? c.yellow(type) :
      type === 'DELETED' ? c.red(type) : c.magenta(type);
    let line = `${t} ${c.bold(key)}`;
    if (fields) {
      // for…in rather than Object.entries: one line per event, no arrays made.
      for (const k in fields) {
        const v = fields[k];
        if (v !== undefined && v !== null && v !== '') line += ` ${k}=${String(v)}`;
      }
    }
    this.write(line);
  }
}

/**
 * An object reference the text line's message already says is left out of the
 * text format: a field whose value is a `namespace/name` key said as a whole
 * token, or a name said as the `/name` of such a key (`deleted pod default/x`
 * with key=default/x pod=x). Only info lines (the one-per-action progress
 * lines people read); warnings and errors keep every field, as they are
 * grepped and counted by key=. JSON keeps every field; other fields always stay.
 */
function saidInMessage(msg: string, v: unknown): boolean {
  if (typeof v !== 'string' || v.length < 2) return false;
  const end = (i: number) => i >= msg.length || /[\s:(),;]/.test(msg[i]!);
  const start = (i: number) => i < 0 || /[\s(]/.test(msg[i]!);
  const isKey = v.includes('/');
  for (let i = msg.indexOf(v); i >= 0; i = msg.indexOf(v, i + 1)) {
    if (!end(i + v.length)) continue;
    if (isKey ? start(i - 1) : msg[i - 1] === '/') return true;
  }
  return false;
}
