#include "tests/support/gzip_reference.h"

#include <zlib.h>

#include <stdexcept>

namespace logstream::test_support {

std::string gzip_bytes(const std::string& bytes) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

DecodedPrefix decode_until_error(const std::string& gz) {
  DecodedPrefix result;
  z_stream z{};
  inflateInit2(&z, 16 + MAX_WBITS);
  char buffer[4096];
  bool in_member = false;
  for (size_t at = 0; at < gz.size() && !result.failed;) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + at));
    z.avail_in = 1;
    in_member = true;
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      rc = inflate(&z, Z_NO_FLUSH);
      result.bytes.append(buffer, sizeof buffer - z.avail_out);
    } while (rc == Z_OK && z.avail_out == 0);
    at += 1 - z.avail_in;
    if (rc == Z_STREAM_END) {
      inflateReset(&z);
      in_member = false;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result.failed = true;
    }
  }
  inflateEnd(&z);
  if (in_member) result.failed = true;  // cut inside a member
  const size_t last = result.bytes.find_last_of("\r\n");
  result.complete = last == std::string::npos ? 0 : last + 1;
  for (size_t i = 0; i < result.complete; ++i) {
    const char c = result.bytes[i];
    if (c == '\n' || (c == '\r' && !(i + 1 < result.bytes.size() && result.bytes[i + 1] == '\n')))
      ++result.complete_lines;
  }
  return result;
}

}  // namespace logstream::test_support
