#!/usr/bin/env python3
"""Regenerates the .def files in this folder from Kafka's JSON message specs.

Only facts cross over: names, types, versions, nullability, tags, defaults, map keys. Prose
("about" texts, comments) stays behind. Usage: import-definitions.py <kafka-protocol dir>
"""
import json, os, re, sys

# Share-group APIs (KIP-932) are out of scope for now.
SOURCE = ""
SKIPPED_API_KEYS = {76, 77, 78, 79, 83, 84, 85, 86, 87}
# Version floors: every version since record batch v2 (Kafka 0.11), not Kafka 4.0's (KIP-896), so a
# 2018 client and a 2026 client can both connect. Old versions of an API without records cost only
# their fields, which the generated code already handles; behaviour follows Kafka 3.x, which served them.
# APIs whose early versions need something older than batch v2 keep a higher floor:
# Produce v0-v2 carry message format v0/v1 (ApiVersionsHandler still advertises v0, KAFKA-18659);
# Fetch v0-v3 would have to down-convert batches to message format v0/v1;
# ListOffsets v0 answers with the pre-0.10.1 offset array from segment start offsets;
# SaslHandshake v0 sends the SASL tokens unframed, outside any Kafka request.
FLOORS = {0: 3, 1: 4, 2: 1, 17: 1}
# Versions newer than the imported specs, added by hand from the KIP (apiKey -> highest version and
# the fields to append, by path of array fields). The response follows its request's versions.
# Vote v2 (KIP-996, Kafka 4.0): each partition carries PreVote, so a prospective node can ask for
# votes without anyone bumping its epoch; VoteResponse v2 adds no field.
VERSION_EXTENSIONS = {
    52: (2, {("Topics", "Partitions"): [{"name": "PreVote", "type": "bool", "versions": "2+"}]}),
}

def load(path):
    with open(path) as f:
        text = "\n".join(l for l in f.read().splitlines() if not l.strip().startswith("//"))
    return json.loads(text)

def rng(text):
    if text is None or text == "none":
        return None
    if text.endswith("+"):
        return (int(text[:-1]), None)
    if "-" in text:
        lo, hi = text.split("-")
        return (int(lo), int(hi))
    return (int(text), int(text))

def fmt(r):
    if r is None:
        return "none"
    lo, hi = r
    if hi is None:
        return f"{lo}+"
    return f"{lo}" if lo == hi else f"{lo}-{hi}"

def declared_versions(spec):
    lo, hi = rng(spec["validVersions"])
    key = spec.get("apiKey")
    if spec["type"] == "response":
        # A response exists at exactly the versions of its request.
        request = load(os.path.join(SOURCE, "message", spec["name"][: -len("Response")] + "Request.json"))
        return declared_versions(request)
    if spec["type"] == "request":
        lo = max(lo, FLOORS.get(key, lo))
        if spec.get("latestVersionUnstable"):
            hi -= 1
        if key in VERSION_EXTENSIONS:
            hi = max(hi, VERSION_EXTENSIONS[key][0])
    return lo, hi

def extended_fields(spec):
    """The spec's fields with the VERSION_EXTENSIONS of a request appended where they belong."""
    fields = json.loads(json.dumps(spec.get("fields", [])))
    if spec["type"] != "request" or spec.get("apiKey") not in VERSION_EXTENSIONS:
        return fields
    for path, extra in VERSION_EXTENSIONS[spec["apiKey"]][1].items():
        level = fields
        for name in path:
            level = next(f for f in level if f["name"] == name)["fields"]
        level.extend(extra)
    return fields

def default_token(field):
    d = field.get("default")
    if d is None:
        return None
    t = field["type"]
    if t == "string":
        return "null" if d == "null" else json.dumps(d)
    return str(d).strip()

def emit_fields(fields, depth, out, floor):
    for f in fields:
        versions = rng(f.get("versions") or f["taggedVersions"])
        if versions and versions[1] is not None and versions[1] < floor:
            continue  # exists only below the versions we declare
        parts = [f["name"], f["type"], "versions=" + fmt(versions)]
        if f.get("nullableVersions"):
            parts.append("nullable=" + fmt(rng(f["nullableVersions"])))
        if "tag" in f:
            parts.append(f"tag={f['tag']}")
            parts.append("tagged=" + fmt(rng(f["taggedVersions"])))
        if "flexibleVersions" in f:
            parts.append("flexible=" + fmt(rng(f["flexibleVersions"])))
        if f.get("mapKey"):
            parts.append("mapKey")
        d = default_token(f)
        if d is not None:
            parts.append("default=" + d)
        out.append("  " * depth + " ".join(parts))
        if "fields" in f:
            emit_fields(f["fields"], depth + 1, out, floor)

def convert(spec):
    kind = spec["type"]
    lo, hi = declared_versions(spec)
    head = [kind, spec["name"]]
    if "apiKey" in spec:
        head.append(f"apiKey={spec['apiKey']}")
    head.append("versions=" + fmt((lo, hi)))
    head.append("flexible=" + fmt(rng(spec.get("flexibleVersions", "none"))))
    out = ["# Facts from Kafka's message spec (names, types, versions); see import-definitions.py.",
           " ".join(head)]
    emit_fields(extended_fields(spec), 1, out, lo)
    for s in spec.get("commonStructs", []):
        out.append(f"struct {s['name']} versions={s['versions']}")
        emit_fields(s["fields"], 1, out, lo)
    return "\n".join(out) + "\n"

def request_listeners(folder, response_name):
    request = response_name[: -len("Response")] + "Request.json"
    return load(os.path.join(SOURCE, folder, request)).get("listeners", [])

def wanted(folder, spec):
    kind = spec["type"]
    if kind in ("request", "response"):
        # Responses carry no listeners; they follow their request.
        listeners = set(spec.get("listeners") or request_listeners(folder, spec["name"]))
        return bool(listeners & {"broker", "controller"}) and spec["apiKey"] not in SKIPPED_API_KEYS
    if folder == "group-coordinator":
        return not spec["name"].startswith("ShareGroup")
    return True

def main():
    global SOURCE
    src = SOURCE = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    count = 0
    for folder in ("message", "metadata", "raft", "group-coordinator", "transaction-coordinator"):
        target = os.path.join(here, folder)
        os.makedirs(target, exist_ok=True)
        for name in sorted(os.listdir(os.path.join(src, folder))):
            if not name.endswith(".json"):
                continue
            spec = load(os.path.join(src, folder, name))
            if not wanted(folder, spec):
                continue
            with open(os.path.join(target, name[:-5] + ".def"), "w") as f:
                f.write(convert(spec))
            count += 1
    print(f"wrote {count} definitions")

if __name__ == "__main__":
    main()
