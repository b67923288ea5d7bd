#include "stages/parser/chunk_parser.h"

#include "stages/core/line_terminators.h"

namespace logstream {
namespace {

constexpr size_t kDetectionSampleLines = 64;

}  // namespace

Expected<ChunkParser> ChunkParser::create(const FormatOptions& options) {
  ChunkParser parser;
  if (options.format == "spark-seed") {
    auto seed = SeedStatusScanner::create();
    if (!seed) return Error{seed.error()};
    parser.seed_.emplace(std::move(seed).value());
    parser.schema_ = LogColumns::spark_seed().schema();
    return parser;
  }
  if (!options.log_format.empty() && options.format != "custom") {
    return Error{"--log-format goes with --format custom"};
  }
  std::vector<std::string> names;
  if (options.format == "auto") {
    // Most specific first: a combined line also fits common (with extra fields), never the other way.
    names = {"vhost_combined", "combined", "common", "nginx"};
  } else {
    names = {options.format};
  }
  for (const std::string& name : names) {
    auto format = name == "custom" ? LogFormat::from_apache(options.log_format) : LogFormat::named(name);
    if (!format) {
      if (name == "custom" && options.log_format.empty())
        return Error{"--format custom needs --log-format STRING"};
      return Error{format.error() + (name == "custom" ? ""
                                                      : " (try auto, spark-seed, common, combined, "
                                                        "vhost_combined, nginx or custom)")};
    }
    if (!format.value().has_status()) return Error{"the log format has no status field (%>s or %s)"};
    parser.formats_.push_back({name, std::move(format).value()});
  }
  // Columns in the order of the commonest format first (detection tries the most specific first).
  std::vector<Schema> schemas;
  for (const std::string_view name : {"combined", "common", "nginx", "vhost_combined", "custom"}) {
    for (const NamedFormat& named : parser.formats_) {
      if (named.name == name) schemas.push_back(LogColumns::of(named.format).schema());
    }
  }
  auto schema = union_schema(schemas);
  if (!schema) return Error{schema.error()};
  parser.schema_ = std::move(schema).value();
  return parser;
}

Expected<ChunkParser::Context> ChunkParser::make_context() const {
  Context context;
  if (seed_) {
    auto seed_context = seed_->make_context();
    if (!seed_context) return Error{seed_context.error()};
    context.seed_.emplace(std::move(seed_context).value());
  }
  return context;
}

std::string_view ChunkParser::parser_name(uint32_t index) const {
  if (seed_) return "spark-seed";
  return formats_[index].name;
}

uint32_t ChunkParser::choose_for_file(std::string_view first_bytes, std::string& note,
                                      std::string* warning) const {
  if (!picks_per_file()) return 0;
  // Only whole lines are a fair sample; the last one may be cut by the chunk boundary.
  std::vector<std::string_view> sample;
  for_each_line(first_bytes.data(), first_bytes.data() + first_bytes.size(), [&](std::string_view line) {
    if (sample.size() < kDetectionSampleLines + 1 && !line.empty()) sample.push_back(line);
  });
  if (sample.size() > kDetectionSampleLines) sample.pop_back();

  std::vector<size_t> fits(formats_.size(), 0);
  ParsedLine scratch;
  for (size_t f = 0; f < formats_.size(); ++f) {
    for (std::string_view line : sample) fits[f] += !formats_[f].format.parse(line, scratch).has_value();
  }
  uint32_t best = 0;
  for (uint32_t f = 1; f < formats_.size(); ++f) {
    if (fits[f] > fits[best]) best = f;
  }
  // combined and nginx read the same shape; nginx writes a quote inside a field as \x22, httpd as \".
  for (uint32_t f = 0; f < formats_.size(); ++f) {
    if (formats_[f].name == "nginx" && formats_[best].name == "combined" && fits[f] == fits[best]) {
      const bool nginx_escapes = first_bytes.find("\\x") != std::string_view::npos &&
                                 first_bytes.find("\\\"") == std::string_view::npos;
      if (nginx_escapes) best = f;
    }
  }
  note = "format " + formats_[best].name + " (" + std::to_string(fits[best]) + " of " +
         std::to_string(sample.size()) + " sample lines fit)";
  if (warning) {
    warning->clear();
    if (2 * fits[best] < sample.size()) {
      *warning = "fewer than half of the sample lines fit any format (best: " + formats_[best].name + ", " +
                 std::to_string(fits[best]) + " of " + std::to_string(sample.size()) +
                 "): most lines may be rejected; name the format with --format, or give --format custom "
                 "--log-format";
    }
  }
  return best;
}

template <typename OnAccepted>
void ChunkParser::parse_lines(const LogFormat& format, Context& context, Chunk& chunk,
                              OnAccepted&& on_accepted) {
  LineCounts& counts = chunk.counts;
  auto count = [&](const std::optional<RejectReason>& reject, std::string_view text) {
    if (reject) {
      counts.count_reject(*reject);
    } else {
      // A line cut off before its status (inside the request) has none: Spark's null row.
      if (context.line_.status < 0)
        ++counts.null_status;
      else
        counts.count_status(context.line_.status);
      on_accepted(context.line_, text);
    }
  };
  // Only a line parsed alone can be cut off inside its last quoted field: the walk below leaves those to
  // this path, so the hot loop does not check for them.
  auto parse_alone = [&](std::string_view line) {
    const auto reject = format.parse(line, context.line_, context.times_);
    count(reject, line);
    if (!reject && context.line_.truncated) ++counts.truncated;
  };
  if (!format.uses_compiled_program()) {
    counts.lines_read += for_each_line(chunk.data(), chunk.data() + chunk.size, parse_alone);
    return;
  }
  // One pass: the tokenizer finds each line's end as it parses it. A line that does not fit is parsed
  // again on its own (its end found first), which gives the same answer and reason as line by line.
  const char* p = chunk.data();
  const char* const end = p + chunk.size;
  while (p < end) {
    const char* line_end = format.parse_in_chunk(p, end, context.line_, context.times_);
    if (line_end) {
      count(std::nullopt, std::string_view(p, static_cast<size_t>(line_end - p)));
    } else {
      line_end = find_line_end(p, end);
      parse_alone(std::string_view(p, static_cast<size_t>(line_end - p)));
    }
    ++counts.lines_read;
    if (line_end == end) break;
    p = skip_line_terminator(line_end, end);
  }
}

void ChunkParser::process(Context& context, Chunk& chunk, AcceptedLineSink* rows) const noexcept {
  if (chunk.shape == ChunkShape::kBatchEnd) return;
  if (seed_) {
    seed_->process(*context.seed_, chunk);
    return;
  }
  if (chunk.shape == ChunkShape::kLinePiece) {
    chunk.piece.too_long = true;  // the fixed formats need a whole line; one longer than a chunk is rejected
    return;
  }
  const LogFormat& format = formats_[chunk.parser_index].format;
  const uint32_t parser_index = chunk.parser_index;
  if (rows) {
    parse_lines(format, context, chunk, [&](const ParsedLine& line, std::string_view text) {
      rows->on_line(parser_index, line, text);
    });
    return;
  }
  // The hot path: nothing but the status is needed from an accepted line.
  parse_lines(format, context, chunk, [](const ParsedLine&, std::string_view) {});
}

}  // namespace logstream
