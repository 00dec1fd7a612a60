// Fitting a spec to what the agent itself may grant: a process cannot hand a container a
// capability outside its own bounding set, nor raise RLIMIT_NOFILE above its own hard limit
// without CAP_SYS_RESOURCE (sandboxed hosts often drop it).

import { readFileSync } from 'node:fs';
import { ALL_CAPABILITIES } from './capabilities.js';

export interface AgentLimits { boundingCapabilities: Set<string>; openFilesHardLimit?: number }

/** Capability names in a /proc/<pid>/status Cap* hex mask. */
export function capabilitiesFromMask(hex: string): Set<string> {
  const mask = BigInt(`0x${hex}`);
  return new Set(ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n));
}

export function parseAgentLimits(statusText: string, limitsText: string): AgentLimits {
  const bnd = /^CapBnd:\s+([0-9a-f]+)/m.exec(statusText)?.[1];
  const boundingCapabilities = bnd ? capabilitiesFromMask(bnd) : new Set(ALL_CAPABILITIES);
  const files = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  const hard = files && files[2] !== 'unlimited' ? Number(files[2]) : undefined;
  const canRaise = boundingCapabilities.has('CAP_SYS_RESOURCE') && /^CapEff:\s+([0-9a-f]+)/m.test(statusText)
    && capabilitiesFromMask(/^CapEff:\s+([0-9a-f]+)/m.exec(statusText)![1]!).has('CAP_SYS_RESOURCE');
  return { boundingCapabilities, openFilesHardLimit: canRaise ? undefined : hard };
}

let agentLimits: AgentLimits | undefined;

/** Read once: a process's bounding set never grows, and nothing here changes its own limits. */
export function readAgentLimits(): AgentLimits {
  agentLimits ??= parseAgentLimits(readFileSync('/proc/self/status', 'utf8'), readFileSync('/proc/self/limits', 'utf8'));
  return agentLimits;
}

interface SpecProcess {
  capabilities?: Record<string, string[] | undefined>;
  rlimits?: Array<{ type: string; hard: number; soft: number }>;
}

/**
 * A copy of `spec` whose capabilities and NOFILE limit the agent can actually grant. Only the
 * process part is copied (the rest is shared with `spec`): that is all this changes.
 */
export function fitSpecToAgent<T extends object>(spec: T, limits: AgentLimits): T {
  const original = (spec as { process?: SpecProcess }).process;
  if (!original) return { ...spec };
  const proc: SpecProcess = { ...original };
  const copy = { ...spec, process: proc } as T;
  if (proc.capabilities) {
    const fitted: Record<string, string[] | undefined> = {};
    for (const [set, caps] of Object.entries(proc.capabilities)) fitted[set] = caps ? caps.filter((c) => limits.boundingCapabilities.has(c)) : caps;
    proc.capabilities = fitted;
  }
  if (proc.rlimits && limits.openFilesHardLimit !== undefined) {
    const max = limits.openFilesHardLimit;
    proc.rlimits = proc.rlimits.map((r) => (r.type === 'RLIMIT_NOFILE' ? { ...r, hard: Math.min(r.hard, max), soft: Math.min(r.soft, max) } : r));
  }
  return copy;
}
