import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusal } from '../../../src/kube/handler-proxy-policy.js';

const req = (method: string, url: string) => ({ method, url, headers: { host: '127.0.0.1:8001' } });

test('handler proxy: a mutation whose path ends in "/" or has an empty or dot segment (an empty variable in a handler) is refused with 400', () => {
  for (const [method, url] of [
    ['DELETE', '/api/v1/namespaces/ns/pods/'], ['DELETE', '/api/v1/namespaces/ns/pods//'], ['PATCH', '/api/v1/namespaces//configmaps/x'],
    ['PUT', '/api/v1/namespaces/ns/pods/..'], ['DELETE', '/api/v1/namespaces/ns/pods/%2e%2e?x=1'],
  ] as const) {
    const r = refusal(req(method, url));
    assert.equal(r?.status, 400, `${method} ${url}`);
    assert.match(r!.text, /refuses it, as the API server would take it as the whole collection/);
  }
});

test('handler proxy: named objects, reads and a deliberate collection request are forwarded', () => {
  for (const [method, url] of [
    ['DELETE', '/api/v1/namespaces/ns/pods/web-1'], ['GET', '/api/v1/namespaces/ns/pods/'], ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/web'],
    ['DELETE', '/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb'],
  ] as const) {
    assert.equal(refusal(req(method, url)), undefined, `${method} ${url}`);
  }
});
