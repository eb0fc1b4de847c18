"""A typed client for the accord news-classification service (gRPC).

    from accord_client import Client

    with Client("127.0.0.1:50051") as client:
        answer = client.classify("The striker scored twice.", id="a")
        print(answer.predictions["topic"].label)

The messages are the ones generated from proto/accord/v1 (`accord_client.pb`); answers are
those messages, typed by the generated stubs (`.pyi`).
"""

from .client import AccordError, Client, message_to_json
from ._stubs import admin_pb2, classifier_pb2 as pb

__all__ = ["AccordError", "Client", "message_to_json", "pb", "admin_pb2"]
