// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles, per-extension-point
// plugin sets merged over Kubernetes' defaults, pluginConfig args and percentageOfNodesToScore.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EXTENSION_POINTS, type ExtensionPoint, type PluginRef, type ProfilePlugins, type ProfileSpec } from './framework/runtime.js';
import { DEFAULT_MULTI_POINT, PLUGIN_POINTS } from './plugins/registry.js';

/** The YAML library, loaded only when a configuration file is given. */
const requireLazy = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (requireLazy('yaml') as typeof import('yaml')).parse(text);

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';

export interface SchedulerConfig {
  profiles: ProfileSpec[];
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
}

interface RawPluginSet {
  enabled?: Array<{ name: string; weight?: number }>;
  disabled?: Array<{ name: string }>;
}

interface RawProfile {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: Partial<Record<ExtensionPoint | 'multiPoint' | 'queueSort', RawPluginSet>>;
  pluginConfig?: Array<{ name: string; args?: Record<string, unknown> }>;
}

interface RawConfig {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles?: RawProfile[];
}

/** Kubernetes' MergePluginSet: defaults minus disabled ('*' drops all), re-configured in place, extras appended. */
export function mergePluginSet(defaults: readonly PluginRef[], custom: RawPluginSet | undefined): PluginRef[] {
  const disabled = new Set((custom?.disabled ?? []).map((p) => p.name));
  const enabled = custom?.enabled ?? [];
  const byName = new Map(enabled.map((p, i) => [p.name, i] as const));
  const replaced = new Set<number>();
  const out: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const d of defaults) {
      if (disabled.has(d.name)) continue;
      const i = byName.get(d.name);
      if (i !== undefined) {
        replaced.add(i);
        out.push({ name: d.name, weight: enabled[i]!.weight ?? d.weight });
      } else out.push(d);
    }
  }
  enabled.forEach((p, i) => {
    if (!replaced.has(i)) out.push({ name: p.name, weight: p.weight });
  });
  return out;
}

function expandProfilePlugins(raw: RawProfile['plugins']): ProfilePlugins {
  const multiPoint = mergePluginSet(DEFAULT_MULTI_POINT, raw?.multiPoint);
  for (const ref of multiPoint) if (!PLUGIN_POINTS.has(ref.name)) throw new Error(`plugin "${ref.name}" does not exist`);
  const result = {} as ProfilePlugins;
  for (const point of EXTENSION_POINTS) {
    const defaults = multiPoint.filter((ref) => PLUGIN_POINTS.get(ref.name)!.includes(point));
    const merged = mergePluginSet(defaults, raw?.[point]);
    for (const ref of merged) {
      const points = PLUGIN_POINTS.get(ref.name);
      if (!points) throw new Error(`plugin "${ref.name}" does not exist`);
      if (!points.includes(point)) throw new Error(`plugin "${ref.name}" does not extend ${point} plugin`);
    }
    const seen = new Set<string>();
    for (const ref of merged) {
      if (seen.has(ref.name)) throw new Error(`plugin "${ref.name}" already registered as "${point}"`);
      seen.add(ref.name);
    }
    result[point] = merged.map((ref) => (point === 'score' ? { name: ref.name, weight: ref.weight && ref.weight > 0 ? ref.weight : 1 } : { name: ref.name }));
  }
  return result;
}

const SCORING_TYPES = new Set(['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio']);

function validateArgs(name: string, args: Record<string, unknown>): void {
  if (name === 'VolumeBinding') {
    const timeout = args.bindTimeoutSeconds;
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout))) throw new Error(`bindTimeoutSeconds: Invalid value: ${JSON.stringify(timeout)}: must be an integer`);
    if (typeof timeout === 'number' && timeout < 0) throw new Error(`bindTimeoutSeconds: Invalid value: ${timeout}: invalid BindTimeoutSeconds, should not be a negative value`);
    return;
  }
  if (name !== 'NodeResourcesFit') return;
  const strategy = args.scoringStrategy as { type?: string; resources?: Array<{ name?: string; weight?: number }>; requestedToCapacityRatio?: { shape?: unknown[] } } | undefined;
  if (!strategy) return;
  if (strategy.type !== undefined && !SCORING_TYPES.has(strategy.type)) throw new Error(`scoringStrategy.type: Unsupported value: "${strategy.type}"`);
  for (const r of strategy.resources ?? []) {
    if (!r.name) throw new Error('scoringStrategy.resources[].name: Required value');
    if (r.weight !== undefined && (r.weight < 1 || r.weight > 100)) throw new Error(`scoringStrategy.resources[${r.name}].weight: must be in the range [1, 100]`);
  }
  if (strategy.type === 'RequestedToCapacityRatio' && (strategy.requestedToCapacityRatio?.shape?.length ?? 0) === 0) {
    throw new Error('scoringStrategy.requestedToCapacityRatio.shape: Required value');
  }
}

function buildProfile(raw: RawProfile, globalPercentage: number): ProfileSpec {
  const pluginArgs = new Map<string, unknown>();
  for (const pc of raw.pluginConfig ?? []) {
    if (!pc.name) throw new Error('pluginConfig[].name: Required value');
    const args = { ...(pc.args ?? {}) };
    delete args.apiVersion;
    delete args.kind;
    validateArgs(pc.name, args);
    pluginArgs.set(pc.name, args);
  }
  const percentage = raw.percentageOfNodesToScore ?? globalPercentage;
  if (percentage < 0 || percentage > 100) throw new Error('percentageOfNodesToScore: must be in the range [0, 100]');
  return {
    schedulerName: raw.schedulerName || DEFAULT_SCHEDULER_NAME,
    plugins: expandProfilePlugins(raw.plugins),
    pluginArgs,
    percentageOfNodesToScore: percentage,
  };
}

/** A configuration from parsed YAML/JSON; throws Error with a field message when invalid. */
export function schedulerConfigFrom(raw: RawConfig | undefined | null): SchedulerConfig {
  const cfg = raw ?? {};
  if (cfg.apiVersion !== undefined && cfg.apiVersion !== CONFIG_API_VERSION) throw new Error(`unsupported apiVersion "${cfg.apiVersion}"; want ${CONFIG_API_VERSION}`);
  if (cfg.kind !== undefined && cfg.kind !== 'KubeSchedulerConfiguration') throw new Error(`unsupported kind "${cfg.kind}"`);
  const global = cfg.percentageOfNodesToScore ?? 0;
  const rawProfiles = cfg.profiles && cfg.profiles.length > 0 ? cfg.profiles : [{}];
  const profiles = rawProfiles.map((p) => buildProfile(p, global));
  const names = new Set<string>();
  for (const p of profiles) {
    if (names.has(p.schedulerName)) throw new Error(`profiles: duplicate schedulerName "${p.schedulerName}"`);
    names.add(p.schedulerName);
  }
  const initial = cfg.podInitialBackoffSeconds ?? 1;
  const max = cfg.podMaxBackoffSeconds ?? 10;
  if (initial <= 0 || max < initial) throw new Error('podInitialBackoffSeconds/podMaxBackoffSeconds: must be positive and max >= initial');
  return { profiles, podInitialBackoffSeconds: initial, podMaxBackoffSeconds: max };
}

export function parseSchedulerConfig(yamlText: string): SchedulerConfig {
  return schedulerConfigFrom(parseYaml(yamlText) as RawConfig);
}

export function defaultSchedulerConfig(): SchedulerConfig {
  return schedulerConfigFrom({});
}

/** Reads and parses a configuration file (the --config flag). */
export function loadSchedulerConfig(path: string): SchedulerConfig {
  return parseSchedulerConfig(readFileSync(path, 'utf8'));
}
