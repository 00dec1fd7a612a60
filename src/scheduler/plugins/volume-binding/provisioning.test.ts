import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode } from '../../testing/builders.js';
import type { StorageClassInfo } from '../../../machinery/volumes/claim-matching.js';
import { canProvisionOn, topologyAllows } from './provisioning.js';

const ZONE = 'topology.kubernetes.io/zone';
const node = makeNode('a', { labels: { [ZONE]: 'z1', rack: 'r7' } });

function withTopology(allowedTopologies: StorageClassInfo['allowedTopologies']): StorageClassInfo {
  return { metadata: { name: 'c' }, provisioner: 'example.com/fake', allowedTopologies };
}

const topologies: Array<{ name: string; terms: StorageClassInfo['allowedTopologies']; want: boolean }> = [
  { name: 'no allowedTopologies: anywhere', terms: undefined, want: true },
  { name: 'empty allowedTopologies: anywhere', terms: [], want: true },
  { name: 'the node’s zone', terms: [{ matchLabelExpressions: [{ key: ZONE, values: ['z0', 'z1'] }] }], want: true },
  { name: 'another zone', terms: [{ matchLabelExpressions: [{ key: ZONE, values: ['z2'] }] }], want: false },
  { name: 'a label the node lacks', terms: [{ matchLabelExpressions: [{ key: 'region', values: ['eu'] }] }], want: false },
  { name: 'every expression of a term must match', terms: [{ matchLabelExpressions: [{ key: ZONE, values: ['z1'] }, { key: 'rack', values: ['r1'] }] }], want: false },
  { name: 'terms are ORed', terms: [{ matchLabelExpressions: [{ key: ZONE, values: ['z2'] }] }, { matchLabelExpressions: [{ key: 'rack', values: ['r7'] }] }], want: true },
  { name: 'a term without expressions admits nothing', terms: [{ matchLabelExpressions: [] }], want: false },
  { name: 'an expression without values admits nothing', terms: [{ matchLabelExpressions: [{ key: ZONE, values: [] }] }], want: false },
];
for (const c of topologies) test(`allowedTopologies: ${c.name}`, () => assert.equal(topologyAllows(withTopology(c.terms), node), c.want));

const provisioners: Array<{ name: string; provisioner: string | undefined; want: boolean }> = [
  { name: 'an external provisioner', provisioner: 'example.com/fake', want: true },
  { name: 'kijabi’s local-path provisioner', provisioner: 'kijabi.io/local-path', want: true },
  { name: 'static volumes only', provisioner: 'kubernetes.io/no-provisioner', want: false },
  { name: 'no provisioner', provisioner: undefined, want: false },
];
for (const c of provisioners) test(`provisioner: ${c.name}`, () => assert.equal(canProvisionOn({ metadata: { name: 'c' }, provisioner: c.provisioner }, node), c.want));
