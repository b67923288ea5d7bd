#include "stages/core/text_escape.h"

namespace logstream {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0xf];
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t at) noexcept {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) min_second = 0xa0;  // overlong
    if (lead == 0xed) max_second = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) min_second = 0x90;  // overlong
    if (lead == 0xf4) max_second = 0x8f;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < min_second || byte(at + 1) > max_second) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
  }
  return length;
}

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x20 && c < 0x7f) {
      // Doubled only where it could be read as an escape of ours ("\x1b" in a log line, or "\\"): a
      // regex such as "\d" in a rule stays as the user typed it.
      if (c == '\\' && at + 1 < text.size() && (text[at + 1] == 'x' || text[at + 1] == '\\')) out += '\\';
      out += static_cast<char>(c);
      ++at;
      continue;
    }
    const size_t length = c >= 0x80 ? utf8_sequence_length(text, at) : 0;
    // U+0080..U+009F (C1 controls) are encoded as C2 80..C2 9F.
    const bool c1_control = length == 2 && c == 0xc2 && static_cast<unsigned char>(text[at + 1]) < 0xa0;
    if (length == 0 || c1_control) {
      append_hex_escape(out, c);
      ++at;
      continue;
    }
    out.append(text.substr(at, length));
    at += length;
  }
  return out;
}

std::string escape_field(std::string_view text) {
  if (text.empty()) return "\\x";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c > 0x20 && c < 0x7f && c != '\\')
      out += ch;
    else
      append_hex_escape(out, c);
  }
  return out;
}

std::optional<std::string> unescape_field(std::string_view field) {
  if (field == "\\x") return std::string();
  if (field.empty()) return std::nullopt;
  std::string out;
  out.reserve(field.size());
  for (size_t at = 0; at < field.size();) {
    const auto c = static_cast<unsigned char>(field[at]);
    if (c != '\\') {
      if (c <= 0x20 || c >= 0x7f) return std::nullopt;
      out += field[at++];
      continue;
    }
    if (at + 4 > field.size() || field[at + 1] != 'x') return std::nullopt;
    const int high = hex_value(field[at + 2]), low = hex_value(field[at + 3]);
    if (high < 0 || low < 0) return std::nullopt;
    const int byte = high * 16 + low;
    if (byte > 0x20 && byte < 0x7f && byte != '\\') return std::nullopt;  // escape_field writes it as is
    out += static_cast<char>(byte);
    at += 4;
  }
  return out;
}

std::string file_uri(std::string_view absolute_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (const char c : absolute_path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') ||
                       std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos;
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

}  // namespace logstream
