#include "pipeline/kafka_link.h"

#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

namespace logstream {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// librdkafka's own messages at warning level and above, in our voice; debug and info stay out.
void log_to_warnings(const rd_kafka_t* handle, int level, const char* facility, const char* text) {
  if (level > 4) return;
  // A broker that cannot be reached is said once per half minute, not once per broker per retry.
  const std::string_view kind(facility);
  const auto* context = static_cast<const KafkaCallbackContext*>(rd_kafka_opaque(handle));
  if (!context || !context->warn) return;
  if (kind == "FAIL" || kind == "ERROR") {
    static std::atomic<int64_t> last_said_ms{INT64_MIN / 2};
    const int64_t now =
        std::chrono::duration_cast<milliseconds>(SteadyClock::now().time_since_epoch()).count();
    int64_t last = last_said_ms.load(std::memory_order_relaxed);
    if (now - last < 30'000 || !last_said_ms.compare_exchange_strong(last, now)) return;
    context->warn(std::string("kafka: ") + text + " (retrying; such failures are said once per 30 s)");
    return;
  }
  // --kafka-option goes to every handle (the consumers and the producer): that a setting means nothing to
  // one of them is expected, not worth a warning.
  if (kind == "CONFWARN" && std::string_view(text).find("will be ignored") != std::string_view::npos) return;
  context->warn(std::string("kafka: ") + facility + ": " + text);
}

struct ConfFree {
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfFree>;

struct ListFree {
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, ListFree>;

struct MessageFree {
  void operator()(rd_kafka_message_t* message) const noexcept { rd_kafka_message_destroy(message); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageFree>;

// Our settings, then the user's --kafka-option (which may override any of them).
Expected<Conf> make_conf(const KafkaSettings& settings,
                         const std::vector<std::pair<std::string, std::string>>& ours) {
  Conf conf(rd_kafka_conf_new());
  char why[512];
  auto set = [&](const std::string& key, const std::string& value, bool user) -> Expected<bool> {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), why, sizeof why) != RD_KAFKA_CONF_OK)
      return Error{std::string(user ? "--kafka-option " : "kafka setting ") + key + "=" + value + ": " + why};
    return true;
  };
  if (auto ok = set("bootstrap.servers", settings.address.brokers, false); !ok) return Error{ok.error()};
  for (const auto& [key, value] : ours) {
    if (auto ok = set(key, value, false); !ok) return Error{ok.error()};
  }
  for (const auto& [key, value] : settings.options) {
    if (auto ok = set(key, value, true); !ok) return Error{ok.error()};
  }
  return conf;
}

Expected<KafkaHandle> make_handle(rd_kafka_type_t type, Conf conf, KafkaCallbackContext* context) {
  rd_kafka_conf_set_opaque(conf.get(), context);
  rd_kafka_conf_set_log_cb(conf.get(), log_to_warnings);
  // Every error is also logged (log_to_warnings): the error callback only keeps librdkafka from saying
  // it twice; a fatal one is found where it matters (poll, flush).
  rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t*, int, const char*, void*) {});
  char why[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), why, sizeof why);
  if (!handle) return Error{std::string("kafka: ") + why};
  conf.release();  // rd_kafka_new owns it now
  return KafkaHandle(handle);
}

std::string random_suffix() {
  std::random_device device;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", device(), device());
  return text;
}

// A delivery report's verdict, kept in the message's opaque slot.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* result = static_cast<rd_kafka_resp_err_t*>(message->_private);
  if (result) *result = message->err;
}

}  // namespace

void KafkaHandleFree::operator()(rd_kafka_t* handle) const noexcept {
  // A consumer here either has been closed already (SourceConsumer) or never joined a group (the state
  // topic's reader): the close rd_kafka_destroy would do could only wait for brokers that may be gone.
  rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

bool is_kafka_address(std::string_view text) noexcept { return text.rfind("kafka://", 0) == 0; }

std::string partition_name(const std::string& topic, int32_t partition) {
  return topic + "[" + std::to_string(partition) + "]";
}

bool is_topic_name(std::string_view name) noexcept {
  return !name.empty() && name.size() <= 249 && name != "." && name != ".." &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string_view::npos;
}

Expected<bool> check_kafka_settings(const KafkaSettings& settings) {
  const std::string state = settings.state_topic_name();
  if (!is_topic_name(state)) {
    return Error{"the state topic '" + state + "'" +
                 (settings.state_topic.empty() ? " (TOPIC.logstream.GROUP)" : "") +
                 " is not a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -): " +
                 (settings.state_topic.empty() ? "choose another --group, or give --state-topic"
                                               : "choose another --state-topic")};
  }
  // What the worker and the merger set themselves, for the reason given.
  static const std::pair<std::string_view, std::string_view> kOurs[] = {
      {"group.id", "give --group"},
      {"enable.auto.commit", "offsets come from the state topic, never from Kafka's commits"},
      {"enable.auto.offset.store", "offsets come from the state topic, never from Kafka's commits"},
      {"auto.offset.reset", "offsets the broker no longer has are reported as lost, never skipped"},
      {"partition.assignment.strategy", "the workers use Kafka's eager protocol (range, roundrobin)"},
      {"group.protocol", "the workers use Kafka's eager protocol (range, roundrobin)"},
      {"enable.partition.eof", "the state topic's reader needs it to know it is at the end"},
      {"enable.idempotence", "deltas are published by an idempotent producer"},
      {"bootstrap.servers", "give the brokers in the kafka:// address"},
      {"metadata.broker.list", "give the brokers in the kafka:// address"},
  };
  Conf probe(rd_kafka_conf_new());
  char why[512];
  for (const auto& [key, value] : settings.options) {
    for (const auto& [ours, reason] : kOurs) {
      if (key == ours)
        return Error{"--kafka-option " + key + ": set by logstream itself (" + std::string(reason) + ")"};
    }
    if (rd_kafka_conf_set(probe.get(), key.c_str(), value.c_str(), why, sizeof why) != RD_KAFKA_CONF_OK)
      return Error{"--kafka-option " + key + "=" + value + ": " + why};
  }
  return true;
}

Expected<KafkaAddress> parse_kafka_address(std::string_view text) {
  const std::string shape = "; expected kafka://HOST:PORT[,HOST:PORT...]/TOPIC";
  if (!is_kafka_address(text)) return Error{"'" + std::string(text) + "' is not a kafka:// address" + shape};
  const std::string_view rest = text.substr(8);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
    return Error{"'" + std::string(text) + "': brokers and a topic are needed" + shape};
  KafkaAddress address{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
  if (!is_topic_name(address.topic))
    return Error{"'" + address.topic + "' is not a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)"};
  size_t at = 0;
  while (at <= address.brokers.size()) {
    const size_t comma = std::min(address.brokers.find(',', at), address.brokers.size());
    const std::string broker = address.brokers.substr(at, comma - at);
    const size_t colon = broker.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == broker.size() || colon + 6 < broker.size() ||
        broker.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
        std::stoi(broker.substr(colon + 1)) < 1 || std::stoi(broker.substr(colon + 1)) > 65535) {
      return Error{"'" + broker + "' is not HOST:PORT (a port from 1 to 65535)" + shape};
    }
    at = comma + 1;
  }
  return address;
}

Expected<std::unique_ptr<StateTopic>> StateTopic::open(const KafkaSettings& settings, WarningHandler warn,
                                                       bool writer) {
  std::unique_ptr<StateTopic> topic(new StateTopic());
  topic->name_ = settings.state_topic_name();
  topic->context_.warn = std::move(warn);
  // The reader follows one partition by assignment; its group id is never used to commit anything.
  auto reader_conf = make_conf(settings, {{"group.id", "logstream-state-reader-" + random_suffix()},
                                          {"enable.auto.commit", "false"},
                                          {"enable.partition.eof", "true"},
                                          {"auto.offset.reset", "error"},
                                          // A read-back follows each publish: the broker need not hold
                                          // the fetch waiting for more (librdkafka's default: 500 ms).
                                          {"fetch.wait.max.ms", "10"},
                                          {"receive.message.max.bytes", "210000000"},
                                          {"fetch.max.bytes", "200000000"}});
  if (!reader_conf) return Error{reader_conf.error()};
  auto reader = make_handle(RD_KAFKA_CONSUMER, std::move(reader_conf).value(), &topic->context_);
  if (!reader) return Error{reader.error()};
  topic->reader_ = std::move(reader).value();
  rd_kafka_poll_set_consumer(topic->reader_.get());
  if (writer) {
    // Idempotent: a retried send is written once and in order, so a delta never appears twice.
    auto writer_conf = make_conf(settings, {{"enable.idempotence", "true"},
                                            {"compression.type", "lz4"},
                                            {"message.max.bytes", "200000000"},
                                            {"linger.ms", "0"}});
    if (!writer_conf) return Error{writer_conf.error()};
    rd_kafka_conf_set_dr_msg_cb(writer_conf.value().get(), on_delivery);
    auto producer = make_handle(RD_KAFKA_PRODUCER, std::move(writer_conf).value(), &topic->context_);
    if (!producer) return Error{producer.error()};
    topic->writer_ = std::move(producer).value();
  }
  return topic;
}

Expected<bool> StateTopic::read_to_end(
    const std::function<Expected<bool>(int64_t, std::string_view)>& on_record, milliseconds timeout) {
  auto deadline = SteadyClock::now() + timeout;
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  // A state topic that does not exist yet is empty (the first publish creates it where the cluster
  // creates topics on use; elsewhere it has to be created beforehand, see README).
  while (true) {
    if (stop_()) return false;
    err = rd_kafka_query_watermark_offsets(reader_.get(), name_.c_str(), 0, &low, &high, 1000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
        err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      return true;
    }
    if (SteadyClock::now() >= deadline)
      return Error{"state topic " + name_ + ": cannot read its end: " + rd_kafka_err2str(err)};
    std::this_thread::sleep_for(milliseconds(200));
  }
  if (low > next_offset_) {
    return Error{"state topic " + name_ + ": its records before offset " + std::to_string(low) +
                 " are gone (retention or compaction); the partials in them cannot be rebuilt. The state "
                 "topic must keep every record (retention.ms=-1, cleanup.policy=delete)"};
  }
  if (high <= next_offset_) return true;
  if (!assigned_) {
    PartitionList list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), name_.c_str(), 0)->offset = next_offset_;
    if (const rd_kafka_resp_err_t a = rd_kafka_assign(reader_.get(), list.get()); a)
      return Error{"state topic " + name_ + ": " + rd_kafka_err2str(a)};
    assigned_ = true;
  }
  while (next_offset_ < high) {
    if (stop_()) return false;
    const auto now = SteadyClock::now();
    if (now >= deadline) {
      return Error{"state topic " + name_ + ": read up to offset " + std::to_string(next_offset_) + " of " +
                   std::to_string(high) + " in " + std::to_string(timeout.count()) + " ms"};
    }
    Message message(rd_kafka_consumer_poll(reader_.get(), 100));
    if (!message) continue;
    deadline = SteadyClock::now() + timeout;  // the budget is for a stall, not for the whole history
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end: offsets past the last record (transaction markers) hold nothing to read.
      if (message->offset >= high) next_offset_ = high;
      continue;
    }
    if (message->err) {
      return Error{"state topic " + name_ + ": " + rd_kafka_message_errstr(message.get())};
    }
    if (message->offset < next_offset_) continue;
    const std::string_view bytes(static_cast<const char*>(message->payload), message->len);
    if (auto taken = on_record(message->offset, bytes); !taken) return Error{taken.error()};
    next_offset_ = message->offset + 1;
  }
  return true;
}

Expected<bool> StateTopic::publish(const std::vector<std::string>& records, milliseconds timeout) {
  std::vector<rd_kafka_resp_err_t> results(records.size(), RD_KAFKA_RESP_ERR__IN_PROGRESS);
  for (size_t i = 0; i < records.size(); ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        writer_.get(), RD_KAFKA_V_TOPIC(name_.c_str()), RD_KAFKA_V_PARTITION(0),
        RD_KAFKA_V_VALUE(const_cast<char*>(records[i].data()), records[i].size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&results[i]), RD_KAFKA_V_END);
    if (err) {
      rd_kafka_flush(writer_.get(), static_cast<int>(timeout.count()));
      return Error{"state topic " + name_ + ": cannot publish a delta of " +
                   std::to_string(records[i].size()) + " bytes: " + rd_kafka_err2str(err)};
    }
  }
  const auto deadline = SteadyClock::now() + timeout;
  bool stopped = false;
  while (rd_kafka_outq_len(writer_.get()) > 0 && SteadyClock::now() < deadline) {
    if ((stopped = stop_())) break;
    rd_kafka_flush(writer_.get(), 100);
  }
  if (rd_kafka_outq_len(writer_.get()) > 0) {
    // Given up on: their delivery reports (which write into `results`) come now, before it goes.
    rd_kafka_purge(writer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(writer_.get(), 1000);
  }
  if (stopped) return false;
  for (size_t i = 0; i < records.size(); ++i) {
    if (results[i] == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    std::string why = results[i] == RD_KAFKA_RESP_ERR__IN_PROGRESS
                          ? "not acknowledged within " + std::to_string(timeout.count()) + " ms"
                          : rd_kafka_err2str(results[i]);
    if (results[i] == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
      why += " (raise the state topic's max.message.bytes, or trigger more often)";
    return Error{"state topic " + name_ + ": a delta of " + std::to_string(records[i].size()) +
                 " bytes was not written: " + why};
  }
  return true;
}

Expected<std::unique_ptr<SourceConsumer>> SourceConsumer::open(const KafkaSettings& settings,
                                                               WarningHandler warn, ResumeAt resume_at) {
  std::unique_ptr<SourceConsumer> source(new SourceConsumer());
  source->topic_ = settings.address.topic;
  source->context_.warn = std::move(warn);
  source->context_.consumer = source.get();
  source->resume_at_ = std::move(resume_at);
  // Offsets are never committed to Kafka nor read from it: each assignment says where to start.
  // A session of 10 s (librdkafka's default is 45 s): a worker that is gone, or frozen, gives its
  // partitions up within 10 s; --kafka-option session.timeout.ms=... sets another.
  auto conf = make_conf(settings, {{"group.id", settings.group},
                                   {"session.timeout.ms", "10000"},
                                   {"heartbeat.interval.ms", "1000"},
                                   {"enable.auto.commit", "false"},
                                   {"enable.auto.offset.store", "false"},
                                   // A chain's end the broker no longer has is an error we report, never
                                   // a silent jump (see skip_lost_records).
                                   {"auto.offset.reset", "error"}});
  if (!conf) return Error{conf.error()};
  rd_kafka_conf_set_rebalance_cb(conf.value().get(), on_rebalance);
  auto handle = make_handle(RD_KAFKA_CONSUMER, std::move(conf).value(), &source->context_);
  if (!handle) return Error{handle.error()};
  source->consumer_ = std::move(handle).value();
  rd_kafka_poll_set_consumer(source->consumer_.get());
  PartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), source->topic_.c_str(), RD_KAFKA_PARTITION_UA);
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(source->consumer_.get(), topics.get()); err)
    return Error{"kafka: cannot subscribe to " + source->topic_ + ": " + rd_kafka_err2str(err)};
  return source;
}

SourceConsumer::~SourceConsumer() {
  if (!consumer_) return;
  // Leaves the group at once, so that the partitions move to the others now, not after a session
  // timeout; but a cluster that has gone away must not keep a stopped worker from exiting, so the close
  // waits a few seconds at most.
  rd_kafka_queue_t* queue = rd_kafka_queue_new(consumer_.get());
  bool closed = false;
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(consumer_.get(), queue)) {
    rd_kafka_error_destroy(error);
  } else {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
    while (!(closed = rd_kafka_consumer_closed(consumer_.get()) != 0) && SteadyClock::now() < deadline) {
      rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 100);
      if (!event) continue;
      // The revocation of the close: nothing is published any more, so there is nothing to keep.
      if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) rd_kafka_assign(consumer_.get(), nullptr);
      rd_kafka_event_destroy(event);
    }
  }
  rd_kafka_queue_destroy(queue);
  if (!closed) rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void SourceConsumer::on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* partitions, void*) {
  SourceConsumer* self = static_cast<KafkaCallbackContext*>(rd_kafka_opaque(handle))->consumer;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& p = partitions->elems[i];
      auto resume = self->resume_at_(p.partition);
      if (!resume) {
        self->rebalance_error_ = resume.error();
        p.offset = RD_KAFKA_OFFSET_END;  // read nothing; poll() reports the error
        continue;
      }
      p.offset = resume.value() ? *resume.value() : RD_KAFKA_OFFSET_BEGINNING;
      self->owned_[p.partition] = resume.value();
    }
    rd_kafka_assign(handle, partitions);
    return;
  }
  // Revoked (or lost): what was read of those partitions is not ours to publish any more.
  std::string names;
  for (int i = 0; i < partitions->cnt; ++i) {
    self->owned_.erase(partitions->elems[i].partition);
    self->pending_.erase(partitions->elems[i].partition);
    names += (names.empty() ? "" : ", ") + partition_name(self->topic_, partitions->elems[i].partition);
  }
  if (!names.empty() && self->context_.warn)
    self->context_.warn("kafka: the group is rebalancing: gave up " + names +
                        " (they go on where their chains end)");
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && self->context_.warn)
    self->context_.warn(std::string("kafka: rebalance: ") + rd_kafka_err2str(err));
  rd_kafka_assign(handle, nullptr);
}

Expected<std::vector<SourceConsumer::PartitionLines>> SourceConsumer::poll(SteadyClock::time_point deadline,
                                                                           const std::function<bool()>& stop,
                                                                           size_t max_bytes) {
  size_t held = 0;
  while (!stop()) {
    const auto now = SteadyClock::now();
    if (now >= deadline || held >= max_bytes) break;
    const int wait_ms = static_cast<int>(
        std::clamp<int64_t>(std::chrono::duration_cast<milliseconds>(deadline - now).count(), 1, 100));
    Message message(rd_kafka_consumer_poll(consumer_.get(), wait_ms));
    if (rebalance_error_) return Error{*rebalance_error_};
    if (!message) continue;
    if (message->err) {
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET && owned_.count(message->partition)) {
        if (auto skipped = skip_lost_records(message->partition); !skipped) return Error{skipped.error()};
        continue;
      }
      char why[512];
      if (rd_kafka_fatal_error(consumer_.get(), why, sizeof why))
        return Error{std::string("kafka: fatal: ") + why};
      if (context_.warn) context_.warn(std::string("kafka: ") + rd_kafka_message_errstr(message.get()));
      if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          message->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        return Error{"kafka: topic " + topic_ + " does not exist"};
      continue;
    }
    const auto owned = owned_.find(message->partition);
    if (owned == owned_.end()) continue;  // revoked since it was fetched
    std::optional<int64_t>& next = owned->second;
    if (next && message->offset < *next) continue;  // from before a seek
    PartitionLines& lines = pending_[message->partition];
    if (lines.messages == 0 && lines.lost_offsets == 0) {
      lines.partition = message->partition;
      lines.first_offset = next ? *next : message->offset;
    }
    lines.lines.append(static_cast<const char*>(message->payload), message->len);
    if (message->len > 0 && lines.lines.back() != '\n') lines.lines.push_back('\n');
    held += message->len + 1;
    lines.end_offset = message->offset + 1;
    ++lines.messages;
    next = message->offset + 1;
  }
  std::vector<PartitionLines> taken;
  for (auto& [partition, lines] : pending_) taken.push_back(std::move(lines));
  pending_.clear();
  return taken;
}

Expected<bool> SourceConsumer::skip_lost_records(int32_t partition) {
  std::optional<int64_t>& next = owned_[partition];
  // No chain yet: the partition is read from whatever its earliest offset is now.
  if (!next) return reassign();
  const std::string name = partition_name(topic_, partition);
  int64_t low = 0, high = 0;
  if (const rd_kafka_resp_err_t err =
          rd_kafka_query_watermark_offsets(consumer_.get(), topic_.c_str(), partition, &low, &high, 10000)) {
    return Error{"kafka: " + name + ": cannot read its earliest offset: " + rd_kafka_err2str(err)};
  }
  const int64_t from = *next;
  if (low <= from) {
    // Not below the earliest: past the end (the topic was recreated, or the chain is from another one).
    return Error{"kafka: " + name + ": the state topic's chain ends at offset " + std::to_string(from) +
                 ", which the broker does not have (its offsets run " + std::to_string(low) + ".." +
                 std::to_string(high) + "): was the topic deleted and made again? Use another --group"};
  }
  PartitionLines& lines = pending_[partition];
  if (lines.messages == 0 && lines.lost_offsets == 0) {
    lines.partition = partition;
    lines.first_offset = from;
  }
  lines.lost_offsets += static_cast<uint64_t>(low - from);
  lines.end_offset = low;
  if (context_.warn) {
    context_.warn("kafka: " + name + ": offsets [" + std::to_string(from) + ", " + std::to_string(low) + ")" +
                  " were gone from the broker (its retention) before a worker read them: " +
                  std::to_string(low - from) + " messages lost, counted as lost; reading on from " +
                  std::to_string(low));
  }
  next = low;
  return reassign();
}

Expected<bool> SourceConsumer::seek(int32_t partition, int64_t offset) {
  const auto owned = owned_.find(partition);
  if (owned == owned_.end()) return true;  // revoked meanwhile: its next owner reads it from the chain
  owned->second = offset;
  pending_.erase(partition);
  // A seek of the running fetcher, not a new assignment: librdkafka 2.0.2 aborts
  // (rd_kafka_assignment_partition_stopped: rktp_started) when an assignment follows another before
  // the fetchers the first stopped are done, which two partitions moved in one read-back did. The
  // messages fetched from before the seek are dropped by librdkafka (and any left are skipped by
  // offset in poll()). A partition whose fetcher is not running yet is reassigned instead.
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = offset;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(), 5000);
  const bool moved = !error && list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (error) rd_kafka_error_destroy(error);
  return moved ? Expected<bool>(true) : reassign();
}

Expected<bool> SourceConsumer::reassign() {
  // The whole assignment again, each partition from where it is to be read next: this restarts a
  // partition's fetch whatever state it was left in (an offset reset stops it), and messages fetched
  // before are dropped by librdkafka.
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(owned_.size())));
  for (const auto& [partition, next] : owned_) {
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset =
        next ? *next : RD_KAFKA_OFFSET_BEGINNING;
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list.get()); err)
    return Error{"kafka: cannot reassign the partitions of " + topic_ + ": " + rd_kafka_err2str(err)};
  return true;
}

}  // namespace logstream
