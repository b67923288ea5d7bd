// Apache/nginx "%t" timestamps ("10/Oct/2000:13:55:36 -0700", brackets excluded) to epoch seconds.
// Strict on purpose: a timestamp that is not exactly this shape is a reject reason, not a guess.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace logstream {

std::optional<int64_t> parse_clf_time(std::string_view text) noexcept;

// Consecutive log lines nearly always share their minute and offset: this remembers the last fully
// validated "dd/Mon/yyyy:HH:MM" and "+hhmm" so that a repeat only has its seconds checked. One per thread.
class ClfTimeCache {
 public:
  // Inlined into the tokenizers (a call per line showed as a tenth of the status count's parse); a new
  // minute goes out of line.
  [[gnu::always_inline]] std::optional<int64_t> parse(std::string_view text) noexcept {
    if (text.size() == 26 && valid_ && same_minute_and_offset(text.data())) {
      const unsigned tens = static_cast<unsigned char>(text[18]) - '0';
      const unsigned ones = static_cast<unsigned char>(text[19]) - '0';
      if (text[17] == ':' && tens <= 9 && ones <= 9 && tens * 10 + ones <= 60) {
        return minute_epoch_ + tens * 10 + ones;
      }
      return std::nullopt;
    }
    return parse_new_minute(text);
  }

 private:
  std::optional<int64_t> parse_new_minute(std::string_view text) noexcept;
  // text[0, 17) and text[20, 26) against the remembered ones, as five loads and one branch (memcmp was a
  // call and a mispredicted branch or two a line).
  [[gnu::always_inline]] bool same_minute_and_offset(const char* text) const noexcept {
    return ((load<uint64_t>(text) ^ load<uint64_t>(minute_)) |
            (load<uint64_t>(text + 8) ^ load<uint64_t>(minute_ + 8)) |
            static_cast<uint64_t>(text[16] ^ minute_[16]) |
            (load<uint32_t>(text + 20) ^ load<uint32_t>(offset_)) |
            (load<uint16_t>(text + 24) ^ load<uint16_t>(offset_ + 4))) == 0;
  }
  template <typename Word>
  static Word load(const char* p) noexcept {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }

  bool valid_ = false;
  char minute_[17] = {};
  char offset_[6] = {};
  int64_t minute_epoch_ = 0;
};

}  // namespace logstream
