#include "stages/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace logstream {

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Expected<bool> replace_file_atomically(const std::string& path, std::string_view text, bool durable) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Error{temp + ": cannot create: " + std::strerror(errno)};
  const bool written = write_all(fd, text) && (!durable || ::fsync(fd) == 0);
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    const std::string reason = std::strerror(written ? errno : write_errno);
    ::unlink(temp.c_str());
    return Error{temp + ": cannot write: " + reason};
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    return Error{path + ": cannot replace: " + reason};
  }
  if (!durable) return true;
  // The rename is durable only once the directory entry is on disk.
  const size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const std::string reason = std::strerror(errno);
    if (dir_fd >= 0) ::close(dir_fd);
    return Error{directory + ": cannot sync the directory: " + reason};
  }
  ::close(dir_fd);
  return true;
}

}  // namespace logstream
