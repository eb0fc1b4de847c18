"""The client: one channel to a server, a method per call of accord.v1.Classifier and
accord.v1.Admin, and the health check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

import grpc
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ._stubs import admin_pb2, admin_pb2_grpc
from ._stubs import classifier_pb2 as pb
from ._stubs import classifier_pb2_grpc


class AccordError(Exception):
    """A call the server refused or could not answer: its gRPC code name and message."""

    def __init__(self, method: str, error: grpc.RpcError):
        self.code: str = error.code().name
        self.details: str = error.details() or ""
        super().__init__(f"{method} failed: {self.code}: {self.details}")


def message_to_json(message) -> str:
    """A message as one JSON line in the proto3 JSON mapping, as `accord classify` prints it:
    camelCase names, and a ClassifyResponse's heads in name order (a proto map has none)."""
    value = json_format.MessageToDict(message)
    if "predictions" in value:
        value["predictions"] = dict(sorted(value["predictions"].items()))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def server_target(server: str, tls: bool) -> tuple[str, bool]:
    """`HOST:PORT` or a URL (`http://`, `https://`) as a gRPC target, and whether to speak
    TLS (an `https://` URL, or `tls`)."""
    if "://" not in server:
        return server, tls
    scheme, rest = server.split("://", 1)
    rest = rest.rstrip("/")
    if scheme == "https":
        return rest, True
    if scheme == "http":
        if tls:
            raise ValueError(f"{server} is a plaintext URL but TLS was asked for: write https://")
        return rest, False
    raise ValueError(f"{server}: the scheme {scheme}:// is not http:// or https://")


class Client:
    """A connection to an accord server.

    `server` is `HOST:PORT` or a URL (`http://HOST:PORT`, `https://HOST:PORT`). TLS is used
    for `https://`, with `tls=True`, or with `ca_cert` (a PEM file of the CA that signed the
    server's certificate; without it, the system's roots). `admin_token` is the bearer token
    `reload` sends. `timeout` bounds each call, in seconds; `gzip` compresses requests.
    """

    def __init__(
        self,
        server: str = "127.0.0.1:50051",
        *,
        tls: bool = False,
        ca_cert: Optional[Union[str, Path]] = None,
        admin_token: Optional[str] = None,
        timeout: float = 60.0,
        gzip: bool = False,
        max_message_bytes: int = 256 << 20,
    ):
        target, use_tls = server_target(server, tls or ca_cert is not None)
        options = [("grpc.max_receive_message_length", max_message_bytes)]
        compression = grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression
        if use_tls:
            root = Path(ca_cert).read_bytes() if ca_cert is not None else None
            credentials = grpc.ssl_channel_credentials(root_certificates=root)
            self._channel = grpc.secure_channel(target, credentials, options=options, compression=compression)
        else:
            self._channel = grpc.insecure_channel(target, options=options, compression=compression)
        self._classifier = classifier_pb2_grpc.ClassifierStub(self._channel)
        self._admin = admin_pb2_grpc.AdminStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self.admin_token = admin_token
        self.timeout = timeout

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        """Closes the channel."""
        self._channel.close()

    def _call(self, method: str, function, request, **kwargs):
        try:
            return function(request, timeout=self.timeout, **kwargs)
        except grpc.RpcError as error:
            raise AccordError(method, error) from None

    @staticmethod
    def request(
        text: str, *, id: str = "", title: str = "", explain: int = 0, sentences: bool = False,
        relations: bool = False,
    ) -> pb.ClassifyRequest:
        """A ClassifyRequest: the article, `explain` evidence terms per head, and whether to
        answer each sentence's stance and the actors and their relations."""
        article = pb.Article(id=id, title=title, text=text)
        return pb.ClassifyRequest(article=article, explain=explain, sentences=sentences, relations=relations)

    def classify(self, text: str, **options) -> pb.ClassifyResponse:
        """Classifies one article (options as in `request`)."""
        return self._call("Classify", self._classifier.Classify, self.request(text, **options))

    def classify_batch(self, requests: Sequence[pb.ClassifyRequest]) -> list[pb.ClassifyResponse]:
        """Classifies several articles in one call; answers in request order."""
        answer = self._call("ClassifyBatch", self._classifier.ClassifyBatch, pb.ClassifyBatchRequest(requests=requests))
        return list(answer.responses)

    def classify_stream(self, requests: Iterable[pb.ClassifyRequest]) -> Iterator[pb.ClassifyResponse]:
        """Classifies a stream of articles, one answer per request in order, as they come."""
        try:
            yield from self._classifier.ClassifyStream(iter(requests), timeout=self.timeout)
        except grpc.RpcError as error:
            raise AccordError("ClassifyStream", error) from None

    def tokenize(self, text: str, *, title: str = "") -> pb.TokenizeResponse:
        """The tokens the model reads in an article (title tokens first)."""
        request = pb.TokenizeRequest(article=pb.Article(title=title, text=text))
        return self._call("Tokenize", self._classifier.Tokenize, request)

    def vectorize(self, text: str, *, title: str = "") -> pb.VectorizeResponse:
        """An article's TF-IDF features."""
        request = pb.VectorizeRequest(article=pb.Article(title=title, text=text))
        return self._call("Vectorize", self._classifier.Vectorize, request)

    def model_info(self) -> pb.ModelInfo:
        """What the served model says about itself."""
        return self._call("GetModelInfo", self._classifier.GetModelInfo, pb.GetModelInfoRequest())

    def health(self, service: str = "") -> str:
        """The grpc.health.v1 status of `service` (empty: the server), e.g. `SERVING`."""
        request = health_pb2.HealthCheckRequest(service=service)
        answer = self._call("Health.Check", self._health.Check, request)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)

    def reload(self, version: str = "") -> admin_pb2.ReloadModelResponse:
        """Asks the server to load `version` (empty: the one CURRENT names); needs the admin
        token."""
        if not self.admin_token:
            raise ValueError("reload needs the admin token (admin_token=...)")
        metadata = [("authorization", f"Bearer {self.admin_token}")]
        request = admin_pb2.ReloadModelRequest(version=version)
        return self._call("ReloadModel", self._admin.ReloadModel, request, metadata=metadata)
