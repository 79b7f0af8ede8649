/**
 * Which errors are meant for the user as they are is one rule (errors.ts), by name: the same for
 * an error thrown in the CLI's process and for one that crossed from a step's worker as a name
 * and a message, so a step's DataError and the CLI's DataError are shown alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, GateError, isUserError, isUserErrorName, PipelineError, StepInputError, UsageError } from '../../src/errors.js';
import { StepFailure } from '../../src/engine/executor.js';
import { Cancelled } from '../../src/engine/step-context.js';
import { RegistryError } from '../../src/registry/errors.js';

test('every user error class counts as one, here and after crossing from a worker; anything else does not', () => {
  const users = [
    new PipelineError([]),
    new UsageError('u'),
    new DataError('d'),
    new StepInputError('s'),
    new GateError('g'),
    new RegistryError('not-found', 'r'),
    new Cancelled(),
  ];
  for (const e of users) {
    assert.equal(isUserError(e), true, e.name);
    assert.equal(isUserError(new StepFailure({ name: e.name, message: e.message })), true, `${e.name} from a worker`);
  }
  for (const e of [new Error('x'), new TypeError('x'), new StepFailure({ name: 'RangeError', message: 'x' })]) assert.equal(isUserError(e), false, e.name);
  assert.equal(isUserError('DataError'), false, 'a string is not an error');
  assert.equal(isUserErrorName('TypeError'), false);
});
