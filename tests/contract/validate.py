#!/usr/bin/env python3
"""validate.py — holds recorded HTTP responses to the OpenAPI document (the contract test).

    validate.py OPENAPI.json RECORDS.jsonl

RECORDS has one JSON object per line, {"method","path","status","body"}: what `api` in
tests/helpers/common.bash appends for every response when STATION_CONTRACT_LOG names a file
(the path without its query, the body as text). Each record is matched to an operation by
method and path template (a "{param}" matches one non-empty segment; of several matching
templates the one with the most literal segments wins; HEAD is GET without a body). Then:

  - its status must be one the operation declares;
  - its body must match the schema declared for that status (JSON Schema 2020-12, which
    OpenAPI 3.1 uses; formats uuid, email and date-time checked), or be empty when the
    status declares no content.

A record whose method and path are no operation of the document (a 404 for an unknown
route, a 405, /ws, the SPA) is counted and listed, not failed: the document only speaks
for its own operations. Prints how many responses were checked per module (tag) and the
operations no suite reached; exits 1 when a response breaks its declaration, naming the
operation and the problem. Needs python3-jsonschema (Debian 12: 4.10).
"""
import json
import re
import sys
from collections import Counter, defaultdict

import jsonschema

METHODS = ("get", "put", "post", "delete", "patch")
# SPEC §2: RFC 3339 UTC; the station writes milliseconds and Z, other writers may not.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def is_date_time(value):
        return not isinstance(value, str) or RFC3339.match(value) is not None

    return checker


def pointer(*parts):
    """A JSON pointer (RFC 6901) into the document."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Operation:
    def __init__(self, method, template, op):
        self.method = method
        self.template = template
        self.op = op
        self.segments = template.strip("/").split("/")
        self.literal = sum(1 for s in self.segments if not s.startswith("{"))
        self.module = (op.get("tags") or ["?"])[0]
        self.name = f"{method.upper()} {template}"

    def matches(self, segments):
        if len(segments) != len(self.segments):
            return False
        for want, got in zip(self.segments, segments):
            if want.startswith("{"):
                if not got:
                    return False
            elif want != got:
                return False
        return True


class Contract:
    def __init__(self, document):
        self.document = document
        self.operations = []
        for template, item in document.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    self.operations.append(Operation(method, template, item[method]))
        self.checker = format_checker()
        self.validators = {}

    def find(self, method, path):
        method = "get" if method.lower() == "head" else method.lower()
        path = path.split("?", 1)[0]
        # As the router matches: one spelling per path, so "/x/" is not "/x" (an empty
        # last segment matches no operation).
        segments = path[1:].split("/") if path.startswith("/") else path.split("/")
        found = [o for o in self.operations if o.method == method and o.matches(segments)]
        return max(found, key=lambda o: o.literal) if found else None

    def validator(self, operation, status):
        """A validator for the body of one declared status: the whole document as the root,
        so "$ref": "#/components/…" resolves, pointed at the response schema by $ref."""
        key = (operation.name, status)
        if key not in self.validators:
            root = dict(self.document)
            root["$ref"] = pointer("paths", operation.template, operation.method, "responses", status,
                                   "content", "application/json", "schema")
            self.validators[key] = jsonschema.Draft202012Validator(root, format_checker=self.checker)
        return self.validators[key]

    def check(self, operation, record):
        """None when the record keeps the declaration, else what is wrong."""
        status = str(record.get("status"))
        responses = operation.op.get("responses", {})
        if status not in responses:
            declared = ", ".join(sorted(responses))
            return f"status {status} is not declared (declared: {declared})"
        body = record.get("body") or ""
        if record.get("method", "").upper() == "HEAD":
            return None
        content = responses[status].get("content", {})
        if "application/octet-stream" in content:
            return None  # a file nginx sent (X-Accel-Redirect): any bytes
        if "application/json" not in content:
            return None if body.strip() == "" else f"{status} declares no body but got: {body[:200]}"
        try:
            value = json.loads(body)
        except ValueError:
            return f"{status} body is not JSON: {body[:200]!r}"
        errors = sorted(self.validator(operation, status).iter_errors(value), key=lambda e: list(e.absolute_path))
        if not errors:
            return None
        problems = []
        for e in errors[:3]:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path) or "."
            problems.append(f"at {where}: {e.message}")
        return f"{status} body does not match its schema: " + "; ".join(problems)


def main(argv):
    if len(argv) != 3:
        print("usage: validate.py OPENAPI.json RECORDS.jsonl", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        contract = Contract(json.load(f))
    checked = Counter()
    per_operation = Counter()
    unmatched = Counter()
    failures = defaultdict(list)
    with open(argv[2], encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                failures["(records)"].append(f"line {number} is not a JSON record")
                continue
            operation = contract.find(record.get("method", ""), record.get("path", ""))
            if operation is None:
                unmatched[f"{record.get('method')} {record.get('path')} → {record.get('status')}"] += 1
                continue
            checked[operation.module] += 1
            per_operation[operation.name] += 1
            problem = contract.check(operation, record)
            if problem:
                failures[operation.name].append(f"{record.get('method')} {record.get('path')}: {problem}")

    total = sum(checked.values())
    print(f"checked {total} responses against {len(contract.operations)} operations")
    for module in sorted(checked):
        print(f"  {module}: {checked[module]}")
    if unmatched:
        print(f"not operations of the document (not checked): {sum(unmatched.values())} responses")
        for what, n in sorted(unmatched.items()):
            print(f"  {what} ×{n}")
    unreached = [o.name for o in contract.operations if per_operation[o.name] == 0]
    if unreached:
        print(f"operations no response reached: {len(unreached)}")
        for name in unreached:
            print(f"  {name}")
    if failures:
        count = sum(len(v) for v in failures.values())
        print(f"FAILED: {count} responses break the document")
        for name in sorted(failures):
            seen = Counter(failures[name])
            for problem, n in seen.items():
                print(f"  {name}: {problem}" + (f" (×{n})" if n > 1 else ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
