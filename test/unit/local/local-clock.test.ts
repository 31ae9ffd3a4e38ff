import { describe, expect, it } from 'vitest';
import { localClock } from '../../../infra/local/local-clock.ts';
import { testClock } from '../../support/clock.ts';

describe('the local runtime clock (LOCAL_CLOCK_START)', () => {
  const machineNow = Date.parse('2026-11-30T22:00:00Z');

  it.each([
    ['2027-06-01', '2027-06-01T00:00:00.000Z'],
    ['2027-06-01T09:30:00+08:00', '2027-06-01T01:30:00.000Z'],
    ['2026-03-02T02:00:00Z', '2026-03-02T02:00:00.000Z'],
  ])('starts at %s and runs on at the machine’s pace', (start, startsAt) => {
    // Act
    const { clock, offsetMs } = localClock(start, machineNow);

    // Assess
    expect(offsetMs).toBe(Date.parse(startsAt) - machineNow);
    const read = clock.now().getTime() - Date.now(); // the same offset, whenever it is read
    expect(Math.abs(read - offsetMs)).toBeLessThan(1000);
    expect(Math.abs(clock.wallNow().getTime() - Date.now())).toBeLessThan(1000); // signatures keep the real time
  });

  it('is the machine’s clock when no start is given', () => {
    // Act
    const { clock, offsetMs } = localClock(undefined, machineNow);

    // Assess
    expect(offsetMs).toBe(0);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
  });

  it.each(['tomorrow', '2027-02-30', '2027-06-01T09:30:00', '1780000000000'])('refuses %j, naming the variable and the forms it takes', (start) => {
    // Act
    const act = () => localClock(start, machineNow);

    // Assess
    expect(act).toThrow(/^LOCAL_CLOCK_START must be a date \(2027-06-01\) or a date-time with an offset/);
  });

  it('puts the tests’ clock on the day the suite runs at', () => {
    // Prepare
    const day = process.env.LOCAL_CLOCK_START;

    // Assess: each "at <day>" project of vitest.config.ts sets the variable; without it the tests run at the machine's day
    const expected = day ? Date.parse(day) : Date.now();
    expect(Math.abs(testClock.now().getTime() - expected)).toBeLessThan(10 * 60_000);
  });
});
