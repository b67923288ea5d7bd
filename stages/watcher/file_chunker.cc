#include "stages/watcher/file_chunker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    const void* lf = memrchr(data, '\n', limit);
    const void* cr = memrchr(data, '\r', limit);
    const char* last = std::max(static_cast<const char*>(lf), static_cast<const char*>(cr));
    if (!last) return 0;
    limit = static_cast<size_t>(last - data) + 1;
  }
  return 0;
}

}  // namespace

Expected<FileChunker> FileChunker::open(const FileTask& task, size_t chunk_capacity, size_t piece_overlap) {
  const int fd = ::open(task.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Error{task.path + ": cannot open: " + std::strerror(errno)};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{task.path + ": not a regular file, skipped"};
  }
  auto identity = identify_open_file(fd, task.size_limit);
  if (!identity) {
    ::close(fd);
    return Error{task.path + ": " + identity.error()};
  }
  if (task.start_offset > 0 && ::lseek(fd, static_cast<off_t>(task.start_offset), SEEK_SET) < 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return Error{task.path + ": cannot seek to offset " + std::to_string(task.start_offset) + ": " + reason};
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  FileChunker chunker;
  chunker.fd_ = fd;
  chunker.path_ = task.path;
  chunker.remaining_ = task.size_limit > task.start_offset ? task.size_limit - task.start_offset : 0;
  chunker.identity_ = identity.value();
  chunker.counted_end_ = task.start_offset;
  chunker.overlap_ = piece_overlap;
  chunker.carry_.reset(new char[chunk_capacity]);
  return chunker;
}

FileChunker::FileChunker(FileChunker&& other) noexcept { *this = std::move(other); }

FileChunker& FileChunker::operator=(FileChunker&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
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
    identity_ = other.identity_;
    counted_end_ = other.counted_end_;
  }
  return *this;
}

FileChunker::~FileChunker() {
  if (fd_ >= 0) ::close(fd_);
}

size_t FileChunker::read_into(char* out, size_t room) {
  size_t total = 0;
  while (total < room && !eof_) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(room - total, remaining_));
    if (want == 0) {
      eof_ = true;
      break;
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

  const size_t cut = end_of_last_complete_line(data, size, eof_);
  if (cut > 0) {
    chunk.shape = ChunkShape::kWholeLines;
    chunk.size = cut;
    chunk.counts.bytes_read = cut;
    keep_as_carry(cut, 0);
    return true;
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
