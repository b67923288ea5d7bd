// Micro-benchmarks of the hot stages, on in-memory logs from loggen. Every benchmark checks its answer
// against an independent count before it times anything, then reports bytes/s and lines/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "stages/core/chunk.h"
#include "stages/core/line_terminators.h"
#include "stages/merger/batch_accumulator.h"
#include "stages/merger/status_table.h"
#include "stages/parser/chunk_parser.h"
#include "stages/parser/log_format.h"
#include "stages/parser/seed_columns.h"
#include "stages/query/aggregates.h"
#include "stages/sinks/spark_table_printer.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// One chunk's worth of whole lines in a format, generated once.
const std::string& sample(const std::string& format) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(format);
  if (it != cache.end()) return it->second;
  loggen::Options options;
  options.seed = 42;
  options.format = format;
  options.max_bytes = kChunkBytes;
  loggen::Generator generator(options);
  std::string out;
  while (generator.next_line(out)) {
  }
  return cache.emplace(format, std::move(out)).first->second;
}

// The statuses of clean generated lines, read the obvious way: the three digits after `" `.
std::map<int, uint64_t> obvious_status_counts(const std::string& text) {
  std::map<int, uint64_t> counts;
  for_each_line(text.data(), text.data() + text.size(), [&](std::string_view line) {
    const size_t close = line.find("\" ", line.find('"') + 1);
    ++counts[std::atoi(std::string(line.substr(close + 2, 3)).c_str())];
  });
  return counts;
}

std::map<int, uint64_t> to_map(const LineCounts& counts) {
  std::map<int, uint64_t> out;
  for (int s = 0; s < kStatusSlots; ++s) {
    if (counts.status[static_cast<size_t>(s)]) out[s] = counts.status[static_cast<size_t>(s)];
  }
  return out;
}

void fail(benchmark::State& state, const std::string& what) {
  state.SkipWithError(("wrong answer: " + what).c_str());
}

void report(benchmark::State& state, size_t bytes, size_t lines) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * lines), benchmark::Counter::kIsRate);
}

std::unique_ptr<Chunk> chunk_of(const std::string& text) {
  auto chunk = std::make_unique<Chunk>(text.size());
  std::memcpy(chunk->data(), text.data(), text.size());
  chunk->size = text.size();
  return chunk;
}

// The floor under every line-oriented stage: finding the lines.
void BM_LineSplit(benchmark::State& state) {
  const std::string& text = sample("combined");
  const size_t lines = count_lines(text.data(), text.data() + text.size());
  // Clean generated lines end in '\n' and hold no '\r': the newlines are the lines.
  const auto newlines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  if (lines == 0 || lines != newlines) return fail(state, "line count");
  for (auto _ : state) benchmark::DoNotOptimize(count_lines(text.data(), text.data() + text.size()));
  report(state, text.size(), lines);
}
BENCHMARK(BM_LineSplit);

// The parse stage on one chunk: --format spark-seed (Hyperscan) or a fixed format (tokenizer).
void BM_ParseChunk(benchmark::State& state, const std::string& parser_format,
                   const std::string& data_format) {
  const std::string& text = sample(data_format);
  const auto parser = ChunkParser::create({parser_format, ""}).value();
  auto context = parser.make_context().value();
  auto chunk = chunk_of(text);
  parser.process(context, *chunk);
  const size_t lines = count_lines(text.data(), text.data() + text.size());
  if (chunk->counts.lines_read != lines || chunk->counts.accepted() != lines)
    return fail(state, "line counts");
  if (to_map(chunk->counts) != obvious_status_counts(text)) return fail(state, "status counts");
  for (auto _ : state) {
    chunk->counts.clear();
    parser.process(context, *chunk);
    benchmark::DoNotOptimize(chunk->counts.lines_read);
  }
  report(state, text.size(), lines);
}
BENCHMARK_CAPTURE(BM_ParseChunk, spark_seed, std::string("spark-seed"), std::string("combined"));
BENCHMARK_CAPTURE(BM_ParseChunk, common, std::string("common"), std::string("common"));
BENCHMARK_CAPTURE(BM_ParseChunk, combined, std::string("combined"), std::string("combined"));
BENCHMARK_CAPTURE(BM_ParseChunk, vhost_combined, std::string("vhost_combined"),
                  std::string("vhost_combined"));
BENCHMARK_CAPTURE(BM_ParseChunk, nginx, std::string("nginx"), std::string("nginx"));

// All seven fields of every line: host, timestamp to epoch seconds, method, endpoint, protocol, status, size.
void BM_FullExtraction(benchmark::State& state) {
  const std::string& text = sample("combined");
  const LogFormat format = LogFormat::named("combined").value();
  ParsedLine parsed;
  ClfTimeCache times;  // per thread, as in the parse stage
  auto checksum = [&] {
    uint64_t sum = 0;
    for_each_line(text.data(), text.data() + text.size(), [&](std::string_view line) {
      if (format.parse(line, parsed, times)) return;
      split_request(parsed.request, parsed);
      sum += parsed.host.size() + static_cast<uint64_t>(parsed.epoch_seconds) + parsed.method.size() +
             parsed.target.size() + parsed.protocol.size() + static_cast<uint64_t>(parsed.status) +
             static_cast<uint64_t>(parsed.size + 1);
    });
    return sum;
  };
  // The same sum the obvious way, field by field with find().
  uint64_t expected = 0;
  for_each_line(text.data(), text.data() + text.size(), [&](std::string_view line) {
    const size_t sp = line.find(' ');
    const size_t bracket = line.find('[');
    const size_t q1 = line.find('"');
    const size_t q2 = line.find('"', q1 + 1);
    const std::string_view request = line.substr(q1 + 1, q2 - q1 - 1);
    const size_t r1 = request.find(' '), r2 = request.rfind(' ');
    const std::string size_text(line.substr(q2 + 6, line.find(' ', q2 + 6) - q2 - 6));
    struct tm t {};
    strptime(std::string(line.substr(bracket + 1, 20)).c_str(), "%d/%b/%Y:%H:%M:%S", &t);
    const int offset = std::atoi(std::string(line.substr(bracket + 23, 2)).c_str()) * 3600 +
                       std::atoi(std::string(line.substr(bracket + 25, 2)).c_str()) * 60;
    const int64_t epoch = timegm(&t) - (line[bracket + 22] == '-' ? -offset : offset);
    expected += sp + static_cast<uint64_t>(epoch) + r1 + (r2 - r1 - 1) + (request.size() - r2 - 1) +
                static_cast<uint64_t>(std::atoi(std::string(line.substr(q2 + 2, 3)).c_str())) +
                static_cast<uint64_t>(size_text == "-" ? 0 : std::atoll(size_text.c_str()) + 1);
  });
  if (checksum() != expected) return fail(state, "field checksum");
  const size_t lines = count_lines(text.data(), text.data() + text.size());
  for (auto _ : state) benchmark::DoNotOptimize(checksum());
  report(state, text.size(), lines);
}
BENCHMARK(BM_FullExtraction);

// The merge stage: folding one chunk's partial counts into the batch.
void BM_MergeChunk(benchmark::State& state) {
  Chunk chunk(16);
  chunk.batch_id = 1;
  for (int s = 100; s < 600; s += 7) chunk.counts.status[static_cast<size_t>(s)] = static_cast<uint64_t>(s);
  chunk.counts.lines_read = 5000;
  BatchAccumulator accumulator;
  accumulator.start(1);
  accumulator.add(chunk);
  if (accumulator.counts().status[107] != 107 || accumulator.counts().lines_read != 5000) {
    return fail(state, "merged counts");
  }
  for (auto _ : state) {
    accumulator.add(chunk);
    benchmark::DoNotOptimize(accumulator.counts().lines_read);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MergeChunk);

// The console sink's rendering of a complete table with every row of a busy server.
void BM_SparkTable(benchmark::State& state) {
  LineCounts counts;
  for (int s = 100; s < 600; ++s) counts.status[static_cast<size_t>(s)] = static_cast<uint64_t>(s) * 1000;
  StatusTable table;
  table.add_batch(counts);
  const TimeZone utc;
  const std::string text =
      render_spark_console_batch(3, StatusTable::schema(), table.result_rows(RowOrder::kSpark), utc);
  if (text.find("Batch: 3\n") == std::string::npos ||
      text.find("only showing top 20 rows\n") == std::string::npos) {
    return fail(state, "table layout");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        render_spark_console_batch(3, StatusTable::schema(), table.result_rows(RowOrder::kSpark), utc));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SparkTable);

// Aggregate functions folding one hot group's values into its state through the typed fast paths:
// count(*), sum(bigint), approx_count_distinct of strings (endpoints) and of bigints. The answer of one
// pass is checked against the obvious count, sum and number of distinct values before timing.
void BM_Aggregate(benchmark::State& state, const std::string& name, DataType type) {
  constexpr size_t kValues = 1 << 16;
  constexpr int64_t kDistinct = 5003;
  const bool star = name == "count";
  auto made = make_aggregate(name, star ? std::vector<DataType>{} : std::vector<DataType>{type}, {}, false);
  if (!made.ok()) return fail(state, made.error());
  const AggregateFunction& f = *made.value();
  std::vector<int64_t> numbers(kValues);
  std::vector<std::string> strings(kValues);
  int64_t sum = 0;
  for (size_t i = 0; i < kValues; ++i) {
    numbers[i] = static_cast<int64_t>(i * 7919 % kDistinct) * 1000;
    strings[i] = "/images/page" + std::to_string(numbers[i]) + ".gif";
    sum += numbers[i];
  }
  std::vector<std::max_align_t> memory(f.state_size() / sizeof(std::max_align_t) + 1);
  char* place = reinterpret_cast<char*>(memory.data());
  auto one_pass = [&] {
    f.create(place);
    if (type == DataType::kString) {
      for (const std::string& s : strings) f.add_string(place, s);
    } else if (star) {
      for (size_t i = 0; i < kValues; ++i) f.add_null(place);
    } else {
      for (int64_t v : numbers) f.add_int64(place, v);
    }
    Value result = f.finalize(place);
    f.destroy(place);
    return result;
  };
  const Value result = one_pass();
  if (star && result.integer != static_cast<int64_t>(kValues)) return fail(state, "count(*)");
  if (name == "sum" && result.integer != sum) return fail(state, "sum");
  if (name == "approx_count_distinct" && std::abs(result.integer - kDistinct) > 3 * 0.05 * kDistinct) {
    return fail(state, "approx_count_distinct gave " + std::to_string(result.integer));
  }
  for (auto _ : state) benchmark::DoNotOptimize(one_pass());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues));
}
BENCHMARK_CAPTURE(BM_Aggregate, count_star, std::string("count"), DataType::kNull);
BENCHMARK_CAPTURE(BM_Aggregate, sum_bigint, std::string("sum"), DataType::kBigint);
BENCHMARK_CAPTURE(BM_Aggregate, approx_count_distinct_string, std::string("approx_count_distinct"),
                  DataType::kString);
BENCHMARK_CAPTURE(BM_Aggregate, approx_count_distinct_bigint, std::string("approx_count_distinct"),
                  DataType::kBigint);

// --format spark-seed as a table: SeedColumnScanner on one chunk, with the columns given. Checked first
// against the seed's patterns run through std::regex line by line (clean ASCII lines: Java's and
// ECMAScript's matches agree once \s, \S, \d and \w are spelled out as Java's ASCII classes; hostExp's
// [\S+\.] is \S).
void BM_SeedColumns(benchmark::State& state, SeedColumnSet columns) {
  const std::string& text = sample("combined");
  const auto scanner = SeedColumnScanner::create(columns).value();
  auto context = scanner.make_context().value();
  SeedColumnBatch batch;
  if (scanner.process(context, text, batch) != HS_SUCCESS) return fail(state, "scan failed");
  const std::regex host(R"re(^([^ \t\n\x0B\f\r]+\.[^ \t\n\x0B\f\r]+[^ \t\n\x0B\f\r]+)[ \t\n\x0B\f\r])re");
  const std::regex time(
      R"re(\[([0-9]{2}/[A-Za-z0-9_]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} -[0-9]{4})\])re");
  const std::regex general(
      R"re("([^ \t\n\x0B\f\r]+)[ \t\n\x0B\f\r]([^ \t\n\x0B\f\r]+)[ \t\n\x0B\f\r]*([^ \t\n\x0B\f\r]*)")re");
  const std::regex status(R"re([ \t\n\x0B\f\r]([0-9]{3})[ \t\n\x0B\f\r])re");
  const std::regex size(R"re([ \t\n\x0B\f\r]([0-9]+)$)re");
  auto group = [](const std::string& line, const std::regex& re, int n) {
    std::smatch m;
    return std::regex_search(line, m, re) ? m[n].str() : std::string();
  };
  auto as_int = [](const std::string& digits) {  // the sample's numbers have no leading zeros
    if (digits.empty() || digits.size() > 18 || std::stoll(digits) > INT32_MAX)
      return std::optional<int32_t>();
    return std::optional<int32_t>(static_cast<int32_t>(std::stoll(digits)));
  };
  size_t row = 0;
  bool right = true;
  for_each_line(text.data(), text.data() + text.size(), [&](std::string_view view) {
    const std::string line(view);
    auto text_column = [&](SeedColumn c, const std::vector<std::string_view>& got, const std::regex& re,
                           int n) {
      if (columns.has(c)) right = right && row < got.size() && got[row] == group(line, re, n);
    };
    auto int_column = [&](SeedColumn c, const std::vector<std::optional<int32_t>>& got,
                          const std::regex& re) {
      if (columns.has(c)) right = right && row < got.size() && got[row] == as_int(group(line, re, 1));
    };
    text_column(SeedColumn::kHost, batch.host, host, 1);
    text_column(SeedColumn::kTimestamp, batch.timestamp, time, 1);
    text_column(SeedColumn::kMethod, batch.method, general, 1);
    text_column(SeedColumn::kEndpoint, batch.endpoint, general, 2);
    text_column(SeedColumn::kProtocol, batch.protocol, general, 3);
    int_column(SeedColumn::kStatus, batch.status, status);
    int_column(SeedColumn::kContentSize, batch.content_size, size);
    ++row;
  });
  if (!right || row != batch.rows()) return fail(state, "seed columns differ from std::regex");
  for (auto _ : state) {
    if (scanner.process(context, text, batch) != HS_SUCCESS) return fail(state, "scan failed");
    benchmark::DoNotOptimize(batch.lines.data());
  }
  report(state, text.size(), row);
}
BENCHMARK_CAPTURE(BM_SeedColumns, all_seven, SeedColumnSet::all());
BENCHMARK_CAPTURE(BM_SeedColumns, status_only, SeedColumnSet{SeedColumn::kStatus});
BENCHMARK_CAPTURE(BM_SeedColumns, endpoint_only, SeedColumnSet{SeedColumn::kEndpoint});

}  // namespace
}  // namespace logstream

BENCHMARK_MAIN();
