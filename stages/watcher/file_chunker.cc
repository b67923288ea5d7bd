#include "stages/watcher/file_chunker.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "stages/core/line_terminators.h"
#include "stages/watcher/directory_listing.h"

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

// A .gz decoded with zlib's inflate itself rather than gzread: gzread returns -1 for a call that meets
// damage and drops what that call had decoded, while inflate says exactly which bytes came out before
// it, and where in the file it stopped. Reads every member of a multi-member file (cat a.gz b.gz).
class GzipInput {
 public:
  GzipInput(int fd, std::shared_ptr<std::atomic<uint64_t>> consumed)
      : fd_(fd), consumed_(std::move(consumed)), in_(new unsigned char[kInputBytes]) {}
  GzipInput(const GzipInput&) = delete;
  GzipInput& operator=(const GzipInput&) = delete;
  ~GzipInput() {
    if (inflating_) inflateEnd(&z_);
    ::close(fd_);
  }

  bool start() {
    z_.next_in = in_.get();
    inflating_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;  // 16: a gzip header and trailer
    if (!inflating_) fail_at(0, "cannot start decompressing (out of memory)");
    return inflating_;
  }

  // Decodes up to `room` bytes into `out`; fewer only once finished().
  size_t read(char* out, size_t room) {
    size_t produced = 0;
    while (produced < room && !finished_) {
      if (between_members_) {
        if (z_.avail_in < 2 && !fill_input(2)) break;
        if (z_.avail_in == 0) {  // the end of the file, after a whole member (or an empty file)
          finished_ = true;
          break;
        }
        if (z_.avail_in < 2 || z_.next_in[0] != 0x1f || z_.next_in[1] != 0x8b) {
          fail_at(position(), any_member_ ? "what follows is not gzip data (ignored)" : "not in gzip format");
          break;
        }
        if (inflateReset(&z_) != Z_OK) {
          fail_at(position(), "cannot restart the decompressor");
          break;
        }
        between_members_ = false;
        any_member_ = true;
      }
      if (z_.avail_in == 0 && !fill_input(1)) break;
      const auto out_room = static_cast<uInt>(std::min<size_t>(room - produced, 1u << 30));
      z_.next_out = reinterpret_cast<Bytef*>(out + produced);
      z_.avail_out = out_room;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      produced += out_room - z_.avail_out;  // also on an error: these bytes were decoded before it
      if (rc == Z_STREAM_END) {
        between_members_ = true;
      } else if (rc == Z_BUF_ERROR && z_.avail_in == 0 && input_eof_) {
        fail_at(position(), "the file ends inside its gzip stream (cut short)");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail_at(position(), z_.msg ? z_.msg : zError(rc));
      }
    }
    return produced;
  }

  bool finished() const noexcept { return finished_; }
  // Empty after a clean end; otherwise where and why decoding stopped.
  const std::string& error() const noexcept { return error_; }

 private:
  static constexpr size_t kInputBytes = 256 * 1024;

  // File offset of the next byte inflate has not consumed.
  uint64_t position() const noexcept { return in_offset_ + static_cast<uint64_t>(z_.next_in - in_.get()); }

  void fail_at(uint64_t offset, const std::string& reason) {
    error_ = "decompression failed at compressed byte " + std::to_string(offset) + ": " + reason;
    finished_ = true;
  }

  // Moves the unconsumed input to the front and reads until at least `wanted` bytes are there or the file
  // ends. false on a read error (then finished) or when the file ended with nothing left to decode.
  bool fill_input(size_t wanted) {
    if (z_.avail_in > 0 && z_.next_in != in_.get()) std::memmove(in_.get(), z_.next_in, z_.avail_in);
    in_offset_ += static_cast<uint64_t>(z_.next_in - in_.get());
    z_.next_in = in_.get();
    while (z_.avail_in < wanted && !input_eof_) {
      const ssize_t n = ::read(fd_, in_.get() + z_.avail_in, kInputBytes - z_.avail_in);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fail_at(position() + z_.avail_in, std::string("read failed: ") + std::strerror(errno));
        return false;
      }
      if (n == 0) {
        input_eof_ = true;
        break;
      }
      z_.avail_in += static_cast<uInt>(n);
      if (consumed_) consumed_->fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    }
    if (z_.avail_in > 0) return true;
    if (!between_members_) fail_at(position(), "the file ends inside its gzip stream (cut short)");
    finished_ = true;
    return false;
  }

  int fd_;
  std::shared_ptr<std::atomic<uint64_t>> consumed_;
  std::unique_ptr<unsigned char[]> in_;
  z_stream z_{};
  bool inflating_ = false;
  uint64_t in_offset_ = 0;  // file offset of in_[0]
  bool input_eof_ = false;
  bool between_members_ = true;  // before the first member, too
  bool any_member_ = false;
  bool finished_ = false;
  std::string error_;
};

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

FileTask standard_input_task() {
  FileTask task;
  task.path = "-";
  task.descriptor = STDIN_FILENO;
  return task;
}

FileChunker FileChunker::reading(int fd, const FileTask& task, size_t chunk_capacity, size_t piece_overlap) {
  FileChunker chunker;
  chunker.fd_ = fd;
  chunker.path_ = task.path;
  chunker.overlap_ = piece_overlap;
  chunker.count_unfinished_tail_ = task.count_unfinished_tail;
  chunker.bytes_consumed_ = task.bytes_consumed;
  chunker.carry_.reset(new char[chunk_capacity]);
  return chunker;
}

Expected<FileChunker> FileChunker::open(const FileTask& task, size_t chunk_capacity, size_t piece_overlap) {
  if (task.descriptor >= 0) {
    // Our own descriptor, so that closing it leaves the caller's alone.
    const int fd = ::fcntl(task.descriptor, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return Error{task.path + ": cannot read: " + std::strerror(errno)};
    FileChunker chunker = reading(fd, task, chunk_capacity, piece_overlap);
    chunker.remaining_ = task.size_limit;
    return chunker;
  }
  const int fd = ::open(task.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Error{task.path + ": cannot open: " + std::strerror(errno)};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{task.path + ": not a regular file, skipped"};
  }
  FileChunker chunker = reading(fd, task, chunk_capacity, piece_overlap);
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
  chunker.modified_ns_ = modification_ns(st);
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
  if (start == 0 && task.possible_originals) {
    const uint64_t available = std::min<uint64_t>(task.size_limit, static_cast<uint64_t>(st.st_size));
    chunker.match_possible_originals(task, read_file_prefix(fd, available), available, start);
  }
  if (chunker.deferred_) {
    chunker.eof_ = true;
    chunker.remaining_ = 0;
    return chunker;
  }
  if (start > 0 && ::lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0)
    return Error{task.path + ": cannot seek to offset " + std::to_string(start) + ": " +
                 std::strerror(errno)};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  chunker.remaining_ = task.size_limit > start ? task.size_limit - start : 0;
  chunker.counted_end_ = start;
  return chunker;
}

// Is this file the copy of a possible original (a plain copy, or a .gz: `head` is then decompressed)?
// Every original whose fingerprint the head matches holds the same bytes, so the one counted furthest
// says how much is counted already. `available`: how many bytes the file has (UINT64_MAX: not known).
void FileChunker::match_possible_originals(const FileTask& task, std::string_view head, uint64_t available,
                                           uint64_t& start) {
  const PossibleOriginal* best = nullptr;
  bool moving = false;
  // Fingerprints mostly cover the same kFingerprintBytes: the head's hash is taken once per length.
  std::map<uint32_t, uint64_t> head_hashes;
  for (const PossibleOriginal& original : *task.possible_originals) {
    const FileIdentity& identity = original.counted.identity;
    if (identity.device == identity_.device && identity.inode == identity_.inode) continue;  // itself
    if (identity.fingerprint_length == 0 || identity.fingerprint_length > head.size()) continue;
    // (A .gz's decompressed size is not known here; only a rotation writes one, which is evidence enough.)
    if (original.required_copy_size != UINT64_MAX && available != UINT64_MAX &&
        original.required_copy_size != available)
      continue;
    auto [hash, unseen] = head_hashes.try_emplace(identity.fingerprint_length);
    if (unseen) hash->second = fnv1a64(head.substr(0, identity.fingerprint_length));
    if (hash->second != identity.fingerprint) continue;
    moving = moving || original.read_in_this_batch;
    if (!best || original.counted.offset > best->counted.offset) best = &original;
  }
  if (!best) return;
  // Its original's offset may still move in this batch, or it does not hold the counted part yet (a copy
  // still being written): judged again on a later trigger, never counted from 0 meanwhile.
  if (moving || available < best->counted.offset) {
    deferred_ = true;
    return;
  }
  start = best->counted.offset;
  note_ = task.path + (task.decompress ? ": the compressed copy of " : ": a copy of ") + best->counted.path +
          ", whose first " + std::to_string(start) + " bytes are already counted: counting only the rest";
}

// Hands the descriptor to the decompressor. Offsets of a compressed file count decompressed bytes.
std::optional<std::string> FileChunker::open_decompressed(const FileTask& task) {
  gz_ = std::make_unique<GzipInput>(std::exchange(fd_, -1), bytes_consumed_);
  if (!gz_->start()) return gz_->error();
  remaining_ = UINT64_MAX;
  if (!task.possible_originals) return std::nullopt;
  // Is this the compressed copy of a file counted before? Compare its decompressed start. What is
  // decoded for that is handed out first (or skipped, when counted already); damage in it is reported
  // by the first read, like damage anywhere else.
  lookahead_.resize(kFingerprintBytes);
  lookahead_.resize(gz_->read(lookahead_.data(), lookahead_.size()));
  uint64_t start = 0;
  match_possible_originals(task, lookahead_, UINT64_MAX, start);
  if (deferred_) {
    eof_ = true;
    return std::nullopt;
  }
  lookahead_used_ = static_cast<size_t>(std::min<uint64_t>(start, lookahead_.size()));
  discard_ = start - lookahead_used_;
  counted_end_ = start;
  return std::nullopt;
}

FileChunker::FileChunker(FileChunker&& other) noexcept { *this = std::move(other); }

FileChunker& FileChunker::operator=(FileChunker&& other) noexcept {
  if (this != &other) {
    close_input();
    fd_ = std::exchange(other.fd_, -1);
    gz_ = std::move(other.gz_);
    lookahead_ = std::move(other.lookahead_);
    lookahead_used_ = other.lookahead_used_;
    discard_ = other.discard_;
    bytes_consumed_ = std::move(other.bytes_consumed_);
    path_ = std::move(other.path_);
    remaining_ = other.remaining_;
    eof_ = other.eof_;
    damaged_ = other.damaged_;
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
    deferred_ = other.deferred_;
    identity_ = other.identity_;
    modified_ns_ = other.modified_ns_;
    counted_end_ = other.counted_end_;
  }
  return *this;
}

FileChunker::~FileChunker() { close_input(); }

void FileChunker::close_input() {
  gz_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void FileChunker::consumed(uint64_t bytes) const {
  if (bytes_consumed_) bytes_consumed_->fetch_add(bytes, std::memory_order_relaxed);
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
      if (lookahead_used_ < lookahead_.size()) {
        const size_t n = std::min(want, lookahead_.size() - lookahead_used_);
        std::memcpy(out + total, lookahead_.data() + lookahead_used_, n);
        lookahead_used_ += n;
        total += n;
        continue;
      }
      if (discard_ > 0) {  // decoded into the free part of `out`, then dropped
        discard_ -= gz_->read(out + total, static_cast<size_t>(std::min<uint64_t>(want, discard_)));
      } else {
        total += gz_->read(out + total, want);
      }
      if (gz_->finished()) {
        eof_ = true;
        if (!gz_->error().empty()) {
          // What was decoded before the damage stands; a line it cut short is not a line.
          read_error_ = path_ + ": " + gz_->error() + "; the lines decoded before it are counted";
          damaged_ = true;
        }
      }
      continue;
    }
    const ssize_t n = ::read(fd_, out + total, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Standard input left non-blocking by whoever opened it: wait for it, as a blocking read would.
        struct pollfd readable = {fd_, POLLIN, 0};
        ::poll(&readable, 1, -1);
        continue;
      }
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
    consumed(static_cast<uint64_t>(n));
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
  if (size == 0) {
    if (!in_long_line_) return false;
    // The input ended right after a piece of a long line (no overlap carried): an empty last piece closes
    // that line, which is the file's last.
    emit_piece(0, true);
    chunk.counts.bytes_read = 0;
    in_long_line_ = false;
    return true;
  }

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
    // The file ends inside the long line: that is its last line (also when damage cut it, its earlier
    // pieces being counted already).
    if (eof_ && at >= size) {
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
  const size_t cut = end_of_last_complete_line(data, size, eof_ && (count_unfinished_tail_ || damaged_));
  if (cut > 0) {
    chunk.shape = ChunkShape::kWholeLines;
    chunk.size = cut;
    chunk.counts.bytes_read = cut;
    keep_as_carry(cut, 0);
    return true;
  }
  // --follow: the line may still be being written; after damage: the rest of it is lost.
  if (eof_ && (!count_unfinished_tail_ || damaged_)) {
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
