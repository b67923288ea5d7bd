#include "pipeline/batch_reader.h"

#include <cassert>

namespace logstream {

void BatchReader::start(uint64_t batch_id, std::vector<FileTask> files) {
  batch_id_ = batch_id;
  files_.assign(std::make_move_iterator(files.begin()), std::make_move_iterator(files.end()));
  current_.reset();
  counted_files_.clear();
  chunks_sent_ = 0;
  marker_sent_ = false;
}

bool BatchReader::open_next_file() {
  while (!files_.empty()) {
    FileTask task = std::move(files_.front());
    files_.pop_front();
    auto chunker = FileChunker::open(task, pool_.chunk_capacity(), parser_.piece_overlap());
    if (!chunker) {
      warn_(chunker.error());
      continue;
    }
    if (!chunker.value().note().empty()) warn_(chunker.value().note());
    current_.emplace(std::move(chunker).value());
    current_is_fresh_ = true;
    current_parser_ = 0;
    return true;
  }
  return false;
}

Chunk* BatchReader::next() {
  if (marker_sent_) return nullptr;
  Chunk* chunk = pool_.try_acquire();
  assert(chunk && "the limiter lets the reader run only when a chunk is free");
  chunk->batch_id = batch_id_;
  for (;;) {
    if (!current_ && !open_next_file()) break;
    if (current_->fill(*chunk, next_long_line_id_)) {
      if (current_is_fresh_) {
        current_is_fresh_ = false;
        if (parser_.picks_per_file()) {
          std::string note, warning;
          current_parser_ =
              parser_.choose_for_file(std::string_view(chunk->data(), chunk->size), note, &warning);
          if (announce_formats_) warn_(current_->path() + ": " + note);
          if (!warning.empty()) warn_(current_->path() + ": " + warning);  // also with --quiet
        }
      }
      chunk->parser_index = current_parser_;
      ++chunks_sent_;
      bytes_read_.fetch_add(chunk->counts.bytes_read, std::memory_order_relaxed);
      return chunk;
    }
    if (!current_->read_error().empty()) warn_(current_->read_error());
    if (!current_->replaced()) counted_files_.push_back(current_->counted());
    current_.reset();
  }
  chunk->shape = ChunkShape::kBatchEnd;
  chunk->batch_chunk_count = chunks_sent_;
  marker_sent_ = true;
  return chunk;
}

}  // namespace logstream
