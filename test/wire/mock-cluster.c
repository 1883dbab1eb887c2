/*
 * librdkafka mock cluster driven over stdin, for Sluice's kafkajs wire tests (there is no real Kafka here).
 *
 *   mock-cluster [brokers]        (default 3)
 *
 * Prints `BOOTSTRAP <host:port,...>` once the cluster is up, then reads one command per line and answers
 * `OK` or `ERR <msg>` per line:
 *   topic <name> <partitions>              create a topic (replication factor 1)
 *   down <brokerId> | up <brokerId>        take a broker down / bring it back
 *   error <apiKey> <errcode> <count>       the next <count> requests of <apiKey> fail with <errcode>
 *   coordinator <group|transaction> <key> <brokerId>
 *   leader <topic> <partition> <brokerId>  move a partition's leader
 *   quit                                   (stdin EOF also exits)
 * The mock brokers listen on 127.0.0.1 (librdkafka binds them to loopback).
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(rd_kafka_resp_err_t err) {
  if (err) printf("ERR %s\n", rd_kafka_err2str(err));
  else printf("OK\n");
  fflush(stdout);
}

static void fail(const char *msg) {
  printf("ERR %s\n", msg);
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 3;
  if (brokers < 1) brokers = 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster's threads; keep its own logging quiet. */
  rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[1024];
  while (fgets(line, sizeof(line), stdin)) {
    char cmd[64] = {0}, a[512] = {0}, b[512] = {0}, c[64] = {0};
    int n = sscanf(line, "%63s %511s %511s %63s", cmd, a, b, c);
    if (n <= 0) continue;
    if (!strcmp(cmd, "quit")) {
      reply(RD_KAFKA_RESP_ERR_NO_ERROR);
      break;
    } else if (!strcmp(cmd, "topic") && n == 3) {
      reply(rd_kafka_mock_topic_create(mc, a, atoi(b), 1));
    } else if (!strcmp(cmd, "down") && n == 2) {
      reply(rd_kafka_mock_broker_set_down(mc, atoi(a)));
    } else if (!strcmp(cmd, "up") && n == 2) {
      reply(rd_kafka_mock_broker_set_up(mc, atoi(a)));
    } else if (!strcmp(cmd, "error") && n == 4) {
      int cnt = atoi(c);
      if (cnt <= 0 || cnt > 10000) {
        fail("count must be 1..10000");
        continue;
      }
      rd_kafka_resp_err_t *errs = calloc((size_t)cnt, sizeof(*errs));
      for (int i = 0; i < cnt; i++) errs[i] = (rd_kafka_resp_err_t)atoi(b);
      rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(a), (size_t)cnt, errs);
      free(errs);
      reply(RD_KAFKA_RESP_ERR_NO_ERROR);
    } else if (!strcmp(cmd, "leader") && n == 4) {
      reply(rd_kafka_mock_partition_set_leader(mc, a, atoi(b), atoi(c)));
    } else if (!strcmp(cmd, "coordinator") && n == 4) {
      reply(rd_kafka_mock_coordinator_set(mc, a, b, atoi(c)));
    } else {
      fail("unknown command or wrong arguments");
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
