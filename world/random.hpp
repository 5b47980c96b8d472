// The world's one random source: xoshiro256** seeded through splitmix64. Written out here
// rather than taken from <random> because the standard distributions are implementation-defined:
// the same seed must give the same trace with any standard library.
#pragma once

#include <cstdint>

namespace dbgsim {

/// A seeded, portable pseudo-random generator; every random choice of a world comes from one.
class random_source {
public:
  /// Seeds the generator; equal seeds give equal sequences everywhere.
  explicit random_source(std::uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s = z ^ (z >> 31);
    }
  }

  /// The next 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// A number in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// A number in [0, n], without modulo bias (rejection sampling).
  std::uint64_t upto(std::uint64_t n) {
    if (n == ~0ull)
      return next();
    const std::uint64_t range = n + 1;
    const std::uint64_t limit = ~0ull - (~0ull % range);
    for (;;) {
      const std::uint64_t x = next();
      if (x < limit)
        return x % range;
    }
  }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace dbgsim
