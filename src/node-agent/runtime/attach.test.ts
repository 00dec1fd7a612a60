import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachFrameParser } from './attach.js';

const frame = (pipe: number, text: string): Buffer => {
  const body = Buffer.concat([Buffer.from([pipe]), Buffer.from(text)]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
};

test('AttachFrameParser splits packets by pipe, across chunk boundaries', () => {
  const parser = new AttachFrameParser();
  const all = Buffer.concat([frame(2, 'out1'), frame(3, 'err'), frame(2, 'out2')]);
  const got: string[] = [];
  for (let i = 0; i < all.length; i += 3) for (const f of parser.push(all.subarray(i, i + 3))) got.push(`${f.stream}:${f.data.toString()}`);
  assert.deepEqual(got, ['stdout:out1', 'stderr:err', 'stdout:out2']);
});

test('AttachFrameParser waits for a whole packet', () => {
  const parser = new AttachFrameParser();
  const f = frame(2, 'hello');
  assert.deepEqual(parser.push(f.subarray(0, 6)), []);
  assert.equal(parser.push(f.subarray(6))[0]!.data.toString(), 'hello');
});
