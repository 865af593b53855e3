/**
 * A micro check, in the bench's style, that the ConfigMap fast path did not
 * get slower: contentFor(configmaps) returns configMapContent itself (no
 * per-object dispatch), and events/s through the ChangeDetector are
 * reported for both and for the other default rules, for comparison. The
 * numbers are printed as diagnostics; tests never assert timings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeDetector } from '../../../src/watch/change-detector.js';
import { configMapContent, contentFor, type ContentFunction } from '../../../src/watch/content.js';
import { objectContent, generationContent } from '../../../src/watch/content-object.js';
import type { K8sObject } from '../../../src/api/types.js';

const SEL = 'k8spatterns.io/podDeleteSelector';
const N = 20_000;

/** N MODIFIED events of one of 200 ConfigMaps of about 1 KiB, each a new version with new data. */
function events(): K8sObject[] {
  return Array.from({ length: N }, (_, i) => ({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: `cm-${i % 200}`, namespace: 'default', resourceVersion: String(1000 + i), uid: `uid-${i % 200}`,
      labels: { app: 'web' }, annotations: { [SEL]: 'app=web' }, managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
    data: { 'app.properties': `n=${i}\n` + 'x'.repeat(900), 'b.txt': 'b' },
  }));
}

function rate(content: ContentFunction, objs: readonly K8sObject[]): number {
  const d = new ChangeDetector({ content });
  const t0 = process.hrtime.bigint();
  for (const o of objs) d.event('MODIFIED', `default/${o.metadata!.name!}`, o);
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

test('ConfigMap fast path: contentFor(configmaps) is the data content, and its speed is reported', (t) => {
  const objs = events();
  const viaFor = contentFor({ group: '', resource: 'configmaps', kind: 'ConfigMap' }, { selectorAnnotations: [SEL] });
  const direct = configMapContent([SEL]);
  assert.equal(viaFor(objs[0]!), direct(objs[0]!));
  const rows: Record<string, number[]> = { configMapContent: [], 'contentFor(configmaps)': [], generationContent: [], objectContent: [] };
  const fns: Record<string, ContentFunction> = { configMapContent: direct, 'contentFor(configmaps)': viaFor, generationContent, objectContent };
  for (const f of Object.values(fns)) rate(f, objs); // warm-up
  for (let rep = 0; rep < 3; rep++) for (const [name, f] of Object.entries(fns)) rows[name]!.push(rate(f, objs));
  for (const [name, r] of Object.entries(rows)) {
    const best = Math.max(...r);
    t.diagnostic(`${name}: ${Math.round(best).toLocaleString('en-US')} events/s (best of 3, ${N} events of ~1 KiB)`);
    assert.ok(best > 0);
  }
});
