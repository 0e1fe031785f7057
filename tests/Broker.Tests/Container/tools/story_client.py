"""Client side of the StatefulSet story, run in the tools container with confluent-kafka.

  create-topic BOOTSTRAP TOPIC PARTITIONS RF
  isr BOOTSTRAP TOPIC                  one line: the smallest ISR size over the topic's partitions
  produce BOOTSTRAP TOPIC FIRST COUNT   acks=all; prints 'acked N' per acknowledged record
  produce-until BOOTSTRAP TOPIC FIRST STOPFILE
                                        as above, until STOPFILE exists; then 'done'
  consume BOOTSTRAP TOPIC               every value in the topic, one per line, then 'end'
"""
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def create_topic(bootstrap, topic, partitions, rf):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, int(partitions), int(rf))], operation_timeout=30)
    futures[topic].result(timeout=60)
    print("created", flush=True)


def isr(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(topic, timeout=10)
    partitions = metadata.topics[topic].partitions
    if not partitions or metadata.topics[topic].error is not None:
        print(-1, flush=True)
        return
    print(min(len(p.isrs) for p in partitions.values()), flush=True)


def producer(bootstrap):
    # Idempotent with acks=all: a retried batch is written once, so every acknowledged record
    # must be in the log exactly once.
    return Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                     "linger.ms": 5, "message.timeout.ms": 120000})


def on_delivery(error, message):
    if error is None:
        print("acked", message.value().decode(), flush=True)


def produce(bootstrap, topic, first, count):
    p = producer(bootstrap)
    for i in range(int(first), int(first) + int(count)):
        p.produce(topic, value=str(i).encode(), on_delivery=on_delivery)
        p.poll(0)
    if p.flush(120) != 0:
        sys.exit("unacknowledged records after 120 s")


def produce_until(bootstrap, topic, first, stop_file):
    p = producer(bootstrap)
    i = int(first)
    while not os.path.exists(stop_file):
        p.produce(topic, value=str(i).encode(), on_delivery=on_delivery)
        i += 1
        p.poll(0.02)
    p.flush(120)
    print("done", flush=True)


def consume(bootstrap, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"story-{time.time()}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False, "isolation.level": "read_uncommitted"})
    metadata = c.list_topics(topic, timeout=10)
    ends = {}
    for pid in metadata.topics[topic].partitions:
        low, high = c.get_watermark_offsets(TopicPartition(topic, pid), timeout=10)
        if high > low:
            ends[pid] = high
    c.assign([TopicPartition(topic, pid, 0) for pid in ends])
    deadline = time.time() + 120
    while ends and time.time() < deadline:
        message = c.poll(1.0)
        if message is None:
            continue
        if message.error():
            raise KafkaException(message.error())
        print(message.value().decode(), flush=True)
        if message.offset() + 1 >= ends.get(message.partition(), 0):
            ends.pop(message.partition(), None)
    c.close()
    print("end" if not ends else "incomplete", flush=True)


commands = {"create-topic": create_topic, "isr": isr, "produce": produce, "produce-until": produce_until, "consume": consume}
if __name__ == "__main__":
    commands[sys.argv[1]](*sys.argv[2:])
