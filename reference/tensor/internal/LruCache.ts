/** A map that keeps at most `capacity` entries, forgetting the least recently used first. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; lastUsed: number }>();
  private clock = 0;

  constructor(private readonly capacity: number) {}

  /**
   * A hit only stamps the entry: re-inserting it into the Map to keep recency order cost more
   * than the einsum it served on small tensors.
   */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.lastUsed = ++this.clock;
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.lastUsed = ++this.clock;
      return;
    }
    if (this.entries.size >= this.capacity) this.evictLeastRecentlyUsed();
    this.entries.set(key, { value, lastUsed: ++this.clock });
  }

  /** A linear scan, only when a new key arrives in a full cache (a miss costs far more). */
  private evictLeastRecentlyUsed(): void {
    let oldestKey: K | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.entries) {
      if (entry.lastUsed < oldest) {
        oldest = entry.lastUsed;
        oldestKey = key;
      }
    }
    this.entries.delete(oldestKey as K);
  }
}
