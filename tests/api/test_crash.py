"""Crash safety: the real server (``recommender serve`` on uvicorn, SQLite file) killed with SIGKILL.

After a kill during a write loop every acknowledged write is present; after a kill during a catalog import or
reindex the service comes back on the last catalog whose import was acknowledged.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from api_testdata import write_test_catalog

SECRET = "crash-test-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``recommender serve`` in a subprocess on a fresh port per start."""

    def __init__(self, data_dir: Path, catalog_dir: Path):
        self.data_dir = data_dir
        self.catalog_dir = catalog_dir
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log = data_dir.parent / "server.log"

    def start(self, log_level: str = "WARNING") -> Server:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SECRET_KEY": SECRET, "LOG_LEVEL": log_level, "RECOMMENDATIONS": "false",
               # every reindex pauses before it publishes, so the test sees it running however fast the machine
               "RECOMMENDER_FAILPOINTS": "reindex-before-publish=3"}
        for name in ("DATABASE_URL", "CATALOG_DIR", "DATA_DIR"):
            env.pop(name, None)
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "recommender.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(self.data_dir),
                    "--catalog",
                    str(self.catalog_dir),
                ],
                env=env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"server did not answer within 60 s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "var", write_test_catalog(tmp_path / "catalog"))
    yield srv
    srv.kill()


def _admin_token(data_dir: Path, monkeypatch, capsys) -> str:
    from recommender.cli import main

    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["token", "create", "--role", "union_admin", "--data-dir", str(data_dir)]) == 0
    return capsys.readouterr().out.strip()


def _write_until_killed(server: Server, worker_id: str, token: str, n: int = 60) -> list[int]:
    """Two writers post feedback in a loop; after ``n`` acknowledged events the server gets SIGKILL.
    Returns the ids of every acknowledged (committed) event."""
    acknowledged: list[int] = []
    lock = threading.Lock()

    def write_loop(program: str) -> None:
        with server.client(token) as c:
            while True:
                try:
                    r = c.post(
                        "/feedback",
                        json={"worker_id": worker_id, "event_type": "click", "program_id": program},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code != 201:
                    return
                with lock:
                    acknowledged.append(r.json()["event_id"])

    writers = [threading.Thread(target=write_loop, args=(p,)) for p in ("P001", "P002")]
    for w in writers:
        w.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # SIGKILL while both writers are mid-loop
    for w in writers:
        w.join(timeout=30)
    assert len(acknowledged) >= n, "the writers did not get going"
    return acknowledged


def test_kill_9_keeps_acknowledged_writes_and_the_last_good_catalog(server, tmp_path, monkeypatch, capsys):
    """One server life story (four starts, to keep the suite fast): kill -9 during a write loop, during the
    background reindex of an acknowledged import, and during an import not yet acknowledged; then SIGTERM."""
    big = write_test_catalog(tmp_path / "big", extra_programs=2000)
    bigger = write_test_catalog(tmp_path / "bigger", extra_programs=2000, extra_college=True)
    admin = _admin_token(server.data_dir, monkeypatch, capsys)

    # 1. kill -9 during a write loop: every acknowledged write is there after the restart
    server.start()
    with server.client() as anonymous:
        created = anonymous.post("/workers", json={"job_title": "快递员", "city": "苏州市"}).json()
    worker_id, token = created["worker"]["worker_id"], created["token"]
    acknowledged = _write_until_killed(server, worker_id, token)
    server.start()
    with server.client(token) as c:
        stored = {e["event_id"] for e in c.get(f"/workers/{worker_id}/export").json()["feedback"]}
        assert set(acknowledged) <= stored, f"lost acknowledged events {sorted(set(acknowledged) - stored)}"
        after = c.post("/feedback", json={"worker_id": worker_id, "event_type": "save", "program_id": "P003"})
        assert after.status_code == 201  # the database is writable again

    # 2. kill -9 while an acknowledged import is still being reindexed in the background
    with server.client(admin) as c:
        r = c.post("/catalog/import", json={"directory": str(big)})
        assert r.status_code == 202, r.text
        version = r.json()["version"]
        state = c.get("/catalog/status").json()["reindex"]["state"]
    server.kill()
    assert state == "running", "the reindex finished before the kill despite the failpoint"
    server.start()
    with server.client(admin) as c:
        status = c.get("/catalog/status").json()
        assert status["version"] == version and status["stats"]["programs"] == 2003
        assert c.get("/ready").status_code == 200

    # 3. kill -9 during an import that was not acknowledged yet: the last acknowledged catalog serves
    answer: list[httpx.Response] = []

    def importer() -> None:
        with server.client(admin) as c:
            try:
                answer.append(c.post("/catalog/import", json={"directory": str(bigger)}))
            except httpx.HTTPError:
                pass

    thread = threading.Thread(target=importer)
    thread.start()
    time.sleep(0.3)  # inside the synchronous validate-and-write step (most of a second for this catalog)
    server.kill()
    thread.join(timeout=30)
    server.start(log_level="INFO")
    with server.client(admin) as c:
        status = c.get("/catalog/status", headers={"X-Request-ID": "probe-1"}).json()
        acknowledged_import = bool(answer) and answer[0].status_code == 202
        expected = answer[0].json()["version"] if acknowledged_import else version
        assert status["version"] == expected and status["loaded"] is True
        assert status["stats"]["colleges"] == (3 if acknowledged_import else 2)
        assert c.get("/ready").status_code == 200
        assert (
            len(
                c.get(f"/workers/{worker_id}/export", headers={"Authorization": f"Bearer {token}"}).json()[
                    "feedback"
                ]
            )
            == len(stored) + 1
        )

    # 4. SIGTERM is a graceful stop: uvicorn finishes, runs the lifespan's end, then re-raises the signal
    os.kill(server.process.pid, signal.SIGTERM)
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    assert any(
        line["message"] == "request" and line["request_id"] == "probe-1" and line["status"] == 200
        for line in lines
    )
    assert any(line["message"] == "service stopped" for line in lines)
