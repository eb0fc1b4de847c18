#!/usr/bin/env python3
"""Checks the OpenAPI document a running accord server serves against the server itself.

Usage: check_openapi.py http://IP:PORT

The document must be valid OpenAPI (openapi-spec-validator); every documented operation must
answer its example request with 200 and a body its 200 schema accepts; every POST route must
answer a request with an unknown field with 400 and a body the error schema accepts; a path
that is not documented must answer 404 with that error body. Prints one line per check and
exits 1 at the first mismatch.
"""

import json
import sys
import urllib.error
import urllib.request

import jsonschema
from openapi_spec_validator import validate


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            headers, status, body = answer.headers, answer.status, answer.read()
    except urllib.error.HTTPError as error:
        headers, status, body = error.headers, error.code, error.read()
    for name in operation_headers:
        if headers.get(name) is None:
            sys.exit(f"FAIL {method} {path}: no {name} header in the answer")
    return status, headers.get("content-type"), json.loads(body)


# The headers every answer must carry (the documented response headers).
operation_headers = []


def check(document, schema, value, what):
    """Validates `value` against `schema`, whose references point into `document`."""
    root = dict(schema, components=document["components"])
    errors = sorted(jsonschema.Draft202012Validator(root).iter_errors(value), key=str)
    if errors:
        first = errors[0]
        path = "/".join(map(str, first.absolute_path))
        sys.exit(f"FAIL {what}: {first.message} at /{path}\n{json.dumps(value)[:2000]}")
    print(f"ok   {what}")


def schema_of(operation, status):
    return operation["responses"][status]["content"]["application/json"]["schema"]


def main(base):
    status, content_type, document = call(base, "GET", "/openapi.json")
    assert status == 200 and content_type == "application/json", (status, content_type)
    validate(document)
    print("ok   the document is valid OpenAPI " + document["openapi"])
    first = next(iter(next(iter(document["paths"].values())).values()))
    operation_headers.extend(first["responses"]["200"].get("headers", {}))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            what = f"{method.upper()} {path}"
            example = None
            if "requestBody" in operation:
                media = operation["requestBody"]["content"]["application/json"]
                example = media["example"]
                check(document, media["schema"], example, what + " example request")
            status, content_type, answer = call(base, method.upper(), path, example)
            if status != 200 or content_type != "application/json":
                sys.exit(f"FAIL {what}: {status} {content_type} {answer}")
            check(document, schema_of(operation, "200"), answer, what + " answer")
            if method == "post":
                status, _, answer = call(base, "POST", path, dict(example, notAField=1))
                if status != 400 or "notAField" not in answer.get("message", ""):
                    sys.exit(f"FAIL {what} with an unknown field: {status} {answer}")
                check(document, schema_of(operation, "default"), answer, what + " error (400)")
    status, _, answer = call(base, "GET", "/v1/not-documented")
    if status != 404:
        sys.exit(f"FAIL an undocumented path answered {status}")
    check(document, {"$ref": "#/components/schemas/Status"}, answer, "an undocumented path (404)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"))
