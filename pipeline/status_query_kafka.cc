// StatusQuery past one machine: the Kafka worker (watch kafka://...) and the merger (merge kafka://...).
// Why no line is lost or counted twice is argued in README.md ("Kafka: exactly once"); the rule itself is
// DeltaChain (stages/checkpoint/partition_delta.h).
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "pipeline/shutdown_signals.h"
#include "pipeline/status_query.h"
#include "stages/core/text_escape.h"

namespace logstream {
namespace {

using std::chrono::milliseconds;

// How long a read of the state topic or a publish may take before the query stops with an error.
constexpr milliseconds kStateTopicTimeout{60'000};
// The most a worker holds of one trigger's messages before it makes batches of them.
constexpr size_t kMaxPolledBytes = size_t{256} << 20;

std::string worker_id() {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  std::random_device device;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", device());
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

// An offset range as the README writes it: [first, end).
std::string offset_range(int64_t first, int64_t end) {
  return "[" + std::to_string(first) + ", " + std::to_string(end) + ")";
}

// Sleeps until `until` or a stop signal.
void wait_for_trigger(ShutdownSignals& signals, SteadyClock::time_point until) {
  while (!signals.stop_requested()) {
    const auto now = SteadyClock::now();
    if (now >= until) return;
    struct pollfd wake = {signals.wake_fd(), POLLIN, 0};
    ::poll(&wake, 1,
           static_cast<int>(std::max<int64_t>(
               1, std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count())));
  }
}

}  // namespace

Expected<bool> StatusQuery::read_state_topic(
    StateTopic& topic, DeltaChain& chain,
    const std::function<Expected<bool>(const PartitionDelta&, bool, GroupTable*)>& on_delta) {
  const std::string ours = query_description();
  return topic.read_to_end(
      [&](int64_t offset, std::string_view bytes) -> Expected<bool> {
        const std::string source = topic.name() + "[0]@" + std::to_string(offset);
        // A record that is not a well-formed delta of this query's shape is passed over by every reader
        // alike (each decides from the record alone), so one stray message does not stop the group.
        auto ignore = [&](const std::string& why) {
          print_diagnostic(source + ": ignored, not a delta this query can count: " + why);
          return Expected<bool>(true);
        };
        auto delta = parse_delta(bytes, source);
        if (!delta) return ignore(delta.error());
        if (delta.value().query != ours) {
          return Error{source + ": published by worker " + escape_for_terminal(delta.value().worker) +
                       " of another query: " + query_difference(delta.value().query, ours) +
                       "; workers and merger must run the same query (or use another --group or "
                       "--state-topic)"};
        }
        std::optional<GroupTable> groups;
        if (groups_ && delta.value().groups) {
          groups.emplace(executor_->functions());
          std::string why;
          if (!groups->deserialize(*delta.value().groups, why)) return ignore(why);
          if (!groups_match_plan(*groups, why)) return ignore(why);
        } else if (groups_ && delta.value().counts.lines_read > 0) {
          return ignore("it has lines but no groups");
        } else if (!groups_ && delta.value().groups) {
          return ignore("it has groups, which the status count has not");
        }
        const bool accepted = chain.accept(delta.value());
        return on_delta(delta.value(), accepted, groups ? &*groups : nullptr);
      },
      kStateTopicTimeout);
}

bool StatusQuery::groups_match_plan(const GroupTable& groups, std::string& why) const {
  const auto& keys = executor_->plan().keys;
  std::vector<ValueView> views;
  for (size_t g = 0; g < groups.size(); ++g) {
    groups.key_views(g, views);
    if (views.size() != keys.size()) {
      why = "a group of " + std::to_string(views.size()) + " keys, the query has " +
            std::to_string(keys.size());
      return false;
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      if (!views[k].null && views[k].type != keys[k]->type) {
        why = "key " + std::to_string(k + 1) + " of a group is not of the query's type";
        return false;
      }
    }
  }
  return true;
}

int StatusQuery::watch_kafka() {
  ShutdownSignals& signals = ShutdownSignals::install();
  const KafkaSettings& settings = *options_.kafka;
  kafka_worker_ = true;
  signals.exit_after_stop(10);  // a cluster gone away must not keep a stopped worker waiting
  const uint64_t first_batch_id = next_batch_id_;
  const std::string worker = worker_id();
  auto state = StateTopic::open(settings, print_diagnostic, /*writer=*/true);
  if (!state) {
    print_diagnostic(state.error());
    return finish(kExitFailure);
  }
  StateTopic& state_topic = *state.value();
  state_topic.set_stop([&] { return signals.stop_requested(); });
  // What the state topic says of this worker's own deltas, as it reads them back.
  DeltaChain chain;
  uint64_t counted = 0, superseded = 0;
  auto catch_up = [&]() {
    return read_state_topic(state_topic, chain, [&](const PartitionDelta& delta, bool accepted, GroupTable*) {
      if (delta.worker != worker) return Expected<bool>(true);
      if (accepted) {
        ++counted;
      } else {
        ++superseded;
        print_diagnostic(partition_name(settings.address.topic, delta.partition) + " offsets " +
                         offset_range(delta.first_offset, delta.end_offset) +
                         ": not counted: another worker's delta covered them first (this worker was taken "
                         "for gone); it goes on from the state topic's chain");
      }
      return Expected<bool>(true);
    });
  };
  if (auto read = catch_up(); !read) {
    print_diagnostic(read.error());
    return finish(kExitFailure);
  }
  auto source = SourceConsumer::open(
      settings, print_diagnostic, [&](int32_t partition) -> Expected<std::optional<int64_t>> {
        // The chain's end as the state topic has it now: where the partition's previous owner stopped.
        auto read = catch_up();
        if (!read) return Error{read.error()};
        if (!read.value()) return Error{"stopped"};  // (poll() then ends: a stop is asked for)
        const std::optional<int64_t> end = chain.end(partition);
        if (!options_.quiet) {
          print_diagnostic(partition_name(settings.address.topic, partition) + " assigned: " +
                           (end ? "resuming at offset " + std::to_string(*end) + ", where its chain ends"
                                : std::string("from its earliest offset (no delta yet)")));
        }
        return end;
      });
  if (!source) {
    print_diagnostic(source.error());
    return finish(kExitFailure);
  }
  SourceConsumer& consumer = *source.value();
  const auto interval = options_.trigger_interval.value_or(std::chrono::seconds(1));
  const std::string description = query_description();
  while (!signals.stop_requested()) {
    auto polled = consumer.poll(
        SteadyClock::now() + interval, [&] { return signals.stop_requested(); }, kMaxPolledBytes);
    if (!polled) {
      if (signals.stop_requested()) break;
      print_diagnostic(polled.error());
      return finish(kExitFailure);
    }
    // Each partition's lines are a batch of their own: its partial is that partition's delta. (Stopped:
    // what was read still goes out, so the next owner need not read it again.)
    std::vector<std::string> records, summaries;
    for (SourceConsumer::PartitionLines& lines : polled.value()) {
      if (lines.messages == 0 && lines.lost_offsets == 0) continue;
      const std::string name = partition_name(settings.address.topic, lines.partition);
      const uint64_t batch_id = next_batch_id_;
      if (lines.messages == 0) {
        // Only offsets the broker had dropped: a delta without lines (or groups) carries the chain past
        // them.
        worker_delta_.emplace();
      } else {
        const int memory = memory_file(lines.lines, "logstream-kafka");
        if (memory < 0) {
          print_diagnostic(name + ": cannot hold a batch's lines: " + std::strerror(errno));
          return finish(kExitFailure);
        }
        FileTask task;
        task.path = name;
        task.descriptor = memory;
        task.size_limit = lines.lines.size();
        worker_delta_.reset();
        const int code = run_batch({std::move(task)}, nullptr);
        ::close(memory);
        if (code != kExitOk) return finish(code);
      }
      if (!worker_delta_) continue;
      PartitionDelta& delta = *worker_delta_;
      delta.query = description;
      delta.partition = lines.partition;
      delta.first_offset = lines.first_offset;
      delta.end_offset = lines.end_offset;
      delta.worker = worker;
      delta.lost_offsets = lines.lost_offsets;
      records.push_back(serialize_delta(delta));
      summaries.push_back("batch " + std::to_string(batch_id) + ": " + name + " offsets " +
                          offset_range(delta.first_offset, delta.end_offset) + ", " +
                          std::to_string(lines.messages) + " messages, " +
                          std::to_string(delta.counts.lines_read) +
                          " lines read = " + std::to_string(delta.counts.accepted()) + " accepted + " +
                          std::to_string(delta.counts.rejected()) + " rejected" +
                          (delta.lost_offsets ? ", " + std::to_string(delta.lost_offsets) + " lost" : "") +
                          "; published" + reject_reasons_text(delta.counts));
    }
    if (!records.empty()) {
      auto published = state_topic.publish(records, kStateTopicTimeout);
      if (!published) {
        print_diagnostic(published.error());
        return finish(kExitFailure);
      }
      if (!published.value()) break;  // stopped
      if (!options_.quiet) {
        for (const std::string& summary : summaries) print_diagnostic(summary);
      }
    }
    // Read back, in the order every reader sees: a partition whose chain ends elsewhere than where this
    // worker would go on was counted by another worker meanwhile; it goes on from the chain.
    auto read = catch_up();
    if (!read) {
      print_diagnostic(read.error());
      return finish(kExitFailure);
    }
    if (!read.value()) break;  // stopped
    for (const auto& [partition, next] : consumer.owned()) {
      const std::optional<int64_t> end = chain.end(partition);
      if (!end || next == end) continue;
      print_diagnostic(partition_name(settings.address.topic, partition) +
                       ": the state topic's chain ends at " + std::to_string(*end) + ", not at " +
                       (next ? std::to_string(*next) : "its start") +
                       " where this worker was: another worker counted it meanwhile; going on from " +
                       std::to_string(*end));
      if (auto moved = consumer.seek(partition, *end); !moved) {
        print_diagnostic(moved.error());
        return finish(kExitFailure);
      }
    }
  }
  if (!options_.quiet) {
    print_diagnostic("stopped after " + batch_count_text(next_batch_id_ - first_batch_id) + ": " +
                     std::to_string(counted) + " deltas counted, " + std::to_string(superseded) +
                     " superseded by another worker's");
  }
  return finish(kExitOk);
}

int StatusQuery::merge_kafka() {
  ShutdownSignals& signals = ShutdownSignals::install();
  const KafkaSettings& settings = *options_.kafka;
  batch_noun_ = "delta";
  signals.exit_after_stop(10);
  auto state = StateTopic::open(settings, print_diagnostic, /*writer=*/false);
  if (!state) {
    print_diagnostic(state.error());
    return finish(kExitFailure);
  }
  state.value()->set_stop([&] { return signals.stop_requested(); });
  const uint64_t first_batch_id = next_batch_id_;
  DeltaChain chain;
  uint64_t lost_offsets = 0;
  int empty_reads = 0;
  const auto interval = options_.trigger_interval.value_or(std::chrono::seconds(1));
  SteadyClock::time_point next_trigger = SteadyClock::now();
  while (!signals.stop_requested()) {
    batch_started_ = SteadyClock::now();
    LineCounts batch;
    std::optional<QueryExecutor::BatchState> groups;
    if (groups_) groups.emplace(executor_->functions(), std::nullopt);
    size_t deltas = 0;
    auto read = read_state_topic(
        *state.value(), chain,
        [&](const PartitionDelta& delta, bool accepted, GroupTable* partial) -> Expected<bool> {
          if (!accepted) return true;
          ++deltas;
          batch.add(delta.counts);
          const std::string name = partition_name(settings.address.topic, delta.partition) + " offsets " +
                                   offset_range(delta.first_offset, delta.end_offset);
          if (delta.lost_offsets > 0) {
            lost_offsets += delta.lost_offsets;
            print_diagnostic(name + ": " + std::to_string(delta.lost_offsets) +
                             " messages were gone from the broker (its retention) before a worker read "
                             "them; their lines are not in the table");
          }
          // (A delta without lines, only lost offsets, has no groups.)
          if (groups && partial) groups->groups().absorb(*partial);
          return true;
        });
    if (!read) {
      print_diagnostic(read.error());
      return finish(kExitFailure);
    }
    // (Said after a second empty read: the first may come before the brokers have told where the end is.)
    if (chain.accepted() + chain.ignored() == 0 && ++empty_reads == 2 && !options_.quiet) {
      print_diagnostic("no deltas on " + state.value()->name() + " yet (are workers running with --group " +
                       settings.group + "?); waiting for them");
    }
    if (deltas > 0) {
      batch_files_ = deltas;
      const uint64_t batch_id = next_batch_id_++;
      batch_read_parse_ms_ =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - batch_started_).count();
      last_batch_end_ = BatchEnd::kPrinted;
      emit_batch(batch_id, batch, groups ? &*groups : nullptr);
      switch (last_batch_end_) {
        case BatchEnd::kStdoutClosed:
          return finish(kEndByBrokenPipe);
        case BatchEnd::kPrinted:
          break;
        default:
          return finish(kExitFailure);
      }
      BatchTimings timings;
      timings.read_parse_ms = batch_read_parse_ms_;
      timings.sink_ms = outputs_->last_sink_ms();
      timings.total_ms =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - batch_started_).count();
      outputs_->after_batch(batch_id, batch, batch_files_, state_report(), timings, 0);
    }
    while (next_trigger <= SteadyClock::now()) next_trigger += interval;
    wait_for_trigger(signals, next_trigger);
  }
  if (!options_.quiet) {
    print_diagnostic(
        "stopped after " + batch_count_text(next_batch_id_ - first_batch_id) + ": " +
        std::to_string(chain.accepted()) + " deltas counted, " + std::to_string(chain.ignored()) +
        " ignored (a range another delta had covered)" +
        (lost_offsets ? ", " + std::to_string(lost_offsets) + " messages lost to retention" : ""));
  }
  return finish(kExitOk);
}

}  // namespace logstream
