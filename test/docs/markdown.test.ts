import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBinary } from '../../src/app/find-binary.js';
import { startEchoServer } from '../support/echo-server.js';
import { mismatches, parseCurl, sendCurl } from './curl.js';
import { parseExpectation, shCommands, splitShell } from './markdown.js';

describe('reading commands from markdown', () => {
  it('takes the lines of sh blocks only, joins continuations, keeps quotes, pipes and comments apart', () => {
    const md = ['```sh', "curl -H 'Host: a.b' http://127.0.0.1:8080/x | grep pod   # 200 from pod a-*", '', '# a comment line', 'npx portcullis controller \\', '  --manifests DIR', '```', '```yaml', 'kind: Ingress', '```'].join('\n');
    const commands = shCommands(md);
    assert.deepEqual(commands.map((c) => [c.line, c.stages, c.comment]), [
      [2, [['curl', '-H', 'Host: a.b', 'http://127.0.0.1:8080/x'], ['grep', 'pod']], '200 from pod a-*'],
      [5, [['npx', 'portcullis', 'controller', '--manifests', 'DIR']], ''],
    ]);
  });

  it('marks shell syntax beyond words and pipes as complex', () => {
    assert.equal(splitShell('a && b').complex, true);
    assert.equal(splitShell('echo $(date)').complex, true);
    assert.equal(splitShell("kubectl patch -p '{\"a\":1}'").complex, false);
  });

  it('reads the expected answer from a comment, and refuses what it cannot check', () => {
    assert.deepEqual(parseExpectation('302 to https://h:8443/; prose, more'), { status: 302, location: 'https://h:8443/', fields: [] });
    assert.deepEqual(parseExpectation('200 from Service app,test-service, Ingress x, path "/x"'), { status: 200, service: 'app,test-service', ingress: 'x', path: '/x', fields: [] });
    assert.deepEqual(parseExpectation('200, "reloads": 0, "server": > 0').fields, [{ key: 'reloads', op: '=', value: 0 }, { key: 'server', op: '>', value: 0 }]);
    assert.throws(() => parseExpectation('wildcard host'), /does not start with the expected status/);
    assert.throws(() => parseExpectation('200 served quickly'), /cannot check "served quickly"/);
  });
});

describe('curl lines as requests', () => {
  for (const useCurl of [false, ...(findBinary('curl') !== 'curl' ? [true] : [])]) {
    it(`${useCurl ? 'curl' : "Node's http"}: sends Host and reads status and JSON, on a substituted port`, async () => {
      const echo = await startEchoServer({ env: { POD_NAME: 'web-1', SERVICE_NAME: 'web', INGRESS_NAME: 'demo' } });
      try {
        const req = parseCurl(['curl', '-s', '-H', 'Host: shop.localhost', 'http://127.0.0.1:8080/p?q=1'], (p) => (p === 8080 ? echo.port : p));
        const res = await sendCurl(req, useCurl);
        assert.equal(res.status, 200);
        assert.equal(JSON.parse(res.body).host, 'shop.localhost');
        assert.deepEqual(mismatches(res, parseExpectation('200 from Service web, Ingress demo, pod web-*, path "/p?q=1"'), 'pod', (u) => u), []);
        assert.deepEqual(mismatches(res, parseExpectation('200 from Service api'), undefined, (u) => u), ['service "web", the doc says "api"']);
      } finally {
        await echo.close();
      }
    });
  }

  it('refuses flags it does not know and addresses off loopback', async () => {
    assert.throws(() => parseCurl(['curl', '-X', 'POST', 'http://127.0.0.1/'], (p) => p), /"-X" is not one/);
    await assert.rejects(sendCurl(parseCurl(['curl', 'http://192.0.2.1:8080/'], (p) => p), false), /would leave loopback/);
  });
});
