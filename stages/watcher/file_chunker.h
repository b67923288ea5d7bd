// Cuts one file into chunks of whole lines, never splitting a line (or a "\r\n") between two chunks. A
// line longer than a chunk goes out as pieces that share a long_line_id, each overlapping the previous
// by the parser's match width minus one. Reads at most `size_limit` bytes: what the watcher judged complete.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stages/checkpoint/checkpoint.h"
#include "stages/core/chunk.h"
#include "stages/core/expected.h"

namespace logstream {

struct FileTask {
  std::string path;
  uint64_t size_limit = UINT64_MAX;  // file offset up to which bytes were judged complete
  uint64_t start_offset = 0;         // bytes already counted by an earlier batch (a checkpoint)
  // The file counted up to start_offset; when the file now open is another one (an inode reused, a file
  // rewritten in place), it is read from 0 instead, with a note.
  std::optional<FileIdentity> expected_identity;
  // false (--follow): a last line without a terminator is left for a later read, not counted.
  bool count_unfinished_tail = true;
  // Read through zlib (*.gz). `compressed_copy_of`: plain files this one may be the compressed copy of
  // (logrotate); when its decompressed start matches one's fingerprint, that one's offset is skipped.
  bool decompress = false;
  std::vector<CountedFile> compressed_copy_of;
  // --follow plans by (device, inode): when the path now names another file (renamed in the meantime),
  // nothing is read; the next listing finds both files under their new names.
  bool must_be_listed_file = false;
  uint64_t listed_device = 0;
  uint64_t listed_inode = 0;
};

// Names ending in ".gz" are read decompressed.
bool is_compressed_name(const std::string& name) noexcept;

// A task that reads `path` from its start up to `size_limit` (decompressing a .gz whole).
FileTask whole_file_task(std::string path, uint64_t size_limit);

class FileChunker {
 public:
  // Opens the file; refuses anything that is not a regular file (a FIFO would block the reader).
  static Expected<FileChunker> open(const FileTask& task, size_t chunk_capacity, size_t piece_overlap);

  FileChunker(FileChunker&&) noexcept;
  FileChunker& operator=(FileChunker&&) noexcept;
  ~FileChunker();

  // Fills `chunk` (data, size, shape and piece fields, counts.bytes_read). Returns false when the file
  // has nothing more; `read_error` is set when a read failed part way (the chunks so far stand).
  bool fill(Chunk& chunk, uint64_t& next_long_line_id);

  const std::string& read_error() const noexcept { return read_error_; }
  // Something the reader should tell the user about how the file was read (a restart from 0, a skip).
  const std::string& note() const noexcept { return note_; }
  const std::string& path() const noexcept { return path_; }

  // The file's identity and how far its lines have been handed out so far: what a checkpoint records.
  CountedFile counted() const { return {path_, identity_, counted_end_}; }
  // The path named another file than the one planned (see FileTask::must_be_listed_file): nothing read.
  bool replaced() const noexcept { return replaced_; }

 private:
  FileChunker() = default;
  size_t read_into(char* out, size_t room);
  std::optional<std::string> open_decompressed(const FileTask& task);
  void close_input();
  bool fill_chunk(Chunk& chunk, uint64_t& next_long_line_id);

  int fd_ = -1;
  void* gz_ = nullptr;  // zlib's gzFile when decompressing; owns fd_ then
  std::string path_;
  uint64_t remaining_ = 0;  // bytes still allowed by size_limit
  bool eof_ = false;
  size_t overlap_ = 0;
  std::unique_ptr<char[]> carry_;  // bytes read but not yet handed out (the start of the next line)
  size_t carry_size_ = 0;
  size_t carry_already_counted_ = 0;  // leading carry bytes that a previous piece already counted
  bool in_long_line_ = false;
  uint64_t long_line_id_ = 0;
  uint32_t piece_index_ = 0;
  std::string read_error_;
  std::string note_;
  bool count_unfinished_tail_ = true;
  bool replaced_ = false;
  FileIdentity identity_;
  uint64_t counted_end_ = 0;  // start_offset plus every byte handed out in chunks
};

}  // namespace logstream
