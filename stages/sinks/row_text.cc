#include "stages/sinks/row_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stages/core/java_double.h"
#include "stages/sinks/spark_value_text.h"

namespace logstream {
namespace {

int64_t floor_div(int64_t a, int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void append_padded(std::string& out, int64_t n, int width) {
  std::string digits = std::to_string(n);
  if (static_cast<int>(digits.size()) < width) out.append(static_cast<size_t>(width) - digits.size(), '0');
  out += digits;
}

// What a value is in a row of text (CSV), null excluded.
std::string plain_text(const Value& value, const TimeZone& zone) {
  switch (value.type) {
    case DataType::kString:
      return value.text;
    case DataType::kDouble:
      return java_double_to_string(value.real);
    case DataType::kTimestamp:
      return format_iso_timestamp(value.integer, zone);
    case DataType::kBoolean:
      return value.integer ? "true" : "false";
    case DataType::kWindow:  // CSV's two flattened fields
      return format_iso_timestamp(value.integer, zone) + "," + format_iso_timestamp(value.end, zone);
    default:
      return std::to_string(value.integer);
  }
}

// RFC 4180: quoted when it holds a comma, a quote or a line break, or is empty (an empty string is not a
// null, which is an empty field).
void append_csv_field(std::string_view text, std::string& out) {
  if (!text.empty() && text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(std::string_view text) {
  std::string out;
  append_csv_field(text, out);
  return out;
}

template <typename Integer>
void append_integer(Integer n, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// nlohmann's escaping, for the strings that need it: printable ASCII without '"' and '\\' is its own JSON
// text, and most of a log's strings are that.
void append_json_string(std::string_view text, std::string& out) {
  const bool plain = std::all_of(text.begin(), text.end(),
                                 [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) {
    out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

}  // namespace

std::string format_iso_timestamp(int64_t micros, const TimeZone& zone) {
  // "yyyy-MM-dd HH:mm:ss[.f]" from the console form, then the fixed three-digit fraction and the offset.
  const int64_t seconds = floor_div(micros, 1'000'000);
  const int64_t millis = (micros - seconds * 1'000'000) / 1000;
  std::string out = format_timestamp(seconds * 1'000'000, zone);
  const size_t space = out.find(' ');
  if (space != std::string::npos) out[space] = 'T';
  out += '.';
  append_padded(out, millis, 3);
  const int32_t offset = zone.offset_at(seconds);
  if (offset == 0) {
    out += 'Z';
  } else {
    out += offset < 0 ? '-' : '+';
    const int32_t magnitude = offset < 0 ? -offset : offset;
    append_padded(out, magnitude / 3600, 2);
    out += ':';
    append_padded(out, magnitude / 60 % 60, 2);
    if (magnitude % 60 != 0) {
      out += ':';
      append_padded(out, magnitude % 60, 2);
    }
  }
  return out;
}

std::string render_jsonl_rows(uint64_t batch_id, const Schema& schema, const ResultRows& rows,
                              const TimeZone& zone) {
  // Written by hand so a double keeps Java's digits (Jackson's form, as Spark's JSON writer); names and
  // strings go through nlohmann's escaping, invalid UTF-8 replaced by U+FFFD.
  auto quoted = [](std::string_view text) {
    std::string out;
    append_json_string(text, out);
    return out;
  };
  std::vector<std::string> names;
  for (const Column& column : schema) names.push_back(quoted(column.name));
  std::string out;
  for (const auto& row : rows) {
    out += "{\"batch\":";
    append_integer(batch_id, out);
    for (size_t c = 0; c < schema.size() && c < row.size(); ++c) {
      const Value& value = row[c];
      out += ',';
      out += names[c];
      out += ':';
      if (value.null) {
        out += "null";
      } else if (value.type == DataType::kWindow) {
        // A struct nests, as Spark's JSON writer gives it.
        out += "{\"start\":" + quoted(format_iso_timestamp(value.integer, zone)) +
               ",\"end\":" + quoted(format_iso_timestamp(value.end, zone)) + "}";
      } else if (value.type == DataType::kString) {
        append_json_string(value.text, out);
      } else if (value.type == DataType::kTimestamp) {
        out += quoted(plain_text(value, zone));
      } else if (is_integral(value.type)) {
        append_integer(value.integer, out);
      } else if (value.type == DataType::kDouble && !std::isfinite(value.real)) {
        out += quoted(java_double_to_string(value.real));  // Jackson quotes NaN and Infinity
      } else {
        out += plain_text(value, zone);
      }
    }
    out += "}\n";
  }
  return out;
}

std::string render_csv_rows(uint64_t batch_id, const Schema& schema, const ResultRows& rows,
                            const TimeZone& zone, bool with_header) {
  std::string out;
  if (with_header) {
    out += "batch";
    for (const Column& column : schema) {
      // CSV has no structs: a window is flattened into its two fields.
      if (column.type == DataType::kWindow) {
        out.append(",").append(csv_field(column.name + ".start"));
        out.append(",").append(csv_field(column.name + ".end"));
      } else {
        out.append(",").append(csv_field(column.name));
      }
    }
    out += '\n';
  }
  std::string batch = std::to_string(batch_id);
  for (const auto& row : rows) {
    out += batch;
    for (size_t c = 0; c < schema.size() && c < row.size(); ++c) {
      out += ',';
      const Value& value = row[c];
      if (schema[c].type == DataType::kWindow) {
        // Two fields, neither of which needs quoting (ISO times), or two empty ones for a null.
        out += value.null ? std::string(",") : plain_text(value, zone);
        continue;
      }
      if (value.null) continue;
      if (value.type == DataType::kString) {
        append_csv_field(value.text, out);
      } else if (is_integral(value.type)) {
        append_integer(value.integer, out);  // digits: never quoted
      } else {
        append_csv_field(plain_text(value, zone), out);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace logstream
