/**
 * Measure 1 in one process: cmwatch's event path, from the first byte of a
 * watch response to the dispatch decision, against the raw baseline for the
 * same payload in the same process, JSON.parse of the lines alone.
 *
 * Rows, each over the same M events served by the bench server (a separate
 * process) on 127.0.0.1:
 *   json-parse  JSON.parse of the M lines, already in memory as strings;
 *   wire        undici reading the watch body and counting bytes (the ceiling
 *               the server and the socket allow);
 *   frames      HttpSource.watch: undici + the ndjson framing (src/watch/ndjson.ts);
 *   pipeline    the real Reflector (framing, event checks, change detection)
 *               and the real intake of `cmwatch watch` (filter, log line at
 *               info level into a no-op sink, HandlerEngine.submit deciding
 *               that nothing runs);
 * and, to see where the time goes, without a socket:
 *   memPipeline the same pipeline fed from the bytes in memory (64 KiB chunks);
 *   detect      ChangeDetector.event alone on the parsed events (hashing).
 *
 * Run as a forked child (CMWATCH_BENCH_ROLE=inproc) with the config as
 * argv[2]; it sends its results to the parent over IPC.
 */
import { request } from 'undici';
import { KubeClient } from '../src/kube/client.js';
import { proxyConnection } from '../src/kube/connection.js';
import { HandlerEngine } from '../src/handlers/engine.js';
import { makeIntake } from '../src/cli/intake.js';
import { Logger } from '../src/ops/log.js';
import { Reflector, type Delivery } from '../src/watch/reflector.js';
import { HttpSource, type ListWatchSource } from '../src/watch/source.js';
import { ChangeDetector } from '../src/watch/change-detector.js';
import { configMapContent } from '../src/watch/content.js';
import { frames } from '../src/watch/ndjson.js';
import { Readable } from 'node:stream';
import type { K8sObject, WireEvent } from '../src/api/types.js';
import { forkServer, hrnow, seconds } from './proc.js';
import { LIST_RV, NAMESPACE, SELECTOR_ANNOTATION, Workload, markerName } from './workload.js';

export interface InprocConfig {
  size: number;
  n: number;
  m: number;
  reps: number;
}

export interface InprocResult {
  size: number;
  m: number;
  /** Events per second, one entry per repetition. */
  jsonParse: number[];
  wire: number[];
  frames: number[];
  pipeline: number[];
  memPipeline: number[];
  detect: number[];
}

function parseBaseline(lines: string[]): number {
  let sink = 0;
  const t0 = hrnow();
  for (const l of lines) sink += (JSON.parse(l) as { type: string }).type.length;
  const t1 = hrnow();
  if (sink === 0) throw new Error('nothing parsed');
  return lines.length / seconds(t0, t1);
}

async function wire(url: string, expectedBytes: number): Promise<number> {
  const res = await request(`${url}/api/v1/namespaces/${NAMESPACE}/configmaps?watch=true&resourceVersion=${LIST_RV}`);
  let got = 0;
  let t0 = 0n;
  for await (const c of res.body) {
    if (got === 0) t0 = hrnow();
    got += (c as Buffer).length;
    if (got >= expectedBytes) break;
  }
  const t1 = hrnow();
  res.body.destroy();
  return seconds(t0, t1);
}

/** A source that notes the first byte of the watch body. */
function timedSource(inner: ListWatchSource, onFirstByte: (t: bigint) => void): ListWatchSource {
  let seen = false;
  return {
    description: inner.description,
    list: (req) => inner.list(req),
    watch: (req) =>
      inner.watch({
        ...req,
        onBytes: (n) => {
          if (n > 0 && !seen) {
            seen = true;
            onFirstByte(hrnow());
          }
          req.onBytes(n);
        },
      }),
  };
}

async function framesOnly(url: string, m: number): Promise<number> {
  const conn = proxyConnection(url);
  const source = new HttpSource(new KubeClient(conn), { resource: 'configmaps', namespace: NAMESPACE });
  const ac = new AbortController();
  let t0 = 0n;
  const events = await source.watch({
    resourceVersion: String(LIST_RV), timeoutSeconds: 600, signal: ac.signal,
    onBytes: (n) => { if (n > 0 && t0 === 0n) t0 = hrnow(); },
  });
  let count = 0;
  let t1 = 0n;
  for await (const ev of events as AsyncIterable<WireEvent>) {
    count++;
    if (ev.type === 'ADDED') {
      t1 = hrnow();
      break;
    }
  }
  ac.abort();
  await conn.close().catch(() => {});
  if (count !== m + 1) throw new Error(`frames: ${count} events, expected ${m + 1}`);
  return m / seconds(t0, t1);
}

async function pipeline(url: string, m: number, memory?: { items: K8sObject[]; chunks: Buffer[] }): Promise<number> {
  const conn = proxyConnection(url);
  const client = new KubeClient(conn);
  const log = new Logger({ level: 'info', format: 'text', color: false, write: () => {} });
  const engine = new HandlerEngine({
    execs: [], handlersOn: new Set(['MODIFIED']), log,
    contract: { server: url, selectorAnnotations: [SELECTOR_ANNOTATION] },
    timeoutMs: 60_000, killGraceMs: 5000, concurrency: 4, coalesce: true, maxRetries: 5, retryBaseMs: 1000, retryMaxMs: 300_000,
  });
  const intake = makeIntake({ log, on: new Set(['MODIFIED']), selectorAnnotations: [SELECTOR_ANNOTATION], engine });
  const ac = new AbortController();
  let t0 = 0n;
  let t1 = 0n;
  let delivered = 0;
  const endKey = `${NAMESPACE}/${markerName(1)}`;
  const http = new HttpSource(client, { resource: 'configmaps', namespace: NAMESPACE });
  const source: ListWatchSource = memory
    ? {
      description: http.description,
      list: async () => ({ items: memory.items, resourceVersion: String(LIST_RV) }),
      watch: async (req) => frames(Readable.from(memory.chunks), { onBytes: req.onBytes, malformed: 'fail' }) as AsyncIterable<WireEvent>,
    }
    : http;
  const reflector = new Reflector({
    source: timedSource(source, (t) => (t0 = t)),
    log, signal: ac.signal, content: configMapContent([SELECTOR_ANNOTATION]),
    onEvent: (d: Delivery) => {
      intake(d);
      if (d.type === 'MODIFIED') delivered++;
      else if (d.key === endKey) {
        t1 = hrnow();
        ac.abort();
      }
    },
  });
  await reflector.run();
  await conn.close().catch(() => {});
  if (delivered !== m) throw new Error(`pipeline: ${delivered} MODIFIED delivered, expected ${m}`);
  return m / seconds(t0, t1);
}

export async function runInproc(cfg: InprocConfig): Promise<InprocResult> {
  const w = new Workload({ n: cfg.n, size: cfg.size });
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; i < cfg.m; i++) {
    const l = w.line(i);
    lines.push(l);
    bytes += l.length;
  }
  bytes += w.markerLine(1, w.rv(cfg.m)).length;
  const out: InprocResult = { size: cfg.size, m: cfg.m, jsonParse: [], wire: [], frames: [], pipeline: [], memPipeline: [], detect: [] };
  const all = Buffer.from(lines.join('') + w.markerLine(1, w.rv(cfg.m)));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
  const items = Array.from({ length: cfg.n }, (_, k) => JSON.parse(w.listItem(k)) as K8sObject);
  const parsed = lines.map((l) => JSON.parse(l) as { type: 'MODIFIED'; object: K8sObject });
  const detect = () => {
    const d = new ChangeDetector({ content: configMapContent([SELECTOR_ANNOTATION]) });
    const t0 = hrnow();
    for (const e of parsed) d.event(e.type, `${NAMESPACE}/${e.object.metadata!.name!}`, e.object);
    return parsed.length / seconds(t0, hrnow());
  };
  const served = async <T>(fn: (url: string) => Promise<T>): Promise<T> => {
    const s = await forkServer({ n: cfg.n, size: cfg.size, phases: [cfg.m] });
    try {
      return await fn(s.url);
    } finally {
      await s.stop();
    }
  };
  // Warm-up: flattens the strings and lets the JIT settle on every path.
  parseBaseline(lines);
  await served((u) => pipeline(u, cfg.m));
  for (let r = 0; r < cfg.reps; r++) {
    out.jsonParse.push(parseBaseline(lines));
    out.wire.push(cfg.m / (await served((u) => wire(u, bytes))));
    out.frames.push(await served((u) => framesOnly(u, cfg.m)));
    out.pipeline.push(await served((u) => pipeline(u, cfg.m)));
    out.memPipeline.push(await pipeline('http://127.0.0.1:1', cfg.m, { items, chunks }));
    out.detect.push(detect());
  }
  return out;
}

if (process.env.CMWATCH_BENCH_ROLE === 'inproc' && process.send) {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as InprocConfig;
  try {
    const r = await runInproc(cfg);
    process.send({ ok: true, result: r }, () => process.exit(0));
  } catch (err) {
    process.send({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1));
  }
}
