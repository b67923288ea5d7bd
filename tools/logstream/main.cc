// logstream: the CLI. Parses flags, turns them into a QueryOptions, and hands over to pipeline/.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/shutdown_signals.h"
#include "pipeline/status_query.h"
#include "stages/query/time_window.h"

namespace {

using logstream::kExitUsage;

// "64", "64K", "4m", "1G" -> bytes; false on anything else, and on a value past 2^62 (no wrap-around).
bool parse_size(const std::string& text, size_t& out) {
  size_t digits = 0;
  uint64_t value = 0;
  constexpr uint64_t kLimit = uint64_t{1} << 62;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    value = value * 10 + static_cast<unsigned>(text[digits++] - '0');
    if (value > kLimit) return false;
  }
  if (digits == 0) return false;
  const std::string suffix = text.substr(digits);
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB")
    shift = 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    shift = 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    shift = 30;
  else if (!suffix.empty() && suffix != "B")
    return false;
  if (value > (kLimit >> shift)) return false;
  out = static_cast<size_t>(value << shift);
  return true;
}

// "30s", "10m", "12h", "7d", "2w" -> nanoseconds; false on anything else (or past about 100 years).
bool parse_short_age(const std::string& text, int64_t& out_ns) {
  size_t digits = 0;
  int64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9' && digits < 9) {
    value = value * 10 + (text[digits++] - '0');
  }
  if (digits == 0 || digits + 1 != text.size()) return false;
  int64_t seconds = 0;
  switch (text.back()) {
    case 's':
      seconds = 1;
      break;
    case 'm':
      seconds = 60;
      break;
    case 'h':
      seconds = 3600;
      break;
    case 'd':
      seconds = 86400;
      break;
    case 'w':
      seconds = 7 * 86400;
      break;
    default:
      return false;
  }
  if (value <= 0 || value * seconds > int64_t{100} * 366 * 86400) return false;
  out_ns = value * seconds * 1'000'000'000;
  return true;
}

// An age as 12h or 7d, or in Spark's interval text as --watermark takes it ('1 day', '90 minutes'):
// positive, in nanoseconds.
bool parse_age(const std::string& text, int64_t& out_ns) {
  if (parse_short_age(text, out_ns)) return true;
  auto micros = logstream::parse_window_interval(text);
  if (!micros || micros.value() <= 0 || micros.value() > INT64_MAX / 1000) return false;
  out_ns = micros.value() * 1000;
  return true;
}

// A whole number in [low, high] for OPTION; the error says which option and why.
std::optional<std::string> parse_whole_number(const std::string& option, const std::string& text, long low,
                                              long high, long& out) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    return option + ": '" + text + "' is not a number";
  if (ec == std::errc::result_out_of_range || value < low || value > high)
    return option + ": " + text + " is out of range (" + std::to_string(low) + " to " + std::to_string(high) +
           ")";
  out = value;
  return std::nullopt;
}

// The first argument that is neither an option nor an option's value: what the user meant as the
// subcommand. CLI11 only says "A subcommand is required" for `logstream frobnicate`.
std::string first_word(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] != '-') return arg;
    if (arg.find('=') != std::string::npos) continue;
    const std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : arg.substr(1);
    const CLI::Option* option = nullptr;
    for (const CLI::Option* candidate : app.get_options()) {
      if (candidate->check_lname(name) || candidate->check_sname(name)) option = candidate;
    }
    if (option && option->get_type_size() > 0) ++i;  // skips the option's value
  }
  return "";
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "logstream: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "logstream: streaming access-log analytics. Runs a query over a directory of web-server logs (by\n"
      "default the seed's groupBy(status).count(); any SQL with --sql) and prints its result per batch in\n"
      "Spark's console layout.",
      "logstream"};
  app.set_version_flag("--version", std::string("logstream ") + LOGSTREAM_VERSION);
  // Options may stand before or after the subcommand.
  app.fallthrough();
  app.footer(
      "Examples:\n"
      "  logstream watch ./logs                          the seed's status count, a batch per new file\n"
      "  logstream --sql \"SELECT endpoint, count(*) AS n FROM logs GROUP BY endpoint ORDER BY n DESC\" \\\n"
      "            run access.log                      any SQL over the files there now\n"
      "  tail -F access.log | logstream watch -          a pipe, a batch a second\n"
      "  logstream watch kafka://HOST:9092/logs --group web   a worker of a Kafka consumer group\n"
      "  logstream --format combined schema              the columns of the table logs\n"
      "'logstream SUBCOMMAND --help' shows each subcommand's own options; man logstream has them all.");

  logstream::QueryOptions options;
  std::string sort = "spark";
  std::string chunk_size = "1M";
  std::string threads;
  app.add_option("--format", options.format.format,
                 "Line format: auto (picked per file), spark-seed (the seed's regexes, Spark semantics), "
                 "common, combined, vhost_combined, nginx, or custom (with --log-format)")
      ->capture_default_str();
  app.add_option("--log-format", options.format.log_format,
                 "An Apache LogFormat string (implies --format custom), e.g. '%h %l %u %t \"%r\" %>s %b'");
  app.add_option(
      "--threads", threads,
      "Threads of the flow graph: the reader, the parsers and the merge stage share them (default: "
      "every core)");
  app.add_option("--chunk-size", chunk_size,
                 "Bytes per chunk (K/M/G suffixes); also the longest line the fixed formats accept")
      ->capture_default_str();
  app.add_option("--sort", sort,
                 "Row order of the seed's status table: spark (Spark's hash-partition order), key, count "
                 "(another query orders with ORDER BY)")
      ->capture_default_str();
  app.add_option("--checkpoint", options.checkpoint_dir,
                 "Directory for the exactly-once state: after every batch the table, the next batch id and "
                 "the files counted are committed there; a restart continues from it");
  std::string max_file_age;
  app.add_option("--max-file-age", max_file_age,
                 "Spark's maxFileAge: after the first batch, a file last modified longer than this before "
                 "the newest file counted is ignored as old, and forgotten by the checkpoint (e.g. 12h, "
                 "7d; none: every file is new; default 7d)");
  std::string sql, sql_file, group_by, where, output_mode, num_rows, truncate, max_state_bytes,
      partial_groups;
  app.add_option("--sql", sql,
                 "The query, in Spark SQL: SELECT ... FROM logs [WHERE] [GROUP BY] [HAVING] [ORDER BY] "
                 "[LIMIT] (see README for the columns and functions)");
  app.add_option("--sql-file", sql_file, "Read the --sql query from FILE");
  app.add_option("--group-by", group_by,
                 "Shorthand for groupBy(EXPR, ...).count(), e.g. 'status' or 'host, method'");
  app.add_option("--where", where,
                 "Shorthand filter before --group-by (alone: the status count of the rows kept)");
  app.add_option("--output-mode", output_mode,
                 "complete (every group each batch; aggregations' default), update (the groups the batch "
                 "changed) or append (each row once; the default without aggregation)");
  app.add_option("--num-rows", num_rows, "Rows the console shows per batch (default 20), as show(numRows)");
  app.add_option("--truncate", truncate,
                 "Console cells cut at N characters (default 20), or false (or 0) to show them whole");
  app.add_option("--timezone", options.timezone,
                 "Session time zone for timestamps (e.g. UTC, Europe/Paris; default: the local zone)");
  app.add_option("--watermark", options.watermark,
                 "withWatermark: 'COLUMN, DELAY', e.g. 'timestamp, 10 minutes'. Rows at or before the "
                 "watermark (the latest event time seen minus DELAY) are dropped, and windows that end at "
                 "or before it are final: written once in append mode, let go in append and update mode");
  std::string max_future;
  app.add_option("--max-future", max_future,
                 "With --watermark: a line dated more than this past the wall clock (or before 1970) goes "
                 "into no window and moves no watermark; such lines are counted (default 1d)");
  app.add_option("--max-state-bytes", max_state_bytes,
                 "Stop with an error when the query's groups outgrow this many bytes (K/M/G suffixes)");
  app.add_option("--partial-groups", partial_groups,
                 "Grouped queries: the groups a parser thread's partial aggregate may hold after a chunk "
                 "before it goes to the merge stage (default 16384): fewer cost more merging, more cost "
                 "memory and cache");
  logstream::OutputOptions& outputs = options.outputs;
  // Repeatable options take exactly one value per occurrence, so `--sink csv FILE` leaves FILE a path.
  app.add_option(
         "--sink", outputs.sinks,
         "Where batches go, repeatable: console, jsonl or csv, optionally =FILE, or html=FILE (a "
         "self-contained page of the result, rewritten per batch; default: console on stdout; at most "
         "one sink on stdout)")
      ->allow_extra_args(false);
  app.add_option("--alert", outputs.alert_rules,
                 "An alert rule, repeatable, e.g. 'errors: rate(status >= 500) > 0.05' (see README)")
      ->allow_extra_args(false);
  app.add_option("--alert-rules", outputs.alert_rules_file,
                 "A file of alert rules, one per line, # comments");
  app.add_option("--alert-log", outputs.alert_log, "Append alert state changes to FILE as JSON lines");
  app.add_option("--on-alert", outputs.on_alert,
                 "Run PROGRAM (no shell) each time a rule fires or resolves; details (the state among them) "
                 "in LOGSTREAM_ALERT_* variables");
  app.add_flag("--fail-on-alert", options.fail_on_alert, "Exit 3 at the end when any alert rule fired");
  app.add_option("--prometheus-file", outputs.prometheus_file,
                 "Rewrite FILE atomically after every batch with metrics in Prometheus text format");
  std::string metrics_port;
  app.add_option("--metrics-port", metrics_port, "Serve GET /metrics on 127.0.0.1:PORT (0: any free port)");
  std::string ui_port;
  app.add_option(
      "--ui-port", ui_port,
      "Serve the live dashboard (result table, chart, batches, alerts) on PORT (0: any free port); "
      "its address is printed on stderr");
  app.add_option("--ui-bind", outputs.ui_bind, "Address the dashboard listens on")->capture_default_str();
  app.add_flag("--progress", outputs.progress,
               "One JSON line per batch on stderr, modelled on Spark's StreamingQueryProgress");
  app.add_flag("-q,--quiet", options.quiet,
               "No per-batch summary or format notes on stderr (warnings remain)");

  CLI::App* run = app.add_subcommand(
      "run",
      "Process the files that exist now as one batch (Batch 0, or the next id with --checkpoint), then exit");
  std::vector<std::string> paths;
  run->add_option("PATH", paths,
                  "Files or directories (directories: every file not starting with '_' or '.'); a file named "
                  "twice is counted once; - is standard input, read to its end")
      ->required();

  run->footer(
      "Examples:\n"
      "  logstream run access.log access.log.1.gz        both files as one batch (.gz read decompressed)\n"
      "  logstream --group-by 'host, method' run logs/   every file of a directory\n"
      "  zcat old/*.gz | logstream run -                 standard input, read to its end\n"
      "  logstream --checkpoint state run logs/          only the files not counted before");

  CLI::App* watch = app.add_subcommand(
      "watch",
      "Watch DIR (or standard input: -, or a Kafka topic) for new lines; a batch per trigger, until Ctrl-C");
  watch->footer(
      "Examples:\n"
      "  logstream watch ./logs                          a batch per new complete file\n"
      "  logstream --checkpoint state watch ./logs       exactly once across restarts\n"
      "  tail -F access.log | logstream watch - --trigger-interval 5s\n"
      "  logstream --group-by status watch kafka://HOST:9092/logs --group web   (then: logstream merge)\n"
      "  logstream --output-mode append --watermark 'timestamp, 5 minutes' \\\n"
      "    --sql \"SELECT window, count(*) FROM logs GROUP BY window(timestamp, '1 minute')\" watch ./logs");
  std::string directory = "./logs";
  std::string quiet_ms = "500", partial_ms = "10000", rescan_ms = "1000";
  bool no_inotify = false;
  watch
      ->add_option("DIR", directory,
                   "Directory to watch; - for standard input (a pipe), a batch per trigger; "
                   "kafka://HOST:PORT[,...]/TOPIC with --group: a worker of a Kafka consumer group")
      ->capture_default_str();
  std::string trigger_interval;
  watch->add_option(
      "--trigger-interval", trigger_interval,
      "Start a batch at most once per interval (Spark's processingTime trigger), e.g. 1s, 10s "
      "or '500 milliseconds'; default for -: 1s, for a directory: as soon as the last batch ended");
  watch
      ->add_option("--quiet-ms", quiet_ms,
                   "A file whose last line is complete is taken after this long without change, even if "
                   "its writer never closed it")
      ->capture_default_str();
  watch
      ->add_option("--partial-line-wait-ms", partial_ms,
                   "A file still open with an unfinished last line is taken after this long without change")
      ->capture_default_str();
  watch->add_option("--rescan-ms", rescan_ms, "Directory listing interval when no event arrives")
      ->capture_default_str();
  watch->add_flag("--no-inotify", no_inotify, "Find new files by rescanning only");
  watch->add_flag("--follow", options.watch.follow,
                  "Also count lines appended to files already counted, following renames (rotation), "
                  "truncation and compressed rotations (*.gz); Spark reads each file once");

  CLI::App* merge = app.add_subcommand(
      "merge",
      "Read the state topic of Kafka workers (watch kafka://...) and print the global table per trigger");
  std::string merge_source;
  merge
      ->add_option("SOURCE", merge_source,
                   "kafka://HOST:PORT[,HOST:PORT...]/TOPIC, as the workers were given")
      ->required();
  merge->add_option("--trigger-interval", trigger_interval,
                    "Read the state topic once per interval (default 1s)");
  merge->footer(
      "Examples:\n"
      "  logstream --group-by status watch kafka://127.0.0.1:9092/logs --group web     (each worker)\n"
      "  logstream --group-by status merge kafka://127.0.0.1:9092/logs --group web     (the merger)\n"
      "Workers and merger must run the same query; the merger takes every sink option.");
  // Kafka's options are watch's and merge's (listed in their --help), and the program's too, so that they
  // may stand before the subcommand as every other option may.
  std::string group, state_topic;
  std::vector<std::string> kafka_options;
  for (CLI::App* owner : {&app, watch, merge}) {
    owner->add_option(
        "--group", group,
        "With kafka://: the consumer group of the workers (watch) or whose state to merge (merge)");
    owner->add_option("--state-topic", state_topic,
                      "With kafka://: where workers publish their partials (default TOPIC.logstream.GROUP)");
    owner
        ->add_option("--kafka-option", kafka_options,
                     "With kafka://: a librdkafka setting KEY=VALUE, repeatable (security, timeouts), e.g. "
                     "session.timeout.ms=6000 (default 10000)")
        ->allow_extra_args(false);
  }

  CLI::App* schema = app.add_subcommand(
      "schema",
      "Print the columns (table `logs`) of the --format / --log-format, as Spark's printSchema does");
  schema->footer(
      "Examples:\n"
      "  logstream --format combined schema\n"
      "  logstream --log-format '%h %t \"%r\" %>s %b %D' schema    a custom LogFormat's columns (%D: "
      "duration_us)");

  if (argc <= 1) {
    std::fputs(app.help().c_str(), stderr);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // An option of watch given before the word watch, or with run: say whose option it is.
    for (int i = 1; i < argc; ++i) {
      std::string name = argv[i];
      if (name.rfind("--", 0) != 0) continue;
      name = name.substr(0, name.find('='));
      if (app.get_option_no_throw(name) == nullptr && watch->get_option_no_throw(name) != nullptr)
        return usage_error(name +
                           " is an option of watch: give it after the word watch (logstream watch DIR " +
                           name + " ...)");
    }
    const std::string word = first_word(app, argc, argv);
    if (!*run && !*watch && !*merge && !*schema && !word.empty() && word != "run" && word != "watch" &&
        word != "merge" && word != "schema")
      return usage_error("unknown subcommand '" + word +
                         "' (try run, watch, merge or schema; --help lists them)");
    return usage_error(std::string(e.what()) + " (--help lists the options)");
  }
  if (!*run && !*watch && !*merge && !*schema)
    return usage_error("a subcommand is required: run PATH..., watch [DIR], merge SOURCE or schema (--help)");

  const auto order = logstream::parse_row_order(sort);
  if (!order) return usage_error("--sort must be spark, key or count, not '" + sort + "'");
  options.order = *order;
  if (!parse_size(chunk_size, options.pipeline.chunk_size) || options.pipeline.chunk_size < 16 ||
      options.pipeline.chunk_size > (size_t{1} << 30)) {
    return usage_error("--chunk-size must be between 16 and 1G bytes, not '" + chunk_size + "'");
  }
  long number = 0;
  if (!threads.empty()) {
    if (auto error = parse_whole_number("--threads", threads, 1, 1024, number)) return usage_error(*error);
    options.pipeline.threads = static_cast<unsigned>(number);
  }
  if (!ui_port.empty()) {
    if (auto error = parse_whole_number("--ui-port", ui_port, 0, 65535, number)) return usage_error(*error);
    outputs.ui_port = static_cast<int>(number);
  }
  if (app.count("--ui-bind") > 0 && ui_port.empty()) return usage_error("--ui-bind goes with --ui-port");
  if (!metrics_port.empty()) {
    if (auto error = parse_whole_number("--metrics-port", metrics_port, 0, 65535, number))
      return usage_error(*error);
    outputs.metrics_port = static_cast<int>(number);
  }
  if (auto error = parse_whole_number("--quiet-ms", quiet_ms, 0, 3600000, number)) return usage_error(*error);
  options.watch.quiet_period = std::chrono::milliseconds(number);
  if (auto error = parse_whole_number("--partial-line-wait-ms", partial_ms, 0, 86400000, number))
    return usage_error(*error);
  options.watch.partial_line_wait = std::chrono::milliseconds(number);
  if (auto error = parse_whole_number("--rescan-ms", rescan_ms, 1, 3600000, number))
    return usage_error(*error);
  options.watch.rescan_interval = std::chrono::milliseconds(number);
  options.watch.use_inotify = !no_inotify;
  options.pipeline.announce_formats = !options.quiet;
  // A LogFormat string says which format it is.
  if (!options.format.log_format.empty() && app.count("--format") == 0) options.format.format = "custom";
  if (app.count("--checkpoint") > 0 && options.checkpoint_dir.empty())
    return usage_error("--checkpoint needs a directory, not ''");
  if (!sql.empty() && !sql_file.empty())
    return usage_error("give the query with --sql or --sql-file, not both");
  if (!sql_file.empty()) {
    std::FILE* file = std::fopen(sql_file.c_str(), "re");
    if (!file) return usage_error("--sql-file " + sql_file + ": " + std::strerror(errno));
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0 && sql.size() < (1u << 20))
      sql.append(buffer, n);
    std::fclose(file);
    if (sql.size() >= (1u << 20)) return usage_error("--sql-file " + sql_file + ": over 1 MiB; not a query");
    if (sql.find_first_not_of(" \t\r\n") == std::string::npos)
      return usage_error("--sql-file " + sql_file + ": empty");
  }
  if (app.count("--sql") > 0 && sql.find_first_not_of(" \t\r\n") == std::string::npos)
    return usage_error("--sql needs a query, not ''");
  if (!sql.empty() && (app.count("--group-by") > 0 || app.count("--where") > 0))
    return usage_error("--group-by and --where are shorthands for a query: give them or --sql, not both");
  if (!sql.empty()) options.query.sql = sql;
  if (app.count("--group-by") > 0) options.query.shorthand.group_by = group_by;
  if (app.count("--where") > 0) options.query.shorthand.where = where;
  if (!output_mode.empty()) {
    options.output_mode = logstream::parse_output_mode(output_mode);
    if (!options.output_mode)
      return usage_error("--output-mode must be complete, update or append, not '" + output_mode + "'");
  }
  if (!num_rows.empty()) {
    if (auto error = parse_whole_number("--num-rows", num_rows, 0, INT32_MAX, number))  // show()'s Int
      return usage_error(*error);
    options.show.num_rows = static_cast<size_t>(number);
  }
  if (!truncate.empty()) {
    if (truncate == "false") {
      options.show.truncate = 0;
    } else if (truncate == "true") {
      options.show.truncate = 20;
    } else {
      // show(n, 0) shows cells whole, as false does: Spark cuts only when truncate > 0.
      if (auto error = parse_whole_number("--truncate", truncate, 0, 1L << 30, number))
        return usage_error(*error + " (a width, true or false)");
      options.show.truncate = static_cast<int>(number);
    }
  }
  if (!max_state_bytes.empty()) {
    size_t bytes = 0;
    if (!parse_size(max_state_bytes, bytes) || bytes == 0)
      return usage_error("--max-state-bytes must be a size such as 512M, not '" + max_state_bytes + "'");
    options.max_state_bytes = bytes;
  }
  if (!partial_groups.empty()) {
    if (auto error = parse_whole_number("--partial-groups", partial_groups, 1, INT32_MAX, number))
      return usage_error(*error);
    options.partial_groups = static_cast<size_t>(number);
  }
  if (!max_future.empty()) {
    if (options.watermark.empty())
      return usage_error("--max-future goes with --watermark: it says which event times a watermark trusts");
    int64_t age = 0;
    if (max_future == "none") {
      options.max_future_us = INT64_MAX;
    } else if (!parse_age(max_future, age)) {
      return usage_error("--max-future must be a positive age such as 12h, 1d or '1 day', or none, not '" +
                         max_future + "'");
    } else {
      options.max_future_us = age / 1000;
    }
  }
  if (max_file_age == "none") {
    options.max_file_age_ns.reset();
  } else if (!max_file_age.empty()) {
    int64_t age = 0;
    if (!parse_age(max_file_age, age))
      return usage_error("--max-file-age must be a positive age such as 12h, 7d or '7 days', or none, not '" +
                         max_file_age + "'");
    options.max_file_age_ns = age;
  }
  options.streaming = watch->parsed() || merge->parsed();
  if (!trigger_interval.empty()) {
    int64_t ns = 0;
    if (!parse_age(trigger_interval, ns))
      return usage_error(
          "--trigger-interval must be a positive interval such as 1s, '500 milliseconds' or "
          "'10 seconds', not '" +
          trigger_interval + "'");
    options.trigger_interval = std::chrono::nanoseconds(ns);
  }
  if (*run && outputs.ui_port >= 0)
    return usage_error(
        "--ui-port goes with watch (the page lives as long as the query); for run, write the "
        "page once with --sink html=FILE");
  if (!options.checkpoint_dir.empty()) {
    // An input that is a pipe (standard input, or a pipe run names: <(zcat a.gz), a FIFO): what it read
    // cannot be read again after a restart, so it cannot go with a checkpoint.
    std::string pipe_read = *watch && directory == "-" ? "standard input (-)" : "";
    for (size_t i = 0; *run && pipe_read.empty() && i < paths.size(); ++i) {
      struct stat st {};
      if (paths[i] == "-")
        pipe_read = "standard input (-)";
      else if (::stat(paths[i].c_str(), &st) == 0 && S_ISFIFO(st.st_mode))
        pipe_read = "a pipe (" + paths[i] + ")";
    }
    if (!pipe_read.empty())
      return usage_error("--checkpoint cannot go with " + pipe_read +
                         ": what it read cannot be read again after a restart, so nothing could be "
                         "replayed exactly once");
  }
  if (*watch && directory == "-" && options.watch.follow)
    return usage_error("--follow goes with a directory; standard input (-) is read as it comes already");
  const bool kafka_worker = *watch && logstream::is_kafka_address(directory);
  if (kafka_worker || *merge) {
    auto address = logstream::parse_kafka_address(*merge ? merge_source : directory);
    if (!address) return usage_error(address.error());
    if (group.empty())
      return usage_error(
          "--group NAME is needed with kafka://: the consumer group whose workers count the topic");
    logstream::KafkaSettings kafka;
    kafka.address = std::move(address).value();
    kafka.group = group;
    kafka.state_topic = state_topic;
    for (const std::string& option : kafka_options) {
      const size_t equals = option.find('=');
      if (equals == std::string::npos || equals == 0)
        return usage_error("--kafka-option takes KEY=VALUE, not '" + option + "'");
      kafka.options.emplace_back(option.substr(0, equals), option.substr(equals + 1));
    }
    if (auto checked = logstream::check_kafka_settings(kafka); !checked) return usage_error(checked.error());
    if (options.format.format == "auto")
      return usage_error(
          "--format is needed with kafka:// (e.g. --format combined): workers pick no format of their own, "
          "so that all of them and the merger read the lines the same way");
    options.kafka = std::move(kafka);
    if (!options.checkpoint_dir.empty())
      return usage_error(
          "--checkpoint does not go with kafka://: the state topic is the checkpoint (a restarted "
          "worker or merger rebuilds from it)");
    if (options.watch.follow) return usage_error("--follow goes with a directory, not with kafka://");
    if (kafka_worker && (!outputs.sinks.empty() || outputs.ui_port >= 0))
      return usage_error(
          "a Kafka worker publishes its partials to the state topic and prints no table: give --sink and "
          "--ui-port to `logstream merge`");
  } else if (!group.empty() || !state_topic.empty() || !kafka_options.empty()) {
    const std::string& source = *watch ? directory : (paths.empty() ? std::string() : paths.front());
    if (source.rfind("kafka:", 0) == 0)
      return usage_error("'" + source +
                         "' is not a kafka:// address (kafka://HOST:PORT[,HOST:PORT...]/TOPIC)");
    return usage_error("--group, --state-topic and --kafka-option go with a kafka:// source");
  }
  if (*schema) {
    auto parser = logstream::ChunkParser::create(options.format);
    if (!parser) return usage_error(parser.error());
    std::fputs(logstream::render_print_schema(parser.value().schema()).c_str(), stdout);
    return logstream::kExitOk;
  }

  // Before any thread exists, so that every thread inherits the blocked signal mask.
  logstream::ShutdownSignals::install();

  // Flags first (the format may not compile), then the paths they apply to.
  int error_exit = kExitUsage;
  auto query = logstream::StatusQuery::create(options, error_exit);
  if (!query) {
    std::fprintf(stderr, "logstream: %s\n", query.error().c_str());
    return error_exit;
  }
  if (auto restored = query.value()->restore_checkpoint(); !restored) {
    logstream::print_diagnostic(restored.error());
    return logstream::kExitFailure;
  }
  if (*merge) return query.value()->merge_kafka();
  if (kafka_worker) return query.value()->watch_kafka();
  if (*run) {
    auto files = logstream::StatusQuery::expand_paths(paths, logstream::print_diagnostic);
    if (!files) return usage_error(files.error());
    return query.value()->run(files.value());
  }
  if (directory == "-") return query.value()->watch_input(STDIN_FILENO);
  auto watcher = logstream::DirectoryWatcher::create(directory, options.watch, logstream::print_diagnostic);
  if (!watcher) return usage_error(watcher.error());
  return query.value()->watch(watcher.value());
}
