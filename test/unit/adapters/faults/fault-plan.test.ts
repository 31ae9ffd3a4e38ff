import { describe, expect, it } from 'vitest';
import { describeFaultPlan, FaultPlanError, parseFaultPlan, seededRandom } from '../../../../shared/adapters/faults/fault-plan.ts';

describe('parseFaultPlan', () => {
  it('reads every entry of the plan, its seed and its lambda crashes', () => {
    // Act
    const plan = parseFaultPlan('dynamodb:throttle:0.1, s3:5xx:0.1,sfn:throttle:0.1,dynamodb:reset:.02,lambda:crash:0.02,seed:42');

    // Assess
    expect(plan).toEqual({
      seed: 42,
      sdk: {
        dynamodb: [
          { fault: 'throttle', probability: 0.1 },
          { fault: 'reset', probability: 0.02 },
        ],
        s3: [{ fault: '5xx', probability: 0.1 }],
        sfn: [{ fault: 'throttle', probability: 0.1 }],
      },
      lambdaCrash: 0.02,
    });
    expect(describeFaultPlan(plan as never)).toBe('dynamodb:throttle:0.1,dynamodb:reset:0.02,s3:5xx:0.1,sfn:throttle:0.1,lambda:crash:0.02,seed:42');
  });

  it('is off when FAULTS is unset or empty, and seeds with 1 when no seed is given', () => {
    // Act & Assess
    expect(parseFaultPlan(undefined)).toBeUndefined();
    expect(parseFaultPlan(' ')).toBeUndefined();
    expect(parseFaultPlan('s3:timeout:1')?.seed).toBe(1);
  });

  it.each([
    ['dynamo:throttle:0.1', 'unknown service "dynamo"'],
    ['s3:slow:0.1', 'unknown fault "slow"'],
    ['lambda:throttle:0.1', 'lambda has one fault, crash'],
    ['s3:5xx:1.5', 'the probability "1.5" is not a number from 0 to 1'],
    ['s3:5xx:-0.1', 'the probability "-0.1"'],
    ['s3:5xx:abc', 'the probability "abc"'],
    ['s3:5xx', 'not three fields'],
    ['seed:x', 'the seed is not a non-negative integer'],
    ['s3:5xx:0.1,s3:5xx:0.2', 'a fault given twice'],
  ])('refuses %s with a message that names the entry and the syntax', (text, why) => {
    // Act
    const parse = () => parseFaultPlan(text);

    // Assess
    expect(parse).toThrow(FaultPlanError);
    expect(parse).toThrow(why);
    expect(parse).toThrow('expected service:fault:probability entries');
  });
});

describe('seededRandom', () => {
  it('draws the same numbers from the same seed and stream, others from another stream, all in [0, 1)', () => {
    // Prepare
    const draw = (seed: number, stream: string) => Array.from({ length: 1000 }, seededRandom(seed, stream));

    // Act
    const [a, again, other, otherSeed] = [draw(7, 's3'), draw(7, 's3'), draw(7, 'sfn'), draw(8, 's3')];

    // Assess
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    expect(otherSeed).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // Roughly uniform: a tenth of the draws fall below 0.1
    expect(a.filter((x) => x < 0.1).length).toBeGreaterThan(60);
    expect(a.filter((x) => x < 0.1).length).toBeLessThan(140);
  });
});
