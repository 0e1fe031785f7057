"""confluent-kafka (librdkafka) as the end-to-end tests drive it.

One subcommand per scenario. Records go in as JSON lines on stdin and come out as JSON lines on
stdout, so the C# side asserts on exactly what the client library reported. Run with the system
interpreter (/usr/bin/python3), which is where the python3-confluent-kafka package lives.
"""
import argparse
import json
import os
import selectors
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    # Flushed per line: the crash test reads acknowledgements while the process is still running.
    sys.stdout.flush()


def text(data):
    return None if data is None else data.decode("utf-8")


def raw(value):
    return None if value is None else value.encode("utf-8")


def producer_config(args, **extra):
    conf = {
        "bootstrap.servers": args.bootstrap,
        "compression.codec": args.codec,
        "acks": args.acks,
        "linger.ms": args.linger_ms,
        # Off unless asked for: without it, plain retries keep order with one request in flight.
        "enable.idempotence": args.idempotent,
    }
    if args.batch_messages:
        conf["batch.num.messages"] = args.batch_messages
    for setting in args.set:
        key, _, value = setting.partition("=")
        conf[key] = value
    if args.partitioner:
        conf["partitioner"] = args.partitioner
    conf.update(extra)
    return conf


def produce(args):
    producer = Producer(producer_config(args))
    failures = []

    def delivered(index, err, msg):
        if err is not None:
            failures.append(str(err))
            emit({"index": index, "error": str(err), "value": text(msg.value())})
            return
        # Reports come per partition as batches complete; the index ties each to its input line.
        emit({
            "index": index,
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": text(msg.key()),
            "value": text(msg.value()),
        })

    for index, line in enumerate(line for line in sys.stdin if line.strip()):
        record = json.loads(line)
        kwargs = {}
        if record.get("headers") is not None:
            kwargs["headers"] = [(k, raw(v)) for k, v in record["headers"]]
        if record.get("timestamp") is not None:
            kwargs["timestamp"] = record["timestamp"]
        if record.get("partition") is not None:
            kwargs["partition"] = record["partition"]
        producer.produce(args.topic, value=raw(record.get("value")), key=raw(record.get("key")),
                         on_delivery=lambda err, msg, i=index: delivered(i, err, msg), **kwargs)
        producer.poll(0)
    left = producer.flush(args.timeout)
    if left:
        print(f"{left} message(s) not delivered within {args.timeout}s", file=sys.stderr)
    sys.exit(1 if failures or left else 0)


def consume(args):
    # group.id is mandatory for this client even with manual assignment; no group is ever joined.
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "e2e-manual-assignment",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })
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
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                continue
            print(f"consume error: {msg.error()}", file=sys.stderr)
            sys.exit(1)
        timestamp_type, timestamp = msg.timestamp()
        emit({
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": text(msg.key()),
            "value": text(msg.value()),
            "headers": None if msg.headers() is None else [[k, text(v)] for k, v in msg.headers()],
            "timestamp": timestamp,
            "timestampType": timestamp_type,
        })
    consumer.close()


def standalone_commit(args):
    """A consumer that never joins its group (no subscribe) commits the offsets given as JSON lines
    {"topic", "partition", "offset"} on stdin in one synchronous commit, as assign-based applications
    do, then reads them back: a line with the commit's error (null for none), then one line per
    partition with the offset committed there (-1001 for none)."""
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    wanted = [json.loads(line) for line in sys.stdin if line.strip()]
    try:
        consumer.commit(offsets=[TopicPartition(w["topic"], w["partition"], w["offset"]) for w in wanted], asynchronous=False)
        emit({"commitError": None})
    except KafkaException as e:
        emit({"commitError": e.args[0].name()})
    for tp in consumer.committed([TopicPartition(w["topic"], w["partition"]) for w in wanted], timeout=args.timeout):
        emit({"topic": tp.topic, "partition": tp.partition, "committed": tp.offset})
    consumer.close()


def offsets_for_times(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "e2e-manual-assignment"})
    topic = consumer.list_topics(args.topic, timeout=args.timeout).topics[args.topic]
    wanted = [TopicPartition(args.topic, p, args.timestamp) for p in sorted(topic.partitions)]
    for tp in consumer.offsets_for_times(wanted, timeout=args.timeout):
        emit({"partition": tp.partition, "offset": tp.offset, "error": None if tp.error is None else str(tp.error)})
    consumer.close()


def group_consume(args):
    """One member of a consumer group until stdin closes: prints its assignments and every record,
    committing each record's offset (synchronously) before taking the next, then closes."""
    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": args.session_timeout_ms,
        "heartbeat.interval.ms": args.heartbeat_interval_ms,
        # The name Java, librdkafka and (in the kafkajs script) kafkajs share: a mixed group needs one.
        "partition.assignment.strategy": "roundrobin",
    }
    if args.instance_id:
        conf["group.instance.id"] = args.instance_id
    consumer = Consumer(conf)

    def assigned(_, partitions):
        emit({"event": "assigned", "partitions": sorted(p.partition for p in partitions)})

    def revoked(_, partitions):
        emit({"event": "revoked", "partitions": sorted(p.partition for p in partitions)})

    consumer.subscribe([args.topic], on_assign=assigned, on_revoke=revoked)
    stop = selectors.DefaultSelector()
    stop.register(sys.stdin, selectors.EVENT_READ)
    os.set_blocking(sys.stdin.fileno(), False)
    while not stop.select(timeout=0):
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            print(f"consume error: {msg.error()}", file=sys.stderr)
            continue
        emit({"partition": msg.partition(), "offset": msg.offset(), "key": text(msg.key()), "value": text(msg.value()),
              "headers": None, "timestamp": msg.timestamp()[1]})
        consumer.commit(message=msg, asynchronous=False)
    consumer.close()
    emit({"event": "left"})


def acked_load(args):
    """Produces v0000000, v0000001, ... (padded to --value-bytes) until stdin closes, printing every acknowledged record."""
    extra = {"message.timeout.ms": int(args.timeout * 1000)}
    # One request in flight: a retried batch cannot overtake a later one, so acked order is log order.
    # An idempotent producer keeps order with five in flight: the broker's sequence checks see to it.
    if not args.idempotent:
        extra["max.in.flight.requests.per.connection"] = 1
    producer = Producer(producer_config(args, **extra))
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(str(err))
            emit({"error": str(err), "value": text(msg.value())})
        else:
            emit({"partition": msg.partition(), "offset": msg.offset(), "value": text(msg.value())})

    stop = selectors.DefaultSelector()
    stop.register(sys.stdin, selectors.EVENT_READ)
    os.set_blocking(sys.stdin.fileno(), False)
    sequence = 0
    while True:
        # Readable stdin means the test wrote "stop" or closed it.
        if stop.select(timeout=0):
            break
        # Bounded in-flight work keeps the rate a few thousand records a second, not a flood.
        if len(producer) < args.window:
            value = f"v{sequence:07d}"
            producer.produce(args.topic, value=raw(value + "." * (args.value_bytes - len(value))), partition=0,
                             on_delivery=delivered)
            sequence += 1
        producer.poll(0.001)
    left = producer.flush(args.timeout)
    print(f"produced {sequence}, undelivered {left}, failed {len(failures)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["produce", "consume", "group-consume", "offsets-for-times", "acked-load", "standalone-commit"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--codec", default="none")
    parser.add_argument("--acks", default="all")
    parser.add_argument("--linger-ms", type=int, default=20)
    parser.add_argument("--partitioner")
    parser.add_argument("--timestamp", type=int)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--value-bytes", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--group")
    parser.add_argument("--instance-id")
    parser.add_argument("--session-timeout-ms", type=int, default=10000)
    parser.add_argument("--heartbeat-interval-ms", type=int, default=1000)
    parser.add_argument("--idempotent", action="store_true")
    parser.add_argument("--batch-messages", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], help="extra librdkafka property, key=value")
    args = parser.parse_args()
    {
        "produce": produce,
        "consume": consume,
        "group-consume": group_consume,
        "offsets-for-times": offsets_for_times,
        "acked-load": acked_load,
        "standalone-commit": standalone_commit,
    }[args.command](args)


if __name__ == "__main__":
    main()
