import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCIdentifier, isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName,
  isValidIP, isValidLabelValue, isValidPortName, isValidPortNum, nameIsDNSSubdomain,
} from './names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Case = [string, string[]];
function table(name: string, fn: (v: string) => string[], cases: Case[]): void {
  describe(name, () => {
    for (const [value, want] of cases) test(JSON.stringify(value).slice(0, 40), () => assert.deepEqual(fn(value), want));
  });
}

table('isDNS1123Subdomain', isDNS1123Subdomain, [
  ['example.com', []],
  ['a', []],
  ['Invalid_Name', [SUBDOMAIN_MSG]],
  ['-abc', [SUBDOMAIN_MSG]],
  ['abc.', [SUBDOMAIN_MSG]],
  ['a'.repeat(254), ['must be no more than 253 characters']],
]);

table('isDNS1123Label', isDNS1123Label, [
  ['my-name', []],
  ['123-abc', []],
  ['a.b', ['must not contain dots']],
  ['My-Name', [LABEL_MSG]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
  ['', [LABEL_MSG]],
]);

table('isDNS1035Label', isDNS1035Label, [
  ['my-svc', []],
  ['1svc', [DNS1035_MSG]],
]);

table('isQualifiedName', isQualifiedName, [
  ['app', []],
  ['example.com/MyName', []],
  ['app.kubernetes.io/name', []],
  ['/name', ['prefix part must be non-empty']],
  ['example.com/', ['name part must be non-empty', NAME_PART_MSG]],
  ['bad key', [NAME_PART_MSG]],
  ['a/b/c', [
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]],
  ['Example.com/x', [`prefix part ${SUBDOMAIN_MSG}`]],
  ['a'.repeat(64), ['name part must be no more than 63 characters']],
]);

table('isValidLabelValue', isValidLabelValue, [
  ['', []],
  ['my_value', []],
  ['bad value!', [LABEL_VALUE_MSG]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isCIdentifier', isCIdentifier, [
  ['MY_NAME', []],
  ['1abc', ["a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"]],
]);

table('isEnvVarName', isEnvVarName, [
  ['PATH', []],
  ['my.env-name', []],
  ['1 with space', []],
  ['A=B', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
  ['tab\t', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
  ['', ['environment variable name must be non-empty']],
]);

table('isConfigMapKey', isConfigMapKey, [
  ['key.name', []],
  ['..x', ["must not start with '..'"]],
  ['a b', ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]],
]);

table('isValidPortName', isValidPortName, [
  ['http', []],
  ['http--x', ['must not contain consecutive hyphens']],
  ['123', ['must contain at least one letter (a-z)']],
  ['-web', ['must not begin or end with a hyphen']],
  ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ['a-very-long-port-name', ['must be no more than 15 characters']],
]);

test('isValidPortNum', () => {
  assert.deepEqual(isValidPortNum(80), []);
  assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
});

test('isValidIP', () => {
  for (const ok of ['10.0.0.1', '::1', '2001:db8::ffff', 'fe80::1:2:3:4', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8']) assert.deepEqual(isValidIP(ok), [], ok);
  for (const bad of ['10.0.0', '256.1.1.1', '1::2::3', 'abc', '1:2:3:4:5:6:7:8:9', '01.2.3.4x']) assert.equal(isValidIP(bad).length, 1, bad);
});

test('generateName prefixes may end in a dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
});
