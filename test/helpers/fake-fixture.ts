/**
 * One fake API server for each test of an integration file, like the e2e
 * planeFixture (test/helpers/plane.ts): started and seeded before each test
 * (or when the test asks, with `lazy`), and stopped after it together with
 * every cmwatch the test started through the fixture.
 *
 *   const fx = fakeFixture({ seed: (api) => api.upsertConfigMap('default', 'a', { v: '1' }), args: ['-n', 'default'] });
 *   test('…', async () => { const c = fx.cmwatch(['--exec', h]); … fx.api.upsertConfigMap(…) … });
 */
import { afterEach, beforeEach } from 'node:test';
import { FakeApiServer, type FakeApiServerOptions } from '../fake/api-server.js';
import { runCli, type CliRun } from './cli.js';

export interface FakeFixtureOptions {
  /** The fake server's options (TLS, tokens, …). */
  server?: FakeApiServerOptions;
  /** Objects every fresh server starts with. */
  seed?: (api: FakeApiServer) => void;
  /** cmwatch's subcommand, put first (e.g. 'events'); none: the default command. */
  command?: string;
  /** Arguments after `--server URL` and before each run's own (e.g. ['-n', 'default']). */
  args?: string[];
  /** Start no server before each test: the test calls start() (once or several times). */
  lazy?: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export interface FakeFixture {
  /** The test's server (the last one started). */
  readonly api: FakeApiServer;
  /** Starts (and seeds) a server for this test; stopped after it. */
  start(opts?: FakeApiServerOptions): Promise<FakeApiServer>;
  /** cmwatch [command] --server <api> [args…] <own args>, killed after the test. */
  cmwatch(args: string[], opts?: RunOptions): CliRun;
  /** The CLI with exactly these arguments (no --server), killed after the test. */
  run(args: string[], opts?: RunOptions): CliRun;
  /** Something else to undo after the test (run before the servers stop). */
  cleanup(fn: () => unknown): void;
}

export function fakeFixture(o: FakeFixtureOptions = {}): FakeFixture {
  let current: FakeApiServer | undefined;
  const servers: FakeApiServer[] = [];
  const runs: CliRun[] = [];
  const undo: Array<() => unknown> = [];
  const start = async (opts = o.server) => {
    const api = await new FakeApiServer(opts).start();
    servers.push(api);
    o.seed?.(api);
    current = api;
    return api;
  };
  const run = (args: string[], opts: RunOptions = {}) => {
    const r = runCli(args, opts);
    runs.push(r);
    return r;
  };
  if (!o.lazy) beforeEach(async () => void (await start()));
  afterEach(async () => {
    for (const r of runs.splice(0)) await r.stop('SIGKILL');
    for (const f of undo.splice(0).reverse()) await f();
    for (const s of servers.splice(0)) await s.stop();
    current = undefined;
  });
  const api = (): FakeApiServer => {
    if (!current) throw new Error('no fake API server for this test (lazy: call start() first)');
    return current;
  };
  return {
    get api() {
      return api();
    },
    start,
    run,
    cmwatch(args, opts) {
      return run([...(o.command ? [o.command] : []), '--server', api().url, ...(o.args ?? []), ...args], opts);
    },
    cleanup(fn) {
      undo.push(fn);
    },
  };
}
