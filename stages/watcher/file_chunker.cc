#include "stages/watcher/file_chunker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "stages/core/line_terminators.h"

namespace logstream {
namespace {

// Offset just past the last complete line in data[0, size), or 0 when there is none. A '\r' in the last
// byte is not a terminator yet unless the input ended: a '\n' may follow in the next read.
size_t end_of_last_complete_line(const char* data, size_t size, bool at_end) {
  size_t limit = size;
  while (limit > 0) {
    const char c = data[limit - 1];
    if (c == '\n') return limit;
    if (c == '\r') {
      if (limit < size || at_end) return limit;
      --limit;  // "\r" at the very end: look further back
      continue;
    }
    // '\r' is rare: look for it only after the last '\n', not over the whole buffer again.
    const char* lf = static_cast<const char*>(memrchr(data, '\n', limit));
    const char* tail = lf ? lf + 1 : data;
    const char* cr = static_cast<const char*>(memrchr(tail, '\r', static_cast<size_t>(data + limit - tail)));
    const char* last = cr ? cr : lf;
    if (!last) return 0;
    limit = static_cast<size_t>(last - data) + 1;
  }
  return 0;
}

}  // namespace

bool is_compressed_name(const std::string& name) noexcept {
  return name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
}

FileTask whole_file_task(std::string path, uint64_t size_limit) {
  FileTask task;
  task.decompress = is_compressed_name(path);
  // A compressed file's size says nothing about its lines: it is read to its end.
  task.size_limit = task.decompress ? UINT64_MAX : size_limit;
  task.path = std::move(path);
  return task;
}

Expected<FileChunker> FileChunker::open(const FileTask& task, size_t chunk_capacity, size_t piece_overlap) {
  const int fd = ::open(task.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Error{task.path + ": cannot open: " + std::strerror(errno)};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{task.path + ": not a regular file, skipped"};
  }
  FileChunker chunker;
  chunker.fd_ = fd;
  chunker.path_ = task.path;
  chunker.overlap_ = piece_overlap;
  chunker.count_unfinished_tail_ = task.count_unfinished_tail;
  chunker.carry_.reset(new char[chunk_capacity]);
  if (task.must_be_listed_file && (static_cast<uint64_t>(st.st_dev) != task.listed_device ||
                                   static_cast<uint64_t>(st.st_ino) != task.listed_inode)) {
    chunker.replaced_ = true;  // nothing is read, so there is nothing to fingerprint either
    chunker.eof_ = true;
    chunker.remaining_ = 0;
    return chunker;
  }
  auto identity = identify_open_file(fd, task.size_limit);
  if (!identity) return Error{task.path + ": " + identity.error()};  // the chunker closes fd
  chunker.identity_ = identity.value();
  if (task.decompress) {
    if (auto failure = chunker.open_decompressed(task)) return Error{task.path + ": " + *failure};
    return chunker;
  }
  uint64_t start = task.start_offset;
  if (start > 0 && task.expected_identity && !still_same_file(fd, *task.expected_identity)) {
    chunker.note_ = task.path + ": not the file counted up to byte " + std::to_string(start) +
                    " before (its first bytes changed): counting it from the start";
    start = 0;
  }
  if (start > 0 && ::lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0)
    return Error{task.path + ": cannot seek to offset " + std::to_string(start) + ": " +
                 std::strerror(errno)};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  chunker.remaining_ = task.size_limit > start ? task.size_limit - start : 0;
  chunker.counted_end_ = start;
  return chunker;
}

// Hands the descriptor to zlib. Offsets of a compressed file count decompressed bytes.
std::optional<std::string> FileChunker::open_decompressed(const FileTask& task) {
  gzFile gz = gzdopen(fd_, "rb");
  if (!gz) return "cannot start decompressing";
  fd_ = -1;  // zlib owns it now
  gz_ = gz;
  gzbuffer(gz, 256 * 1024);
  remaining_ = UINT64_MAX;
  // Is this the compressed copy of a file counted before? Compare its decompressed start.
  std::string head(kFingerprintBytes, '\0');
  const int got = gzread(gz, head.data(), static_cast<unsigned>(head.size()));
  if (got < 0) return std::string("not a readable gzip file: ") + gzerror(gz, nullptr);
  head.resize(static_cast<size_t>(got));
  uint64_t skip = 0;
  for (const CountedFile& original : task.compressed_copy_of) {
    const uint32_t length = original.identity.fingerprint_length;
    if (length == 0 || length > head.size()) continue;
    if (fnv1a64(std::string_view(head).substr(0, length)) != original.identity.fingerprint) continue;
    skip = original.offset;
    note_ = task.path + ": the compressed copy of " + original.path + ", whose first " +
            std::to_string(skip) + " bytes are already counted: counting only the rest";
    break;
  }
  if (gzseek(gz, static_cast<z_off_t>(skip), SEEK_SET) < 0)
    return std::string("cannot skip to the uncounted part: ") + gzerror(gz, nullptr);
  counted_end_ = skip;
  return std::nullopt;
}

FileChunker::FileChunker(FileChunker&& other) noexcept { *this = std::move(other); }

FileChunker& FileChunker::operator=(FileChunker&& other) noexcept {
  if (this != &other) {
    close_input();
    fd_ = std::exchange(other.fd_, -1);
    gz_ = std::exchange(other.gz_, nullptr);
    path_ = std::move(other.path_);
    remaining_ = other.remaining_;
    eof_ = other.eof_;
    overlap_ = other.overlap_;
    carry_ = std::move(other.carry_);
    carry_size_ = other.carry_size_;
    carry_already_counted_ = other.carry_already_counted_;
    in_long_line_ = other.in_long_line_;
    long_line_id_ = other.long_line_id_;
    piece_index_ = other.piece_index_;
    read_error_ = std::move(other.read_error_);
    note_ = std::move(other.note_);
    count_unfinished_tail_ = other.count_unfinished_tail_;
    replaced_ = other.replaced_;
    identity_ = other.identity_;
    counted_end_ = other.counted_end_;
  }
  return *this;
}

FileChunker::~FileChunker() { close_input(); }

void FileChunker::close_input() {
  if (gz_) gzclose_r(static_cast<gzFile>(gz_));
  if (fd_ >= 0) ::close(fd_);
  gz_ = nullptr;
  fd_ = -1;
}

size_t FileChunker::read_into(char* out, size_t room) {
  size_t total = 0;
  while (total < room && !eof_) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(room - total, remaining_));
    if (want == 0) {
      eof_ = true;
      break;
    }
    if (gz_) {
      auto* gz = static_cast<gzFile>(gz_);
      const int n = gzread(gz, out + total, static_cast<unsigned>(std::min<size_t>(want, 1u << 30)));
      int zerror = Z_OK;
      const char* message = gzerror(gz, &zerror);
      if (n < 0 || (zerror != Z_OK && zerror != Z_STREAM_END)) {
        // A cut or damaged stream: what was decompressed before the damage stands.
        read_error_ = path_ + ": decompression failed: " + message;
        eof_ = true;
        if (n > 0) total += static_cast<size_t>(n);
        break;
      }
      if (n == 0) {
        eof_ = true;
        break;
      }
      total += static_cast<size_t>(n);
      continue;
    }
    const ssize_t n = ::read(fd_, out + total, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      read_error_ = path_ + ": read failed: " + std::strerror(errno);
      eof_ = true;
      break;
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    total += static_cast<size_t>(n);
    remaining_ -= static_cast<uint64_t>(n);
  }
  return total;
}

bool FileChunker::fill(Chunk& chunk, uint64_t& next_long_line_id) {
  if (!fill_chunk(chunk, next_long_line_id)) return false;
  counted_end_ += chunk.counts.bytes_read;
  return true;
}

bool FileChunker::fill_chunk(Chunk& chunk, uint64_t& next_long_line_id) {
  char* data = chunk.data();
  std::memcpy(data, carry_.get(), carry_size_);
  size_t size = carry_size_;
  const size_t already_counted = carry_already_counted_;
  carry_size_ = 0;
  carry_already_counted_ = 0;
  size += read_into(data + size, chunk.capacity - size);
  if (size == 0) return false;

  auto keep_as_carry = [&](size_t from, size_t counted) {
    carry_size_ = size - from;
    std::memcpy(carry_.get(), data + from, carry_size_);
    carry_already_counted_ = counted;
  };
  auto emit_piece = [&](size_t piece_size, bool last) {
    chunk.shape = ChunkShape::kLinePiece;
    chunk.size = piece_size;
    chunk.long_line_id = long_line_id_;
    chunk.piece_index = piece_index_++;
    chunk.last_piece = last;
    chunk.piece_overlap = already_counted;
  };

  if (in_long_line_) {
    const char* terminator = find_line_terminator(data + already_counted, data + size);
    const size_t at = static_cast<size_t>(terminator - data);
    if (at < size && !(data[at] == '\r' && at + 1 == size && !eof_)) {
      const size_t after = static_cast<size_t>(skip_line_terminator(terminator, data + size) - data);
      emit_piece(at, true);
      chunk.counts.bytes_read = after - already_counted;
      keep_as_carry(after, 0);
      in_long_line_ = false;
      return true;
    }
    if (eof_ && at >= size) {  // the file ends inside the long line: that is its last line
      emit_piece(size, true);
      chunk.counts.bytes_read = size - already_counted;
      in_long_line_ = false;
      return true;
    }
    // Still inside the line (or a '\r' at the end whose '\n' is not read yet): hand out all but the
    // overlap, which starts the next piece so a match across the boundary is still found.
    const size_t keep = std::min(overlap_, at);
    emit_piece(at, false);
    chunk.counts.bytes_read = at - already_counted;
    carry_size_ = size - (at - keep);
    std::memcpy(carry_.get(), data + at - keep, carry_size_);
    carry_already_counted_ = keep;
    return true;
  }

  // A '\r' in the last byte ends a line only when nothing more can come; under --follow more can.
  const size_t cut = end_of_last_complete_line(data, size, eof_ && count_unfinished_tail_);
  if (cut > 0) {
    chunk.shape = ChunkShape::kWholeLines;
    chunk.size = cut;
    chunk.counts.bytes_read = cut;
    keep_as_carry(cut, 0);
    return true;
  }
  if (eof_ && !count_unfinished_tail_) {  // --follow: the line may still be being written
    carry_size_ = 0;
    return false;
  }
  if (eof_) {  // a final line with no terminator is still a line
    chunk.shape = ChunkShape::kWholeLines;
    chunk.size = size;
    chunk.counts.bytes_read = size;
    return true;
  }
  // A full buffer without a line end: the start of a line longer than a chunk. A '\r' in the last byte
  // ends the line only if no '\n' follows, which the next read tells; keep it out of the piece.
  in_long_line_ = true;
  long_line_id_ = next_long_line_id++;
  piece_index_ = 0;
  const size_t at = data[size - 1] == '\r' ? size - 1 : size;
  const size_t keep = std::min(overlap_, at);
  emit_piece(at, false);
  chunk.counts.bytes_read = at;
  carry_size_ = size - (at - keep);
  std::memcpy(carry_.get(), data + at - keep, carry_size_);
  carry_already_counted_ = keep;
  return true;
}

}  // namespace logstream
