#include "tests/support/seed_reference.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace logstream::test_support {

std::vector<std::string> reference_lines(const std::string& bytes) {
  std::vector<std::string> lines;
  std::string current;
  bool pending = false;  // bytes seen since the last terminator
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\n' || c == '\r') {
      lines.push_back(current);
      current.clear();
      pending = false;
      if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    } else {
      current += c;
      pending = true;
    }
  }
  if (pending) lines.push_back(current);
  return lines;
}

StatusCountMap reference_seed_status_counts(const std::string& bytes) {
  static const std::regex status_exp(R"(\s(\d{3})\s)");
  const std::vector<std::string> lines = reference_lines(bytes);

  StatusCountMap counts;
  for (const std::string& line : lines) {
    std::smatch match;
    if (std::regex_search(line, match, status_exp)) {
      ++counts[std::stoi(match[1].str())];
    } else {
      ++counts[std::nullopt];
    }
  }
  return counts;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

StatusCountMap parse_last_console_table(const std::string& console_output) {
  const size_t batch = console_output.rfind("Batch: ");
  if (batch == std::string::npos) throw std::runtime_error("no batch in output");
  std::istringstream in(console_output.substr(batch));
  std::string line;
  StatusCountMap counts;
  int borders = 0;
  while (std::getline(in, line) && borders < 4) {
    if (line.rfind("+", 0) == 0) {
      ++borders;
      continue;
    }
    if (borders != 2 || line.rfind("|", 0) != 0) continue;
    const size_t mid = line.find('|', 1);
    std::string key = line.substr(1, mid - 1);
    std::string value = line.substr(mid + 1, line.size() - mid - 2);
    key.erase(0, key.find_first_not_of(' '));
    value.erase(0, value.find_first_not_of(' '));
    counts[key == "null" ? std::nullopt : std::optional<int>(std::stoi(key))] = std::stoull(value);
  }
  return counts;
}

}  // namespace logstream::test_support
