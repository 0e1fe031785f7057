"""Consumes COUNT records of TOPIC in GROUP with confluent-kafka, commits them synchronously, exits.

Usage: group_consume.py BOOTSTRAP GROUP TOPIC COUNT. Prints the number consumed. Run with /usr/bin/python3.
"""
import sys
import time

from confluent_kafka import Consumer

bootstrap, group, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
})
consumer.subscribe([topic])
seen = 0
deadline = time.time() + 60
while seen < count and time.time() < deadline:
    message = consumer.poll(1.0)
    if message is None:
        continue
    if message.error():
        print(f"error: {message.error()}", file=sys.stderr)
        continue
    seen += 1
consumer.commit(asynchronous=False)
consumer.close()
print(seen)
sys.exit(0 if seen == count else 1)
