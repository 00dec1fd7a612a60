import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './line-splitter.js';
import { parseWatchLine } from './rest-client.js';
import { isApiError } from '../api/errors.js';

function run(chunks: Array<string | Buffer>): string[] {
  const splitter = new LineSplitter();
  const out: string[] = [];
  for (const chunk of chunks) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  return out;
}

describe('LineSplitter', () => {
  const euro = Buffer.from('{"m":"€"}\n', 'utf8');
  const cases: Array<{ name: string; chunks: Array<string | Buffer>; want: string[] }> = [
    { name: 'one chunk, two lines', chunks: ['a\nb\n'], want: ['a', 'b'] },
    { name: 'line across chunks', chunks: ['{"ty', 'pe":1}\n{"x"', ':2}\n'], want: ['{"type":1}', '{"x":2}'] },
    { name: 'no trailing newline', chunks: ['a\nb'], want: ['a', 'b'] },
    { name: 'blank lines and CRLF skipped', chunks: ['a\r\n\n\r\nb\n'], want: ['a', 'b'] },
    { name: 'multi-byte char split between chunks', chunks: [euro.subarray(0, 8), euro.subarray(8)], want: ['{"m":"€"}'] },
    { name: 'empty stream', chunks: [], want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(run(c.chunks), c.want));
});

describe('parseWatchLine', () => {
  test('returns ordinary events', () => {
    const ev = parseWatchLine('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}');
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata.name, 'a');
  });
  test('throws an ERROR event as an ApiError with its code', () => {
    const line = '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}';
    assert.throws(() => parseWatchLine(line), (err: unknown) => isApiError(err, 'Expired') && err.code === 410);
  });
});
