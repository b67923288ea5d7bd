// A fixed set of chunk buffers recycled through a lock-free queue: memory is bounded by the pool, not by
// the input. The graph's limiter guarantees a free chunk whenever the reader asks for one.
#pragma once

#include <concurrentqueue.h>

#include <memory>
#include <vector>

#include "stages/core/chunk.h"

namespace logstream {

class ChunkPool {
 public:
  ChunkPool(size_t chunk_count, size_t chunk_capacity) {
    owned_.reserve(chunk_count);
    for (size_t i = 0; i < chunk_count; ++i) {
      owned_.push_back(std::make_unique<Chunk>(chunk_capacity, static_cast<uint32_t>(i)));
      free_.enqueue(owned_.back().get());
    }
  }

  // nullptr when every chunk is in use.
  Chunk* try_acquire() noexcept {
    Chunk* chunk = nullptr;
    if (!free_.try_dequeue(chunk)) return nullptr;
    chunk->reset();
    return chunk;
  }

  void release(Chunk* chunk) noexcept { free_.enqueue(chunk); }

  size_t chunk_count() const noexcept { return owned_.size(); }
  size_t chunk_capacity() const noexcept { return owned_.front()->capacity; }

 private:
  std::vector<std::unique_ptr<Chunk>> owned_;
  moodycamel::ConcurrentQueue<Chunk*> free_;
};

}  // namespace logstream
