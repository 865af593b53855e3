/**
 * The logger. Logs go to stderr (data goes to stdout). Text format is one
 * human line per record, coloured with chalk only when stderr is a TTY and
 * NO_COLOR is unset; JSON format is one object per line with ts, level, msg
 * and the record's fields.
 */
import { Chalk, chalkStderr, type ChalkInstance } from 'chalk';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type Fields = Record<string, string | number | boolean | undefined | null>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Force colour on or off; default: stderr is a TTY and NO_COLOR is unset. */
  color?: boolean;
  write?: (line: string) => void;
}

/**
 * The default sink, stderr, with the lines of one burst written at once.
 * process.stderr is synchronous on Linux (one write(2) per call), and at info
 * level every watch event is a line: the lines logged before control returns
 * to the event loop (a chunk of a watch stream is handled in one go) are
 * joined and written by a process.nextTick, so no timer, I/O callback or
 * signal handler can run in between. Anything else written to stderr flushes
 * the pending lines first, and so does the process's exit: the order of
 * stderr is the order of the calls.
 */
const pending: string[] = [];
let pendingChars = 0;
let scheduled = false;
let rawStderrWrite: typeof process.stderr.write | undefined;

export function flushLogs(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending.length = 0;
  pendingChars = 0;
  (rawStderrWrite ?? process.stderr.write).call(process.stderr, text);
}

function stderrLine(line: string): void {
  if (!rawStderrWrite) {
    const raw = process.stderr.write;
    rawStderrWrite = raw;
    process.stderr.write = function (this: NodeJS.WriteStream, ...args: unknown[]) {
      flushLogs();
      return (raw as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof process.stderr.write;
    process.on('exit', flushLogs);
  }
  pending.push(line + '\n');
  pendingChars += line.length + 1;
  if (pendingChars >= 65536) flushLogs();
  else if (!scheduled) {
    scheduled = true;
    process.nextTick(flushLogs);
  }
}

export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export class Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly c: ChalkInstance;
  private readonly min: number;
  private readonly write: (line: string) => void;

  constructor(opts: LoggerOptions = {}) {
    this.level = opts.level ?? 'info';
    this.format = opts.format ?? 'text';
    this.min = LEVELS[this.level];
    const color = opts.color ?? colorWanted(process.stderr);
    this.c = color ? (chalkStderr.level > 0 ? chalkStderr : new Chalk({ level: 1 })) : new Chalk({ level: 0 });
    this.write = opts.write ?? stderrLine;
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
      level === 'error' ? c.red.bold('error') :
      level === 'warn' ? c.yellow('warn') :
      level === 'debug' ? c.gray('debug') : '';
    let line = tag ? `${tag} ${msg}` : msg;
    if (fields) {
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
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
      for (const [k, v] of Object.entries(fields)) {
        if (v !== undefined && v !== null && v !== '') line += ` ${k}=${String(v)}`;
      }
    }
    this.write(line);
  }
}
