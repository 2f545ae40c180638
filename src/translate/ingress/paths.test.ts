import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPath } from './paths.js';

test('checkPath normalises Prefix and ImplementationSpecific paths and keeps Exact ones', () => {
  const cases: [string | undefined, string, string, 'exact' | 'prefix'][] = [
    ['/foo', 'Exact', '/foo', 'exact'],
    ['/foo/', 'Exact', '/foo/', 'exact'],
    ['/', 'Exact', '/', 'exact'],
    ['/Foo/Bar', 'Prefix', '/Foo/Bar', 'prefix'],
    ['/foo/', 'Prefix', '/foo', 'prefix'],
    ['/foo///', 'Prefix', '/foo', 'prefix'],
    ['/', 'Prefix', '/', 'prefix'],
    ['//', 'Prefix', '/', 'prefix'],
    [undefined, 'Prefix', '/', 'prefix'],
    ['', 'Prefix', '/', 'prefix'],
    [undefined, 'ImplementationSpecific', '/', 'prefix'],
    ['/aaa/bbb/', 'ImplementationSpecific', '/aaa/bbb', 'prefix'],
    ['/%7Euser/a%2Fb', 'Exact', '/%7Euser/a%2Fb', 'exact'],
  ];
  for (const [path, pathType, expected, match] of cases) {
    assert.deepEqual(checkPath(path, pathType), { ok: true, path: expected, match }, `${pathType} ${JSON.stringify(path)}`);
  }
});

test('checkPath refuses paths HAProxy could not match literally', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'path "" does not start with "/"'],
    ['foo', 'path "foo" does not start with "/"'],
    ['/a\u0000b', 'path "/a\\u0000b" has characters that are not valid in a URL path'],
    ['/a\nb', 'path "/a\\nb" has characters that are not valid in a URL path'],
    ['/a"b', 'path "/a\\"b" has characters that are not valid in a URL path'],
    ['/a\\b', 'path "/a\\\\b" has characters that are not valid in a URL path'],
    ['/[a-z]+', 'path "/[a-z]+" has characters that are not valid in a URL path'],
    ['/a{1}', 'path "/a{1}" has characters that are not valid in a URL path'],
    ['/100%', 'path "/100%" has characters that are not valid in a URL path'],
    ['/a^b', 'path "/a^b" has characters that are not valid in a URL path'],
  ];
  for (const [path, message] of cases) {
    assert.deepEqual(checkPath(path, 'Exact'), { ok: false, code: 'PCL_INVALID_PATH', message }, JSON.stringify(path));
  }
});

test('checkPath refuses unknown and missing path types, whatever the path', () => {
  for (const pathType of ['prefix', 'Regex', ' Exact', '']) {
    const result = checkPath('/ok', pathType);
    assert.equal(result.ok, false, JSON.stringify(pathType));
    assert.equal(!result.ok && result.code, 'PCL_INVALID_PATH_TYPE');
  }
});
