/**
 * Field and label selectors against the real kube-apiserver (through the
 * real `kubectl proxy`), with the real HttpSource and Reflector: a supported
 * field selector filters; the server's 400s for an unsupported field (its
 * two wordings: configmaps' generic one, pods' own) and for selectors it
 * cannot parse become the one-line SelectorRejectedError that exits 2. This
 * guards the message patterns of src/watch/selector-rejection.ts against the
 * server's wording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planeFixture } from '../helpers/plane.js';
import { KubeClient } from '../../src/kube/client.js';
import { proxyConnection } from '../../src/kube/connection.js';
import { Reflector, type Delivery } from '../../src/watch/reflector.js';
import { HttpSource, type ResourceRef } from '../../src/watch/source.js';
import { configMapContent } from '../../src/watch/content.js';
import { Logger } from '../../src/ops/log.js';
import { oneLine } from '../../src/base/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';

const plane = planeFixture();

/** Runs a reflector until its first sync (then stops it) or its rejection; what it delivered, or the error. */
async function runOnce(url: string, ref: ResourceRef): Promise<{ delivered: string[]; err?: unknown }> {
  const ac = new AbortController();
  const delivered: string[] = [];
  const r = new Reflector({
    source: new HttpSource(new KubeClient(proxyConnection(url)), ref),
    log: new Logger({ level: 'warn', color: false, write: () => {} }),
    signal: ac.signal,
    onEvent: (d: Delivery) => void delivered.push(`${d.type} ${d.key}`),
    content: configMapContent([]),
    onSynced: () => ac.abort(),
  });
  const limit = setTimeout(() => ac.abort(), 30_000);
  try {
    await r.run();
    return { delivered };
  } catch (err) {
    return { delivered, err };
  } finally {
    clearTimeout(limit);
  }
}

test('field selectors on the real API server: filtering, and each refusal as one line that exits 2', async () => {
  await plane.c.apply([
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {a: "1"}',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db, namespace: default}\ndata: {a: "1"}',
  ].join('\n---\n') + '\n');
  const proxy = await plane.c.startProxy();
  try {
    const cm = (extra: Partial<ResourceRef>): ResourceRef => ({ resource: 'configmaps', kind: 'ConfigMap', namespace: 'default', ...extra });

    const ok = await runOnce(proxy.url, cm({ fieldSelector: 'metadata.name=web' }));
    assert.equal(ok.err, undefined, oneLine(ok.err));
    assert.deepEqual(ok.delivered, ['SYNC default/web']);

    const cases: Array<[ResourceRef, string]> = [
      [cm({ fieldSelector: 'foo=bar' }),
        '--field-selector: the server does not support field "foo" on configmaps (hint: configmaps support only "metadata.name", "metadata.namespace"; e.g. --field-selector metadata.name=web)'],
      [{ resource: 'pods', kind: 'Pod', namespace: 'default', fieldSelector: 'foo=bar' },
        '--field-selector: the server does not support field "foo" on pods (hint: every resource supports metadata.name and metadata.namespace, some a few more (the server said: field label not supported: foo); e.g. --field-selector metadata.name=web)'],
      [cm({ fieldSelector: 'metadata.name=a=b' }),
        '--field-selector: the server rejected the field selector "metadata.name=a=b": invalid field selector: unescaped character in value: 61 (hint: e.g. --field-selector metadata.name=web)'],
      [cm({ labelSelector: 'a in (' }),
        '--selector: the server rejected the label selector "a in (": unable to parse requirement: found \'\', expected: \',\', \')\' or identifier (hint: e.g. -l app=webapp or -l "tier in (web,api)")'],
    ];
    for (const [ref, line] of cases) {
      const r = await runOnce(proxy.url, ref);
      assert.ok(r.err, `${JSON.stringify(ref)} was not refused`);
      assert.equal(oneLine(r.err), line);
      assert.equal(exitCodeFor(r.err), 2);
      assert.deepEqual(r.delivered, []);
    }
  } finally {
    await proxy.stop();
  }
});
