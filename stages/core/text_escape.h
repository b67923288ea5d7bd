// Text from untrusted places (log lines, file names) on its way to a terminal or into one of our own
// line-based files. Two escapers, one for each destination, and the inverse of the file one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logstream {

// For a terminal: valid UTF-8 stays as it is, except control characters (C0, DEL and C1), which could
// move the cursor or start an escape sequence; those and invalid UTF-8 bytes become "\xHH", and a '\' that
// could be read as the start of such an escape (before 'x' or another '\') becomes "\\".
std::string escape_for_terminal(std::string_view text);

// For one whitespace-separated field of a line-based file: printable ASCII other than ' ' and '\'
// stays; every other byte becomes "\xHH". The result is never empty ("\x" alone stands for "").
std::string escape_field(std::string_view text);

// Length of the valid multi-byte UTF-8 sequence starting at text[at] (at < text.size(); shortest form, no
// surrogates, at most U+10FFFF), or 0 when it is not one (also for an ASCII byte).
size_t utf8_sequence_length(std::string_view text, size_t at) noexcept;

// The inverse of escape_field; nullopt when `field` is not something escape_field could have written.
std::optional<std::string> unescape_field(std::string_view field);

// An absolute path as the file:// URI Spark's input_file_name() gives ("file:///logs/a%20b.log"): bytes
// outside RFC 3986's unreserved and sub-delimiter characters (and '/', ':', '@') percent-encoded.
std::string file_uri(std::string_view absolute_path);

}  // namespace logstream
