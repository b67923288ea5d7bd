// logstream: the CLI. Parses flags, turns them into a QueryOptions, and hands over to pipeline/.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "pipeline/shutdown_signals.h"
#include "pipeline/status_query.h"

namespace {

using logstream::kExitUsage;

// "64", "64K", "4M", "1G" -> bytes.
bool parse_size(const std::string& text, size_t& out) {
  if (text.empty()) return false;
  size_t digits = 0;
  unsigned long long value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    if (value > (1ULL << 40)) return false;
    value = value * 10 + static_cast<unsigned>(text[digits++] - '0');
  }
  if (digits == 0) return false;
  const std::string suffix = text.substr(digits);
  if (suffix == "K" || suffix == "k" || suffix == "KiB")
    value <<= 10;
  else if (suffix == "M" || suffix == "MiB")
    value <<= 20;
  else if (suffix == "G" || suffix == "GiB")
    value <<= 30;
  else if (!suffix.empty() && suffix != "B")
    return false;
  out = static_cast<size_t>(value);
  return true;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "logstream: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "logstream: streaming access-log analytics. Keeps the complete table of `groupBy(status).count()` over "
      "a\n"
      "directory of web-server logs and prints it per batch in Spark's console layout."};
  app.set_version_flag("--version", std::string("logstream ") + LOGSTREAM_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  logstream::QueryOptions options;
  std::string sort = "spark";
  std::string chunk_size = "1M";
  app.add_option("--format", options.format.format,
                 "Line format: auto (picked per file), spark-seed (the seed's regexes, Spark semantics), "
                 "common, combined, vhost_combined, nginx, or custom (with --log-format)")
      ->capture_default_str();
  app.add_option("--log-format", options.format.log_format,
                 "An Apache LogFormat string for --format custom, e.g. '%h %l %u %t \"%r\" %>s %b'");
  app.add_option("--threads", options.pipeline.threads, "Parser threads (default: every core)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--chunk-size", chunk_size,
                 "Bytes per chunk (K/M/G suffixes); also the longest line the fixed formats accept")
      ->capture_default_str();
  app.add_option("--sort", sort, "Row order of the table: spark (Spark's hash-partition order), key, count")
      ->capture_default_str();
  app.add_option("--checkpoint", options.checkpoint_dir,
                 "Directory for the exactly-once state: after every batch the table, the next batch id and "
                 "the files counted are committed there; a restart continues from it");
  logstream::OutputOptions& outputs = options.outputs;
  app.add_option("--sink", outputs.sinks,
                 "Where batches go, repeatable: console, jsonl or csv, optionally =FILE (default: console on "
                 "stdout; at most one sink on stdout)");
  app.add_option("--alert", outputs.alert_rules,
                 "An alert rule, repeatable, e.g. 'errors: rate(status >= 500) > 0.05' (see README)");
  app.add_option("--alert-rules", outputs.alert_rules_file,
                 "A file of alert rules, one per line, # comments");
  app.add_option("--alert-log", outputs.alert_log, "Append alert state changes to FILE as JSON lines");
  app.add_option("--on-alert", outputs.on_alert,
                 "Run PROGRAM (no shell) each time a rule fires; details in LOGSTREAM_ALERT_* variables");
  app.add_flag("--fail-on-alert", options.fail_on_alert, "Exit 3 at the end when any alert rule fired");
  app.add_option("--prometheus-file", outputs.prometheus_file,
                 "Rewrite FILE atomically after every batch with metrics in Prometheus text format");
  app.add_option("--metrics-port", outputs.metrics_port, "Serve GET /metrics on 127.0.0.1:PORT")
      ->check(CLI::Range(0, 65535));
  app.add_flag("--progress", outputs.progress,
               "One JSON line per batch on stderr, modelled on Spark's StreamingQueryProgress");
  app.add_flag("-q,--quiet", options.quiet,
               "No per-batch summary or format notes on stderr (warnings remain)");

  CLI::App* run = app.add_subcommand(
      "run",
      "Process the files that exist now as one batch (Batch 0, or the next id with --checkpoint), then exit");
  std::vector<std::string> paths;
  run->add_option("PATH", paths,
                  "Files or directories (directories: every file not starting with '_' or '.')")
      ->required();

  CLI::App* watch = app.add_subcommand("watch", "Watch DIR for new files; a batch per trigger, until Ctrl-C");
  std::string directory = "./logs";
  int quiet_ms = 500, partial_ms = 10000, rescan_ms = 1000;
  bool no_inotify = false;
  watch->add_option("DIR", directory, "Directory to watch")->capture_default_str();
  watch
      ->add_option("--quiet-ms", quiet_ms,
                   "A file whose last line is complete is taken after this long without change, even if "
                   "its writer never closed it")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  watch
      ->add_option("--partial-line-wait-ms", partial_ms,
                   "A file still open with an unfinished last line is taken after this long without change")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400000));
  watch->add_option("--rescan-ms", rescan_ms, "Directory listing interval when no event arrives")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  watch->add_flag("--no-inotify", no_inotify, "Find new files by rescanning only");
  watch->add_flag("--follow", options.watch.follow,
                  "Also count lines appended to files already counted, following renames (rotation), "
                  "truncation and compressed rotations (*.gz); Spark reads each file once");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  const auto order = logstream::parse_row_order(sort);
  if (!order) return usage_error("--sort must be spark, key or count, not '" + sort + "'");
  options.order = *order;
  if (!parse_size(chunk_size, options.pipeline.chunk_size) || options.pipeline.chunk_size < 16 ||
      options.pipeline.chunk_size > (size_t{1} << 30)) {
    return usage_error("--chunk-size must be between 16 and 1G bytes, not '" + chunk_size + "'");
  }
  options.watch.quiet_period = std::chrono::milliseconds(quiet_ms);
  options.watch.partial_line_wait = std::chrono::milliseconds(partial_ms);
  options.watch.rescan_interval = std::chrono::milliseconds(rescan_ms);
  options.watch.use_inotify = !no_inotify;
  options.pipeline.announce_formats = !options.quiet;

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
  if (*run) {
    auto files = logstream::StatusQuery::expand_paths(paths, logstream::print_diagnostic);
    if (!files) return usage_error(files.error());
    return query.value()->run(files.value());
  }
  auto watcher = logstream::DirectoryWatcher::create(directory, options.watch, logstream::print_diagnostic);
  if (!watcher) return usage_error(watcher.error());
  return query.value()->watch(watcher.value());
}
