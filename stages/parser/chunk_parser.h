// The parse stage: turns a chunk into partial counts with whichever line parser its file uses
// (spark-seed, a named format, a custom LogFormat, or one picked per file by --format auto).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stages/core/chunk.h"
#include "stages/core/expected.h"
#include "stages/parser/log_columns.h"
#include "stages/parser/log_format.h"
#include "stages/parser/seed_status_scanner.h"

namespace logstream {

struct FormatOptions {
  std::string format = "auto";  // auto | spark-seed | common | combined | vhost_combined | nginx | custom
  std::string log_format;       // the Apache LogFormat string for "custom"
};

// Where a query that reads more than the status gets each accepted line: its fields and its text (the
// line without its terminator). Called on the parser thread, once per accepted line, in line order.
class AcceptedLineSink {
 public:
  virtual ~AcceptedLineSink() = default;
  virtual void on_line(uint32_t parser_index, const ParsedLine& line, std::string_view text) = 0;
};

class ChunkParser {
 public:
  static Expected<ChunkParser> create(const FormatOptions& options);

  class Context {
   private:
    friend class ChunkParser;
    std::optional<SeedStatusScanner::Context> seed_;
    ParsedLine line_;
    ClfTimeCache times_;
  };
  Expected<Context> make_context() const;

  // Which parser reads a file, judged on its first bytes; `note` says what was picked and why. `warning`
  // (when given) is set when even the best format fits fewer than half of the sample lines, else cleared.
  uint32_t choose_for_file(std::string_view first_bytes, std::string& note,
                           std::string* warning = nullptr) const;
  bool picks_per_file() const noexcept { return formats_.size() > 1; }
  std::string_view parser_name(uint32_t index) const;

  // The table `logs` this parser gives a query: the format's columns (with --format auto, those of every
  // candidate format; a file's format leaves the others' columns null).
  const Schema& schema() const noexcept { return schema_; }

  // Bytes a long line's pieces must overlap so that no match is lost at a piece boundary.
  size_t piece_overlap() const noexcept { return seed_ ? SeedStatusScanner::kMatchWidth - 1 : 0; }

  // Counts the chunk's lines into chunk.counts. `rows` (may be null: the seed's status count needs no
  // more) gets every accepted line of a fixed format; with spark-seed it must be null, since that format's
  // columns come from SeedColumnScanner.
  void process(Context& context, Chunk& chunk, AcceptedLineSink* rows = nullptr) const noexcept;

  // The fixed format behind parser `index` (not for spark-seed).
  const LogFormat& format(uint32_t index) const { return formats_[index].format; }
  size_t format_count() const noexcept { return formats_.size(); }
  bool is_spark_seed() const noexcept { return seed_.has_value(); }

 private:
  // Every line of a whole-lines chunk through `format`: rejects and statuses counted, and each accepted
  // line with its text handed to on_accepted (a query's rows, or nothing on the hot path).
  template <typename OnAccepted>
  static void parse_lines(const LogFormat& format, Context& context, Chunk& chunk, OnAccepted&& on_accepted);

  struct NamedFormat {
    std::string name;
    LogFormat format;
  };
  std::optional<SeedStatusScanner> seed_;
  std::vector<NamedFormat> formats_;
  Schema schema_;
};

}  // namespace logstream
