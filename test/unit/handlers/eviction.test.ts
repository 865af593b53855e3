import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/api/api-error.js';
import { budgetOf } from '../../../src/handlers/actions/eviction.js';

const refusal = (causes: Array<{ reason?: string; message?: string }>, message = 'Cannot evict pod as it would violate the pod\'s disruption budget.') =>
  new ApiError({ status: 429, verb: 'create', url: 'u', resource: 'pods/eviction', statusObject: { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message, code: 429, details: { causes } } as any });

test('budgetOf: the budget named in details.causes of a 429', () => {
  const r = budgetOf(refusal([{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }]));
  assert.equal(r.budget, 'web-pdb');
  assert.match(r.message, /needs 2 healthy pods/);
});

test('budgetOf: no cause: no name, the message kept', () => {
  const r = budgetOf(refusal([]));
  assert.equal(r.budget, undefined);
  assert.match(r.message, /Cannot evict pod/);
});
