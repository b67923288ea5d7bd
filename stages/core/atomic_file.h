// Replacing a whole file so that a reader (a restart, a metrics scraper) sees the old content or the new,
// never a mix: written beside it as PATH.tmp, then renamed over it.
#pragma once

#include <string>
#include <string_view>

#include "stages/core/expected.h"

namespace logstream {

// durable: the new content is fsynced before the rename and the directory after it, so that it also
// survives a power loss. On error the old file is untouched, PATH.tmp removed, and the message names
// the file and the reason.
Expected<bool> replace_file_atomically(const std::string& path, std::string_view text, bool durable);

// Writes all of `bytes` to `fd`, again after a short write or EINTR; false (errno set) on an error.
bool write_all(int fd, std::string_view bytes);

}  // namespace logstream
