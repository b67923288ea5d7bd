// Text from untrusted places (log lines, file names) on its way to a terminal or into one of our own
// line-based files. Two escapers, one for each destination, and the inverse of the file one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logstream {

// For a terminal: valid UTF-8 stays as it is, except control characters (C0, DEL and C1), which could
// move the cursor or start an escape sequence; those, invalid UTF-8 bytes and '\' become "\xHH" or "\\".
std::string escape_for_terminal(std::string_view text);

// For one whitespace-separated field of a line-based file: printable ASCII other than ' ' and '\'
// stays; every other byte becomes "\xHH". The result is never empty ("\x" alone stands for "").
std::string escape_field(std::string_view text);

// The inverse of escape_field; nullopt when `field` is not something escape_field could have written.
std::optional<std::string> unescape_field(std::string_view field);

}  // namespace logstream
