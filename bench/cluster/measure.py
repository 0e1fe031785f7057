"""Measures a three-node combined cluster started from the built broker (not a test: figures only).

  /usr/bin/python3 bench/cluster/measure.py [--broker src/Broker/bin/Release/net10.0/Broker.dll]
      [--topics 1000] [--batch 100] [--failovers 5]

Prints the time to create --topics topics (RF 3, one partition each) with confluent-kafka's
AdminClient, --batch topics per CreateTopics request (and one at a time when --batch 1), and
--failovers samples of controller failover: kill -9 of the active controller until a
CreateTopics through a surviving node succeeds again.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

from confluent_kafka.admin import AdminClient, NewTopic


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, node_id, root, voters, ports, broker_dll, cluster_id):
        self.id = node_id
        self.port, self.controller_port = ports[node_id]
        self.dir = os.path.join(root, f"node-{node_id}")
        os.makedirs(self.dir, exist_ok=True)
        self.properties = os.path.join(self.dir, "server.properties")
        with open(self.properties, "w") as f:
            f.write("\n".join([
                "process.roles=broker,controller",
                f"node.id={node_id}",
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"controller.quorum.voters={voters}",
                f"log.dirs={os.path.join(self.dir, 'data')}",
                # Each node its own free port for the operations endpoint (the default 9644 is shared).
                f"metrics.http.listener=http://127.0.0.1:{free_port()}",
            ]) + "\n")
        self.broker_dll = broker_dll
        self.cluster_id = cluster_id
        self.process = None
        self.lines = []

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.lines = []
        env = dict(os.environ, CLUSTER_ID=self.cluster_id)
        self.process = subprocess.Popen(["dotnet", self.broker_dll, self.properties], cwd=self.dir, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process):
        for line in process.stdout:
            self.lines.append(line)

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline:
                raise TimeoutError(f"node {self.id}: '{text}' not seen\n" + "".join(self.lines[-30:]))
            time.sleep(0.01)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def active_epoch(self):
        """The highest leader epoch this node's current run says it became active controller in, or -1."""
        epochs = [int(m.group(1)) for line in self.lines if (m := re.search(r"is the active controller \(leader epoch (\d+)", line))]
        lost = [int(m.group(1)) for line in self.lines if (m := re.search(r"no longer the active controller \(was leader of epoch (\d+)", line))]
        current = [e for e in epochs if e not in lost]
        return max(current) if current else -1


def three_nodes(broker_dll, root):
    """Nodes 1-3, combined broker and controller, on free loopback ports under root (not started)."""
    ports = {i: (free_port(), free_port()) for i in (1, 2, 3)}
    voters = ",".join(f"{i}@127.0.0.1:{ports[i][1]}" for i in (1, 2, 3))
    broker = os.path.abspath(broker_dll)
    cluster_id = subprocess.run(["dotnet", broker, "random-uuid"], capture_output=True, text=True).stdout.strip()
    return {i: Node(i, root, voters, ports, broker, cluster_id) for i in (1, 2, 3)}


def create(admin, topics, rf):
    futures = admin.create_topics([NewTopic(t, num_partitions=1, replication_factor=rf) for t in topics], operation_timeout=30, request_timeout=5)
    failed = []
    for t, f in futures.items():
        try:
            f.result()
        except Exception as e:  # noqa: BLE001 - any failure means "retry" here
            failed.append((t, str(e)))
    return failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", default="src/Broker/bin/Release/net10.0/Broker.dll")
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--failovers", type=int, default=5)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="cluster-measure-")
    nodes = three_nodes(args.broker, root)
    try:
        started = time.monotonic()
        for n in nodes.values():
            n.start()
        for n in nodes.values():
            n.wait_for(f"Node {n.id} started")
        print(f"cluster of 3 started in {time.monotonic() - started:.2f} s")

        admin = AdminClient({"bootstrap.servers": ",".join(n.bootstrap for n in nodes.values())})
        names = [f"t-{i}" for i in range(args.topics)]
        start = time.monotonic()
        for i in range(0, len(names), args.batch):
            pending = names[i:i + args.batch]
            while pending:
                failed = create(admin, pending, 3)
                pending = [t for t, e in failed if "TOPIC_ALREADY_EXISTS" not in e]
        elapsed = time.monotonic() - start
        print(f"created {args.topics} topics (RF 3), {args.batch} per CreateTopics request: {elapsed:.2f} s ({elapsed / args.topics * 1000:.2f} ms/topic)")

        samples = []
        for k in range(args.failovers):
            leader = max(nodes.values(), key=lambda n: n.active_epoch() if n.process else -1)
            survivors = [n for n in nodes.values() if n is not leader]
            # One survivor as bootstrap: librdkafka sends admin requests to the MetadataResponse's controller id
            # (the answering broker here) and, when that broker dies, waits for its next periodic metadata
            # refresh (5 min) before choosing another; a real client would see the same with Kafka.
            admin = AdminClient({"bootstrap.servers": survivors[0].bootstrap, "socket.timeout.ms": 2000})
            create(admin, [f"warm-{k}"], 2)
            leader.kill()
            killed = time.monotonic()
            topic = f"after-failover-{k}-{uuid.uuid4().hex[:6]}"
            while True:
                failed = create(admin, [topic], 2)
                if not failed or "TOPIC_ALREADY_EXISTS" in failed[0][1]:
                    break
                time.sleep(0.01)
            sample = time.monotonic() - killed
            samples.append(sample)
            if sample > 10 and os.environ.get("MEASURE_DEBUG"):
                for n in survivors:
                    print(f"===== node {n.id} =====\n" + "".join(n.lines[-60:]))
            new_leader = max(survivors, key=lambda n: n.active_epoch())
            print(f"failover {k + 1}: node {leader.id} killed, node {new_leader.id} active, CreateTopics succeeded after {sample * 1000:.0f} ms")
            leader.start()
            leader.wait_for(f"Node {leader.id} started")
        if samples:
            print(f"failover samples (ms): {', '.join(f'{s * 1000:.0f}' for s in samples)}; median {sorted(samples)[len(samples) // 2] * 1000:.0f} ms")
    finally:
        for n in nodes.values():
            if n.process:
                n.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
