// The reader behind the graph's input node: walks the files of the current batch, cuts them into chunks
// from the pool, picks each file's parser (--format auto) and ends the batch with a marker chunk that
// tells the merge stage how many chunks to expect. Called by one thread at a time.
#pragma once

#include <atomic>
#include <deque>
#include <optional>

#include "pipeline/chunk_pool.h"
#include "stages/parser/chunk_parser.h"
#include "stages/watcher/directory_watcher.h"
#include "stages/watcher/file_chunker.h"

namespace logstream {

class BatchReader {
 public:
  BatchReader(ChunkPool& pool, const ChunkParser& parser, WarningHandler warn, bool announce_formats)
      : pool_(pool), parser_(parser), warn_(std::move(warn)), announce_formats_(announce_formats) {}

  // `cancel` (may be null): once it reads true, the reader stops at the next chunk and ends the batch
  // early; cancelled() then tells the merge stage that the batch is incomplete.
  void start(uint64_t batch_id, std::vector<FileTask> files, const std::atomic<bool>* cancel = nullptr);

  // The next chunk of the batch, the batch-end marker after the last one, then nullptr.
  Chunk* next();

  // The files the batch read, with how far each was counted; call once the batch has closed.
  std::vector<CountedFile> take_counted_files() { return std::move(counted_files_); }
  // The files of the batch that could not be opened (each already warned about); special files, skipped
  // by design, are not among them.
  const std::vector<std::string>& unreadable_files() const noexcept { return unreadable_files_; }
  // Files the batch opened and read from; 0 when every file of the batch failed to open.
  size_t files_opened() const noexcept { return files_opened_; }
  bool cancelled() const noexcept { return cancelled_; }
  // The path of each file opened, by Chunk::file_index.
  const std::vector<std::string>& opened_paths() const noexcept { return opened_paths_; }
  // The parser each of them was read with, in the same order.
  const std::vector<uint32_t>& opened_parsers() const noexcept { return opened_parsers_; }

  uint64_t bytes_read() const noexcept { return bytes_read_.load(std::memory_order_relaxed); }

 private:
  bool open_next_file();

  ChunkPool& pool_;
  const ChunkParser& parser_;
  WarningHandler warn_;
  bool announce_formats_;
  uint64_t batch_id_ = 0;
  std::deque<FileTask> files_;
  std::optional<FileChunker> current_;
  bool current_is_fresh_ = false;
  uint32_t current_parser_ = 0;
  uint64_t chunks_sent_ = 0;
  uint64_t next_long_line_id_ = 0;
  bool marker_sent_ = true;
  std::vector<CountedFile> counted_files_;
  std::vector<std::string> unreadable_files_;
  size_t files_opened_ = 0;
  std::vector<std::string> opened_paths_;
  std::vector<uint32_t> opened_parsers_;
  std::optional<uint32_t> forced_parser_;  // the current file's FileTask::parser_index
  std::deque<std::string> file_uris_;      // by file opened; a deque, so chunks may point into it
  const std::atomic<bool>* cancel_ = nullptr;
  bool cancelled_ = false;
  std::atomic<uint64_t> bytes_read_{0};  // for progress only: relaxed, no ordering needed
};

}  // namespace logstream
