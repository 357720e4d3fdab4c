/**
 * A record collection whose seeded records are virtual.
 *
 * Records live at integer indexes. Indexes below `seededCount` are generated on demand; changes
 * (updates, deletions, new records appended after the seeded range) are kept in an overlay map.
 * Listing without a filter therefore costs O(page size), whatever the collection size; a filter or a
 * sort on a non-index field scans everything once (O(N)) and the result is cached until the next write.
 */

/** A read-only, position-addressable sequence of record indexes (one page slice = `at(p)` for a range). */
export interface IndexView {
  readonly length: number
  at(position: number): number
}

/** One sort key of a query; ties are broken by index so the order is total and stable. */
export interface SortKey<T> {
  readonly value: (record: T) => string | number
  readonly direction: "asc" | "desc"
}

export interface CollectionQuery<T> {
  /** Identifies the query (filter + order) for the result cache. Required when `where` or `orderBy` is set. */
  readonly cacheKey: string
  readonly where?: ((record: T, index: number) => boolean) | undefined
  /** Explicit sort keys. Empty or absent = index order. */
  readonly orderBy?: readonly SortKey<T>[] | undefined
  /** Reverse index order (e.g. "newest first"). Ignored when `orderBy` is set. */
  readonly reverse?: boolean | undefined
  /** Optional narrowing: only these indexes can match (e.g. from a lookup by email). */
  readonly candidates?: readonly number[] | undefined
}

export interface VirtualCollectionOptions<T> {
  readonly seededCount: number
  readonly generate: (index: number) => T
  /** Exact-match lookup keys of a record (e.g. `email:ada@example.com`), indexed for O(1) lookups. */
  readonly lookupKeys?: ((record: T) => readonly string[]) | undefined
  /** For a lookup key, the one seeded index that could carry it (seeded keys are derivable), if any. */
  readonly seededIndexForKey?: ((key: string) => number | undefined) | undefined
}

const QUERY_CACHE_SIZE = 16

export class VirtualCollection<T> {
  readonly #seededCount: number
  readonly #generate: (index: number) => T
  readonly #lookupKeys: (record: T) => readonly string[]
  readonly #seededIndexForKey: (key: string) => number | undefined
  /** Changed records; `null` marks a deleted one. */
  readonly #overlay = new Map<number, T | null>()
  /** Sorted indexes of deleted records, to map list positions to indexes by binary search. */
  readonly #deleted: number[] = []
  /** Lookup key -> indexes of live overlay records carrying it. */
  readonly #keyIndex = new Map<string, Set<number>>()
  readonly #queryCache = new Map<string, { version: number; indexes: readonly number[] }>()
  #appendedCount = 0
  #version = 0

  constructor(options: VirtualCollectionOptions<T>) {
    this.#seededCount = options.seededCount
    this.#generate = options.generate
    this.#lookupKeys = options.lookupKeys ?? (() => [])
    this.#seededIndexForKey = options.seededIndexForKey ?? (() => undefined)
  }

  /** Number of live records. */
  get size(): number {
    return this.indexLimit - this.#deleted.length
  }

  /** One past the highest index ever used (seeded + appended, including deleted ones). */
  get indexLimit(): number {
    return this.#seededCount + this.#appendedCount
  }

  get seededCount(): number {
    return this.#seededCount
  }

  /** Increases on every write; cached query results are valid for one version. */
  get version(): number {
    return this.#version
  }

  get(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.indexLimit) return undefined
    const changed = this.#overlay.get(index)
    if (changed !== undefined) return changed ?? undefined
    return index < this.#seededCount ? this.#generate(index) : undefined
  }

  /** Appends a new record at the next free index and returns it. */
  insert(build: (index: number) => T): { index: number; record: T } {
    const index = this.indexLimit
    const record = build(index)
    this.#appendedCount++
    this.#overlay.set(index, record)
    this.#indexKeys(index, record)
    this.#version++
    return { index, record }
  }

  /** Replaces a live record. Returns false when the index holds no live record. */
  update(index: number, record: T): boolean {
    const previous = this.get(index)
    if (previous === undefined) return false
    this.#unindexKeys(index, previous)
    this.#overlay.set(index, record)
    this.#indexKeys(index, record)
    this.#version++
    return true
  }

  delete(index: number): boolean {
    const previous = this.get(index)
    if (previous === undefined) return false
    this.#unindexKeys(index, previous)
    this.#overlay.set(index, null)
    this.#deleted.splice(countAtMost(this.#deleted, index), 0, index)
    this.#version++
    return true
  }

  /** Indexes (ascending) of live records carrying the lookup key. O(1) in the collection size. */
  findByKey(key: string): number[] {
    const found = new Set(this.#keyIndex.get(key))
    const seededIndex = this.#seededIndexForKey(key)
    if (
      seededIndex !== undefined &&
      seededIndex >= 0 &&
      seededIndex < this.#seededCount &&
      !this.#overlay.has(seededIndex) &&
      this.#lookupKeys(this.#generate(seededIndex)).includes(key)
    ) {
      found.add(seededIndex)
    }
    return [...found].sort((a, b) => a - b)
  }

  /** All live records in index order, without materializing anything. */
  all(): IndexView {
    const limit = this.indexLimit
    if (this.#deleted.length === 0) return { length: limit, at: (position) => position }
    return { length: this.size, at: (position) => this.#indexAtPosition(position) }
  }

  /** Runs a query. Unfiltered index-ordered queries are O(1); others scan once and are cached per version. */
  query(query: CollectionQuery<T>): IndexView {
    const orderBy = query.orderBy ?? []
    if (query.where === undefined && orderBy.length === 0 && query.candidates === undefined) {
      return query.reverse ? reversed(this.all()) : this.all()
    }
    const cacheKey = `${query.cacheKey}|${query.reverse ? "rev" : "fwd"}|${query.candidates?.join(",") ?? "*"}`
    const cached = this.#queryCache.get(cacheKey)
    if (cached !== undefined && cached.version === this.#version) {
      // Refresh its position in the LRU order.
      this.#queryCache.delete(cacheKey)
      this.#queryCache.set(cacheKey, cached)
      return arrayView(cached.indexes)
    }
    let indexes = this.#scan(query)
    if (orderBy.length > 0) indexes = this.#sort(indexes, orderBy)
    else if (query.reverse) indexes.reverse()
    this.#queryCache.set(cacheKey, { version: this.#version, indexes })
    if (this.#queryCache.size > QUERY_CACHE_SIZE) {
      const oldest = this.#queryCache.keys().next().value
      if (oldest !== undefined) this.#queryCache.delete(oldest)
    }
    return arrayView(indexes)
  }

  #scan(query: CollectionQuery<T>): number[] {
    const where = query.where
    const matches: number[] = []
    const consider = (index: number) => {
      const record = this.get(index)
      if (record !== undefined && (where === undefined || where(record, index))) matches.push(index)
    }
    if (query.candidates !== undefined) {
      for (const index of [...query.candidates].sort((a, b) => a - b)) consider(index)
    } else {
      const limit = this.indexLimit
      for (let index = 0; index < limit; index++) consider(index)
    }
    return matches
  }

  #sort(indexes: readonly number[], orderBy: readonly SortKey<T>[]): number[] {
    // Extract sort values once (generating a record is the expensive part), then sort the pairs.
    const entries = indexes.map((index) => {
      const record = this.get(index) as T
      return { index, values: orderBy.map((key) => key.value(record)) }
    })
    entries.sort((a, b) => {
      for (let k = 0; k < orderBy.length; k++) {
        const order = compareValues(a.values[k], b.values[k])
        if (order !== 0) return orderBy[k]?.direction === "desc" ? -order : order
      }
      return a.index - b.index
    })
    return entries.map((entry) => entry.index)
  }

  /** The index of the position-th live record: smallest i with i - deletedAtOrBelow(i) == position. */
  #indexAtPosition(position: number): number {
    let low = position
    let high = position + this.#deleted.length
    while (low < high) {
      const mid = Math.floor((low + high) / 2)
      if (mid - countAtMost(this.#deleted, mid) >= position) high = mid
      else low = mid + 1
    }
    return low
  }

  #indexKeys(index: number, record: T): void {
    for (const key of this.#lookupKeys(record)) {
      let holders = this.#keyIndex.get(key)
      if (holders === undefined) {
        holders = new Set()
        this.#keyIndex.set(key, holders)
      }
      holders.add(index)
    }
  }

  #unindexKeys(index: number, record: T): void {
    for (const key of this.#lookupKeys(record)) {
      const holders = this.#keyIndex.get(key)
      holders?.delete(index)
      if (holders?.size === 0) this.#keyIndex.delete(key)
    }
  }
}

/** Number of elements <= value in an ascending array. */
function countAtMost(sorted: readonly number[], value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((sorted[mid] as number) <= value) low = mid + 1
    else high = mid
  }
  return low
}

export function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  if (typeof a === "number" && typeof b === "number") return a - b
  const left = String(a)
  const right = String(b)
  return left < right ? -1 : left > right ? 1 : 0
}

export function arrayView(indexes: readonly number[]): IndexView {
  return { length: indexes.length, at: (position) => indexes[position] as number }
}

export function reversed(view: IndexView): IndexView {
  return { length: view.length, at: (position) => view.at(view.length - 1 - position) }
}

/**
 * First position in `view` whose record is after a cursor. `isAfterCursor` must be monotonic along the
 * view (false...false true...true), which holds when the view is sorted by the cursor's keys.
 */
export function firstPositionAfter(view: IndexView, isAfterCursor: (index: number) => boolean): number {
  let low = 0
  let high = view.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (isAfterCursor(view.at(mid))) high = mid
    else low = mid + 1
  }
  return low
}

/** Indexes at positions [offset, offset + size) of a view. */
export function slice(view: IndexView, offset: number, size: number): number[] {
  const end = Math.min(view.length, offset + size)
  const out: number[] = []
  for (let position = Math.max(0, offset); position < end; position++) out.push(view.at(position))
  return out
}
