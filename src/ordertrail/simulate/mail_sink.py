"""The demo's SMTP sink as a process of its own: `python -m ordertrail.simulate.mail_sink
FOLDER PORT` keeps each message it accepts as a numbered .eml file in FOLDER, says "ready" on
stdout once it listens, and ends when its stdin closes (its parent ended, however it ended).

In a process of its own its work runs on another core beside the simulation, which holds one
(the demo sends about one email for every three reports it feeds). It imports nothing of
OrderTrail's, so it is ready in a moment."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Folder:
    """aiosmtpd handler: each message accepted becomes one numbered .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
            number = self.count
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        (self.folder / f"{number:05d}-{stamp}.eml").write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"


def main(folder: str, port: str) -> None:
    # Ctrl-C at the terminal reaches the whole process group: the demo stops its sink itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    controller = Controller(Folder(Path(folder)), hostname="127.0.0.1", port=int(port))
    controller.start()
    try:
        print("ready", flush=True)
        sys.stdin.read()  # until the demo closes it, or ends
    finally:
        controller.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
