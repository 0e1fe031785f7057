"""confluent-kafka (librdkafka) drivers of the replication fault tests (issue 15).

Every command runs until a line (or EOF) arrives on stdin, except consume, and prints JSON lines,
flushed one by one, so the test reads what the library reported while the process still runs.

produce      --bootstrap B --topic T --partitions P [--rate R] [--window W]
             an idempotent acks=all producer sending record i (value "%09d" % i) to partition i % P
             at about R records a second. One line per delivery report:
             {"p","o","v","t"} for an acknowledged record (t: wall-clock ms when the report arrived),
             {"error","retriable","fatal","v","p"} for a failed one, {"clientError",...} for what
             the client's error callback saw; on stop it flushes and ends with {"done","sent","undelivered"}.
consume      --bootstrap B --topic T [--client-rack R]
             reads every partition from the beginning to its end (read_uncommitted); one {"p","o","v"}
             per record, then {"watermarks": {p: [low, high]}}. With a rack (client.rack, KIP-392)
             it also reports, from librdkafka's statistics, the broker each partition's records were
             fetched from: {"fetchedFrom": {p: [broker...]}, "leaders": {p: [broker...]}}.
group-member --bootstrap B --topic T --group G
             a member of G that commits, synchronously, what each poll returned before the next poll,
             retrying commits that failed with a retriable error (as an application must).
             {"assigned"|"revoked": [p...]}, {"p","o"} per record, {"committed": {p: offset}}.
committed    --bootstrap B --topic T --group G --partitions P [--interval-ms I]
             the group's committed offsets as the coordinator reports them, every I ms:
             {"t","offsets":[...]} (-1001: none) or {"t","error"}.
"""
import argparse
import json
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

# Commit errors after which retrying the same commit is what an application does.
RETRY_COMMIT = {"NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS", "REQUEST_TIMED_OUT",
                "_TRANSPORT", "_TIMED_OUT", "_WAIT_COORD", "NETWORK_EXCEPTION"}
# Commit errors that mean the partitions moved to another member: it consumes from the last commit.
MOVED = {"ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "REBALANCE_IN_PROGRESS", "_ASSIGNMENT_LOST"}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def now_ms():
    return round(time.time() * 1000)


def stop_signal():
    """An event set when stdin yields a line or closes: the test's "stop"."""
    stopped = threading.Event()

    def watch():
        sys.stdin.readline()
        stopped.set()

    threading.Thread(target=watch, daemon=True).start()
    return stopped


def produce(args):
    stopped = stop_signal()

    def on_error(err):
        emit({"clientError": err.name(), "fatal": err.fatal(), "retriable": err.retriable(), "text": err.str()})

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        # Retried internally until this passes: long enough to ride out every leader change of a test.
        "message.timeout.ms": args.message_timeout_ms,
        "retry.backoff.ms": 100,
        "topic.metadata.refresh.interval.ms": 1000,
        "error_cb": on_error,
    })

    def delivered(err, msg):
        value = msg.value().decode()
        if err is not None:
            emit({"error": err.name(), "retriable": err.retriable(), "fatal": err.fatal(), "v": value, "p": msg.partition()})
        else:
            emit({"p": msg.partition(), "o": msg.offset(), "v": value, "t": now_ms()})

    sent = 0
    started = time.monotonic()
    while not stopped.is_set():
        # Paced by the clock; a full window (a partition without a leader) pauses sending, never queues without bound.
        due = int((time.monotonic() - started) * args.rate) - sent
        while due > 0 and len(producer) < args.window:
            value = f"{sent:09d}"
            producer.produce(args.topic, key=value.encode(), value=value.encode(), partition=sent % args.partitions,
                             on_delivery=delivered)
            sent += 1
            due -= 1
        if due > 0:
            # Behind after a stall: resume at the rate instead of bursting the backlog.
            started = time.monotonic() - sent / args.rate
        producer.poll(0.01)
    left = producer.flush(args.message_timeout_ms / 1000)
    emit({"done": True, "sent": sent, "undelivered": left})


def consume(args):
    fetched_from = {}
    leaders = {}
    received = {}

    def on_stats(text):
        # Per partition, "broker" is the broker librdkafka fetches from, "leader" the partition's leader;
        # records received since the last report are put down to the broker fetched from now.
        for p, part in json.loads(text).get("topics", {}).get(args.topic, {}).get("partitions", {}).items():
            if int(p) >= 0 and part.get("rxmsgs", 0) > received.get(p, 0):
                received[p] = part["rxmsgs"]
                fetched_from.setdefault(p, set()).add(part["broker"])
                leaders.setdefault(p, set()).add(part["leader"])

    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": "replication-verifier",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": "read_uncommitted",
    }
    if args.client_rack:
        config.update({"client.rack": args.client_rack, "statistics.interval.ms": 100, "stats_cb": on_stats})
    consumer = Consumer(config)
    topic = consumer.list_topics(args.topic, timeout=args.timeout).topics[args.topic]
    if topic.error is not None:
        print(f"metadata for {args.topic}: {topic.error}", file=sys.stderr)
        sys.exit(1)
    partitions = sorted(topic.partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    at_end = set()
    deadline = time.monotonic() + args.timeout
    while len(at_end) < len(partitions):
        if time.monotonic() > deadline:
            print(f"only partitions {sorted(at_end)} of {partitions} reached their end", file=sys.stderr)
            sys.exit(1)
        for msg in consumer.consume(num_messages=1000, timeout=0.5):
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                    continue
                print(f"consume error: {msg.error()}", file=sys.stderr)
                sys.exit(1)
            emit({"p": msg.partition(), "o": msg.offset(), "v": msg.value().decode()})
    watermarks = {p: list(consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=args.timeout, cached=False))
                  for p in partitions}
    emit({"watermarks": watermarks})
    if args.client_rack:
        # One more statistics round so the last fetches are counted.
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            consumer.poll(0.1)
        emit({"fetchedFrom": {p: sorted(b) for p, b in fetched_from.items()}, "leaders": {p: sorted(b) for p, b in leaders.items()}})
    consumer.close()


def commit(consumer, args, offsets):
    """Commits until it succeeds, or the partitions moved to another member (then their new owner
    starts from the last commit: at least once, nothing skipped)."""
    deadline = time.monotonic() + args.timeout
    wanted = [TopicPartition(args.topic, p, o) for p, o in offsets.items()]
    while True:
        try:
            consumer.commit(offsets=wanted, asynchronous=False)
            emit({"committed": {str(p): o for p, o in offsets.items()}})
            return
        except KafkaException as e:
            err = e.args[0]
            if err.name() in MOVED:
                emit({"commitSkipped": err.name()})
                return
            if not (err.retriable() or err.name() in RETRY_COMMIT) or time.monotonic() > deadline:
                raise
            emit({"commitRetry": err.name()})
            time.sleep(0.2)


def group_member(args):
    stopped = stop_signal()
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
        # The name librdkafka and the kafkajs member share: a mixed group needs one protocol.
        "partition.assignment.strategy": "roundrobin",
    })
    consumer.subscribe([args.topic],
                       on_assign=lambda _, ps: emit({"assigned": sorted(p.partition for p in ps)}),
                       on_revoke=lambda _, ps: emit({"revoked": sorted(p.partition for p in ps)}))
    while not stopped.is_set():
        offsets = {}
        for msg in consumer.consume(num_messages=500, timeout=0.2):
            if msg.error() is not None:
                print(f"consume error: {msg.error()}", file=sys.stderr)
                continue
            emit({"p": msg.partition(), "o": msg.offset()})
            offsets[msg.partition()] = msg.offset() + 1
        if offsets:
            commit(consumer, args, offsets)
    consumer.close()
    emit({"left": True})


def committed(args):
    stopped = stop_signal()
    # Never subscribes: it only asks the group's coordinator (OffsetFetch), it never joins.
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    wanted = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    while not stopped.wait(args.interval_ms / 1000):
        try:
            emit({"t": now_ms(), "offsets": [tp.offset for tp in consumer.committed(wanted, timeout=5)]})
        except KafkaException as e:
            emit({"t": now_ms(), "error": e.args[0].name()})
    consumer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["produce", "consume", "group-member", "committed"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--window", type=int, default=5000)
    parser.add_argument("--message-timeout-ms", type=int, default=120000)
    parser.add_argument("--group")
    parser.add_argument("--interval-ms", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--client-rack")
    args = parser.parse_args()
    {"produce": produce, "consume": consume, "group-member": group_member, "committed": committed}[args.command](args)


if __name__ == "__main__":
    main()
