"""`accord-client`: the command line of the Python client.

    accord-client --server 127.0.0.1:50051 classify articles.jsonl
    accord-client --server https://accord.example:50051 --ca-cert ca.pem info
    ACCORD_ADMIN_TOKEN=secret accord-client reload

`classify` reads JSON Lines ({"id", "title"?, "text"} per line, as `accord classify` reads)
or, for a file not ending in .jsonl, plain text (the whole file one article, its id the file
name); articles go to ClassifyBatch in chunks of --batch and each answer is printed as one
JSON line, as grpcurl prints a ClassifyResponse. A bad line is named on standard error with
its file and line number and the others are still classified; the exit status is then 3
(1: the run stopped, 2: a usage error), as with `accord classify`. A closed standard output
(`| head -1`) ends the program quietly with status 0; a file that cannot be opened ends it
with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

from .client import AccordError, Client, message_to_json

SOME_LINES_FAILED = 3


class BadLine(Exception):
    """Why a line is not an article."""


def parse_line(line: bytes) -> Tuple[str, str, str]:
    """One JSON Lines article as (id, title, text)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadLine(f"not UTF-8 (byte {error.start + 1} of the line is not)") from None
    try:
        article = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadLine(f"invalid JSON: {error}") from None
    if not isinstance(article, dict):
        raise BadLine('not a JSON object: an article is {"id", "title"?, "text"}')
    id_, title, body = article.get("id", ""), article.get("title", ""), article.get("text", "")
    if not all(isinstance(value, str) for value in (id_, title, body)):
        raise BadLine("`id`, `title` and `text` must be strings")
    if not body.strip():
        raise BadLine("`text` is empty")
    return id_, title, body


def read_articles(paths: List[str], errors: List[str]) -> Iterator[Tuple[str, str, str]]:
    """(id, title, text) from every input in order; bad lines go to `errors`, named with
    their file and line number. A file that cannot be opened ends the run (OSError)."""
    for path in paths:
        name = "standard input" if path == "-" else path
        if path == "-" or path.endswith(".jsonl"):
            try:
                stream = sys.stdin.buffer if path == "-" else open(path, "rb")
            except OSError as error:
                raise OSError(f"cannot open {name}: {error.strerror}") from None
            articles = 0
            with stream:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    articles += 1
                    try:
                        yield parse_line(line)
                    except BadLine as error:
                        errors.append(f"{name}: line {number}: {error}")
            if articles == 0:
                print(f"accord-client: {name}: no articles (the input is empty)", file=sys.stderr)
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                raise OSError(f"cannot read {name}: {error.strerror}") from None
            except UnicodeDecodeError as error:
                errors.append(f"{name}: not UTF-8 (byte {error.start + 1} is not)")
                continue
            if text.strip():
                yield os.path.basename(path), "", text
            else:
                errors.append(f"{name}: the file is empty")


def chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def classify(client: Client, args) -> int:
    """Classifies the inputs in chunks; bad lines are reported after each chunk's answers."""
    errors: List[str] = []
    failed = 0

    def report() -> None:
        nonlocal failed
        for error in errors:
            print(f"accord-client: {error}", file=sys.stderr)
        failed += len(errors)
        errors.clear()

    for chunk in chunks(read_articles(args.inputs or ["-"], errors), args.batch):
        requests = [
            client.request(text, id=id_, title=title, explain=args.explain, sentences=args.sentences,
                           relations=args.relations)
            for id_, title, text in chunk
        ]
        for answer in client.classify_batch(requests):
            print(message_to_json(answer))
        report()
    report()
    if failed:
        print(f"accord-client: {failed} input(s) could not be classified; the others were printed", file=sys.stderr)
        return SOME_LINES_FAILED
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord-client", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--server", default=os.environ.get("ACCORD_SERVER", "127.0.0.1:50051"),
                        help="HOST:PORT or a URL, http://HOST:PORT or https://HOST:PORT (default: $ACCORD_SERVER or %(default)s)")
    parser.add_argument("--tls", action="store_true", help="speak TLS, trusting the system's roots")
    parser.add_argument("--ca-cert", metavar="FILE", help="speak TLS, trusting this CA certificate (PEM)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call (default %(default)s)")
    parser.add_argument("--gzip", action="store_true", help="send requests compressed with gzip")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("classify", help="classify files of articles, one JSON line out per article")
    run.add_argument("inputs", nargs="*", help="files (.jsonl, or plain text); - or nothing: standard input")
    run.add_argument("--batch", type=int, default=256, help="articles per ClassifyBatch call (server --max-batch)")
    run.add_argument("--explain", type=int, default=0, help="evidence terms per head")
    run.add_argument("--sentences", action="store_true", help="also each sentence's stance, with its byte offsets")
    run.add_argument("--relations", action="store_true",
                     help="also the actors each article names and the relations between them")
    info = commands.add_parser("info", help="the served model's ModelInfo, as JSON")
    info.add_argument("--compact", action="store_true", help="on one line")
    health = commands.add_parser("health", help="the server's health status; exit 0 only for SERVING")
    health.add_argument("--service", default="", help="a service name (default: the server as a whole)")
    reload = commands.add_parser("reload", help="ask the server to reload its model (needs the admin token)")
    reload.add_argument("--version", default="", help="the version to load (default: the one CURRENT names)")
    reload.add_argument("--admin-token", default=os.environ.get("ACCORD_ADMIN_TOKEN"),
                        help="bearer token of the Admin service (default: $ACCORD_ADMIN_TOKEN)")
    return parser


def run(args) -> int:
    token = getattr(args, "admin_token", None)
    with Client(args.server, tls=args.tls, ca_cert=args.ca_cert, admin_token=token,
                timeout=args.timeout, gzip=args.gzip) as client:
        if args.command == "classify":
            return classify(client, args)
        if args.command == "info":
            info = client.model_info()
            print(message_to_json(info) if args.compact else json.dumps(json.loads(message_to_json(info)), indent=2))
        elif args.command == "health":
            status = client.health(args.service)
            print(status)
            return 0 if status == "SERVING" else 1
        elif args.command == "reload":
            answer = client.reload(args.version)
            print(f"reloaded: {answer.previous_version} -> {answer.version}")
    return 0


def main() -> None:
    args = parser().parse_args()
    if getattr(args, "batch", 1) < 1:
        parser().error("--batch must be at least 1")
    try:
        status = run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader is gone (`| head -1`): stop quietly, as Unix tools do. Standard output
        # is pointed at /dev/null so that the interpreter's own flush at exit does not fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    except (AccordError, ValueError, OSError) as error:
        print(f"accord-client: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
