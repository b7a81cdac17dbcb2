import { checkShape, describe, shapeSize } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/**
 * A seeded random number generator that gives the same stream on every machine: 32-bit integer
 * arithmetic only (xoshiro128**, seeded through splitmix32), doubles built from 53 random bits,
 * normals by Box-Muller.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  /**
   * A generator seeded by a finite number (all 53 bits of an integer, and a fraction, count) or
   * a string (hashed); the same seed always gives the same stream. Throws for other seeds.
   */
  constructor(seed: number | string = 0) {
    let state = typeof seed === "string" ? hashString(seed) : seedToInt(seed);
    const next = () => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    const unit = (hi * 67108864 + lo) / 9007199254740992;
    return low + (high - low) * unit;
  }

  /** Normally distributed with the given mean and standard deviation. */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return mean + std * spare;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly distributed integer in [0, n); throws unless n is a positive integer. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new Error(`Rng.int: n must be a positive integer, got ${describe(n)}`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** A tensor of standard normal values. */
  randn(shape: readonly number[]): Tensor {
    const checked = checkShape(shape, "randn");
    const out = new Float64Array(shapeSize(checked));
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return new Tensor(out, checked);
  }

  /** A tensor of values uniform in [low, high). */
  rand(shape: readonly number[], low = 0, high = 1): Tensor {
    const checked = checkShape(shape, "rand");
    const out = new Float64Array(shapeSize(checked));
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return new Tensor(out, checked);
  }
}

/**
 * A tensor of `shape` of standard normal values from `seed` (a number, a string, or an Rng to
 * draw from, which it advances); the same seed gives the same tensor on every machine.
 */
export function randn(shape: readonly number[], seed: number | string | Rng = 0): Tensor {
  return (seed instanceof Rng ? seed : new Rng(seed)).randn(shape);
}

/**
 * A tensor of `shape` of values uniform in [0, 1) from `seed` (a number, a string, or an Rng
 * to draw from, which it advances).
 */
export function rand(shape: readonly number[], seed: number | string | Rng = 0): Tensor {
  return (seed instanceof Rng ? seed : new Rng(seed)).rand(shape);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function seedToInt(seed: number): number {
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new Error(`Rng: seed must be a finite number or a string, got ${describe(seed)}`);
  }
  // Fold all 53 bits of an integer seed (and the fraction of a non-integer one) into 32.
  const high = Math.floor(seed / 4294967296);
  const low = seed - high * 4294967296;
  return (Math.imul(high | 0, 0x9e3779b1) ^ (low >>> 0) ^ Math.floor((low % 1) * 4294967296)) | 0;
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
