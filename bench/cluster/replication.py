"""Three-node replication figures for bench/run.sh (not a test: figures only).

  /usr/bin/python3 bench/cluster/replication.py --perf PERF_BIN --json OUT
      [--broker src/Broker/bin/Release/net10.0/Broker.dll] [--records 300000] [--rate-mbps 50] [--rate-seconds 20] [--kills 3]

Starts three combined nodes with default settings and measures, on topics with replication factor 3
and min.insync.replicas=2: bench/Perf's acks=-1 throughput to 6 partitions; its produce latency at a
fixed --rate-mbps with acks=-1; and --kills samples of kill -9 of a partition leader (never the active
controller) until the first acks=all produce to that partition is acknowledged, with a confluent-kafka
producer, plus one sample where the killed leader is also the active controller.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import three_nodes  # noqa: E402
from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402


def create(admin, topic, partitions):
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=3, config={"min.insync.replicas": "2"})])
    for f in futures.values():
        f.result()


def leaders(admin, topic):
    meta = admin.list_topics(topic, timeout=10).topics[topic]
    return {p: m.leader for p, m in meta.partitions.items()}, {p: len(m.isrs) for p, m in meta.partitions.items()}


def wait_full_isr(admin, topic, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lead, isr = leaders(admin, topic)
        if all(n == 3 for n in isr.values()) and all(l >= 0 for l in lead.values()):
            return lead
        time.sleep(0.1)
    raise TimeoutError(f"{topic}: ISR not full")


def perf(binary, bootstrap, out, *args):
    subprocess.run([binary, "produce", *args, "--bootstrap", bootstrap, "--json", out, "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)


def kill_sample(nodes, admin, bootstrap, topic, controller_victim):
    """Kills the leader of one partition of topic; returns (victim, was controller, ms to the first ack after the kill)."""
    lead = wait_full_isr(admin, topic)
    active = max(nodes.values(), key=lambda n: n.active_epoch() if n.process else -1).id
    candidates = [p for p, l in lead.items() if (l == active) == controller_victim]
    if not candidates:
        return None
    partition = candidates[0]
    victim = nodes[lead[partition]]
    acks = []
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 0,
                         "retry.backoff.ms": 20, "message.timeout.ms": 60000})
    stop = threading.Event()

    def delivered(err, _msg):
        if err is None:
            acks.append(time.monotonic())

    def send():
        while not stop.is_set():
            producer.produce(topic, value=b"x" * 100, partition=partition, on_delivery=delivered)
            producer.poll(0.005)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    while not acks:
        time.sleep(0.01)
    victim.kill()
    killed = time.monotonic()
    while not any(t > killed for t in acks):
        if time.monotonic() - killed > 120:
            raise TimeoutError("no acknowledgement after the kill")
        time.sleep(0.005)
    sample = min(t for t in acks if t > killed) - killed
    stop.set()
    sender.join()
    producer.flush(30)
    victim.start()
    victim.wait_for(f"Node {victim.id} started")
    return victim.id, controller_victim, sample * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", default="src/Broker/bin/Release/net10.0/Broker.dll")
    parser.add_argument("--perf", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--records", type=int, default=300000)
    parser.add_argument("--record-size", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=65536)
    parser.add_argument("--rate-mbps", type=float, default=50)
    parser.add_argument("--rate-seconds", type=int, default=20)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="replication-bench-")
    nodes = three_nodes(args.broker, root)
    result = {}
    try:
        for n in nodes.values():
            n.start()
        for n in nodes.values():
            n.wait_for(f"Node {n.id} started")
        bootstrap = ",".join(n.bootstrap for n in nodes.values())
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for topic, partitions in [("rf3-all", 6), ("rf3-rate", 6), ("rf3-kill", 3)]:
            create(admin, topic, partitions)
            wait_full_isr(admin, topic)
        common = ["--record-size", str(args.record_size), "--batch-size", str(args.batch_size), "--acks", "-1", "--partitions", "6"]
        print("== rf3 acks=-1 throughput", file=sys.stderr)
        result["throughput"] = perf(args.perf, nodes[1].bootstrap, os.path.join(root, "all.json"),
                                    "--topic", "rf3-all", "--num-records", str(args.records), *common)
        print(f"== rf3 acks=-1 at {args.rate_mbps} MB/s for {args.rate_seconds}s", file=sys.stderr)
        result["latency"] = perf(args.perf, nodes[1].bootstrap, os.path.join(root, "rate.json"), "--topic", "rf3-rate",
                                 "--linger-ms", "5", "--target-mbps", str(args.rate_mbps), "--duration", f"{args.rate_seconds}s", *common)
        samples = []
        for k in range(args.kills + 1):
            print(f"== kill -9 of a partition leader, sample {k + 1}", file=sys.stderr)
            sample = kill_sample(nodes, admin, bootstrap, "rf3-kill", controller_victim=(k == args.kills))
            if sample:
                samples.append({"victim": sample[0], "activeController": sample[1], "firstAckMs": sample[2]})
        result["kills"] = samples
    finally:
        for n in nodes.values():
            if n.process:
                n.kill()
        shutil.rmtree(root, ignore_errors=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)


main()
