import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageReader } from './messages.js';

describe('HAProxy messages', () => {
  it('takes the level from the prefix and strips it', () => {
    const reader = new MessageReader('relay');
    assert.deepEqual(reader.read('[ALERT]    (42) : config : parsing [haproxy.cfg:3] : unknown keyword', 'stderr'), { level: 'error', text: 'config : parsing [haproxy.cfg:3] : unknown keyword', pid: 42 });
    assert.deepEqual(reader.read("[WARNING]  (42) : config : 'monitor-uri' ignored because backend 'b' has no frontend capability.", 'stderr')?.level, 'warn');
    assert.deepEqual(reader.read('[NOTICE]   (7) : config : something to note', 'stderr'), { level: 'info', text: 'config : something to note', pid: 7 });
    assert.deepEqual(reader.read('  | a continuation line', 'stderr'), { level: 'info', text: '  | a continuation line' }, 'continues the last message');
  });

  it('puts what every reload and stop prints at debug, and keeps real trouble at its level', () => {
    const reader = new MessageReader('relay');
    const level = (line: string) => reader.read(line, 'stderr')?.level;
    for (const line of [
      '[WARNING]  (10) : Proxy portcullis stopped (cumulated conns: FE: 3, BE: 0).',
      '[WARNING]  (10) : Stopping frontend portcullis in 0 ms.',
      '[WARNING]  (1) : Former worker (10) exited with code 0 (Exit)',
      '[WARNING]  (1) : Exiting Master process...',
      '[WARNING]  (1) : All workers exited. Exiting... (0)',
      '[NOTICE]   (1) : New worker (11) forked',
      '[NOTICE]   (1) : Loading success.',
    ]) assert.equal(level(line), 'debug', line);
    assert.equal(level('[WARNING]  (1) : Former worker (10) exited with code 139 (Segmentation fault)'), 'warn');
    assert.equal(level('[WARNING]  (10) : Server web/s1 is DOWN, reason: Layer4 connection problem. 0 active and 0 backup servers left.'), 'warn');
    assert.equal(level('[WARNING]  (10) : Server web/s2 is going DOWN for maintenance. 1 active and 0 backup servers left.'), 'info', 'the controller asked for it');
    assert.equal(level('[ALERT]    (10) : backend \'web\' has no server available!'), 'error');
  });

  it('keeps one copy of what HAProxy both prints and logs', () => {
    const down = 'Server web/s2 is going DOWN for maintenance. 1 active and 0 backup servers left.';
    const relay = new MessageReader('relay');
    assert.equal(relay.read(down, 'stdout'), undefined, 'relayed: the log copy goes, the one with a level stays');
    assert.equal(relay.read(`[WARNING]  (10) : ${down}`, 'stderr')?.text, down);
    const access = '127.0.0.1:5000 [01/Jan/2026:00:00:00.000] portcullis web/s1 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"';
    assert.deepEqual(relay.read(access, 'stdout'), { level: 'info', text: access });
    const inherit = new MessageReader('inherit');
    assert.equal(inherit.read(`[WARNING]  (10) : ${down}`, 'stderr'), undefined, 'inherited: stdout has printed it already');
    assert.equal(inherit.read('[WARNING]  (10) : Proxy web stopped (cumulated conns: FE: 0, BE: 0).', 'stderr'), undefined);
    assert.equal(inherit.read('[WARNING]  (1) : Exiting Master process...', 'stderr')?.level, 'debug', 'messages only on stderr stay');
  });
});
