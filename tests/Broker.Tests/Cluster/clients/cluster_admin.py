"""confluent-kafka (librdkafka) admin for the cluster tests.

create   --bootstrap B --topic T --partitions P --rf R [--config k=v ...]   creates T, retrying while
                                                          the cluster answers a retriable error (no controller yet)
describe --bootstrap B --topic T                          prints one JSON line per partition
create-many --bootstrap B --prefix X --count N --batch K  creates N topics K per request; prints the time taken
"""
import argparse
import json
import sys
import time

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic


def admin(bootstrap):
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})


def create(client, topics, deadline_s=60):
    """Creates every topic; retries the ones that failed with a retriable error until the deadline."""
    pending = list(topics)
    deadline = time.monotonic() + deadline_s
    while pending:
        futures = client.create_topics(pending, operation_timeout=30, request_timeout=15)
        retry = []
        for topic in pending:
            try:
                futures[topic.topic].result()
            except KafkaException as e:
                err = e.args[0]
                if err.name() == "TOPIC_ALREADY_EXISTS" and topic in topics:
                    continue
                if err.retriable() or err.name() in ("NOT_CONTROLLER", "_TIMED_OUT", "_TRANSPORT", "REQUEST_TIMED_OUT"):
                    retry.append(topic)
                else:
                    print(f"create {topic.topic} failed: {err.name()} {err.str()}", file=sys.stderr)
                    sys.exit(2)
        if retry and time.monotonic() > deadline:
            print(f"create still failing for {len(retry)} topics at the deadline", file=sys.stderr)
            sys.exit(3)
        if retry:
            time.sleep(0.1)
        pending = retry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic")
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--rf", type=int, default=1)
    parser.add_argument("--prefix")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--config", action="append", default=[], help="topic config, key=value")
    args = parser.parse_args()
    client = admin(args.bootstrap)
    if args.command == "create":
        start = time.monotonic()
        configs = dict(c.split("=", 1) for c in args.config)
        create(client, [NewTopic(args.topic, num_partitions=args.partitions, replication_factor=args.rf, config=configs)])
        print(json.dumps({"created": args.topic, "ms": round((time.monotonic() - start) * 1000)}))
    elif args.command == "describe":
        metadata = client.list_topics(topic=args.topic, timeout=10)
        topic = metadata.topics[args.topic]
        if topic.error is not None:
            print(f"describe {args.topic}: {topic.error}", file=sys.stderr)
            sys.exit(2)
        for p in sorted(topic.partitions.values(), key=lambda p: p.id):
            print(json.dumps({"partition": p.id, "leader": p.leader, "replicas": p.replicas, "isr": sorted(p.isrs)}))
    elif args.command == "create-many":
        names = [f"{args.prefix}-{i}" for i in range(args.count)]
        start = time.monotonic()
        for i in range(0, len(names), args.batch):
            create(client, [NewTopic(n, num_partitions=1, replication_factor=args.rf) for n in names[i:i + args.batch]])
        print(json.dumps({"count": args.count, "batch": args.batch, "ms": round((time.monotonic() - start) * 1000)}))
    else:
        print(f"unknown command {args.command}", file=sys.stderr)
        sys.exit(1)


main()
