#!/usr/bin/python3
"""mcap-qmp - talk to QEMU's monitor (QMP) from inside the test VM.

Guest side. test/vm/boot.sh --bus pci gives the guest a virtio-serial port
named org.multicap.qmp whose other end is QEMU's own QMP monitor, so a test
can do what an operator does at the monitor: pull a card out of its
pcie-root-port, put it back, change an input, inject a fault.

Usage:
  mcap-qmp.py unplug ID... [--timeout S] device_del each ID (all at once), wait
                                         for their DEVICE_DELETED (default 120 s)
  mcap-qmp.py plug ID BUS [PROP=VAL ...] device_add multicap,id=ID,bus=BUS,...
  mcap-qmp.py set ID PROP VALUE...       qom-set /machine/peripheral/ID PROP,
                                         once per VALUE, in order
  mcap-qmp.py get ID PROP                qom-get, the value on stdout
  mcap-qmp.py cmd NAME [JSON-ARGS]       any QMP command, its return on stdout

Exit status: 0 on success, 1 when QEMU answers with an error (its text on
stderr), 2 on bad usage or when the port is missing or QEMU does not answer.
"""

import errno
import glob
import json
import os
import select
import subprocess
import sys
import time

PORT_NAME = "org.multicap.qmp"


class QmpError(Exception):
    """QEMU answered a command with an error."""


class Fatal(Exception):
    """No monitor, or it did not answer in time."""


def find_port():
    """The /dev node of the virtio-serial port named PORT_NAME."""
    for attempt in range(2):
        for name_file in glob.glob("/sys/class/virtio-ports/*/name"):
            with open(name_file, encoding="ascii") as f:
                if f.read().strip() == PORT_NAME:
                    return "/dev/" + os.path.basename(os.path.dirname(name_file))
        if attempt == 0:
            subprocess.run(["modprobe", "virtio_console"], check=False)
            subprocess.run(["udevadm", "settle", "--timeout=10"], check=False)
    raise Fatal(f"no virtio-serial port {PORT_NAME} (boot.sh --bus pci adds it)")


class Qmp:
    """One QMP session over the port; replies are matched by id."""

    def __init__(self, path):
        # the port has one opener at a time: a concurrent run waits its turn
        deadline = time.monotonic() + 60
        while True:
            try:
                self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
                break
            except OSError as e:
                if e.errno != errno.EBUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.buf = b""
        self.events = []
        self.serial = 0
        # The session may have been negotiated by an earlier run: then QEMU
        # answers CommandNotFound, which is just as good.
        try:
            self.cmd("qmp_capabilities")
        except QmpError:
            pass

    def _next(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fatal("QEMU's monitor did not answer in time")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.buf += os.read(self.fd, 65536)
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip()
        return json.loads(line) if line else None

    def cmd(self, name, timeout=30, **args):
        """Run NAME with ARGS; its "return", or QmpError."""
        self.serial += 1
        tag = f"mcap-{os.getpid()}-{self.serial}"
        msg = {"execute": name, "id": tag}
        if args:
            msg["arguments"] = args
        os.write(self.fd, json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if not reply:
                continue
            if "event" in reply:
                self.events.append(reply)
            elif reply.get("id") == tag:
                if "error" in reply:
                    raise QmpError(reply["error"].get("desc", str(reply["error"])))
                return reply.get("return")
            # a greeting or a stale reply left by an earlier session

    def wait_event(self, name, timeout, **match):
        """Wait for event NAME whose data has every MATCH item."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                data = ev.get("data", {})
                if ev["event"] == name and all(data.get(k) == v for k, v in match.items()):
                    self.events.remove(ev)
                    return ev
            reply = self._next(deadline)
            if reply and "event" in reply:
                self.events.append(reply)
                del self.events[:-64]   # keep the recent ones only


def parse_props(words):
    props = {}
    for w in words:
        key, sep, val = w.partition("=")
        if not sep or not key:
            raise ValueError(f"'{w}' is not PROP=VALUE")
        props[key] = int(val) if val.isdigit() else val
    return props


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    op, rest = argv[1], argv[2:]
    try:
        if op == "unplug" and rest and rest[0] != "--timeout":
            timeout = 120.0
            if len(rest) >= 3 and rest[-2] == "--timeout":
                timeout = float(rest[-1])
                rest = rest[:-2]
            qmp = Qmp(find_port())
            for dev in rest:
                qmp.cmd("device_del", id=dev)
            # pciehp waits 5 s after the attention button before it lets go
            for dev in rest:
                qmp.wait_event("DEVICE_DELETED", timeout, device=dev)
        elif op == "plug" and len(rest) >= 2:
            props = parse_props(rest[2:])
            Qmp(find_port()).cmd("device_add", driver="multicap", id=rest[0],
                                 bus=rest[1], **props)
        elif op == "set" and len(rest) >= 3:
            qmp = Qmp(find_port())
            for value in rest[2:]:
                qmp.cmd("qom-set", path="/machine/peripheral/" + rest[0],
                        property=rest[1], value=value)
        elif op == "get" and len(rest) == 2:
            val = Qmp(find_port()).cmd("qom-get", path="/machine/peripheral/" + rest[0],
                                       property=rest[1])
            print(val)
        elif op == "cmd" and len(rest) in (1, 2):
            args = json.loads(rest[1]) if len(rest) == 2 else {}
            if not isinstance(args, dict):
                raise ValueError("JSON-ARGS must be an object")
            print(json.dumps(Qmp(find_port()).cmd(rest[0], **args)))
        else:
            print(f"mcap-qmp: bad arguments: {' '.join(argv[1:])} (see --help)",
                  file=sys.stderr)
            return 2
    except QmpError as e:
        print(f"mcap-qmp: {op}: QEMU: {e}", file=sys.stderr)
        return 1
    except (Fatal, ValueError, OSError) as e:
        print(f"mcap-qmp: {op}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
