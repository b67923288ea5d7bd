#include "stages/sinks/spark_table_printer.h"

#include <algorithm>

#include "stages/core/invariant.h"
#include "stages/sinks/spark_value_text.h"

namespace logstream {
namespace {

constexpr size_t kMinimumColumnWidth = 3;
constexpr char16_t kReplacement = 0xFFFD;

void append_code_point(std::u16string& out, char32_t cp) {
  if (cp < 0x10000) {
    out += static_cast<char16_t>(cp);
  } else {
    cp -= 0x10000;
    out += static_cast<char16_t>(0xD800 + (cp >> 10));
    out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
  }
}

bool is_continuation(unsigned char b) noexcept { return (b & 0xC0) == 0x80; }

// What `new String(bytes, UTF_8)` makes of bytes, as JDK 17's String.decodeUTF8_UTF16 does it (this is
// how Spark's UTF8String.toString reaches show()): malformed input becomes U+FFFD with the JDK's own
// choice of how many bytes each one covers — an encoded surrogate (ED A0..BF xx) is one U+FFFD, and a
// sequence cut off by the end of the text is one U+FFFD for all that is left of it.
std::u16string decode_like_java(std::string_view text) {
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  std::u16string out;
  out.reserve(n);
  size_t sp = 0;
  while (sp < n) {
    const unsigned char b1 = src[sp++];
    if (b1 < 0x80) {
      out += static_cast<char16_t>(b1);
    } else if (b1 >= 0xC2 && b1 <= 0xDF) {  // two bytes
      if (sp >= n) {
        out += kReplacement;
        break;
      }
      if (!is_continuation(src[sp])) {
        out += kReplacement;  // the second byte starts over
      } else {
        out += static_cast<char16_t>((b1 & 0x1F) << 6 | (src[sp] & 0x3F));
        ++sp;
      }
    } else if (b1 >= 0xE0 && b1 <= 0xEF) {  // three bytes
      const auto bad_second = [b1](unsigned char b2) {
        return (b1 == 0xE0 && (b2 & 0xE0) == 0x80) || !is_continuation(b2);
      };
      if (sp + 1 < n) {
        const unsigned char b2 = src[sp], b3 = src[sp + 1];
        if (bad_second(b2) || !is_continuation(b3)) {
          out += kReplacement;
          sp += bad_second(b2) ? 0 : 1;  // covers the lead byte, and the second when it was fine
        } else {
          const auto c = static_cast<char16_t>((b1 & 0x0F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F));
          out += c >= 0xD800 && c <= 0xDFFF ? kReplacement : c;  // an encoded surrogate: one U+FFFD
          sp += 2;
        }
        continue;
      }
      out += kReplacement;
      if (sp < n && bad_second(src[sp])) continue;
      break;                                // a cut-off sequence at the end: one U+FFFD for the rest
    } else if (b1 >= 0xF0 && b1 <= 0xF7) {  // four bytes
      const auto bad_second = [b1](unsigned char b2) {
        return b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0) != 0x80) ||
               !is_continuation(b2);
      };
      if (sp + 2 < n) {
        const unsigned char b2 = src[sp], b3 = src[sp + 1], b4 = src[sp + 2];
        const char32_t cp = char32_t{b1 & 0x07u} << 18 | char32_t{b2 & 0x3Fu} << 12 |
                            char32_t{b3 & 0x3Fu} << 6 | char32_t{b4 & 0x3Fu};
        if (!is_continuation(b2) || !is_continuation(b3) || !is_continuation(b4) || cp < 0x10000 ||
            cp > 0x10FFFF) {
          out += kReplacement;
          sp += bad_second(b2) ? 0 : !is_continuation(b3) ? 1 : 2;
        } else {
          append_code_point(out, cp);
          sp += 3;
        }
        continue;
      }
      out += kReplacement;
      if (b1 > 0xF4 || (sp < n && bad_second(src[sp]))) continue;
      ++sp;
      if (sp < n && !is_continuation(src[sp])) continue;
      break;
    } else {
      out += kReplacement;
    }
  }
  return out;
}

// SchemaUtils.escapeMetaCharacters, which showString applies to every header and cell, and (ours) \xHH
// for the control characters it leaves raw.
std::u16string escape_meta_characters(const std::u16string& s) {
  std::u16string out;
  out.reserve(s.size());
  for (const char16_t c : s) {
    char16_t letter = 0;
    switch (c) {
      case u'\n':
        letter = u'n';
        break;
      case u'\r':
        letter = u'r';
        break;
      case u'\t':
        letter = u't';
        break;
      case u'\f':
        letter = u'f';
        break;
      case u'\b':
        letter = u'b';
        break;
      case 0x0B:
        letter = u'v';
        break;
      case 0x07:
        letter = u'a';
        break;
      default:
        // Beyond Spark: every other C0 control, DEL and the C1 controls would reach the terminal raw
        // (ESC starts an escape sequence), and cells hold untrusted log text: they become \xHH, the
        // UTF-8 bytes as every other diagnostic of ours writes them.
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
          static constexpr char16_t kHex[] = u"0123456789abcdef";
          if (c >= 0x80) out += u"\\xc2";
          out += u"\\x";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
          continue;
        }
        out += c;
        continue;
    }
    out += u'\\';
    out += letter;
  }
  return out;
}

// Utils.fullWidthRegex: the BMP ranges Spark counts as two columns wide.
bool is_full_width(char16_t c) noexcept {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6F) ||
         (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6);
}

// Utils.stringHalfWidth: String.length plus one per full-width character.
size_t half_width(const std::u16string& s) noexcept {
  return s.size() + static_cast<size_t>(std::count_if(s.begin(), s.end(), is_full_width));
}

// What the JVM's UTF-8 encoder writes for a string: an unpaired surrogate (a pair cut by truncation)
// becomes '?'.
std::string encode_like_java(const std::u16string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      out += '?';
      continue;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

struct Cell {
  std::string text;  // UTF-8, as printed
  size_t width;      // half widths
};

// getRows: escape, then cut at `truncate` UTF-16 units (headers are passed truncate = 0).
Cell make_cell(std::string_view utf8, int truncate) {
  std::u16string s = escape_meta_characters(decode_like_java(utf8));
  if (truncate > 0 && s.size() > static_cast<size_t>(truncate)) {
    if (truncate < 4) {
      s.resize(static_cast<size_t>(truncate));  // too short for an ellipsis
    } else {
      s.resize(static_cast<size_t>(truncate - 3));
      s += u"...";
    }
  }
  return Cell{encode_like_java(s), half_width(s)};
}

void append_border(std::string& out, const std::vector<size_t>& widths) {
  out += '+';
  for (const size_t w : widths) {
    out.append(w, '-');
    out += '+';
  }
  out += '\n';
}

void append_row(std::string& out, const std::vector<Cell>& cells, const std::vector<size_t>& widths,
                bool right_aligned) {
  out += '|';
  for (size_t i = 0; i < widths.size(); ++i) {
    const size_t pad = widths[i] - cells[i].width;
    if (right_aligned) out.append(pad, ' ');
    out += cells[i].text;
    if (!right_aligned) out.append(pad, ' ');
    out += '|';
  }
  out += '\n';
}

// showString over the header and the rows to print; `total_rows` decides the "only showing" line.
std::string layout(const std::vector<std::string>& header, std::span<const std::vector<std::string>> shown,
                   size_t total_rows, const ShowOptions& options) {
  std::vector<Cell> header_cells;
  header_cells.reserve(header.size());
  for (const std::string& name : header) header_cells.push_back(make_cell(name, 0));
  std::vector<std::vector<Cell>> rows;
  rows.reserve(shown.size());
  for (const auto& row : shown) {
    if (row.size() != header.size()) {
      fail_invariant("result row with " + std::to_string(row.size()) + " cells for " +
                     std::to_string(header.size()) + " columns");
    }
    std::vector<Cell> cells;
    cells.reserve(row.size());
    for (const std::string& cell : row) cells.push_back(make_cell(cell, options.truncate));
    rows.push_back(std::move(cells));
  }

  std::vector<size_t> widths(header.size(), kMinimumColumnWidth);
  for (size_t c = 0; c < header.size(); ++c) widths[c] = std::max(widths[c], header_cells[c].width);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].width);
  }

  const bool right_aligned = options.truncate > 0;
  std::string out;
  append_border(out, widths);
  append_row(out, header_cells, widths, right_aligned);
  append_border(out, widths);
  for (const auto& row : rows) append_row(out, row, widths, right_aligned);
  append_border(out, widths);
  if (total_rows > options.num_rows) {
    out += "only showing top " + std::to_string(options.num_rows) +
           (options.num_rows == 1 ? " row\n" : " rows\n");
  }
  return out;
}

std::string banner(uint64_t batch_id) {
  static const std::string kRule(43, '-');
  return kRule + "\nBatch: " + std::to_string(batch_id) + "\n" + kRule + "\n";
}

}  // namespace

std::string render_spark_show(const TextTable& table, const ShowOptions& options) {
  const size_t shown = std::min(options.num_rows, table.rows.size());
  return layout(table.header, std::span(table.rows).first(shown), table.rows.size(), options);
}

std::string render_spark_show(const Schema& schema, std::span<const std::vector<Value>> rows,
                              const TimeZone& zone, const ShowOptions& options) {
  std::vector<std::string> header;
  header.reserve(schema.size());
  for (const Column& column : schema) header.push_back(column.name);
  const size_t shown = std::min(options.num_rows, rows.size());
  std::vector<std::vector<std::string>> cells;
  cells.reserve(shown);
  for (size_t r = 0; r < shown; ++r) {
    std::vector<std::string> row;
    row.reserve(rows[r].size());
    for (const Value& value : rows[r]) row.push_back(format_value(value, zone));
    cells.push_back(std::move(row));
  }
  return layout(header, cells, rows.size(), options);
}

std::string render_spark_console_batch(uint64_t batch_id, const TextTable& table,
                                       const ShowOptions& options) {
  return banner(batch_id) + render_spark_show(table, options) + "\n";
}

std::string render_spark_console_batch(uint64_t batch_id, const Schema& schema,
                                       std::span<const std::vector<Value>> rows, const TimeZone& zone,
                                       const ShowOptions& options) {
  return banner(batch_id) + render_spark_show(schema, rows, zone, options) + "\n";
}

size_t spark_display_width(std::string_view text) { return make_cell(text, 0).width; }

}  // namespace logstream
