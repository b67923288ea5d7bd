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
  std::optional<int64_t> parse(std::string_view text) noexcept {
    if (text.size() == 26 && valid_ && std::memcmp(text.data(), minute_, 17) == 0 &&
        std::memcmp(text.data() + 20, offset_, 6) == 0) {
      const unsigned tens = static_cast<unsigned char>(text[18]) - '0';
      const unsigned ones = static_cast<unsigned char>(text[19]) - '0';
      if (text[17] == ':' && tens <= 9 && ones <= 9 && tens * 10 + ones <= 60) {
        return minute_epoch_ + tens * 10 + ones;
      }
      return std::nullopt;
    }
    const auto epoch = parse_clf_time(text);
    valid_ = epoch.has_value();
    if (valid_) {
      std::memcpy(minute_, text.data(), 17);
      std::memcpy(offset_, text.data() + 20, 6);
      minute_epoch_ = *epoch - ((text[18] - '0') * 10 + (text[19] - '0'));
    }
    return epoch;
  }

 private:
  bool valid_ = false;
  char minute_[17] = {};
  char offset_[6] = {};
  int64_t minute_epoch_ = 0;
};

}  // namespace logstream
