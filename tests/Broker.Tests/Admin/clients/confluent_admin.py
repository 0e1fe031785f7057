"""confluent-kafka's AdminClient (librdkafka) as the admin tests drive it.

One subcommand per admin call; every result is printed as one JSON line so the C# side asserts on
exactly what the client library reported: error names and codes, values, sources. Run with the
system interpreter (/usr/bin/python3), where the python3-confluent-kafka package lives.
"""
import argparse
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

TIMEOUT = 20


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def outcome(future, **fields):
    """The future's error as librdkafka names it, or None; extra fields are copied into the line."""
    try:
        future.result(timeout=TIMEOUT)
        return dict(fields, error=None)
    except KafkaException as e:
        err = e.args[0]
        return dict(fields, error=err.name(), code=err.code(), message=err.str())


def pairs(items):
    return dict(item.split("=", 1) for item in items or [])


def create(admin, args):
    topic = NewTopic(args.topic, args.partitions, args.replication_factor, config=pairs(args.config))
    futures = admin.create_topics([topic], operation_timeout=TIMEOUT, validate_only=args.validate_only)
    emit(outcome(futures[args.topic], topic=args.topic))


def delete(admin, args):
    for topic, future in admin.delete_topics(args.topic, operation_timeout=TIMEOUT).items():
        emit(outcome(future, topic=topic))


def create_partitions(admin, args):
    assignment = [[int(b) for b in p.split(",")] for p in args.assign.split(";")] if args.assign else None
    request = NewPartitions(args.topic, args.count, assignment) if assignment else NewPartitions(args.topic, args.count)
    futures = admin.create_partitions([request], operation_timeout=TIMEOUT, validate_only=args.validate_only)
    emit(outcome(futures[args.topic], topic=args.topic))


def describe_configs(admin, args):
    resource = ConfigResource(args.type, args.name)
    future = admin.describe_configs([resource], request_timeout=TIMEOUT)[resource]
    try:
        entries = future.result(timeout=TIMEOUT)
    except KafkaException as e:
        err = e.args[0]
        emit({"error": err.name(), "code": err.code(), "message": err.str()})
        return
    for name in sorted(entries):
        entry = entries[name]
        emit({
            "name": entry.name,
            "value": entry.value,
            "source": entry.source,
            "read_only": entry.is_read_only,
            "is_default": entry.is_default,
            "sensitive": entry.is_sensitive,
            "synonyms": [[s.name, s.value, s.source] for s in entry.synonyms.values()],
        })


def alter_configs(admin, args):
    resource = ConfigResource(args.type, args.name, set_config=pairs(args.set))
    future = admin.alter_configs([resource], request_timeout=TIMEOUT, validate_only=args.validate_only)[resource]
    emit(outcome(future, name=args.name))


def list_topics(admin, args):
    metadata = admin.list_topics(timeout=TIMEOUT)
    for name in sorted(metadata.topics):
        topic = metadata.topics[name]
        emit({"topic": name, "partitions": sorted(topic.partitions)})


def describe_topic(admin, args):
    """One line per partition: leader, replicas and ISR as the cluster metadata reports them."""
    metadata = admin.list_topics(topic=args.topic, timeout=TIMEOUT)
    topic = metadata.topics[args.topic]
    if topic.error is not None:
        emit({"error": topic.error.name(), "code": topic.error.code()})
        return
    for p in sorted(topic.partitions):
        partition = topic.partitions[p]
        emit({"partition": p, "leader": partition.leader, "replicas": list(partition.replicas), "isr": list(partition.isrs),
              "error": partition.error.name() if partition.error is not None else None})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["create", "delete", "create-partitions", "describe-configs", "alter-configs", "list-topics", "describe-topic"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", action="append")
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--config", action="append")
    parser.add_argument("--count", type=int)
    parser.add_argument("--assign", help="replicas of each new partition: '1;1' or '1,2;2,3'")
    parser.add_argument("--type", choices=["topic", "broker"], default="topic")
    parser.add_argument("--name")
    parser.add_argument("--set", action="append")
    parser.add_argument("--validate-only", action="store_true")
    args = parser.parse_args()
    if args.command != "delete" and args.topic:
        args.topic = args.topic[0]

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    {
        "create": create,
        "delete": delete,
        "create-partitions": create_partitions,
        "describe-configs": describe_configs,
        "alter-configs": alter_configs,
        "list-topics": list_topics,
        "describe-topic": describe_topic,
    }[args.command](admin, args)


if __name__ == "__main__":
    main()
