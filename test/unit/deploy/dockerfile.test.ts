/**
 * The image cannot be built here (no Docker engine), so the Dockerfile is
 * checked statically: official Node LTS slim bases, a multi-stage build with
 * `npm ci --omit=dev` for the runtime's dependencies, a non-root USER, tini
 * as the entrypoint, bash/curl/jq installed, and every file it copies exists
 * and survives .dockerignore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { IMAGE_ENV, IMAGE_NODE_ARGS } from '../../../bench/image.js';

interface Instruction { op: string; args: string; line: number }
interface Stage { from: string; name?: string; body: Instruction[] }

function parse(text: string): { args: Map<string, string>; stages: Stage[] } {
  const joined = text.replace(/\\\n/g, ' ');
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  joined.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(l) ?? [];
    if (!op) return;
    const ins = { op: op.toUpperCase(), args: rest!.trim(), line: i + 1 };
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=');
      args.set(k!, v ?? '');
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      const from = m[1]!.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      stages.push({ from, name: m[2], body: [] });
    } else {
      assert.ok(stages.length > 0, `${ins.op} before FROM`);
      stages.at(-1)!.body.push(ins);
    }
  });
  return { args, stages };
}

/** .dockerignore's rules for top-level patterns with *, and ! exceptions. */
function ignored(path: string, patterns: string[]): boolean {
  let out = false;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    const pat = neg ? p.slice(1) : p;
    const re = new RegExp('^' + pat.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '(/.*)?$');
    if (re.test(path)) out = !neg;
  }
  return out;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const { stages } = parse(dockerfile);
const final = stages.at(-1)!;
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

test('Dockerfile: multi-stage on official Node LTS slim images, at least the version package.json needs', () => {
  assert.ok(stages.length >= 2, 'multi-stage');
  const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const needMajor = Number(/(\d+)/.exec(engines)![1]);
  for (const s of stages) {
    const m = /^node:(\d+)(?:\.\d+){0,2}-(bookworm|trixie|bullseye)-slim$/.exec(s.from);
    assert.ok(m, `official node slim image: ${s.from}`);
    const major = Number(m[1]);
    assert.equal(major % 2, 0, `${s.from}: an LTS line is even`);
    assert.ok(major >= needMajor, `${s.from} satisfies engines ${engines}`);
  }
});

test('Dockerfile: the runtime installs production dependencies with npm ci --omit=dev and the compiled code from the build stage', () => {
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  const prod = stages.find((s) => s.body.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args)));
  assert.ok(prod?.name, 'a named stage runs npm ci --omit=dev');
  const build = stages.find((s) => s.body.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args) && !/--omit=dev/.test(i.args)));
  assert.ok(build?.name, 'a named stage builds with the dev dependencies');
  const copies = final.body.filter((i) => i.op === 'COPY' && i.args.startsWith('--from='));
  for (const c of copies) assert.ok(names.has(/^--from=(\S+)/.exec(c.args)![1]!), `COPY ${c.args}: a stage of this file`);
  assert.ok(copies.some((c) => c.args.startsWith(`--from=${prod.name} `) && /node_modules/.test(c.args)), 'node_modules from the production stage');
  assert.ok(copies.some((c) => c.args.startsWith(`--from=${build.name} `) && /dist\/bundle/.test(c.args)), 'dist/bundle from the build stage');
  // The bundle is where bin/cmwatch.js imports it from, and the build stage has the script that writes it.
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
  assert.equal(tsconfig.compilerOptions.outDir, 'dist');
  assert.equal(tsconfig.compilerOptions.rootDir, '.');
  assert.match(readFileSync(join(ROOT, 'bin', 'cmwatch.js'), 'utf8'), /from '\.\.\/dist\/bundle\/entry\.js'/);
  assert.ok(build.body.some((i) => i.op === 'COPY' && /^scripts\b/.test(i.args)), 'scripts/ (bundle.mjs) in the build stage');
});

test('Dockerfile: a non-root USER, tini as PID 1 running bin/cmwatch.js, and bash, curl and jq for handlers', () => {
  const user = final.body.filter((i) => i.op === 'USER').at(-1);
  assert.ok(user, 'USER in the final stage');
  const [uid] = user.args.split(':');
  assert.ok(uid !== 'root' && uid !== '0', `USER ${user.args} is not root`);
  assert.match(uid!, /^\d+$/, 'a numeric user, so runAsNonRoot can verify it');
  const ep = final.body.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  assert.ok(ep, 'ENTRYPOINT');
  const argv = JSON.parse(ep.args) as string[];
  assert.match(argv[0]!, /\/tini$/);
  assert.equal(argv[1], '--');
  // node's one flag is V8's (the npm bin cannot pass it): the bench's row "as the container image runs it" uses the same (bench/image.ts).
  assert.deepEqual(argv.slice(2), ['node', ...IMAGE_NODE_ARGS, '/app/bin/cmwatch.js']);
  assert.deepEqual(IMAGE_NODE_ARGS, ['--no-concurrent-recompilation']);
  // And its environment's malloc setting is the row's too.
  const env = final.body.filter((i) => i.op === 'ENV').map((i) => i.args);
  for (const [k, v] of Object.entries(IMAGE_ENV)) assert.ok(env.includes(`${k}=${v}`), `ENV ${k}=${v} in the final stage`);
  const install = final.body.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
  for (const pkg of ['tini', 'bash', 'curl', 'jq']) assert.match(install, new RegExp(`apt-get install[^&]*\\b${pkg}\\b`), pkg);
  assert.ok(final.body.findIndex((i) => i.op === 'USER') > final.body.findIndex((i) => i.op === 'RUN'), 'packages are installed before dropping root');
});

test('Dockerfile: every file it copies from the context exists and is not excluded by .dockerignore', () => {
  let n = 0;
  for (const s of stages) {
    for (const i of s.body.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from='))) {
      const parts = i.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        n++;
        assert.ok(existsSync(join(ROOT, src)), `line ${i.line}: ${src} exists`);
        assert.equal(ignored(src, dockerignore), false, `line ${i.line}: ${src} is not excluded by .dockerignore`);
      }
    }
  }
  assert.ok(n >= 5);
});

test('.dockerignore keeps local state and build output out of the context', () => {
  for (const p of ['.git', 'node_modules', 'dist', 'test/cluster/.run', 'bench/x.ts']) assert.equal(ignored(p, dockerignore), true, p);
  for (const p of ['src/cli/main.ts', 'package.json', 'package-lock.json', 'bin/cmwatch.js']) assert.equal(ignored(p, dockerignore), false, p);
});
