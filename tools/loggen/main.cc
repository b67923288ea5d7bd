// loggen: writes a deterministic access log to stdout or a file. See --help.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "tools/loggen/generator.h"

namespace {

bool parse_bytes(const std::string& text, uint64_t& out) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || value < 0) return false;
  const std::string suffix = end;
  double scale = 1;
  if (suffix == "K" || suffix == "k")
    scale = 1024.0;
  else if (suffix == "M")
    scale = 1024.0 * 1024;
  else if (suffix == "G")
    scale = 1024.0 * 1024 * 1024;
  else if (!suffix.empty())
    return false;
  out = static_cast<uint64_t>(value * scale);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"loggen: deterministic web-server access logs for tests, demos and benchmarks"};
  logstream::loggen::Options options;
  std::string size, quirks = "none", mix, output = "-", shape;
  app.add_option("--seed", options.seed, "Random seed; the same seed gives the same bytes")
      ->capture_default_str();
  app.add_option("--size", size, "Stop before this many bytes (K/M/G suffixes)");
  app.add_option("--lines", options.max_lines, "Stop after this many lines");
  app.add_option("--format", options.format, "common, combined, vhost_combined or nginx")
      ->capture_default_str()
      ->check(CLI::IsMember({"common", "combined", "vhost_combined", "nginx"}));
  app.add_option("--status-mix", mix, "Statuses with weights, e.g. 200:80,404:5,500:15");
  app.add_option("--timezone", options.timezone, "UTC offset of the timestamps, e.g. -0800")
      ->capture_default_str();
  std::string quirk_help = "Comma-separated quirks, 'all' or 'none':";
  for (auto name : logstream::loggen::quirk_names()) quirk_help += " " + std::string(name);
  app.add_option("--quirks", quirks, quirk_help)->capture_default_str();
  app.add_option("--shape", shape,
                 "'seed': the shape of the seed's access_log.txt (combined, +0000, 76,079 "
                 "lines, its status mix); other flags given after it still apply")
      ->check(CLI::IsMember({"seed"}));
  app.add_option("-o,--output", output, "Output file, '-' for stdout")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!shape.empty()) {
    auto seeded = logstream::loggen::seed_shape();
    seeded.seed = options.seed;
    seeded.quirks = options.quirks;
    if (app.count("--lines")) seeded.max_lines = options.max_lines;
    if (app.count("--format")) seeded.format = options.format;
    options = seeded;
  }
  if (!size.empty() && !parse_bytes(size, options.max_bytes)) {
    std::fprintf(stderr, "loggen: --size must be a number of bytes with an optional K, M or G suffix\n");
    return 2;
  }
  std::string unknown;
  if (!logstream::loggen::parse_quirks(quirks, options.quirks, unknown)) {
    std::fprintf(stderr, "loggen: unknown quirk '%s' (see --help)\n", unknown.c_str());
    return 2;
  }
  if (!mix.empty() && !logstream::loggen::parse_status_mix(mix, options.status_mix)) {
    std::fprintf(stderr, "loggen: --status-mix must look like 200:80,500:20\n");
    return 2;
  }
  if (options.max_bytes == 0 && options.max_lines == 0) {
    std::fprintf(stderr, "loggen: give --size, --lines or --shape seed\n");
    return 2;
  }
  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "wb");
  if (!out) {
    std::perror(("loggen: " + output).c_str());
    return 1;
  }
  logstream::loggen::Generator generator(options);
  std::string buffer;
  buffer.reserve(1 << 20);
  bool more = true;
  while (more) {
    more = generator.next_line(buffer);
    if (buffer.size() >= (1 << 20) || !more) {
      if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
        std::perror("loggen: write");
        return 1;
      }
      buffer.clear();
    }
  }
  if (std::fclose(out) != 0) {
    std::perror("loggen: close");
    return 1;
  }
  return 0;
}
