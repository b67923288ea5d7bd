// The reference for a damaged .gz: zlib's inflate fed one compressed byte at a time, member after member,
// keeping every byte that comes out before the first error. Shares no code with the product's reader.
#pragma once

#include <cstdint>
#include <string>

namespace logstream::test_support {

std::string gzip_bytes(const std::string& bytes);

struct DecodedPrefix {
  std::string bytes;            // everything inflate produced before the error (or the end)
  bool failed = false;          // the stream is damaged or cut
  size_t complete = 0;          // bytes up to the last line terminator in `bytes` ('\n', or a '\r')
  uint64_t complete_lines = 0;  // lines ended in bytes[0, complete): "\r\n" is one terminator
};

DecodedPrefix decode_until_error(const std::string& gz);

}  // namespace logstream::test_support
