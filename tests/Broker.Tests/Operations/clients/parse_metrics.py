"""Parses Prometheus text exposition from stdin with the reference parser (Debian's python3-prometheus-client).

Prints one JSON object per sample: {"name": ..., "labels": {...}, "value": ...}; exits non-zero when
the text does not parse. Run with /usr/bin/python3.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
