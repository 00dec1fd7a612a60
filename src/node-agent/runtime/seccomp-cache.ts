// crun compiles a container's seccomp profile into a BPF program on every create (about 9 ms of
// CPU for the default profile here, a sixth of a pod start). It leaves the program in its state
// dir (`<root>/<id>/seccomp.bpf`) and accepts a compiled one through the annotation
// `run.oci.seccomp_bpf_data`, so the agent compiles each distinct profile once and hands the
// program to later containers. Only crun knows the annotation: runc would ignore it and run the
// container without any filter, so the cache is off for other runtimes.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data';

interface SpecWithSeccomp {
  annotations?: Record<string, string>;
  linux?: { seccomp?: unknown };
}

/** The identity of a profile: equal profiles compile to the same program. */
const keysByProfile = new WeakMap<object, string>();

export function seccompProfileKey(spec: object): string | undefined {
  const profile = (spec as SpecWithSeccomp).linux?.seccomp;
  if (profile === undefined || profile === null) return undefined;
  // Profiles are shared read-only objects (runtimeDefaultSeccomp): hash each one once.
  let key = keysByProfile.get(profile as object);
  if (key === undefined) {
    key = createHash('sha256').update(JSON.stringify(profile)).digest('hex');
    keysByProfile.set(profile as object, key);
  }
  return key;
}

/** `spec` with the compiled program in place of its seccomp section (a copy; the input is unchanged). */
export function withCompiledSeccomp<T extends object>(spec: T, programBase64: string): T {
  const source = spec as SpecWithSeccomp;
  const { seccomp: _replaced, ...linux } = source.linux ?? {};
  return { ...spec, linux, annotations: { ...(source.annotations ?? {}), [SECCOMP_BPF_ANNOTATION]: programBase64 } } as T;
}

/** A BPF program is a non-empty array of 8-byte instructions. */
export function isBpfProgram(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes.length % 8 === 0;
}

export class CompiledSeccompCache {
  private readonly programs = new Map<string, string>();

  constructor(readonly enabled: boolean) {}

  /** The spec to write for a new container, and the profile key to learn from when it was not compiled yet. */
  prepare<T extends object>(spec: T): { spec: T; learnKey?: string } {
    if (!this.enabled) return { spec };
    const key = seccompProfileKey(spec);
    if (key === undefined) return { spec };
    const program = this.programs.get(key);
    return program ? { spec: withCompiledSeccomp(spec, program) } : { spec, learnKey: key };
  }

  /** Keeps the program crun compiled for container `id` (in its state dir under `runtimeRoot`). */
  async learn(key: string, runtimeRoot: string, id: string): Promise<void> {
    if (this.programs.has(key)) return;
    const bytes = await readFile(join(runtimeRoot, id, 'seccomp.bpf')).catch(() => undefined);
    if (bytes && isBpfProgram(bytes)) this.programs.set(key, bytes.toString('base64'));
  }
}
