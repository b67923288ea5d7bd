// Line splitting with the text source's rules: a line ends at "\n", "\r\n" or a lone "\r", the terminator is
// not part of the value, and a final segment without a terminator is still a line.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace logstream {

// Pointer to the first '\r' or '\n' in [begin, end), or end. Two memchr calls beat a byte loop: lines are
// long and '\r' is rare, so the second call usually scans a short range.
inline const char* find_line_terminator(const char* begin, const char* end) noexcept {
  const void* lf = std::memchr(begin, '\n', static_cast<size_t>(end - begin));
  const char* limit = lf ? static_cast<const char*>(lf) : end;
  const void* cr = std::memchr(begin, '\r', static_cast<size_t>(limit - begin));
  return cr ? static_cast<const char*>(cr) : limit;
}

// Given a pointer at a terminator, returns the first byte after it ("\r\n" counts as one).
inline const char* skip_line_terminator(const char* at, const char* end) noexcept {
  if (*at == '\r' && at + 1 < end && at[1] == '\n') return at + 2;
  return at + 1;
}

// Pointer to the first '\n' in [begin, end), or end: the line end in a buffer known to hold no '\r'.
inline const char* find_line_feed(const char* begin, const char* end) noexcept {
  const void* lf = std::memchr(begin, '\n', static_cast<size_t>(end - begin));
  return lf ? static_cast<const char*>(lf) : end;
}

// Calls visit(std::string_view line) for every line in [begin, end) and returns how many there were.
// Most logs hold no '\r' at all: one memchr over the buffer finds that out, and then one memchr per
// line finds its end instead of two.
template <typename Visitor>
size_t for_each_line(const char* begin, const char* end, Visitor&& visit) {
  if (begin == end) return 0;  // also keeps a null `begin` away from memchr
  const bool has_cr = std::memchr(begin, '\r', static_cast<size_t>(end - begin)) != nullptr;
  size_t lines = 0;
  const char* p = begin;
  while (p < end) {
    const char* stop = has_cr ? find_line_terminator(p, end) : find_line_feed(p, end);
    visit(std::string_view(p, static_cast<size_t>(stop - p)));
    ++lines;
    if (stop == end) break;
    p = skip_line_terminator(stop, end);
  }
  return lines;
}

// Number of lines in [begin, end) under the same rules, without visiting them.
inline size_t count_lines(const char* begin, const char* end) noexcept {
  return for_each_line(begin, end, [](std::string_view) {});
}

}  // namespace logstream
