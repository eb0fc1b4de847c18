#!/usr/bin/env python3
"""Classify a file of articles with a running accord server, one JSON line out per article.

Input is JSON Lines, {"id": ..., "title": ... (optional), "text": ...} per line, as
`accord classify` reads; or, for any file not ending in .jsonl, plain text: the whole file is
one article, its id the file name. Articles go to ClassifyBatch in chunks of --batch; each
answer is printed as grpcurl prints a ClassifyResponse (proto3 JSON, camelCase).

The gRPC stubs are generated from proto/ into a temporary folder at start (grpcio-tools), so
they always match the server's proto. A bad line is reported on stderr with its line number
and the rest are still classified; the exit status is then 1.

    python3 -m pip install -r examples/python/requirements.txt
    python3 examples/python/classify_file.py --addr 127.0.0.1:50051 articles.jsonl
"""

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parent.parent.parent / "proto"
PROTO = "accord/v1/classifier.proto"


def load_stubs(proto_dir, out_dir):
    """Generates the messages and the client from proto_dir into out_dir and imports them."""
    from grpc_tools import protoc

    # grpcio-tools ships the well-known types (google/protobuf/*.proto) beside its code.
    well_known = Path(protoc.__file__).resolve().parent / "_proto"
    status = protoc.main([
        "grpc_tools.protoc",
        f"-I{proto_dir}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        str(Path(proto_dir) / PROTO),
    ])
    if status != 0:
        sys.exit(f"classify_file.py: cannot generate the gRPC stubs from {proto_dir}")
    sys.path.insert(0, str(out_dir))
    module = PROTO.removesuffix(".proto").replace("/", ".")
    return importlib.import_module(module + "_pb2"), importlib.import_module(module + "_pb2_grpc")


class BadLine(Exception):
    pass


def parse_line(line):
    """One JSON Lines article as (id, title, text); BadLine says why it cannot be one."""
    try:
        article = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"invalid JSON article: {error}") from None
    if not isinstance(article, dict) or not isinstance(article.get("text"), str):
        raise BadLine("an article is an object with a `text` string")
    title, id_ = article.get("title", ""), article.get("id", "")
    if not isinstance(title, str) or not isinstance(id_, str):
        raise BadLine("`id` and `title` must be strings")
    if not article["text"].strip():
        raise BadLine("`text` is empty")
    return id_, title, article["text"]


def read_articles(paths, errors):
    """Yields (id, title, text) from every input in order; bad lines go to `errors`."""
    for path in paths:
        if path == "-" or path.endswith(".jsonl"):
            stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
            with stream:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield parse_line(line)
                    except BadLine as error:
                        errors.append(f"{path}: line {number}: {error}")
        else:
            text = Path(path).read_text(encoding="utf-8")
            if text.strip():
                yield os.path.basename(path), "", text
            else:
                errors.append(f"{path}: the file is empty")


def as_json(response):
    """One compact line, heads in name order as `accord classify` prints them (a proto map
    has no order of its own)."""
    response["predictions"] = dict(sorted(response.get("predictions", {}).items()))
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"))


def chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", default=["-"], help="files (.jsonl or plain text); - for stdin")
    parser.add_argument("--addr", default="127.0.0.1:50051", help="the server, HOST:PORT")
    parser.add_argument("--batch", type=int, default=256, help="articles per ClassifyBatch call (server --max-batch)")
    parser.add_argument("--explain", type=int, default=0, help="evidence terms per head")
    parser.add_argument("--sentences", action="store_true", help="also each sentence's stance, with its byte offsets")
    parser.add_argument("--relations", action="store_true",
                        help="also the actors each article names and the relations between them")
    parser.add_argument("--gzip", action="store_true", help="send the requests compressed with gzip")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    parser.add_argument("--proto-dir", default=str(PROTO_DIR), help="where accord/v1/classifier.proto is")
    args = parser.parse_args()
    if args.batch < 1:
        parser.error("--batch must be at least 1")

    import grpc
    from google.protobuf import json_format

    with tempfile.TemporaryDirectory(prefix="accord-stubs-") as stubs:
        pb, pb_grpc = load_stubs(args.proto_dir, stubs)
        errors = []
        compression = grpc.Compression.Gzip if args.gzip else grpc.Compression.NoCompression
        with grpc.insecure_channel(args.addr, compression=compression) as channel:
            client = pb_grpc.ClassifierStub(channel)
            for chunk in chunks(read_articles(args.inputs, errors), args.batch):
                requests = [
                    pb.ClassifyRequest(
                        article=pb.Article(id=id_, title=title, text=text),
                        explain=args.explain,
                        sentences=args.sentences,
                        relations=args.relations,
                    )
                    for id_, title, text in chunk
                ]
                try:
                    answer = client.ClassifyBatch(pb.ClassifyBatchRequest(requests=requests), timeout=args.timeout)
                except grpc.RpcError as error:
                    sys.exit(f"classify_file.py: ClassifyBatch failed: {error.code().name}: {error.details()}")
                for response in answer.responses:
                    print(as_json(json_format.MessageToDict(response)))
        sys.stdout.flush()
    for error in errors:
        print(f"classify_file.py: {error}", file=sys.stderr)
    if errors:
        sys.exit(f"classify_file.py: {len(errors)} input(s) could not be classified")


if __name__ == "__main__":
    main()
