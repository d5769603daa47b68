import { describe, expect, it } from 'vitest';
import { describeError, safeErrorName } from '../src/safe-error.ts';

const PHONE = '+8801711234567';

describe('describeError', () => {
  it('gives the name, AWS code and HTTP status of an SDK error, never its message', () => {
    // Prepare: an error shaped like the SDK's, whose message quotes its input.
    const error = Object.assign(new Error(`One or more parameter values were invalid: ${PHONE}`), {
      name: 'ValidationException',
      Code: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
      item: { pk: `IDX#${PHONE}` },
    });
    // Act
    const facts = describeError(error);
    // Assess
    expect(facts).toEqual({
      errorName: 'ValidationException',
      errorCode: 'ValidationException',
      httpStatus: 400,
    });
    expect(JSON.stringify(facts)).not.toContain('1711234567');
  });

  it('gives a Node system error code', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED' });
    expect(describeError(error)).toEqual({ errorName: 'Error', errorCode: 'ECONNREFUSED' });
  });

  it('leaves out a name or code that does not look like one: anything may set them', () => {
    const error = Object.assign(new Error('x'), { name: `bad ${PHONE}`, code: PHONE });
    expect(describeError(error)).toEqual({ errorName: 'Error' });
  });

  it('names what a non-error is', () => {
    expect(describeError('a string quoting +8801711234567')).toEqual({ errorName: 'string' });
    expect(describeError(null)).toEqual({ errorName: 'null' });
    expect(safeErrorName(undefined)).toBe('undefined');
  });
});
