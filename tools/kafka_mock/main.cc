// logstream-kafka-mock: a Kafka cluster for tests and demos, librdkafka's mock brokers (they serve
// produce, fetch, consumer groups with rebalancing and the idempotent producer over real TCP on
// 127.0.0.1). Creates the topic, prints the bootstrap servers as the first line on stdout, and runs
// until SIGTERM or SIGINT. What the mock does not model is listed in README.md ("Kafka").
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "logstream-kafka-mock: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "A Kafka cluster in one process for tests and demos (librdkafka's mock brokers on 127.0.0.1). Prints\n"
      "its bootstrap servers on the first stdout line and runs until SIGTERM or SIGINT.",
      "logstream-kafka-mock"};
  int brokers = 3;
  std::string topic = "logs";
  int partitions = 6;
  app.add_option("--brokers", brokers, "Brokers in the cluster")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  app.add_option("--topic", topic, "The topic to create")->capture_default_str();
  app.add_option("--partitions", partitions, "Its partitions")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.footer(
      "Example:\n"
      "  logstream-kafka-mock --topic logs --partitions 6 &     # prints 127.0.0.1:PORT,...\n"
      "  kcat -b 127.0.0.1:PORT -t logs -P -l access.log\n"
      "  logstream --group-by status watch kafka://127.0.0.1:PORT/logs --group g");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // Blocked before librdkafka starts its threads, so that only sigwait below sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "test.mock.num.brokers", std::to_string(brokers).c_str(), why, sizeof why) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return fail(why);
  }
  // The handle only hosts the cluster; it sends nothing.
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (!handle) {
    rd_kafka_conf_destroy(conf);
    return fail(why);
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(handle);
  if (!cluster) {
    rd_kafka_destroy(handle);
    return fail("librdkafka made no mock cluster");
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, 1)) {
    rd_kafka_destroy(handle);
    return fail("cannot create topic " + topic + ": " + rd_kafka_err2str(err));
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  rd_kafka_destroy(handle);
  return 0;
}
