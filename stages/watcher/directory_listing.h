// One listing rule for every place that reads a directory of logs (watch and run): regular files whose
// names do not start with '_' or '.', oldest modification time first (ties by name).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stages/core/expected.h"

namespace logstream {

struct ListedFile {
  std::string name;
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t device = 0;
  uint64_t inode = 0;
};

bool is_hidden_name(const std::string& name) noexcept;

// A file's modification time in ns since the epoch (the unit of ListedFile::mtime_ns): from a stat, or
// from `path` as it is now (nullopt when it cannot be stat'ed).
inline int64_t modification_ns(const struct stat& st) noexcept {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}
std::optional<int64_t> modification_ns(const std::string& path);

// `path` with its directory part made absolute and free of symlinks (the file itself is not resolved), so
// that "logs/a.log" and "./logs/a.log" name the same file in a checkpoint. `path` unchanged when the
// directory cannot be resolved.
std::string canonical_file_path(const std::string& path);

// The visible regular files of `directory`, oldest first. `on_special` gets the path of every entry that is
// neither a regular file nor a directory (a FIFO, socket or device: never opened, as reading could block).
// `on_broken_link`, when given, gets the path of every symlink whose target cannot be found, and why.
// Entries that vanish between the listing and their stat are skipped.
Expected<std::vector<ListedFile>> list_visible_files(
    const std::string& directory, const std::function<void(const std::string&)>& on_special,
    const std::function<void(const std::string& path, const std::string& reason)>& on_broken_link = nullptr);

}  // namespace logstream
