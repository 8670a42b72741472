"""Outbound HTTP to external systems, guarded against request forgery.

Every call the suite makes to another system (deliveries, reconciliation
pulls, connectors) goes through :func:`request`, which:

* takes ``http`` and ``https`` URLs only, without credentials in them;
* resolves the host name itself and refuses the request when any address
  it resolves to is not a public (global) one: loopback, private, link
  local (cloud metadata at 169.254.169.254), shared, reserved, multicast,
  unspecified, or an IPv4 address dressed as IPv6; unless the
  :class:`AllowList` an administrator keeps lists the host name, the
  address or its network;
* connects to the address it checked, never to a second resolution of the
  name, so a DNS answer that changes between check and connection (DNS
  rebinding) cannot send it elsewhere; HTTPS still sends the host name
  (SNI) and checks the certificate against it;
* follows no redirect: a 3xx is returned as it is;
* reads at most ``max_bytes`` of the answer (it asks for no compression)
  within ``timeout`` seconds in all, and says whether the body is complete;
* uses no proxy from the environment: a proxy would resolve the name
  itself, out of reach of the check.

Errors are :class:`OutboundError` with a stable ``code``; ``transient``
says whether trying again later may help. :meth:`Response.excerpt` is the
bounded, printable text of an answer to store for people to read.
"""

import contextlib
import ipaddress
import json as jsonlib
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import certifi
import urllib3
from urllib3._collections import HTTPHeaderDict
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

DEFAULT_MAX_BYTES = 1024 * 1024
EXCERPT_CHARS = 500
CHUNK_BYTES = 16 * 1024
SCHEMES = {"http": 80, "https": 443}


class OutboundError(Exception):
    """A request refused before it left, or not answered usably.

    ``code``: ``invalid_url``, ``blocked_address``, ``unresolved_host``,
    ``connection_failed``, ``timeout``, ``response_too_large``, or
    ``http_status`` (:meth:`Response.raise_for_status`; ``status`` is the
    answer's)."""

    TRANSIENT = frozenset({"unresolved_host", "connection_failed", "timeout"})

    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def transient(self):
        """Whether the same request may succeed later."""
        return self.code in self.TRANSIENT or (
            self.code == "http_status" and (self.status >= 500 or self.status in (408, 429))
        )


class AllowList:
    """Hosts an administrator lets outbound calls reach although they are
    not public: host names (exact, any case) and addresses or networks
    (``127.0.0.1``, ``10.20.0.0/16``, ``fd00::/8``)."""

    def __init__(self, names=(), networks=()):
        self.names = frozenset(name.lower().rstrip(".") for name in names)
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, text):
        """From a list separated by commas, spaces or new lines; an entry
        that is not an address or a network is a host name."""
        names, networks = [], []
        for entry in (text or "").replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.append(entry)
        return cls(names, networks)

    def allows_name(self, host):
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address):
        return any(address in network for network in self.networks)


def public(address):
    """Whether an :mod:`ipaddress` address is one of the public Internet."""
    if address.version == 6 and address.ipv4_mapped:
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    """A checked URL: scheme, host name, port and the path with query."""

    scheme: str
    host: str
    port: int
    target: str


def check_url(url, allowed=None):
    """The :class:`Target` of ``url``, without looking the name up:
    refuses what is not an http(s) URL with a host, credentials in the URL,
    and an address written in the URL that is not public and not listed."""
    allowed = allowed or AllowList()
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as error:
        raise OutboundError("invalid_url", f"{url!r} is not a valid URL: {error}") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise OutboundError("invalid_url", f"{url!r} is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise OutboundError(
            "invalid_url", "a URL may not carry credentials; use the system's credential fields"
        )
    host = parts.hostname
    literal = _literal_address(host)
    if literal is not None:
        _check_address(host, literal, allowed)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or SCHEMES[parts.scheme], target)


def _literal_address(host):
    """The address ``host`` is written as, also in the IPv4 shorthands the
    system's resolver reads as one (``2130706433``, ``0x7f.1``, ``127.1``);
    None for a name."""
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host)
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError):
        return None


def _check_address(host, address, allowed):
    if not (public(address) or allowed.allows_name(host) or allowed.allows_address(address)):
        named = host if host == str(address) else f"{host} is {address},"
        raise OutboundError(
            "blocked_address",
            f"{named} not a public address; an administrator may list the host among "
            "the outbound hosts inside the network",
        )


def resolve(host, port, allowed=None, getaddrinfo=socket.getaddrinfo):
    """Every address ``host`` resolves to, each checked (see
    :func:`check_url`); a host name on the allow list may resolve to any."""
    allowed = allowed or AllowList()
    try:
        infos = getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OutboundError("unresolved_host", f"{host} cannot be resolved: {error}") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        _check_address(host, address, allowed)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundError("unresolved_host", f"{host} resolves to no address")
    return addresses


@dataclass(frozen=True)
class Response:
    """An answer: ``headers`` is case-insensitive; ``body`` holds at most
    the ``max_bytes`` asked for; ``complete`` is false when the answer was
    longer and cut."""

    status: int
    headers: HTTPHeaderDict
    body: bytes
    complete: bool

    @property
    def ok(self):
        return 200 <= self.status < 300

    def header(self, name):
        return self.headers.get(name)

    def summary(self):
        """The status and a bounded excerpt of the body (where a redirect
        pointed), for people to read."""
        if 300 <= self.status < 400:
            location = excerpt(self.header("location") or "", 200)
            return f"answered {self.status}, a redirect to {location!r}, which is not followed"
        return f"answered {self.status}: {self.excerpt()}"

    def raise_for_status(self):
        """Raise ``http_status`` with :meth:`summary` unless it is a 2xx."""
        if not self.ok:
            raise OutboundError("http_status", self.summary(), self.status)

    def content(self):
        """The whole body; ``response_too_large`` when it was cut."""
        if not self.complete:
            raise OutboundError(
                "response_too_large", f"the answer is larger than {len(self.body)} bytes"
            )
        return self.body

    def json(self):
        return jsonlib.loads(self.content())

    def excerpt(self, limit=EXCERPT_CHARS):
        """At most ``limit`` printable characters of the body, to store."""
        return excerpt(self.body.decode("utf-8", errors="replace"), limit)


def excerpt(text, limit=EXCERPT_CHARS):
    """``text`` with control characters (NUL among them) made spaces and
    cut to ``limit`` characters, marked with an ellipsis when cut."""
    printable = "".join(
        char if char.isprintable() or char in "\n\t" else " " for char in text[: limit + 1]
    )
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def request(
    method,
    url,
    *,
    params=None,
    headers=None,
    body=None,
    json=None,
    timeout=10,
    max_bytes=DEFAULT_MAX_BYTES,
    allowed=None,
    getaddrinfo=socket.getaddrinfo,
):
    """Send one request (see the module's docstring) and return its
    :class:`Response`; ``params`` are added to the URL's query, ``json``
    (instead of ``body`` bytes) is sent as an ``application/json`` body."""
    if json is not None:
        body = jsonlib.dumps(json).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(params, doseq=True)
    target = check_url(url, allowed)
    addresses = resolve(target.host, target.port, allowed, getaddrinfo)
    host = f"[{target.host}]" if ":" in target.host else target.host
    sent_headers = {
        "Host": host if target.port == SCHEMES[target.scheme] else f"{host}:{target.port}",
        "Accept-Encoding": "identity",
        "User-Agent": "construction-sync",
    }
    sent_headers.update(headers or {})
    deadline = time.monotonic() + timeout
    last_error = None
    for address in addresses:
        pool = _pool(target, str(address), timeout)
        try:
            answer = pool.urlopen(
                method,
                target.target,
                body=body,
                headers=sent_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except NewConnectionError as error:  # refused or unreachable: the next address
            pool.close()
            last_error = error
            continue
        except Urllib3Timeout as error:
            pool.close()
            raise OutboundError(
                "timeout", f"{target.host} did not answer in {timeout} s"
            ) from error
        except Urllib3Error as error:
            pool.close()
            raise OutboundError(
                "connection_failed", f"{target.host} could not be reached: {_reason(error)}"
            ) from error
        try:
            return _read(answer, max_bytes, deadline, target.host, timeout)
        finally:
            answer.release_conn()
            pool.close()
    raise OutboundError(
        "connection_failed", f"{target.host} could not be reached: {_reason(last_error)}"
    )


def _pool(target, address, timeout):
    """A connection pool to the checked ``address`` for ``target``'s host."""
    options = {
        "port": target.port,
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
            **options,
        )
    return urllib3.HTTPConnectionPool(address, **options)


def _read(answer, max_bytes, deadline, host, timeout):
    body = bytearray()
    complete = True
    try:
        for chunk in answer.stream(CHUNK_BYTES, decode_content=True):
            body += chunk
            if len(body) > max_bytes:
                del body[max_bytes:]
                complete = False
                break
            if time.monotonic() > deadline:
                raise OutboundError("timeout", f"{host} did not answer in {timeout} s")
    except Urllib3Timeout as error:
        raise OutboundError("timeout", f"{host} did not answer in {timeout} s") from error
    except Urllib3Error as error:
        raise OutboundError(
            "connection_failed", f"{host} broke off its answer: {_reason(error)}"
        ) from error
    return Response(answer.status, HTTPHeaderDict(answer.headers), bytes(body), complete)


def _reason(error):
    """The cause of a urllib3 error, without the pool's noise."""
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {reason}"
