"""Starting and stopping a brookd process for the Python integration tests.

    with Brookd(path_to_brookd) as b:      # embedded broker, a free port
        urlopen(b.url + "/info")

brookd prints "brookd: listening on http://HOST:PORT" once it serves; the wait for that line
is bounded. stop() sends SIGTERM and waits (SIGKILL after 30 s).
"""
import subprocess
import threading
import time
import urllib.request


class BrookdStartError(RuntimeError):
    pass


class Brookd:
    def __init__(self, brookd, listener="http://127.0.0.1:0", extra=(), timeout=60,
                 preexec_fn=None):
        self.proc = subprocess.Popen([brookd, "--listeners", listener, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=preexec_fn)
        self.url = None
        self.bootstrap = None
        # Read stdout on a thread so the deadline holds even when brookd prints nothing.
        found = threading.Event()

        self._stdout = []

        def read():
            for line in self.proc.stdout:
                self._stdout.append(line)
                if line.startswith("brookd: embedded Kafka broker at "):
                    self.bootstrap = line.rsplit(" ", 1)[1].strip()
                if line.startswith("brookd: listening on ") and self.url is None:
                    self.url = line.split(" on ", 1)[1].strip()
                    found.set()
            found.set()

        # stderr is drained too (the last 64 KiB kept), so a chatty brookd never blocks on it.
        self._stderr = []

        def drain():
            for line in self.proc.stderr:
                self._stderr.append(line)
                while sum(map(len, self._stderr)) > 65536:
                    self._stderr.pop(0)

        self._read = threading.Thread(target=read, daemon=True)
        self._read.start()
        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        found.wait(timeout)
        if self.url is None:
            self.stop()
            raise BrookdStartError("brookd did not start: " + self.stderr_text())
        self.port = int(self.url.rsplit(":", 1)[1])

    def stderr_text(self):
        """What brookd wrote to stderr (the last 64 KiB); complete once it has exited."""
        if self.proc.poll() is not None:
            self._drain.join(5)
        return "".join(self._stderr)

    def output(self):
        """Everything brookd printed (stdout, then stderr); complete once it has exited."""
        if self.proc.poll() is not None:
            self._read.join(5)
        return "".join(self._stdout) + self.stderr_text()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def metric(url, name):
    """The sum of every series of Prometheus metric `name` at `url`/metrics."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def rss_mb(pid):
    """Resident memory of process `pid` in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_until(predicate, timeout, interval=0.05):
    """Polls `predicate` until it is truthy or `timeout` seconds pass; returns its last value."""
    deadline = time.time() + timeout
    value = predicate()
    while not value and time.time() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


class Checks:
    """The named checks of one test run: each prints "ok" or "FAIL" with what it checked;
    exit_code() prints the summary and returns the process exit code (0 all passed, 1 not)."""

    def __init__(self):
        self.failures = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def exit_code(self):
        if self.failures:
            print(f"{len(self.failures)} check(s) failed", flush=True)
            return 1
        print("all checks passed", flush=True)
        return 0
