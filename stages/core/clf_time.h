// Apache/nginx "%t" timestamps ("10/Oct/2000:13:55:36 -0700", brackets excluded) to epoch seconds.
// Strict on purpose: a timestamp that is not exactly this shape is a reject reason, not a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace logstream {

std::optional<int64_t> parse_clf_time(std::string_view text) noexcept;

}  // namespace logstream
