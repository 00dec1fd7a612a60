import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { dataFrames, FrameReader, pingFrame, rstStreamFrame, synReplyFrame, goAwayFrame } from './frames.js';
import { HeaderDecoder, HeaderEncoder, decodeHeaderPairs, encodeHeaderPairs } from './header-codec.js';

test('dictionary has the SPDY/3 length', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
});

test('frames survive any split of the byte stream', () => {
  const bytes = Buffer.concat([...dataFrames(3, Buffer.from('hello'), true), pingFrame(7), rstStreamFrame(5, 5), goAwayFrame(9), synReplyFrame(1, Buffer.from([1, 2]))]);
  for (const step of [1, 3, 8, bytes.length]) {
    const reader = new FrameReader();
    const frames = [];
    for (let i = 0; i < bytes.length; i += step) frames.push(...reader.push(bytes.subarray(i, i + step)));
    assert.deepEqual(frames.map((f) => f.kind), ['data', 'ping', 'rstStream', 'goAway', 'synReply']);
    assert.deepEqual(frames[0], { kind: 'data', streamId: 3, flags: 1, data: Buffer.from('hello') });
    assert.deepEqual(frames[1], { kind: 'ping', id: 7 });
    assert.deepEqual(frames[2], { kind: 'rstStream', streamId: 5, status: 5 });
  }
});

test('header pairs round-trip', () => {
  const headers = { streamtype: 'data', port: '80', requestid: '0' };
  assert.deepEqual(decodeHeaderPairs(encodeHeaderPairs(headers)), headers);
});

test('encoded blocks end with the sync-flush marker and inflate in sequence', async () => {
  const encoder = new HeaderEncoder();
  const first = encoder.encode({ a: '1' });
  const second = encoder.encode({ b: '2' });
  assert.deepEqual(first.subarray(0, 2), Buffer.from([0x78, 0x01]));
  for (const block of [first, second]) assert.deepEqual(block.subarray(-5), Buffer.from([0, 0, 0, 0xff, 0xff]));
  const decoder = new HeaderDecoder();
  assert.deepEqual(await decoder.decode(first), { a: '1' });
  assert.deepEqual(await decoder.decode(second), { b: '2' });
  decoder.close();
});

test('blocks compressed with the dictionary (as a client sends them) decode', async () => {
  const raw = encodeHeaderPairs({ streamtype: 'error', port: '8080', requestid: '1' });
  const block = deflateSync(raw, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
  const decoder = new HeaderDecoder();
  assert.deepEqual(await decoder.decode(block), { streamtype: 'error', port: '8080', requestid: '1' });
  decoder.close();
});
