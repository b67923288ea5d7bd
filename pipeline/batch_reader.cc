#include "pipeline/batch_reader.h"

#include <sys/stat.h>

#include <filesystem>

#include "stages/core/invariant.h"
#include "stages/core/text_escape.h"

namespace logstream {

void BatchReader::start(uint64_t batch_id, std::vector<FileTask> files, const std::atomic<bool>* cancel) {
  batch_id_ = batch_id;
  cancel_ = cancel;
  cancelled_ = false;
  unreadable_files_.clear();
  files_opened_ = 0;
  opened_paths_.clear();
  opened_parsers_.clear();
  file_uris_.clear();
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
      // A FIFO, socket or device is skipped by design (reading could block), not a file we failed to read.
      struct stat st {};
      if (!(::stat(task.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
        unreadable_files_.push_back(task.path);
      continue;
    }
    ++files_opened_;
    opened_paths_.push_back(task.path);
    opened_parsers_.push_back(task.parser_index.value_or(0));
    forced_parser_ = task.parser_index;
    if (task.descriptor >= 0) {
      file_uris_.emplace_back();  // standard input has no file: input_file_name() is '', as for no file
    } else {
      std::error_code ignored;  // a path that cannot be made absolute stays as it was given
      std::filesystem::path absolute = std::filesystem::absolute(task.path, ignored);
      file_uris_.push_back(file_uri(
          (absolute.empty() ? std::filesystem::path(task.path) : absolute).lexically_normal().string()));
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
  if (!chunk) fail_invariant("the reader ran with every chunk of the pool in flight");
  chunk->batch_id = batch_id_;
  for (;;) {
    if (cancel_ && cancel_->load(std::memory_order_acquire)) {
      // Stopped by the user: what this batch read so far is neither counted nor committed.
      cancelled_ = true;
      current_.reset();
      files_.clear();
      break;
    }
    if (!current_ && !open_next_file()) break;
    if (current_->fill(*chunk, next_long_line_id_)) {
      if (current_is_fresh_) {
        current_is_fresh_ = false;
        if (forced_parser_) {
          current_parser_ = *forced_parser_;
        } else if (parser_.picks_per_file()) {
          std::string note, warning;
          current_parser_ =
              parser_.choose_for_file(std::string_view(chunk->data(), chunk->size), note, &warning);
          if (announce_formats_) warn_(current_->path() + ": " + note);
          if (!warning.empty()) warn_(current_->path() + ": " + warning);  // also with --quiet
        }
        opened_parsers_.back() = current_parser_;
      }
      chunk->parser_index = current_parser_;
      chunk->file_index = static_cast<uint32_t>(files_opened_ - 1);
      chunk->sequence = chunks_sent_++;
      chunk->file_uri = &file_uris_.back();
      bytes_read_.fetch_add(chunk->counts.bytes_read, std::memory_order_relaxed);
      return chunk;
    }
    // A read that fails part way (a damaged .gz) keeps the lines before it: a warning, not a failure.
    if (!current_->read_error().empty()) warn_(current_->read_error());
    if (!current_->replaced()) counted_files_.push_back(current_->counted());
    current_.reset();
  }
  chunk->shape = ChunkShape::kBatchEnd;
  chunk->batch_chunk_count = chunks_sent_;
  chunk->batch_cancelled = cancelled_;
  marker_sent_ = true;
  return chunk;
}

}  // namespace logstream
