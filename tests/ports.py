"""Loopback ports for the servers the tests start: app servers, the balancer, PostgreSQL, the proxy."""

from __future__ import annotations

import random
import socket
from pathlib import Path

#: Where the kernel says its ports for outgoing connections begin and end.
EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
PORTS_FROM = 20_000     # ports are chosen from here up to that range
HOST = "127.0.0.1"


def free_port(run: int = 1) -> int:
    """The first of `run` ports in a row that nothing is bound to on loopback now.

    Taken below the kernel's range of ports for outgoing connections (ip_local_port_range), not from bind(0),
    which hands out a port of that range: a server binds its port a while later (after its demo data, or again
    at a restart), and meanwhile any outgoing connection of the machine (a browser's, a database client's) could
    take that port as its own. Seen with one test worker more than the cores: "Port ... is not available".
    """
    lowest_outgoing = int(EPHEMERAL_PORTS.read_text().split()[0])
    choose = random.SystemRandom()
    for _ in range(50):
        port = choose.randrange(PORTS_FROM, lowest_outgoing - run + 1)
        if all(_unbound(p) for p in range(port, port + run)):
            return port
    raise RuntimeError(f"no {run} free ports in a row on {HOST} between {PORTS_FROM} and {lowest_outgoing}")


def _unbound(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True
