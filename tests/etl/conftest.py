"""Fixtures shared by the ETL tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def round_trips(spark, monkeypatch) -> list[str]:
    """The commands sent to the JVM from here on, less py4j's own releases of objects that
    Python no longer holds (sent whenever Python's garbage collector runs)."""
    client = spark.sparkContext._gateway._gateway_client
    sent: list[str] = []
    send = client.send_command

    def counted(command: str, *args: Any, **kwargs: Any) -> Any:
        if not command.startswith("m\nd\n"):
            sent.append(command)
        return send(command, *args, **kwargs)

    monkeypatch.setattr(client, "send_command", counted)
    return sent
