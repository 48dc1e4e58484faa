"""Tiny proxies on loopback for the Bot API client tests: an HTTP proxy (CONNECT tunnels and
forwarded plain-HTTP requests, Basic auth) and a SOCKS5 proxy (RFC 1928, user/password auth
per RFC 1929). Each records who came through and where they went."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import struct
from dataclasses import dataclass, field


@dataclass
class Passage:
    kind: str  # "connect", "forward" or "socks5"
    host: str
    port: int
    user: str | None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    target: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(client[0], target[1]), _pipe(target[0], client[1]))


@dataclass
class LoopbackProxy:
    """Base: start()/stop(), `url` with the credentials, `passages` and `refused` so far."""

    user: str | None = None
    password: str | None = None
    passages: list[Passage] = field(default_factory=list)
    refused: int = 0
    scheme: str = ""
    tls: ssl.SSLContext | None = None  # clients reach the proxy itself over TLS
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def url(self, user: str | None = None, password: str | None = None) -> str:
        user = self.user if user is None else user
        password = self.password if password is None else password
        auth = f"{user}:{password}@" if user is not None else ""
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{self.scheme}://{auth}{host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class HttpProxy(LoopbackProxy):
    def __init__(
        self,
        user: str | None = None,
        password: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(user, password, scheme="https" if tls else "http", tls=tls)

    def _authorised(self, headers: dict[str, str]) -> str | bool | None:
        """The user name when the credentials match, None without auth, False when refused."""
        if self.user is None:
            return None
        kind, _, encoded = headers.get("proxy-authorization", "").partition(" ")
        if kind.lower() != "basic":
            return False
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user if (user, password) == (self.user, self.password) else False

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        method, target, version = request_line.split(" ")
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        user = self._authorised(headers)
        if user is False:
            self.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            return
        name = user if isinstance(user, str) else None
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await asyncio.open_connection(host.strip("[]"), int(port))
            self.passages.append(Passage("connect", host, int(port), name))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        # A plain-HTTP request in absolute form: one request, then both connections close.
        _, _, rest = target.partition("://")
        authority, _, path = rest.partition("/")
        host, _, port = authority.rpartition(":")
        upstream = await asyncio.open_connection(host, int(port or 80))
        self.passages.append(Passage("forward", host, int(port or 80), name))
        kept = [
            line
            for line in header_lines
            if line
            and line.split(":")[0].strip().lower()
            not in ("proxy-authorization", "proxy-connection", "connection")
        ]
        upstream[1].write(
            "\r\n".join([f"{method} /{path} {version}", *kept, "Connection: close", "", ""]).encode(
                "latin-1"
            )
        )
        await _splice((reader, writer), upstream)


class Socks5Proxy(LoopbackProxy):
    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        super().__init__(user, password, scheme="socks5")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        assert version == 5
        methods = await reader.readexactly(count)
        wanted = 2 if self.user is not None else 0
        if wanted not in methods:
            self.refused += 1
            writer.write(b"\x05\xff")
            await writer.drain()
            return
        writer.write(bytes([5, wanted]))
        user = None
        if wanted == 2:
            _, length = await reader.readexactly(2)
            user = (await reader.readexactly(length)).decode()
            (length,) = await reader.readexactly(1)
            password = (await reader.readexactly(length)).decode()
            if (user, password) != (self.user, self.password):
                self.refused += 1
                writer.write(b"\x01\x01")
                await writer.drain()
                return
            writer.write(b"\x01\x00")
        _, command, _, address_type = await reader.readexactly(4)
        assert command == 1  # CONNECT
        if address_type == 1:
            host = ".".join(str(b) for b in await reader.readexactly(4))
        elif address_type == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        else:
            raise AssertionError("IPv6 targets are not used in these tests")
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        upstream = await asyncio.open_connection(host, port)
        self.passages.append(Passage("socks5", host, port, user))
        writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        await writer.drain()
        await _splice((reader, writer), upstream)
