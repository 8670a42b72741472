import ipaddress
import socket

import pytest

from ..http_client import AllowList, OutboundError, Response, check_url, excerpt, resolve


def resolver(*addresses):
    """A getaddrinfo that answers ``addresses`` for any name."""

    def getaddrinfo(host, port, *_options):
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8069/web",
        "http://127.0.0.2/",
        "http://0.0.0.0/",
        "http://10.0.0.5/hooks",
        "http://172.16.3.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]:8069/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "https://2130706433/",
        "http://0x7f.1/",
        "http://127.1:8069/",
    ],
)
def test_addresses_that_are_not_public_are_refused_before_any_connection(url):
    """Written as an address, or in the shorthands the system's resolver
    reads as one (decimal, hexadecimal, dropped zeros)."""
    with pytest.raises(OutboundError) as caught:
        check_url(url)
    assert caught.value.code == "blocked_address"
    assert not caught.value.transient


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/x",
        "http://",
        "file:///etc/passwd",
        "http://user:pw@api.example/",
        "http://api.example:99999/",
        "gopher://api.example/",
        "api.example/hooks",
        "",
    ],
)
def test_what_is_not_an_http_url_without_credentials_is_refused(url):
    with pytest.raises(OutboundError) as caught:
        check_url(url)
    assert caught.value.code == "invalid_url"
    assert "pw" not in str(caught.value)


def test_a_public_url_is_taken_with_its_port_and_target():
    target = check_url("https://api.example.com/v1/totals?period=2025-01")
    assert (target.scheme, target.host, target.port, target.target) == (
        "https",
        "api.example.com",
        443,
        "/v1/totals?period=2025-01",
    )
    assert check_url("http://93.184.215.14:8080").target == "/"
    assert check_url("http://[2606:4700::1111]/").host == "2606:4700::1111"
    assert check_url("http://1558767374/").host == "1558767374", "93.232.11.14 is public"


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public():
    """A name with one public and one internal address (or one that a
    hostile DNS server points inside) is refused whole."""
    assert resolve("api.example", 443, getaddrinfo=resolver("93.184.215.14")) == [
        ipaddress.ip_address("93.184.215.14")
    ]
    for addresses in (("93.184.215.14", "10.1.2.3"), ("169.254.169.254",), ("::1",)):
        with pytest.raises(OutboundError) as caught:
            resolve("api.example", 443, getaddrinfo=resolver(*addresses))
        assert caught.value.code == "blocked_address"
        assert "api.example" in str(caught.value)


def test_the_allow_list_lets_listed_names_addresses_and_networks_through():
    allowed = AllowList.parse("erp.internal, 127.0.0.1\n10.20.0.0/16 fd00::/8")
    assert allowed.names == {"erp.internal"}
    assert check_url("http://127.0.0.1:8069/", allowed).port == 8069
    assert check_url("http://[fd00::7]/", allowed).host == "fd00::7"
    assert resolve("erp.internal", 80, allowed, resolver("192.168.5.5"))
    assert resolve("ERP.Internal.", 80, allowed, resolver("192.168.5.5"))
    assert resolve("stats.example", 80, allowed, resolver("10.20.3.4", "93.184.215.14"))
    for host, address in (("127.0.0.2", "127.0.0.2"), ("other.internal", "10.21.0.1")):
        with pytest.raises(OutboundError, match="not a public address"):
            resolve(host, 80, allowed, resolver(address))


def test_an_unresolvable_name_is_a_transient_error():
    def fails(host, port, *_options):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(OutboundError) as caught:
        resolve("gone.example", 443, getaddrinfo=fails)
    assert (caught.value.code, caught.value.transient) == ("unresolved_host", True)


def test_a_cut_answer_is_no_content_and_its_excerpt_is_bounded_and_printable():
    cut = Response(200, {}, b'{"rows": [' + b"1," * 100, complete=False)
    with pytest.raises(OutboundError) as caught:
        cut.json()
    assert caught.value.code == "response_too_large"
    assert Response(200, {}, b'{"ok": true}', complete=True).json() == {"ok": True}

    hostile = Response(500, {}, b"Error\x00\x1b[31m" + "é".encode() * 2000 + b"\xff", True)
    text = hostile.excerpt()
    assert len(text) == 500 and text.endswith("…")
    assert "\x00" not in text and "\x1b" not in text
    assert excerpt("short\r\nline") == "short \nline"
