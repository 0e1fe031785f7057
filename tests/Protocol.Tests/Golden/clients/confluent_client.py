"""Drives confluent-kafka-python against the recording fake broker.

produce: sends the records given as JSON on stdin, waits for every delivery report.
consume: subscribes, prints each record it receives as one JSON line, stops after --count.
Exits non-zero with the reason on stderr when anything does not go as expected, so that the
test reports the client's own view next to the bytes it captured.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer


def text(b):
    return None if b is None else b.decode("utf-8")


def produce(args, config):
    records = json.load(sys.stdin)
    if args.compression:
        config["compression.type"] = args.compression
    config["acks"] = "all"
    # One batch for everything: the records are queued before the first send can leave.
    config["linger.ms"] = 100
    producer = Producer(config)
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(str(err))

    for r in records:
        headers = [(k, None if v is None else v.encode("utf-8")) for k, v in r["headers"]]
        producer.produce(args.topic, key=None if r["key"] is None else r["key"].encode("utf-8"),
                         value=None if r["value"] is None else r["value"].encode("utf-8"),
                         headers=headers, on_delivery=delivered)
    left = producer.flush(args.timeout)
    if left or failures:
        sys.exit(f"{left} undelivered, failures: {failures}")


def consume(args, config):
    config.update({
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer = Consumer(config)
    consumer.subscribe([args.topic])
    received = 0
    deadline = time.monotonic() + args.timeout
    try:
        while received < args.count:
            if time.monotonic() > deadline:
                sys.exit(f"only {received} of {args.count} records within {args.timeout}s")
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            headers = [[k, text(v)] for k, v in (msg.headers() or [])]
            print(json.dumps({"key": text(msg.key()), "value": text(msg.value()), "headers": headers,
                              "offset": msg.offset(), "timestamp": msg.timestamp()[1]}), flush=True)
            received += 1
    finally:
        consumer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--client-id", default="golden-python")
    parser.add_argument("--compression")
    parser.add_argument("--group", default="golden-python-group")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                        help="extra librdkafka property, e.g. debug=protocol when a test fails")
    args = parser.parse_args()
    config = {"bootstrap.servers": args.bootstrap, "client.id": args.client_id}
    config.update(item.split("=", 1) for item in args.config)
    if args.mode == "produce":
        produce(args, config)
    else:
        consume(args, config)


if __name__ == "__main__":
    main()
