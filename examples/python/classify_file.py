#!/usr/bin/env python3
"""Classify files of articles with a running accord server, one JSON line out per article:
a thin use of the accord-client package (clients/python), which does the work.

Input is JSON Lines, {"id": ..., "title": ... (optional), "text": ...} per line, as
`accord classify` reads; or, for any file not ending in .jsonl, plain text: the whole file is
one article, its id the file name. Bad lines are named on stderr and the rest classified;
the exit status is then 3. The same as `accord-client --server ADDR classify ...`.

    python3 -m pip install -r examples/python/requirements.txt   # ./clients/python
    python3 examples/python/classify_file.py --addr 127.0.0.1:50051 articles.jsonl
"""

import argparse
import sys

from accord_client import cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", default=["-"], help="files (.jsonl or plain text); - for stdin")
    parser.add_argument("--addr", default="127.0.0.1:50051", help="the server, HOST:PORT or a URL")
    parser.add_argument("--ca-cert", help="speak TLS, trusting this CA certificate (PEM)")
    parser.add_argument("--batch", default="256", help="articles per ClassifyBatch call (server --max-batch)")
    parser.add_argument("--explain", default="0", help="evidence terms per head")
    parser.add_argument("--sentences", action="store_true", help="also each sentence's stance")
    parser.add_argument("--relations", action="store_true",
                        help="also the actors each article names and the relations between them")
    parser.add_argument("--gzip", action="store_true", help="send the requests compressed with gzip")
    parser.add_argument("--timeout", default="60", help="seconds per call")
    args = parser.parse_args()
    sys.argv = ["accord-client", "--server", args.addr, "--timeout", args.timeout]
    sys.argv += ["--gzip"] * args.gzip + (["--ca-cert", args.ca_cert] if args.ca_cert else [])
    sys.argv += ["classify", "--batch", args.batch, "--explain", args.explain] + ["--sentences"] * args.sentences
    sys.argv += ["--relations"] * args.relations
    sys.argv += args.inputs
    cli.main()


if __name__ == "__main__":
    main()
