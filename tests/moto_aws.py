"""moto in place of AWS, with botocore's service models read from disk once per test session.

moto gives boto3 a new default session each time it starts, and a new session reads every
service model it uses again (about 50 ms a client); the tests start moto a few hundred times.
Sharing one loader changes nothing else: each test still gets its own session, credentials and
moto backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import boto3
import botocore.loaders
import botocore.session
from moto import mock_aws


@cache
def _shared_loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


@contextmanager
def moto_aws() -> Iterator[None]:
    """`moto.mock_aws`, whose default boto3 session loads service models through one loader."""
    with mock_aws():
        session = botocore.session.get_session()
        session.register_component("data_loader", _shared_loader())
        # moto put None in boto3.DEFAULT_SESSION and puts the previous one back when it stops.
        boto3.setup_default_session(botocore_session=session)
        yield
