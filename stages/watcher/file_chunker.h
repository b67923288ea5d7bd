// Cuts one file into chunks of whole lines, never splitting a line (or a "\r\n") between two chunks. A
// line longer than a chunk goes out as pieces that share a long_line_id, each overlapping the previous
// by the parser's match width minus one. Reads at most `size_limit` bytes: what the watcher judged complete.
// A .gz is decompressed as it is read; a damaged one yields the complete lines decoded before the damage.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/checkpoint/checkpoint.h"
#include "stages/core/chunk.h"
#include "stages/core/expected.h"

namespace logstream {

// A file counted before that a new file may be a copy of (logrotate's copytruncate copies the file it then
// truncates; compress writes a .gz of it): the counted part of that file, as it stood.
struct PossibleOriginal {
  CountedFile counted;
  // The same batch reads that file too, so its offset may still move: a copy of it is not judged now
  // (FileChunker::deferred) but on the next trigger, against where that read got.
  bool read_in_this_batch = false;
  // A file followed now whose counted part is shorter than kFingerprintBytes: so short a common start is
  // weak evidence (a lone empty line, one line two logs share), so the copy must also have exactly the
  // size the original has now, as a fresh copy does (a plain copy; a .gz's size says nothing). UINT64_MAX:
  // no such condition.
  uint64_t required_copy_size = UINT64_MAX;
};

struct FileTask {
  std::string path;
  uint64_t size_limit = UINT64_MAX;  // file offset up to which bytes were judged complete
  uint64_t start_offset = 0;         // bytes already counted by an earlier batch (a checkpoint)
  // The file counted up to start_offset; when the file now open is another one (an inode reused, a file
  // rewritten in place), it is read from 0 instead, with a note.
  std::optional<FileIdentity> expected_identity;
  // false (--follow): a last line without a terminator is left for a later read, not counted.
  bool count_unfinished_tail = true;
  // Read through zlib (*.gz); offsets then count decompressed bytes.
  bool decompress = false;
  // --follow, for a file read from its start: when its (decompressed) first bytes match the fingerprint of
  // one of these (other than itself) and it holds at least that one's counted part, only what lies past
  // that part is counted. One list for every new file of a batch.
  std::shared_ptr<const std::vector<PossibleOriginal>> possible_originals;
  // --follow plans by (device, inode): when the path now names another file (renamed in the meantime),
  // nothing is read; the next listing finds both files under their new names.
  bool must_be_listed_file = false;
  uint64_t listed_device = 0;
  uint64_t listed_inode = 0;
  // When set, every byte taken from the file on disk (the compressed bytes of a .gz) is added to it, for a
  // progress bar drawn by another thread in the unit of the files' sizes.
  std::shared_ptr<std::atomic<uint64_t>> bytes_consumed;
  // An open descriptor to read instead of opening `path` (standard input, or one trigger's lines of it):
  // `path` only names it in messages, it may be a pipe, and it has no identity to record.
  int descriptor = -1;
  // The parser to read it with, instead of one picked from its first bytes (standard input keeps the one
  // its first batch picked: a batch of one line is too little to judge by).
  std::optional<uint32_t> parser_index;
};

// Standard input as a file task (`run -`): read to its end as one file.
FileTask standard_input_task();

// Names ending in ".gz" are read decompressed.
bool is_compressed_name(const std::string& name) noexcept;

// A task that reads `path` from its start up to `size_limit` (decompressing a .gz whole).
FileTask whole_file_task(std::string path, uint64_t size_limit);

class GzipInput;

class FileChunker {
 public:
  // Opens the file; refuses anything that is not a regular file (a FIFO would block the reader), except a
  // task's own descriptor (standard input), which is read as it comes.
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
  CountedFile counted() const { return {path_, identity_, counted_end_, modified_ns_}; }
  // Nothing was read and nothing is to be recorded, so that the file is planned again as if never read:
  // the path named another file than the one planned (see FileTask::must_be_listed_file), or the file is
  // the copy of one whose counted part it does not hold yet (a copy still being written) or whose offset
  // the same batch may still move (see PossibleOriginal::read_in_this_batch).
  bool replaced() const noexcept { return replaced_ || deferred_; }
  bool deferred() const noexcept { return deferred_; }

 private:
  FileChunker() = default;
  // A chunker that owns `fd` and reads it as `task` says (nothing read yet, nothing checked).
  static FileChunker reading(int fd, const FileTask& task, size_t chunk_capacity, size_t piece_overlap);
  size_t read_into(char* out, size_t room);
  void consumed(uint64_t bytes) const;
  void match_possible_originals(const FileTask& task, std::string_view head, uint64_t available,
                                uint64_t& start);
  std::optional<std::string> open_decompressed(const FileTask& task);
  void close_input();
  bool fill_chunk(Chunk& chunk, uint64_t& next_long_line_id);

  int fd_ = -1;  // a plain file; a .gz is read through gz_, which owns its descriptor
  std::unique_ptr<GzipInput> gz_;
  std::string lookahead_;  // decompressed bytes read to compare with possible originals, not handed out yet
  size_t lookahead_used_ = 0;
  uint64_t discard_ = 0;  // decompressed bytes still to skip: the part a possible original counted
  std::shared_ptr<std::atomic<uint64_t>> bytes_consumed_;
  std::string path_;
  uint64_t remaining_ = 0;  // bytes still allowed by size_limit
  bool eof_ = false;
  // The input ended in a decompression error: an unfinished last line was cut, it is no line.
  bool damaged_ = false;
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
  bool deferred_ = false;
  FileIdentity identity_;
  int64_t modified_ns_ = 0;   // st_mtim as opened
  uint64_t counted_end_ = 0;  // start_offset plus every byte handed out in chunks
};

}  // namespace logstream
