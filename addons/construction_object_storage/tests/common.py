"""A real S3-compatible server on 127.0.0.1 for the tests: moto in server
mode (``moto_server``), installed by ``bin/setup`` in its own environment
``var/s3-server`` because its web stack (Flask, Werkzeug 3) is not the one
Odoo runs on. It speaks the S3 REST API as Amazon documents it
(https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html)."""

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import s3fs

REPO = Path(__file__).resolve().parents[3]
MOTO_SERVER = os.environ.get("CONSTRUCTION_S3_SERVER") or str(
    REPO / "var" / "s3-server" / "bin" / "moto_server"
)
BUCKET = "construction-photos"
# What a server's environment names (data/fs_storage.xml): moto takes any key.
ENVIRONMENT = {"CONSTRUCTION_S3_KEY": "test-key", "CONSTRUCTION_S3_SECRET": "test-secret"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def s3_server():
    """Run moto's S3 server on a free port with the bucket made; yields its URL."""
    if not os.path.exists(MOTO_SERVER):
        raise AssertionError(f"{MOTO_SERVER} is missing: run bin/setup")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"moto_server did not start on {url}") from None
                time.sleep(0.2)
        bucket(url).mkdir(BUCKET)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def bucket(url):
    """A client of the server at ``url`` that is not Odoo's: what it lists is
    what the bucket holds."""
    return s3fs.S3FileSystem(
        endpoint_url=url,
        key=ENVIRONMENT["CONSTRUCTION_S3_KEY"],
        secret=ENVIRONMENT["CONSTRUCTION_S3_SECRET"],
        skip_instance_cache=True,
    )
