// The slow, obviously correct reference for --format spark-seed: split lines the way Hadoop's
// LineRecordReader does, one byte at a time, and run the seed's statusExp, as written, through std::regex
// on each line. Shares no code with the product.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace logstream::test_support {

// status (nullopt = Spark's null row) -> count
using StatusCountMap = std::map<std::optional<int>, uint64_t>;

// The lines of `bytes` as Hadoop's LineRecordReader (Spark's text source) splits them, one byte at a
// time: "\n", "\r\n" or a lone "\r" ends a line; a final line without a terminator is still a line.
std::vector<std::string> reference_lines(const std::string& bytes);

StatusCountMap reference_seed_status_counts(const std::string& bytes);
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// Parses the status/count table of the last batch in console output back into counts.
StatusCountMap parse_last_console_table(const std::string& console_output);

}  // namespace logstream::test_support
