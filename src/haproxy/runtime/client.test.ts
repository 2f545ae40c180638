import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as commands from './commands.js';
import type { RuntimeCommand } from '../types.js';

// Answers as HAProxy 2.6.12 writes them (captured from the real Runtime API), against the success
// pattern each command carries.
const cases: [RuntimeCommand, string, boolean][] = [
  [commands.setServerAddr('b', 's1', '10.0.0.1', 80), "IP changed from '127.0.0.1' to '10.0.0.1', port changed from '1' to '80' by 'stats socket command'", true],
  [commands.setServerAddr('b', 's1', '10.0.0.1', 80), "no need to change the addr, no need to change the port by 'stats socket command'", true],
  [commands.setServerAddr('b', 's1', '10.0.0.1', 80), "Invalid addr '10.0.0.x' by 'stats socket command'", false],
  [commands.setServerState('b', 's1', 'ready'), '', true],
  [commands.setServerState('b', 's9', 'ready'), 'No such server.', false],
  [commands.addServer('b', 's5', '10.0.0.5:80'), 'New server registered.', true],
  [commands.addServer('b', 's5', '10.0.0.5:80'), 'Already exists a server with the same name in backend.', false],
  [commands.addMap('maps/exact.map', 'k', 'v'), '', true],
  [commands.setMap('maps/exact.map', 'k', 'v'), 'entry not found.', false],
  [commands.delMap('maps/exact.map', 'k'), 'Key not found.', false],
  [commands.newSslCert('certs/a.pem'), "New empty certificate store 'certs/a.pem'!", true],
  [commands.setSslCert('certs/a.pem', 'PEM'), 'Transaction created for certificate certs/a.pem!', true],
  [commands.setSslCert('certs/a.pem', 'PEM'), "unable to load certificate from file 'certs/a.pem'.\nCan't load the payload\nCan't update certs/a.pem!", false],
  [commands.commitSslCert('certs/a.pem'), 'Committing certs/a.pem.\nSuccess!', true],
  [commands.commitSslCert('certs/a.pem'), "No ongoing transaction! !\nCan't commit certs/a.pem!", false],
  [commands.addCrtListEntry('certs/crt-list.txt', ['certs/a.pem']), "Inserting certificate 'certs/a.pem' in crt-list 'certs/crt-list.txt'.\nSuccess!", true],
  [commands.delCrtListEntry('certs/crt-list.txt', 'certs/a.pem'), "Entry 'certs/a.pem' deleted in crtlist 'certs/crt-list.txt'!", true],
  [commands.delCrtListEntry('certs/crt-list.txt', 'certs/x.pem'), "Can't delete the entry: certificate 'certs/x.pem' does not exist!", false],
  [commands.delSslCert('certs/a.pem'), "Certificate 'certs/a.pem' deleted!", true],
  [commands.query('show', 'info'), 'Name: HAProxy\nVersion: 2.6.12', true],
  [commands.query('bogus'), 'Unknown command, but maybe one of the following ones is a better match:', false],
];

describe('command success answers', () => {
  for (const [command, answer, expected] of cases) {
    test(`${expected ? 'accepts' : 'rejects'} "${answer.split('\n')[0].slice(0, 50)}" for ${command.words.slice(0, 3).join(' ')}`, () => {
      assert.equal(command.success.test(answer), expected);
    });
  }
});

describe('command text', () => {
  test('words are escaped for the CLI, and a payload ends with the empty line that closes it', () => {
    assert.equal(commands.wireText(commands.addMap('maps/exact.map', 'a.test/x;y', 'b')), 'add map maps/exact.map a.test/x\\;y b\n');
    const cert = commands.setSslCert('certs/a.pem', 'LINE1\nLINE2\n\n');
    assert.equal(commands.wireText(cert), 'set ssl cert certs/a.pem <<\nLINE1\nLINE2\n\n');
    assert.equal(commands.describeCommand(cert), 'set ssl cert certs/a.pem', 'messages never show a payload');
    assert.equal(commands.wireText(commands.addCrtListEntry('certs/crt-list.txt', ['certs/a.pem', 'a.test'])), 'add ssl crt-list certs/crt-list.txt <<\ncerts/a.pem a.test\n\n');
  });

  test('a word that could split or end a command is refused', () => {
    assert.throws(() => commands.addMap('maps/exact.map', 'a b', 'v'), /runtime API argument/);
    assert.throws(() => commands.addServer('b', 's1', '10.0.0.1:80', ['check\nshow info']), /runtime API argument/);
  });
});
