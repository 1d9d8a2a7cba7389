"""Log records as one line each, with the structured fields a record carries (`extra=`):
`submission`, `version`, `worker`, ... appended as key=value, so that a platform failure in the
logs says which submission and which exercise version it was."""

import logging
import os
import socket

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = {key: value for key, value in vars(record).items() if key not in STANDARD}
        fields.setdefault("worker", self.worker)
        return text + "".join(f" {key}={value}" for key, value in sorted(fields.items()))
