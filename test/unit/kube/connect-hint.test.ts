import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectError } from '../../../src/kube/connect-error.js';
import { DEFAULT_PROXY_SOURCE, resolveConnection } from '../../../src/kube/resolve.js';
import { MemoryLogger } from '../../helpers/memory-logger.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8001'), { code: 'ECONNREFUSED' });

test('nothing configured: the connection is the kubectl-proxy default, and says so as its serverSource', async () => {
  const home = mkdtempSync(join(tmpdir(), 'cmwatch-home-'));
  const r = await resolveConnection({}, { log: new MemoryLogger(), env: { CMWATCH_SA_DIR: join(home, 'no-sa') }, home, cwd: home });
  assert.equal(r.mode, 'proxy');
  assert.equal(r.conn.serverSource, DEFAULT_PROXY_SOURCE);
  await r.conn.close();
});

test('the refused hint names where the URL came from: the default, a kubeconfig cluster, a flag; unknown: as before', () => {
  const hint = (source?: string) => new ConnectError('list', 'http://localhost:8001/api/v1/configmaps', refused(), undefined, source).hint;
  assert.equal(hint(DEFAULT_PROXY_SOURCE), 'nothing listens there: the URL is the default, the kubectl proxy address (no server given, no kubeconfig, not in a pod); start kubectl proxy, or give cmwatch a kubeconfig or a server URL');
  assert.equal(hint('cluster "kind" of kubeconfig context kind-kind (~/.kube/config)'), 'nothing listens there: the URL is the server of cluster "kind" of kubeconfig context kind-kind (~/.kube/config); is that cluster running, and is its server field right?');
  assert.equal(hint('CMWATCH_SERVER'), 'nothing listens there: is kubectl proxy running, or is the URL from CMWATCH_SERVER right?');
  assert.equal(hint(undefined), 'nothing listens there: is kubectl proxy running, or is the server URL right?');
});
