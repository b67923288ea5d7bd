#include "stages/sinks/console_sink.h"

namespace logstream {

bool ConsoleSink::write_batch(uint64_t batch_id, const StatusTable& table) {
  const std::string text = render_spark_console_batch(batch_id, table.to_text_table(order_));
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size()) return false;
  return std::fflush(out_) == 0;
}

}  // namespace logstream
