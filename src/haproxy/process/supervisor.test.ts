import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestartSchedule } from './supervisor.js';

type Event = ['up', number] | ['exit', number] | ['restart-failed'];

/** The delays the restart policy gives for `events` (times in ms since the first start). */
function delays(events: Event[]): number[] {
  const schedule = new RestartSchedule();
  const out: number[] = [];
  for (const event of events) {
    if (event[0] === 'up') schedule.started(event[1]);
    else if (event[0] === 'exit') out.push(schedule.afterExit(event[1]));
    else out.push(schedule.afterFailedRestart());
  }
  return out;
}

describe('restart policy', () => {
  const cases: [string, Event[], number[]][] = [
    ['a crash soon after the start: the shortest delay', [['up', 0], ['exit', 500]], [100]],
    ['crashes in a row double the delay', [['up', 0], ['exit', 1], ['up', 101], ['exit', 102], ['up', 302], ['exit', 303]], [100, 200, 400]],
    ['failed restarts double it too, up to 5 s', [['up', 0], ['exit', 1], ...Array<Event>(7).fill(['restart-failed'])], [100, 200, 400, 800, 1600, 3200, 5000, 5000]],
    ['a process that stayed up 10 s starts again from the shortest', [
      ['up', 0], ['exit', 1], ['up', 101], ['exit', 102], ['up', 302], ['exit', 10_302],
    ], [100, 200, 100]],
    ['9.999 s is not stable yet', [['up', 0], ['exit', 1], ['up', 101], ['exit', 10_100]], [100, 200]],
  ];
  for (const [situation, events, expected] of cases) {
    test(situation, () => assert.deepEqual(delays(events), expected));
  }
});
