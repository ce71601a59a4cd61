"""Real servers on 127.0.0.1 standing in for what lies outside the platform: a group robot's API (WeCom or
DingTalk, verifying DingTalk's signature itself), an SMS gateway, and an SMTP server. Each runs in a thread of the
test process, answers as told, and records what it received."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    query: dict
    body: dict
    headers: dict


def expected_dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk's check, written here independently of the code under test."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class RobotServer:
    """A robot API. ``answers`` is a queue of (HTTP status, JSON body) used one per request; when empty,
    ``default`` answers. With ``secret`` set it checks the DingTalk signature as DingTalk does (errcode 310000
    on a bad one, or a timestamp more than an hour away)."""

    default: tuple[int, dict] = (200, {"errcode": 0, "errmsg": "ok"})
    secret: str = ""
    delay: float = 0.0
    answers: deque = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self):
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                robot.received.append(Received(parts.path, query, body, dict(self.headers)))
                if robot.delay:
                    time.sleep(robot.delay)
                status, answer = robot.answers.popleft() if robot.answers else robot.default
                if robot.secret and status == 200:
                    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
                    fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
                    if not (fresh and sign == expected_dingtalk_sign(robot.secret, timestamp)):
                        status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/robot/send?access_token=t0ken") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Enough SMTP for Django's backend: EHLO/HELO, MAIL, RCPT (a mailbox named bounce… is refused with 550, one
    named later… deferred with 451), DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        server = self.server
        self.reply("220 localhost test SMTP")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = line, []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = line.split(":", 1)[1].strip().strip("<>")
                if address.startswith("bounce"):
                    self.reply("550 No such user")
                elif address.startswith("later"):
                    self.reply("451 Try again later")
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data)
                server.messages.append({"from": sender, "to": recipients, "data": b"".join(lines)})
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


class SmtpServer:
    def __init__(self):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.messages = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def messages(self) -> list:
        return self.server.messages

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
