// Little-endian writing and bounds-checked reading of aggregate states (checkpoints, scale-out), the
// same on every host; a Reader never reads past its input and says so instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace logstream::state_codec {

inline void put_u8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

inline void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

inline uint64_t bits_of(double v) noexcept {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

inline double double_of(uint64_t bits) noexcept {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

class Reader {
 public:
  explicit Reader(std::string_view in) noexcept : in_(in) {}

  bool u8(uint8_t& v) noexcept {
    if (left() < 1) return false;
    v = static_cast<unsigned char>(in_[pos_++]);
    return true;
  }
  bool u32(uint32_t& v) noexcept { return little_endian(v, 4); }
  bool u64(uint64_t& v) noexcept { return little_endian(v, 8); }
  bool bytes(size_t n, std::string_view& v) noexcept {
    if (left() < n) return false;
    v = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t left() const noexcept { return in_.size() - pos_; }
  std::string_view rest() const noexcept { return in_.substr(pos_); }

 private:
  template <typename T>
  bool little_endian(T& v, size_t n) noexcept {
    if (left() < n) return false;
    v = 0;
    for (size_t i = n; i-- > 0;) v = static_cast<T>((v << 8) | static_cast<unsigned char>(in_[pos_ + i]));
    pos_ += n;
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace logstream::state_codec
