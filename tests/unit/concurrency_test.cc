// Our own concurrent pieces, driven by plain std::threads so that ThreadSanitizer sees every access (the
// `tsan` preset runs exactly these; Debian's oneTBB is not built for TSan, so the flow graph is covered by
// the ASan runs and the stress tests instead).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "pipeline/chunk_pool.h"
#include "pipeline/shutdown_signals.h"

namespace logstream {
namespace {

// Chunks pass between threads only through the pool's lock-free queue, as between the graph's stages:
// whoever holds a chunk may write all of it, and nobody else touches it meanwhile.
TEST(ChunkPoolConcurrency, AChunkHasOneHolderAtATimeAndNoneIsLost) {
  constexpr size_t kChunks = 8;
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  ChunkPool pool(kChunks, 64);
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        Chunk* chunk = pool.try_acquire();
        if (!chunk) continue;
        const char mark = static_cast<char>('a' + t);
        std::memset(chunk->data(), mark, chunk->capacity);
        chunk->counts.lines_read = static_cast<uint64_t>(t);
        std::this_thread::yield();
        for (size_t i = 0; i < chunk->capacity; ++i) {
          if (chunk->data()[i] != mark) {
            ++overlaps;
            break;
          }
        }
        if (chunk->counts.lines_read != static_cast<uint64_t>(t)) ++overlaps;
        pool.release(chunk);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(overlaps.load(), 0);
  std::set<Chunk*> distinct;
  while (Chunk* chunk = pool.try_acquire()) distinct.insert(chunk);
  EXPECT_EQ(distinct.size(), kChunks);
}

// The signal thread sets the stop flag and wakes a poller; the main loop reads the flag after the wake.
TEST(ShutdownSignalsConcurrency, ASignalFromAnotherThreadWakesThePollerAndSetsTheFlag) {
  ShutdownSignals& signals = ShutdownSignals::install();
  EXPECT_FALSE(signals.stop_requested());
  std::thread sender([] { ::kill(::getpid(), SIGTERM); });
  struct pollfd wake = {signals.wake_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&wake, 1, 10000), 1);
  EXPECT_TRUE(signals.stop_requested());
  sender.join();
}

}  // namespace
}  // namespace logstream
