#!/usr/bin/env python3
"""Writes the gRPC stubs of proto/accord/v1 into src/accord_client/_stubs (or --out), with
the imports between them made relative so that they live inside the package.

    python3 -m pip install grpcio-tools==1.85.1
    python3 clients/python/generate_stubs.py

The test suite (tests/python_package.rs) generates them again and fails if the committed ones
differ: the stubs always match the proto.
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO_DIR = HERE.parent.parent / "proto"
PROTOS = ["accord/v1/classifier.proto", "accord/v1/admin.proto"]


def generate(proto_dir, out_dir):
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory() as work:
        status = protoc.main(
            ["grpc_tools.protoc", f"-I{proto_dir}", f"--python_out={work}", f"--pyi_out={work}", f"--grpc_python_out={work}"]
            + [str(Path(proto_dir) / proto) for proto in PROTOS]
        )
        if status != 0:
            sys.exit(f"generate_stubs.py: protoc failed on {proto_dir}")
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in sorted((Path(work) / "accord" / "v1").iterdir()):
            text = re.sub(r"^from accord\.v1 import ", "from . import ", path.read_text(), flags=re.M)
            (out_dir / path.name).write_text(text)
    (out_dir / "__init__.py").write_text('"""Generated from proto/accord/v1 by generate_stubs.py; do not edit."""\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proto-dir", type=Path, default=PROTO_DIR)
    parser.add_argument("--out", type=Path, default=HERE / "src" / "accord_client" / "_stubs")
    args = parser.parse_args()
    generate(args.proto_dir, args.out)


if __name__ == "__main__":
    main()
