"""librdkafka's group listing (ListGroups, then DescribeGroups) through confluent-kafka's AdminClient.list_groups.

Prints one JSON line per group: state, protocol type and name, and the members' client ids.
"""
import argparse
import json
import sys

from confluent_kafka.admin import AdminClient


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--group")
    args = parser.parse_args()
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for group in admin.list_groups(args.group, timeout=20):
        sys.stdout.write(json.dumps({
            "group": group.id,
            "error": None if group.error is None else group.error.name(),
            "state": group.state,
            "protocolType": group.protocol_type,
            "protocol": group.protocol,
            "members": [m.client_id for m in group.members],
        }) + "\n")


if __name__ == "__main__":
    main()
