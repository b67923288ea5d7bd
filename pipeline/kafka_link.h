// Kafka through librdkafka: the source topic read by a worker of a consumer group, and the state topic
// (stages/checkpoint/partition_delta.h) that workers publish their partials to and the merger reads.
// Offsets committed to Kafka are never used: where a worker resumes a partition comes from the state
// topic alone, as Spark's Kafka source keeps its offsets in its own checkpoint.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/warning.h"

namespace logstream {

// kafka://HOST:PORT[,HOST:PORT...]/TOPIC
struct KafkaAddress {
  std::string brokers;
  std::string topic;
};
bool is_kafka_address(std::string_view text) noexcept;
Expected<KafkaAddress> parse_kafka_address(std::string_view text);

// Kafka's rule for topic names: 1 to 249 of [a-zA-Z0-9._-], and not "." or "..".
bool is_topic_name(std::string_view name) noexcept;
// How messages name a partition: TOPIC[N].
std::string partition_name(const std::string& topic, int32_t partition);
struct KafkaSettings {
  KafkaAddress address;
  std::string group;        // --group: the consumer group of the workers
  std::string state_topic;  // --state-topic; empty: TOPIC.logstream.GROUP
  // --kafka-option KEY=VALUE, applied after logstream's own settings (so they can override them).
  std::vector<std::pair<std::string, std::string>> options;
  std::string state_topic_name() const {
    return state_topic.empty() ? address.topic + ".logstream." + group : state_topic;
  }
};

// Usage errors in the settings, found before anything connects: a state topic name Kafka would refuse,
// and a --kafka-option librdkafka does not know, cannot take, or that would undo what exactly-once rests
// on (committed offsets, silent offset resets, the eager assignment protocol, the idempotent producer).
Expected<bool> check_kafka_settings(const KafkaSettings& settings);

// What librdkafka's callbacks reach through a handle's opaque: the warning handler, and the consumer
// whose rebalances they are (null for the state topic's handles).
class SourceConsumer;
struct KafkaCallbackContext {
  WarningHandler warn;
  SourceConsumer* consumer = nullptr;
};

struct KafkaHandleFree {
  void operator()(rd_kafka_t* handle) const noexcept;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleFree>;

// The state topic's partition 0 (one partition: one order every reader agrees on). A reader reads it
// from its first record; a writer publishes with an idempotent producer (no duplicates, no reordering on
// retries).
class StateTopic {
 public:
  static Expected<std::unique_ptr<StateTopic>> open(const KafkaSettings& settings, WarningHandler warn,
                                                    bool writer);

  // Every record after the last one read, up to the end the topic has now: on_record(offset, bytes), in
  // order; on_record returning an error stops the read with it. An error when the brokers do not answer
  // within `timeout`, or when records the readers need are gone (retention); false when `stop` said so
  // first (a stopped query does not wait for brokers that may be gone).
  Expected<bool> read_to_end(const std::function<Expected<bool>(int64_t, std::string_view)>& on_record,
                             std::chrono::milliseconds timeout);
  // Appends the records in order and returns once every one is acknowledged (an error otherwise; false
  // when `stop` said so first, whether or not they were written: the readers' rule decides either way).
  Expected<bool> publish(const std::vector<std::string>& records, std::chrono::milliseconds timeout);
  const std::string& name() const noexcept { return name_; }
  void set_stop(std::function<bool()> stop) { stop_ = std::move(stop); }

 private:
  StateTopic() = default;
  std::string name_;
  KafkaCallbackContext context_;
  KafkaHandle reader_;
  KafkaHandle writer_;
  bool assigned_ = false;
  int64_t next_offset_ = 0;
  std::function<bool()> stop_ = [] { return false; };
};

// A member of the workers' consumer group, reading the source topic. Kafka assigns and rebalances the
// partitions; on each assignment `resume_at` says where each partition's chain ends.
class SourceConsumer {
 public:
  // nullopt: the partition has no chain yet (read from its earliest offset).
  using ResumeAt = std::function<Expected<std::optional<int64_t>>(int32_t partition)>;
  static Expected<std::unique_ptr<SourceConsumer>> open(const KafkaSettings& settings, WarningHandler warn,
                                                        ResumeAt resume_at);
  ~SourceConsumer();

  // The lines of one partition read by one poll: messages [first_offset, end_offset), each message's
  // lines (a last line without a newline given one).
  struct PartitionLines {
    int32_t partition = 0;
    int64_t first_offset = 0;
    int64_t end_offset = 0;
    uint64_t messages = 0;
    std::string lines;
    // Offsets inside [first_offset, end_offset) the broker no longer had when they were to be read (its
    // retention overtook the partition's chain): their lines are lost, and said so.
    uint64_t lost_offsets = 0;
  };
  // What arrives until `deadline` (or `stop` says so, or `max_bytes` are held), by partition owned. A
  // partition revoked meanwhile loses what it had (its next owner reads it from its chain).
  Expected<std::vector<PartitionLines>> poll(std::chrono::steady_clock::time_point deadline,
                                             const std::function<bool()>& stop, size_t max_bytes);

  // The partitions owned now, with the offset each is read from next (nullopt: its earliest).
  std::map<int32_t, std::optional<int64_t>> owned() const { return owned_; }
  // Reads `partition` from `offset` on (what is buffered before it is dropped).
  Expected<bool> seek(int32_t partition, int64_t offset);

 private:
  SourceConsumer() = default;
  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  std::string topic_;
  KafkaCallbackContext context_;
  ResumeAt resume_at_;
  KafkaHandle consumer_;
  std::map<int32_t, std::optional<int64_t>> owned_;
  // The broker dropped records a chain had not reached (offset reset): read on from its earliest one.
  Expected<bool> skip_lost_records(int32_t partition);
  Expected<bool> reassign();
  std::map<int32_t, PartitionLines> pending_;
  std::optional<std::string> rebalance_error_;
};

}  // namespace logstream
