// Deterministic access-log generator: the same options and seed give the same bytes on every machine.
// Used by the tests (quirky input with known shape), the demo and the throughput benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logstream::loggen {

// Each quirk, when enabled, applies to a few percent of lines.
enum class Quirk : uint32_t {
  kIpv6 = 1u << 0,            // IPv6 client addresses
  kHostnames = 1u << 1,       // host names instead of addresses
  kEscapedQuotes = 1u << 2,   // \" and \\ inside the request and user agent (httpd escaping)
  kDashSize = 1u << 3,        // "-" as the response size
  kBothTimezones = 1u << 4,   // positive and negative UTC offsets
  kCrlf = 1u << 5,            // "\r\n" line ends
  kLoneCr = 1u << 6,          // "\r" line ends
  kLongRequest = 1u << 7,     // request lines of several kilobytes
  kJunk = 1u << 8,            // lines that fit no format: garbage, TLS handshakes, half lines
  kNul = 1u << 9,             // NUL bytes inside fields
  kEmptyLines = 1u << 10,     // empty lines
  kInvalidUtf8 = 1u << 11,    // raw bytes >= 0x80 that are not UTF-8
  kExtraFields = 1u << 12,    // fields appended after the user agent
  kSpacesInUri = 1u << 13,    // unescaped spaces inside the request target
  kNoFinalNewline = 1u << 14  // the last line has no terminator
};

struct Options {
  uint64_t seed = 1;
  uint64_t max_bytes = 0;           // stop before exceeding this many bytes (0: no limit)
  uint64_t max_lines = 0;           // stop after this many lines (0: no limit)
  std::string format = "combined";  // common | combined | vhost_combined | nginx
  std::vector<std::pair<int, double>> status_mix = {{200, 80}, {304, 6}, {404, 5}, {301, 3},
                                                    {500, 3},  {302, 2}, {403, 1}};
  // When set, the weights are exact counts drawn without replacement: the first sum-of-weights lines
  // carry exactly those statuses (the seed's demo reproduces the lesson's table this way).
  bool exact_mix = false;
  uint32_t quirks = 0;
  std::string timezone = "+0000";  // the offset of lines without the both-timezones quirk
};

// Parses "ipv6,crlf" or "all" or "none" into a quirk mask; returns false on an unknown name.
bool parse_quirks(std::string_view list, uint32_t& mask, std::string& unknown);
// Parses "200:80,500:14" (weights need not add up to anything).
bool parse_status_mix(std::string_view text, std::vector<std::pair<int, double>>& mix);
// The shape of the seed's access_log.txt: combined, +0000, its status mix, 76,079 lines.
Options seed_shape();
std::vector<std::string_view> quirk_names();

class Generator {
 public:
  explicit Generator(Options options);

  // Appends the next line (with its terminator) to out; false when the limits are reached.
  bool next_line(std::string& out);

 private:
  uint64_t random() noexcept;
  uint64_t below(uint64_t n) noexcept { return random() % n; }
  bool chance(unsigned per_thousand) noexcept { return below(1000) < per_thousand; }
  bool quirk(Quirk q, unsigned per_thousand) noexcept {
    return (options_.quirks & static_cast<uint32_t>(q)) && chance(per_thousand);
  }
  void append_host(std::string& out);
  void append_time(std::string& out);
  void append_request(std::string& out);
  void append_agent(std::string& out);
  int pick_status() noexcept;
  void append_junk(std::string& out);

  Options options_;
  uint64_t state_[4];
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
  int64_t clock_ = 1432080000;  // 2015-05-20, the era of the seed's log
  std::vector<double> cumulative_weights_;
  std::vector<uint64_t> remaining_counts_;  // exact_mix only
};

}  // namespace logstream::loggen
