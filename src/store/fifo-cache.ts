// A cache bounded by the total size of its values, evicting the oldest insertions first (touch()
// gives an often-read entry a second life). The
// order lives in an array beside the map, so eviction never iterates the map (a Map whose first
// entries are deleted over and over makes every walk from its start skip the holes they leave).

export class FifoCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number; seq: number }>();
  private order: { key: K; seq: number }[] = [];
  private head = 0;
  private seq = 0;
  private total = 0;

  /** `maxEntrySize`: larger values are not kept (default: a sixteenth of `maxSize`). */
  constructor(readonly maxSize: number, readonly maxEntrySize = maxSize / 16) {}

  get size(): number {
    return this.entries.size;
  }

  /** Sum of the sizes of the values held. */
  get totalSize(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * Marks `key` as read: an entry in the older half of the cache becomes the newest, so a key read
   * often (a ServiceAccount every pod create looks up) outlives a flood of writes to other keys.
   * Entries in the newer half stay where they are, so reads of fresh entries cost nothing.
   */
  touch(key: K): void {
    const entry = this.entries.get(key);
    if (!entry || this.seq - entry.seq < this.entries.size / 2) return;
    entry.seq = ++this.seq;
    this.order.push({ key, seq: entry.seq });
    this.compactIfWasteful();
  }

  /** Stores `value` as the newest entry (a value over maxEntrySize is not kept). */
  set(key: K, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxEntrySize) return;
    const seq = ++this.seq;
    this.entries.set(key, { value, size, seq });
    this.order.push({ key, seq });
    this.total += size;
    while (this.total > this.maxSize && this.head < this.order.length) {
      const { key: oldest, seq: oldestSeq } = this.order[this.head++]!;
      const entry = this.entries.get(oldest);
      if (entry && entry.seq === oldestSeq) {
        this.entries.delete(oldest);
        this.total -= entry.size;
      }
    }
    this.compactIfWasteful();
  }

  /**
   * Entries replaced, deleted or touched leave stale places in the order, and evicted ones a
   * consumed prefix: drop them once they outnumber the live places (amortised O(1) per write).
   */
  private compactIfWasteful(): void {
    const live = this.order.length - this.head;
    if (live > 2 * this.entries.size + 1024 || this.head > live + 1024) this.compact();
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
  }

  clear(): void {
    this.entries.clear();
    this.order = [];
    this.head = 0;
    this.total = 0;
  }

  private compact(): void {
    this.order = this.order.slice(this.head).filter(({ key, seq }) => this.entries.get(key)?.seq === seq);
    this.head = 0;
  }
}
