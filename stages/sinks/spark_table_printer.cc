#include "stages/sinks/spark_table_printer.h"

#include <algorithm>

namespace logstream {
namespace {

constexpr size_t kMinimumColumnWidth = 3;
constexpr size_t kTruncateAt = 20;

// Spark keeps the first (truncate - 3) characters and appends "...".
std::string truncate_cell(const std::string& cell) {
  if (utf8_length(cell) <= kTruncateAt) return cell;
  size_t kept_chars = 0;
  size_t byte = 0;
  while (byte < cell.size()) {
    if ((static_cast<unsigned char>(cell[byte]) & 0xC0) != 0x80) {
      if (kept_chars == kTruncateAt - 3) break;
      ++kept_chars;
    }
    ++byte;
  }
  return cell.substr(0, byte) + "...";
}

void append_border(std::string& out, const std::vector<size_t>& widths) {
  out += '+';
  for (size_t w : widths) {
    out.append(w, '-');
    out += '+';
  }
  out += '\n';
}

void append_row(std::string& out, const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  out += '|';
  for (size_t i = 0; i < widths.size(); ++i) {
    out.append(widths[i] - utf8_length(cells[i]), ' ');
    out += cells[i];
    out += '|';
  }
  out += '\n';
}

}  // namespace

size_t utf8_length(std::string_view text) noexcept {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string render_spark_show(const TextTable& table, size_t max_rows) {
  const size_t shown = std::min(max_rows, table.rows.size());
  std::vector<std::vector<std::string>> cells;
  cells.reserve(shown);
  for (size_t r = 0; r < shown; ++r) {
    std::vector<std::string> row;
    row.reserve(table.rows[r].size());
    for (const std::string& cell : table.rows[r]) row.push_back(truncate_cell(cell));
    cells.push_back(std::move(row));
  }
  std::vector<std::string> header;
  for (const std::string& name : table.header) header.push_back(truncate_cell(name));

  std::vector<size_t> widths(header.size(), kMinimumColumnWidth);
  for (size_t c = 0; c < header.size(); ++c) widths[c] = std::max(widths[c], utf8_length(header[c]));
  for (const auto& row : cells) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], utf8_length(row[c]));
  }

  std::string out;
  append_border(out, widths);
  append_row(out, header, widths);
  append_border(out, widths);
  for (const auto& row : cells) append_row(out, row, widths);
  append_border(out, widths);
  if (table.rows.size() > max_rows) {
    out += "only showing top " + std::to_string(max_rows) + (max_rows == 1 ? " row\n" : " rows\n");
  }
  return out;
}

std::string render_spark_console_batch(uint64_t batch_id, const TextTable& table) {
  static const std::string kRule(43, '-');
  std::string out;
  out += kRule + '\n';
  out += "Batch: " + std::to_string(batch_id) + '\n';
  out += kRule + '\n';
  out += render_spark_show(table);
  out += '\n';
  return out;
}

}  // namespace logstream
