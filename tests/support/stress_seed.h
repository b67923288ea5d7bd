// The random seed of a stress test, printed so that a failure can be replayed: LOGSTREAM_STRESS_SEED=N
// reruns with seed N.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace logstream::test_support {

inline unsigned stress_seed() {
  unsigned seed = std::random_device{}();
  if (const char* replay = std::getenv("LOGSTREAM_STRESS_SEED"))
    seed = static_cast<unsigned>(std::stoul(replay));
  std::printf("stress seed %u (replay with LOGSTREAM_STRESS_SEED=%u)\n", seed, seed);
  return seed;
}

}  // namespace logstream::test_support
