"""``make image-check``: build the container image and try it as an operator would.

Outside the unit suite (it builds an image, about a minute). With nothing but Debian's
packages: a base made by ``mmdebstrap --variant=minbase --include=python3 bookworm`` and
``podman import`` (unless ``BASE`` names another image), then ``podman build`` of
``deploy/Containerfile``; then the image:

1. runs ``thidua run`` against the tests' local Bot API server on this machine (the
   container shares the host's network) and answers ``/healthz`` with 200 and ``/metrics``;
2. answers a person: ``/trogiup`` sent through the Bot API server gets an answer;
3. runs the offline demo: ``thidua demo --as chair`` with ``/nhiemvu`` piped in.

The sandbox this runs in refuses crun's cgroups and higher limits, hence ``--runtime runc
--cgroup-manager cgroupfs`` and the ulimits. A TLS-inspecting network's authority is given
to the build's pip step as a bound file (this machine's bundle under ``deploy/certs``,
removed afterwards), so that no layer of the image keeps it.
Exits 0 when every check holds, 1 (saying which failed) otherwise.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.botapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "localhost/thidua:check"
LOCAL_BASE = "localhost/thidua-base:bookworm"
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
PORT = 18089


def say(text: str) -> None:
    print(f"image-check: {text}", flush=True)


def run(*args: str, stdin: str | None = None, timeout: float = 900) -> str:
    done = subprocess.run(list(args), input=stdin, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def base_image() -> str:
    """``BASE`` if given, else a Debian base made here from Debian's packages alone."""
    if os.environ.get("BASE"):
        return os.environ["BASE"]
    if subprocess.run([*PODMAN, "image", "exists", LOCAL_BASE], check=False).returncode != 0:
        with tempfile.TemporaryDirectory() as folder:
            tar = Path(folder) / "base.tar"
            started = time.monotonic()
            run("mmdebstrap", "--variant=minbase", "--include=python3", "bookworm", str(tar))
            run(*PODMAN, "import", str(tar), LOCAL_BASE)
            say(f"base image made with mmdebstrap in {time.monotonic() - started:.0f} s")
    return LOCAL_BASE


def build(base: str) -> None:
    # this machine's authorities, for pip behind a TLS-inspecting network: under a name of
    # this run's (never over an operator's own file), bound into one build step only
    cert = ROOT / "deploy" / "certs" / f"image-check-{os.getpid()}.pem"
    if HOST_CA.exists():
        shutil.copyfile(HOST_CA, cert)
    try:
        started = time.monotonic()
        run(*PODMAN, "build", "--network", "host", *LIMITS, "--build-arg", f"BASE={base}",
            "-f", str(ROOT / "deploy" / "Containerfile"), "-t", IMAGE, str(ROOT))
        say(f"image built in {time.monotonic() - started:.0f} s")
    finally:
        cert.unlink(missing_ok=True)


async def serve_and_answer() -> None:
    """The image runs the bot: /healthz and /metrics answer, a person is answered."""
    async with FakeBotApi() as api:
        container = run(*PODMAN, "run", "-d", "--network", "host", *LIMITS,
                        "-e", f"TELEGRAM_BOT_TOKEN={api.token}",
                        "-e", f"THIDUA_TELEGRAM_API_URL={api.base_url}",
                        "-e", f"THIDUA_WEBHOOK_LISTEN=127.0.0.1:{PORT}", IMAGE).strip()
        try:
            async with httpx.AsyncClient() as http:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        health = await http.get(f"http://127.0.0.1:{PORT}/healthz")
                        if health.status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("no 200 from /healthz within 60 s:\n"
                                           + run(*PODMAN, "logs", container)[-3000:])
                    await asyncio.sleep(0.5)
                say(f"/healthz: {health.json()}")
                metrics = await http.get(f"http://127.0.0.1:{PORT}/metrics")
                if "thidua_updates_total" not in metrics.text:
                    raise RuntimeError("/metrics has no thidua_updates_total")
            person = api.user(4242, "Người thử")
            api.send_text(person, "/trogiup")
            answer = await api.wait_for_message(person.id, timeout=30)
            say(f"a person was answered: {(answer.plain_text or '')[:60]!r}")
        finally:
            subprocess.run([*PODMAN, "rm", "-f", container], capture_output=True, check=False)


def demo() -> None:
    shown = run(*PODMAN, "run", "--rm", "-i", "--network", "host", *LIMITS, IMAGE,
                "thidua", "demo", "--as", "chair", stdin="/nhiemvu\n", timeout=120)
    if "Tổ chức Hội nghị" not in shown:
        raise RuntimeError(f"the demo did not show the task list:\n{shown[-2000:]}")
    say("the demo shows the example bloc's task list")


def main() -> int:
    missing = [tool for tool in ("podman", "runc") if shutil.which(tool) is None]
    if missing:
        say(f"missing {', '.join(missing)} (make image-check installs them as root)")
        return 1
    try:
        build(base_image())
        asyncio.run(serve_and_answer())
        demo()
    except (RuntimeError, subprocess.TimeoutExpired) as problem:
        say(f"FAILED: {problem}")
        return 1
    finally:  # the dangling layers of earlier builds
        subprocess.run([*PODMAN, "image", "prune", "-f"], capture_output=True, check=False)
    say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
