#!/usr/bin/python3
"""Third-party cross-check for bench/run.sh: the same produce load as bench/Perf, sent by
confluent-kafka (librdkafka). Prints one JSON summary line like the perf tool's.
With --create-only it just creates the topic, for the kcat run."""
import argparse
import json
import sys
import time

from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--num-records", type=int, default=0)
    ap.add_argument("--create-only", action="store_true", help="create the topic and stop (for other clients' runs)")
    ap.add_argument("--record-size", type=int, default=1024)
    ap.add_argument("--acks", default="1")
    ap.add_argument("--batch-size", type=int, default=1000000, help="librdkafka's: bytes of one request's MessageSet")
    ap.add_argument("--linger-ms", type=int, default=5)
    args = ap.parse_args()

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for future in admin.create_topics([NewTopic(args.topic, args.partitions, 1)]).values():
        try:
            future.result(30)
        except KafkaException as e:
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
    if args.create_only:
        return 0

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": args.acks,
        "batch.size": args.batch_size,
        "linger.ms": args.linger_ms,
        "queue.buffering.max.kbytes": 1048576,
        "queue.buffering.max.messages": 1000000,
    })
    value = bytes((65 + (i * 7) % 26) for i in range(args.record_size))
    failed = []

    def report(err, _msg):
        if err is not None:
            failed.append(err)

    start = time.perf_counter()
    for i in range(args.num_records):
        while True:
            try:
                producer.produce(args.topic, value, partition=i % args.partitions, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.01)
        if i % 1000 == 0:
            producer.poll(0)
    left = producer.flush(120)
    elapsed = time.perf_counter() - start
    acked = args.num_records - len(failed) - left
    nbytes = acked * args.record_size
    print(json.dumps({
        "command": "produce", "client": "confluent-kafka " + __import__("confluent_kafka").version()[0]
        + " / librdkafka " + __import__("confluent_kafka").libversion()[0],
        "topic": args.topic, "records": acked, "recordsFailed": len(failed) + left, "recordSize": args.record_size,
        "bytes": nbytes, "elapsedSeconds": elapsed, "recordsPerSec": acked / elapsed,
        "bytesPerSec": nbytes / elapsed, "mbPerSec": nbytes / elapsed / 1e6,
        "error": str(failed[0]) if failed else None,
    }))
    return 0 if not failed and left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
