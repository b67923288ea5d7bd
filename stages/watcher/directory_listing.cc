#include "stages/watcher/directory_listing.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace logstream {

std::string canonical_file_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  char* resolved = ::realpath(directory.c_str(), nullptr);
  if (!resolved) return path;
  std::string result = resolved;
  std::free(resolved);
  if (result != "/") result += '/';
  return result + name;
}

std::optional<int64_t> modification_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return modification_ns(st);
}

bool is_hidden_name(const std::string& name) noexcept {
  return name.empty() || name[0] == '.' || name[0] == '_';
}

Expected<std::vector<ListedFile>> list_visible_files(
    const std::string& directory, const std::function<void(const std::string&)>& on_special,
    const std::function<void(const std::string& path, const std::string& reason)>& on_broken_link) {
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) return Error{directory + ": cannot list: " + std::strerror(errno)};
  std::vector<ListedFile> files;
  while (const struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (is_hidden_name(name)) continue;
    std::string path = directory + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      const int stat_errno = errno;
      struct stat link {};
      if (on_broken_link && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
        on_broken_link(path, std::strerror(stat_errno));
      continue;  // otherwise: gone since readdir
    }
    if (!S_ISREG(st.st_mode)) {
      if (!S_ISDIR(st.st_mode)) on_special(path);
      continue;
    }
    files.push_back({std::move(name), std::move(path), static_cast<uint64_t>(st.st_size), modification_ns(st),
                     st.st_dev, st.st_ino});
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end(), [](const ListedFile& a, const ListedFile& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.name < b.name;
  });
  return files;
}

}  // namespace logstream
