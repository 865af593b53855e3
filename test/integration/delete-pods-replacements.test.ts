/**
 * delete-pods never deletes a pod created after the change it acts on: such
 * a pod (a replacement made while an earlier attempt ran, e.g. before a
 * retry) already has the new content. The change time is the ConfigMap's
 * latest managedFields time; both clocks are the API server's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer } from '../fake/api-server.js';
import { KubeClient } from '../../src/kube/client.js';
import { proxyConnection } from '../../src/kube/connection.js';
import { deletePods } from '../../src/handlers/actions/delete-pods.js';
import { DEFAULT_SELECTOR_ANNOTATIONS } from '../../src/api/selector-annotation.js';
import { Logger } from '../../src/ops/log.js';
import type { K8sObject } from '../../src/api/types.js';

test('delete-pods: pods created after the ConfigMap last changed are left alone (reason=started_after_change); older ones are deleted', async () => {
  const api = await new FakeApiServer().start();
  const logs: string[] = [];
  try {
    for (const name of ['old-1', 'old-2', 'new-1']) api.addPod('default', name, { app: 'web' });
    const created: Record<string, string> = { 'old-1': '2026-12-01T10:00:00Z', 'old-2': '2026-12-01T10:05:00Z', 'new-1': '2026-12-01T10:05:01Z' };
    api.podListTransform = (list) => {
      for (const p of list.items) p.metadata.creationTimestamp = created[p.metadata.name];
      return list;
    };
    const cm: K8sObject = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: {
        name: 'web-config', namespace: 'default', uid: 'u1', resourceVersion: '9',
        annotations: { [DEFAULT_SELECTOR_ANNOTATIONS[0]]: 'app=web' },
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-12-01T09:00:00Z' }, { manager: 'kubectl', operation: 'Update', time: '2026-12-01T10:05:00Z' }],
      },
      data: { k: 'v2' },
    };
    const log = new Logger({ level: 'debug', color: false, write: (l) => logs.push(l) });
    const client = new KubeClient(proxyConnection(api.url));
    const r = await deletePods({ type: 'MODIFIED', object: cm }, 'default/web-config', { client, log, annotations: DEFAULT_SELECTOR_ANNOTATIONS, dryRun: false });
    assert.deepEqual(r, { ok: true, deleted: ['old-1', 'old-2'] });
    assert.deepEqual(api.podNames('default'), ['new-1']);
    assert.ok(logs.some((l) => /pod default\/new-1 started after the change; not deleted .*reason=started_after_change/.test(l)), logs.join('\n'));
    await client.conn.close();
  } finally {
    await api.stop();
  }
});
