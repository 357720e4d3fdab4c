import { ALPHANUMERIC, hash32, Rng } from "@crmkit/sandbox/seed"

/**
 * GHL contact ids look random (20 alphanumerics, e.g. "seD4PfOuKoVMLkEZqohJ") but the sandbox needs
 * id -> index in O(1) for virtual contacts. So an id is 14 seeded characters followed by 6 base-62
 * characters of a keyed Feistel permutation of the index: decodable, yet different-looking per seed.
 * The 14-character part is checked on decode, so a made-up id does not resolve to a record.
 */
export class GhlIdCodec {
  readonly #seed: number
  readonly #keys: readonly number[]

  constructor(seed: number) {
    this.#seed = seed
    this.#keys = [1, 2, 3, 4].map((round) => hash32(seed, 0x1d5, round))
  }

  encode(index: number): string {
    return this.#tail(index) + toBase62(this.#permute(index), 6)
  }

  decode(id: string): number | undefined {
    if (id.length !== 20) return undefined
    const scrambled = fromBase62(id.slice(14))
    if (scrambled === undefined || scrambled > 0xffffffff) return undefined
    const index = this.#unpermute(scrambled)
    return this.#tail(index) === id.slice(0, 14) ? index : undefined
  }

  #tail(index: number): string {
    return new Rng(hash32(this.#seed, index, 0x1d)).string(14, ALPHANUMERIC)
  }

  /** Four-round Feistel network on 16-bit halves: a bijection on 32-bit integers. */
  #permute(value: number): number {
    let left = value >>> 16
    let right = value & 0xffff
    for (const key of this.#keys) {
      const next = left ^ (hash32(right, key) & 0xffff)
      left = right
      right = next
    }
    return ((left << 16) | right) >>> 0
  }

  #unpermute(value: number): number {
    let left = value >>> 16
    let right = value & 0xffff
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      const previous = right ^ (hash32(left, this.#keys[i] as number) & 0xffff)
      right = left
      left = previous
    }
    return ((left << 16) | right) >>> 0
  }
}

function toBase62(value: number, width: number): string {
  let out = ""
  let rest = value
  for (let i = 0; i < width; i++) {
    out = ALPHANUMERIC[rest % 62] + out
    rest = Math.floor(rest / 62)
  }
  return out
}

function fromBase62(text: string): number | undefined {
  let value = 0
  for (const char of text) {
    const digit = ALPHANUMERIC.indexOf(char)
    if (digit < 0) return undefined
    value = value * 62 + digit
  }
  return value
}
