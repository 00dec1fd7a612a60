// Data plugins compute in PreFilter/PreScore and read back in Filter/Score, for one pod's cycle.

/** State stored under a key must be clonable so preemption can try changes on a copy. */
export interface StateData {
  clone(): StateData;
}

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  clone(): CycleState {
    const copy = new CycleState();
    for (const [k, v] of this.data) copy.data.set(k, v.clone());
    for (const name of this.skipFilter) copy.skipFilter.add(name);
    for (const name of this.skipScore) copy.skipScore.add(name);
    return copy;
  }
}

/** For state that is never changed after PreFilter: sharing it is a valid clone. */
export class FrozenState<T> implements StateData {
  constructor(readonly value: T) {}
  clone(): StateData {
    return this;
  }
}
