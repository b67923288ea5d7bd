#include "stages/sinks/batch_sink.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "stages/core/atomic_file.h"
#include "stages/core/text_escape.h"
#include "stages/sinks/dashboard.h"

namespace logstream {
namespace {

enum class SinkFormat : uint8_t { kConsole, kJsonl, kCsv };

// Every sink: a stream, a row order and a format to render each batch in.
class StreamSink final : public BatchSink {
 public:
  StreamSink(std::unique_ptr<SinkStream> stream, const SinkSettings& settings, SinkFormat format)
      : stream_(std::move(stream)),
        settings_(settings),
        format_(format),
        csv_header_due_(stream_->is_new()) {}

  bool write(const BatchReport& report) override {
    switch (format_) {
      case SinkFormat::kConsole:
        return stream_->write(render_spark_console_batch(report.batch_id, *report.schema, *report.rows,
                                                         settings_.zone, settings_.show));
      case SinkFormat::kJsonl:
        if (report.rows_streamed) return true;
        return stream_->write(
            render_jsonl_rows(report.batch_id, *report.schema, *report.rows, settings_.zone));
      case SinkFormat::kCsv:
        if (report.rows_streamed) return write_csv_header_if_due(*report.schema);
        if (!stream_->write(render_csv_rows(report.batch_id, *report.schema, *report.rows, settings_.zone,
                                            csv_header_due_)))
          return false;
        csv_header_due_ = false;  // a header once per file
        return true;
    }
    return false;
  }
  bool write_streamed(const Schema& schema, const RenderedRows& rows) override {
    switch (format_) {
      case SinkFormat::kConsole:
        return true;
      case SinkFormat::kJsonl:
        return rows.jsonl.empty() || stream_->write(rows.jsonl);
      case SinkFormat::kCsv:
        return write_csv_header_if_due(schema) && (rows.csv.empty() || stream_->write(rows.csv));
    }
    return false;
  }
  bool wants_jsonl() const override { return format_ == SinkFormat::kJsonl; }
  bool wants_csv() const override { return format_ == SinkFormat::kCsv; }
  const std::string& destination() const override { return stream_->destination(); }

 private:
  bool write_csv_header_if_due(const Schema& schema) {
    if (!csv_header_due_) return true;
    if (!stream_->write(render_csv_rows(0, schema, {}, settings_.zone, true))) return false;
    csv_header_due_ = false;
    return true;
  }

  std::unique_ptr<SinkStream> stream_;
  SinkSettings settings_;
  SinkFormat format_;
  bool csv_header_due_;
};

// --sink html=FILE: the dashboard as one page, replaced whole after each batch (written aside and
// renamed), so a browser or a web server never reads half a page.
class HtmlReportSink final : public BatchSink {
 public:
  HtmlReportSink(std::string path, const SinkSettings& settings)
      : path_(std::move(path)), state_(settings.query, settings.zone) {}

  bool write(const BatchReport& report) override {
    state_.add_batch(
        {report.batch_id, report.schema, report.rows, report.batch, report.latency_ms, report.alerts});
    auto written = replace_file_atomically(path_, dashboard_report_page(state_.to_json()), /*durable=*/false);
    if (!written && errno == 0) errno = EIO;
    return static_cast<bool>(written);
  }
  bool write_streamed(const Schema&, const RenderedRows&) override { return true; }
  bool wants_jsonl() const override { return false; }
  bool wants_csv() const override { return false; }
  bool wants_every_row() const override { return true; }
  const std::string& destination() const override { return path_; }

 private:
  std::string path_;
  DashboardState state_;
};

// A csv sink appends: a file that already holds rows must hold this query's columns. Returns what to tell
// the user when its first line is another header (or no header at all).
std::optional<std::string> foreign_csv_header(const std::string& path, const std::string& header) {
  std::ifstream in(path, std::ios::binary);
  std::string first(header.size() + 4096, '\0');  // enough to show the line that is there instead
  in.read(first.data(), static_cast<std::streamsize>(first.size()));
  first.resize(static_cast<size_t>(in.gcount()));
  const size_t end = first.find_first_of("\r\n");
  if (end == header.size() && first.compare(0, end, header) == 0) return std::nullopt;
  const std::string found = escape_for_terminal(first.substr(0, std::min(end, first.size())));
  return path + ": holds other rows (its first line is '" + found + (end == std::string::npos ? "…" : "") +
         "', this query's header is '" + escape_for_terminal(header) +
         "'): name another file for --sink csv, or remove this one";
}

}  // namespace

Expected<std::unique_ptr<SinkStream>> SinkStream::open(const std::string& destination) {
  if (destination.empty() || destination == "-")
    return std::unique_ptr<SinkStream>(new SinkStream(stdout, false, "stdout", true));
  struct stat st {};
  const bool existed = ::stat(destination.c_str(), &st) == 0 && st.st_size > 0;
  std::FILE* file = std::fopen(destination.c_str(), "ae");
  if (!file) return Error{destination + ": cannot open for writing: " + std::strerror(errno)};
  return std::unique_ptr<SinkStream>(new SinkStream(file, true, destination, !existed));
}

SinkStream::~SinkStream() {
  if (owned_) std::fclose(file_);
}

bool SinkStream::write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) return false;
  return std::fflush(file_) == 0;
}

Expected<std::unique_ptr<BatchSink>> make_sink(const std::string& spec, const SinkSettings& settings) {
  const size_t equals = spec.find('=');
  const std::string kind = spec.substr(0, equals);
  const std::string destination = equals == std::string::npos ? "-" : spec.substr(equals + 1);
  if (kind == "html") {
    if (destination == "-" || destination.empty())
      return Error{"--sink must be html=FILE for the html report (it is a file, not a stream), not '" + spec +
                   "'"};
    // Written once now, so that a path that cannot be written stops the query before it reads anything.
    DashboardState empty(settings.query, settings.zone);
    auto written = replace_file_atomically(destination, dashboard_report_page(empty.to_json()), false);
    if (!written) return Error{"--sink " + spec + ": " + written.error()};
    return std::unique_ptr<BatchSink>(new HtmlReportSink(destination, settings));
  }
  if (kind != "console" && kind != "jsonl" && kind != "csv")
    return Error{"--sink must be console, jsonl, csv or html (optionally =FILE), not '" + spec + "'"};
  auto stream = SinkStream::open(destination);
  if (!stream) return Error{stream.error()};
  if (kind == "csv" && !stream.value()->is_new() && !settings.csv_header.empty()) {
    if (auto foreign = foreign_csv_header(destination, settings.csv_header)) return Error{*foreign};
  }
  const SinkFormat format = kind == "jsonl" ? SinkFormat::kJsonl
                            : kind == "csv" ? SinkFormat::kCsv
                                            : SinkFormat::kConsole;
  return std::unique_ptr<BatchSink>(new StreamSink(std::move(stream).value(), settings, format));
}

}  // namespace logstream
