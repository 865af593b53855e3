/**
 * -o FORMAT (issue 17, items 9 and 10): kubectl's JSONPath templates and
 * custom columns applied to one event's object, -o text's human line, and
 * the usage errors of bad values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOutputFormat } from '../../../src/cli/output-format.js';
import { makeEventPrinter } from '../../../src/cli/event-printer.js';
import { CmwatchError } from '../../../src/base/errors.js';
import type { K8sObject } from '../../../src/api/types.js';

const cm = (name: string, ns: string | undefined, extra: Partial<K8sObject> = {}): K8sObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, ...(ns ? { namespace: ns } : {}), resourceVersion: '7', labels: { app: 'web', 'app.kubernetes.io/name': 'webapp' } },
  data: { k: 'v' },
  ...extra,
});

async function print(format: string, objects: K8sObject[], type: 'ADDED' | 'MODIFIED' = 'ADDED'): Promise<string> {
  const p = await makeEventPrinter(parseOutputFormat(format));
  return objects.map((o) => p({ type, object: o }) ?? '').join('');
}

function usage(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof CmwatchError && err.code === 'E_USAGE' && re.test(err.message) && !!err.hint);
}

test('jsonpath: {.metadata.name} and {"\\n"} print like kubectl, per object, no newline added', async () => {
  assert.equal(await print('jsonpath={.metadata.name}', [cm('a', 'default')]), 'a');
  assert.equal(await print('jsonpath={.metadata.namespace}/{.metadata.name}{"\\n"}', [cm('a', 'default'), cm('b', 'web')]), 'default/a\nweb/b\n');
  assert.equal(await print('jsonpath=name={.metadata.name}{"\\t"}{.kind}{"\\n"}', [cm('a', 'x')]), 'name=a\tConfigMap\n');
});

test('jsonpath: a list template ({range .items[*]}…{end}, .items[*]) works on a single object, as a list of one', async () => {
  assert.equal(await print('jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}', [cm('a', 'd'), cm('b', 'd')]), 'a\nb\n');
  assert.equal(await print('jsonpath={.items[*].metadata.name}', [cm('a', 'd')]), 'a');
  // An object with its own items field keeps it.
  const list = { kind: 'List', apiVersion: 'v1', metadata: {}, items: [cm('x', 'd'), cm('y', 'd')] } as K8sObject;
  assert.equal(await print('jsonpath={range .items[*]}{.metadata.name},{end}', [list]), 'x,y,');
});

test('jsonpath: escaped dots, brackets, filters, wildcards, several results joined by a blank, maps as JSON, missing fields empty', async () => {
  const o = cm('a', 'd', { spec: { containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'busybox' }] } } as Partial<K8sObject>);
  assert.equal(await print('jsonpath={.metadata.labels.app\\.kubernetes\\.io/name}', [o]), 'webapp');
  assert.equal(await print("jsonpath={.metadata.labels['app.kubernetes.io/name']}", [o]), 'webapp');
  assert.equal(await print('jsonpath={.spec.containers[*].name}', [o]), 'app side');
  assert.equal(await print('jsonpath={.spec.containers[?(@.name=="side")].image}', [o]), 'busybox');
  assert.equal(await print('jsonpath={.spec.containers[0].image}', [o]), 'nginx');
  assert.equal(await print('jsonpath={.data}', [o]), '{"k":"v"}');
  assert.equal(await print('jsonpath=[{.metadata.nope}]', [o]), '[]');
  assert.equal(await print('jsonpath={range .spec.containers[*]}{.name}={$.metadata.name};{end}', [o]), 'app=a;side=a;');
  assert.equal(await print('jsonpath={.kind} {.apiVersion}', [o]), 'ConfigMap v1');
});

test('jsonpath: the root is the object, so .type is the object\'s field (a Secret\'s), not the event type', async () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 's', namespace: 'd' } } as K8sObject;
  assert.equal(await print('jsonpath={.type}', [secret], 'MODIFIED'), 'Opaque');
  assert.equal(await print('jsonpath={.type}', [cm('a', 'd')], 'MODIFIED'), '');
});

test('custom-columns: a header line once, then one aligned row per object, <none> for missing', async () => {
  const out = await print('custom-columns=NAME:.metadata.name,NS:.metadata.namespace,APP:metadata.labels.app', [cm('a', 'default'), cm('cluster-wide', undefined)]);
  assert.equal(out, [
    'NAME   NS        APP',
    'a      default   web',
    'cluster-wide   <none>    web',
    '',
  ].join('\n'));
  assert.equal(await print('custom-columns=N:{.metadata.name},K:.data.k', [cm('a', 'd')]), 'N   K\na   v\n');
});

test('custom-columns: several results are joined by commas', async () => {
  const o = cm('a', 'd', { spec: { containers: [{ name: 'app' }, { name: 'side' }] } } as Partial<K8sObject>);
  assert.equal(await print('custom-columns=C:.spec.containers[*].name', [o]), 'C\napp,side\n');
});

test('-o text prints one human line per event, without Secret values; -o json the {"type","object"} line', async () => {
  assert.equal(await print('text', [cm('a', 'default')], 'MODIFIED'), 'MODIFIED ConfigMap default/a rv=7 data: 1 key\n');
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { password: 'c2VjcmV0' } } as K8sObject;
  assert.doesNotMatch(await print('text', [secret]), /c2VjcmV0/);
  assert.deepEqual(JSON.parse(await print('json', [cm('a', 'd')])), { type: 'ADDED', object: cm('a', 'd') });
  assert.equal(await print('JSON', [cm('a', 'd')]).then((s) => s.endsWith('\n')), true);
});

test('no -o prints nothing', async () => {
  assert.deepEqual(parseOutputFormat(undefined), { kind: 'none' });
  assert.equal((await makeEventPrinter({ kind: 'none' }))({ type: 'ADDED', object: cm('a', 'd') }), undefined);
});

test('bad -o values are usage errors with a hint', async () => {
  usage(() => parseOutputFormat('yaml'), /--output: unknown format "yaml"/);
  usage(() => parseOutputFormat('jsonpath'), /jsonpath needs a template/);
  usage(() => parseOutputFormat('jsonpath='), /jsonpath needs a template/);
  usage(() => parseOutputFormat('json=x'), /unknown format "json=x"/);
  usage(() => parseOutputFormat('jsonpath={.metadata.name'), /"\{" at position 1 is never closed/);
  usage(() => parseOutputFormat('jsonpath={range .items[*]}{.a}'), /\{range\} without \{end\}/);
  usage(() => parseOutputFormat('jsonpath={.a}{end}'), /\{end\} without \{range\}/);
  usage(() => parseOutputFormat('jsonpath=}'), /"\}" at position 1 without "\{"/);
  usage(() => parseOutputFormat('jsonpath={metadata.name}'), /must start with "\."/);
  usage(() => parseOutputFormat('jsonpath={.a[0}'), /never closed/);
  usage(() => parseOutputFormat('custom-columns='), /custom-columns needs a column list/);
  usage(() => parseOutputFormat('custom-columns=NAME'), /"NAME" is not HEADER:PATH/);
  usage(() => parseOutputFormat('custom-columns=NAME:.metadata.name,:x'), /":x" is not HEADER:PATH/);
  await assert.rejects(makeEventPrinter(parseOutputFormat('jsonpath={.a[?(@.x=)]}')), (err: unknown) => err instanceof CmwatchError && err.code === 'E_USAGE' && /not valid JSONPath/.test(err.message));
});
