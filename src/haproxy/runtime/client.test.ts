import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSuccess } from './client.js';

// Answers as HAProxy 2.6.12 writes them (captured from the real Runtime API).
const cases: [string, string, boolean][] = [
  ['set server b/s1 addr 10.0.0.1 port 80', "IP changed from '127.0.0.1' to '10.0.0.1', port changed from '1' to '80' by 'stats socket command'", true],
  ['set server b/s1 addr 10.0.0.1 port 80', "no need to change the addr, no need to change the port by 'stats socket command'", true],
  ['set server b/s1 addr 10.0.0.x port 80', "Invalid addr '10.0.0.x' by 'stats socket command'", false],
  ['set server b/s1 state ready', '', true],
  ['set server b/s9 state ready', 'No such server.', false],
  ['add server b/s5 10.0.0.5:80', 'New server registered.', true],
  ['add server b/s5 10.0.0.5:80', 'Already exists a server with the same name in backend.', false],
  ['add map maps/exact.map k v', '', true],
  ['set map maps/exact.map k v', 'entry not found.', false],
  ['del map maps/exact.map k', 'Key not found.', false],
  ['new ssl cert certs/a.pem', "New empty certificate store 'certs/a.pem'!", true],
  ['set ssl cert certs/a.pem <<\n...', 'Transaction created for certificate certs/a.pem!', true],
  ['set ssl cert certs/a.pem <<\n...', "unable to load certificate from file 'certs/a.pem'.\nCan't load the payload\nCan't update certs/a.pem!", false],
  ['commit ssl cert certs/a.pem', 'Committing certs/a.pem.\nSuccess!', true],
  ['commit ssl cert certs/a.pem', "No ongoing transaction! !\nCan't commit certs/a.pem!", false],
  ['add ssl crt-list certs/crt-list.txt <<\n...', "Inserting certificate 'certs/a.pem' in crt-list 'certs/crt-list.txt'.\nSuccess!", true],
  ['del ssl crt-list certs/crt-list.txt certs/a.pem', "Entry 'certs/a.pem' deleted in crtlist 'certs/crt-list.txt'!", true],
  ['del ssl crt-list certs/crt-list.txt certs/x.pem', "Can't delete the entry: certificate 'certs/x.pem' does not exist!", false],
  ['del ssl cert certs/a.pem', "Certificate 'certs/a.pem' deleted!", true],
  ['show info', 'Name: HAProxy\nVersion: 2.6.12', true],
  ['bogus', 'Unknown command, but maybe one of the following ones is a better match:', false],
];

describe('isSuccess', () => {
  for (const [line, response, expected] of cases) {
    test(`${expected ? 'accepts' : 'rejects'} "${response.split('\n')[0].slice(0, 50)}" for ${line.split(' ').slice(0, 3).join(' ')}`, () => {
      assert.equal(isSuccess(line, response), expected);
    });
  }
});
