"""The brook shell and brook migrations end to end, against brookd on its embedded broker.

1. A new user in tmux: create a stream, insert rows, watch a push query, stop it with Ctrl-C,
   describe the stream, run a pull query on a table, leave — the screen is read after each step.
2. --execute and --file exit non-zero on an error and print the caret.
3. A migrations project applied twice is a no-op the second time; info shows versions and
   states; changing an applied file makes validate fail.
Exit codes: 0 pass, 1 fail, 77 skipped (tmux missing).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
import harness  # noqa: E402

FAILURES = []


def check(cond, what, detail=""):
    if not cond:
        FAILURES.append(what)
        print(f"FAIL: {what}\n{detail}", flush=True)
    else:
        print(f"ok: {what}", flush=True)


class Tmux:
    def __init__(self, command, env):
        self.name = f"brook-shell-test-{os.getpid()}"
        self.socket = os.path.join(tempfile.mkdtemp(), "tmux.sock")
        self.env = env
        self.run("new-session", "-d", "-s", self.name, "-x", "150", "-y", "50", command)

    def run(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def type(self, text):
        # tmux reads an argument ending in ';' as a command separator: escape it.
        if text.endswith(";"):
            text = text[:-1] + "\\;"
        self.run("send-keys", "-t", self.name, "-l", text)
        self.run("send-keys", "-t", self.name, "Enter")

    def key(self, key):
        self.run("send-keys", "-t", self.name, key)

    def screen(self):
        return self.run("capture-pane", "-t", self.name, "-p", "-S", "-200")

    def wait_for(self, pattern, timeout=30, after=0):
        """Waits until the screen (from character `after` on) matches `pattern`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if re.search(pattern, s[after:], re.S):
                return s
            time.sleep(0.2)
        return None

    def alive(self):
        return subprocess.run(["tmux", "-S", self.socket, "has-session", "-t", self.name],
                              capture_output=True).returncode == 0

    def kill(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


def interactive(brook, url, workdir):
    env = dict(os.environ, BROOK_HISTORY_FILE=os.path.join(workdir, "history"), TERM="xterm")
    t = Tmux(f"{brook} {url}", env)
    try:
        check(t.wait_for(r"Connected to .*\nType HELP.*brook>") is not None, "the shell greets",
              t.screen())
        t.type("CREATE STREAM clicks (user_id STRING KEY, page STRING, ms INT)")
        t.type("  WITH (kafka_topic='clicks', value_format='JSON', partitions=1);")
        check(t.wait_for(r"Stream created") is not None, "a multi-line CREATE STREAM", t.screen())
        t.type("INSERT INTO clicks (user_id, page, ms) VALUES ('u1', 'home', 120);")
        t.type("INSERT INTO clicks (user_id, page, ms) VALUES ('u2', 'cart', 80);")
        t.type("SET 'auto.offset.reset' = 'earliest';")
        check(t.wait_for(r"Successfully changed local property 'auto.offset.reset'") is not None,
              "SET a property", t.screen())
        mark = len(t.screen().rstrip())
        t.type("SELECT user_id, page FROM clicks EMIT CHANGES;")
        s = t.wait_for(r"\|USER_ID\s*\|PAGE\s*\|.*\|u1\s*\|home\s*\|.*\|u2\s*\|cart\s*\|",
                       after=mark)
        check(s is not None, "a push query shows the rows", t.screen())
        # A row that comes while the query runs.
        subprocess.run([brook, url, "--execute",
                        "INSERT INTO clicks (user_id, page, ms) VALUES ('u3', 'live', 5);"],
                       check=True, capture_output=True)
        check(t.wait_for(r"\|u3\s*\|live\s*\|", after=mark) is not None,
              "a row inserted meanwhile appears in the running push query", t.screen())
        t.key("C-c")
        s = t.wait_for(r"Query terminated\s*\nbrook>", after=mark)
        check(s is not None and t.alive(), "Ctrl-C ends the push query, not the shell", t.screen())
        mark = len(t.screen().rstrip())
        t.type("DESCRIBE clicks;")
        check(t.wait_for(r"Name\s*: CLICKS.*USER_ID\s*\|\s*VARCHAR\(STRING\)\s*\(key\).*PAGE",
                         after=mark) is not None, "DESCRIBE is readable", t.screen())
        t.type("CREATE TABLE pages AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;")
        check(t.wait_for(r"Created query", after=mark) is not None or
              t.wait_for(r"Message", after=mark) is not None, "a CREATE TABLE AS", t.screen())
        mark = len(t.screen().rstrip())
        deadline = time.time() + 30
        found = False
        while time.time() < deadline and not found:
            t.type("SELECT * FROM pages WHERE page = 'home';")
            found = t.wait_for(r"\|PAGE\s*\|N\s*\|.*\|home\s*\|1\s*\|.*1 row", timeout=3,
                               after=mark) is not None
        check(found, "a pull query shows a table", t.screen())
        mark = len(t.screen().rstrip())
        t.type("SELEC * FROM clicks;")
        check(t.wait_for(r"Syntax error.*\nLINE 1: SELEC \* FROM clicks;\n\s{8}\^", after=mark)
              is not None, "a syntax error shows the line and a caret", t.screen())
        t.type("SHOW STREAMS;")
        check(t.wait_for(r"Stream Name\s*\|\s*Kafka Topic.*CLICKS\s*\|\s*clicks", after=mark)
              is not None, "SHOW STREAMS", t.screen())
        t.type("EXIT")
        deadline = time.time() + 10
        while time.time() < deadline and t.alive():
            time.sleep(0.2)
        check(not t.alive(), "EXIT leaves the shell")
        with open(os.path.join(workdir, "history")) as f:
            history = f.read()
        check("DESCRIBE" in history, "history is kept in the history file", history)
    finally:
        t.kill()


def scripted(brook, url, workdir):
    r = subprocess.run([brook, url, "--execute", "SHOW STREAMS; SELEC 1;"],
                       capture_output=True, text=True)
    check(r.returncode != 0 and "LINE 1: SELEC 1;" in r.stderr and "^" in r.stderr,
          "--execute exits non-zero and prints the caret", r.stdout + r.stderr)
    script = os.path.join(workdir, "bad.sql")
    with open(script, "w") as f:
        f.write("SHOW STREAMS;\nCREATE STREAM x (a INT)\n  WITH (kafka_topic='x', value_format='JSON', "
                "partitions=1, nope=1);\nSHOW TABLES;\n")
    r = subprocess.run([brook, url, "--file", script], capture_output=True, text=True)
    check(r.returncode != 0 and "LINE " in r.stderr and "^" in r.stderr
          and "Table Name" not in r.stdout,
          "--file exits non-zero at the first error, with the caret", r.stdout + r.stderr)
    good = os.path.join(workdir, "good.sql")
    with open(good, "w") as f:
        f.write("-- a comment\nSHOW STREAMS;\nSHOW TABLES;\n")
    r = subprocess.run([brook, url, "--file", good], capture_output=True, text=True)
    check(r.returncode == 0 and "Table Name" in r.stdout, "--file exits 0 when all pass",
          r.stdout + r.stderr)
    r = subprocess.run([brook, "http://127.0.0.1:1", "--execute", "SHOW STREAMS;"],
                       capture_output=True, text=True)
    check(r.returncode != 0 and "Could not reach the brook server" in r.stderr,
          "an unreachable server is said clearly", r.stderr)


def authenticated(brook, brookd_path, workdir):
    """--user with the password from BROOK_PASSWORD; a wrong one is refused clearly."""
    hashed = subprocess.run([brookd_path, "--hash-password", "10000"], input="s3cret\n",
                            capture_output=True, text=True, check=True).stdout.strip()
    users = os.path.join(workdir, "users")
    with open(users, "w") as f:
        f.write(f"alice: {hashed},admin\n")
    script = os.path.join(workdir, "empty2.sql")
    open(script, "w").close()
    server = harness.Brookd(brookd_path, script, extra=[
        "-D", "authentication.method=BASIC", "-D", f"brook.authentication.users.file={users}",
        "-D", f"ksql.streams.state.dir={workdir}/state2"])
    try:
        ok = subprocess.run([brook, server.url, "--user", "alice", "--execute", "SHOW STREAMS;"],
                            env=dict(os.environ, BROOK_PASSWORD="s3cret"), capture_output=True,
                            text=True)
        check(ok.returncode == 0 and "Stream Name" in ok.stdout,
              "--user with BROOK_PASSWORD reaches an authenticated server", ok.stdout + ok.stderr)
        bad = subprocess.run([brook, server.url, "--user", "alice", "--execute", "SHOW STREAMS;"],
                             env=dict(os.environ, BROOK_PASSWORD="wrong"), capture_output=True,
                             text=True)
        check(bad.returncode != 0 and "refused the credentials" in bad.stderr,
              "a wrong password is refused with a clear message", bad.stdout + bad.stderr)
    finally:
        server.stop()


def reconnect(brook, brookd_path, workdir):
    """The shell starts without a server, says so, and reaches the server once it is up."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BROOK_HISTORY_FILE=os.path.join(workdir, "history2"), TERM="xterm")
    t = Tmux(f"{brook} {url}", env)
    server = None
    try:
        check(t.wait_for(r"Could not reach the brook server at " + re.escape(url) +
                         r".*Is brookd running\?.*brook>") is not None,
              "an unreachable server at start is said clearly, and the prompt opens", t.screen())
        script = os.path.join(workdir, "empty3.sql")
        open(script, "w").close()
        server = harness.Brookd(brookd_path, script, extra=[
            "--listeners", url, "-D", f"ksql.streams.state.dir={workdir}/state3"])
        t.type("SHOW STREAMS;")
        check(t.wait_for(r"Reconnected to " + re.escape(url) + r".*Stream Name") is not None,
              "the next statement reconnects once the server is up", t.screen())
    finally:
        t.kill()
        if server:
            server.stop()


def migrations(brook, url, workdir):
    project = os.path.join(workdir, "project")

    def m(*args):
        return subprocess.run([brook, "migrations", "--config-file",
                               os.path.join(project, "ksql-migrations.properties"), *args],
                              capture_output=True, text=True)

    r = subprocess.run([brook, "migrations", "new-project", project, url],
                       capture_output=True, text=True)
    check(r.returncode == 0 and os.path.isdir(os.path.join(project, "migrations")),
          "migrations new-project", r.stdout + r.stderr)
    r = m("initialize-metadata")
    check(r.returncode == 0, "migrations initialize-metadata", r.stdout + r.stderr)
    check(m("create", "Add users").returncode == 0 and m("create", "Add orders").returncode == 0,
          "migrations create")
    files = sorted(os.listdir(os.path.join(project, "migrations")))
    check(files == ["V000001__Add_users.sql", "V000002__Add_orders.sql"],
          "migration files are named as ksql-migrations names them", str(files))
    with open(os.path.join(project, "migrations", files[0]), "a") as f:
        f.write("CREATE STREAM users (id STRING KEY, name STRING) WITH (kafka_topic='users', "
                "value_format='JSON', partitions=1);\n")
    with open(os.path.join(project, "migrations", files[1]), "a") as f:
        f.write("CREATE STREAM orders (id STRING KEY, amount DOUBLE) WITH (kafka_topic='orders', "
                "value_format='JSON', partitions=1);\n")
    r = m("apply", "--all")
    check(r.returncode == 0 and "Applied version 2" in r.stdout, "apply --all",
          r.stdout + r.stderr)
    r = m("apply", "--all")
    check(r.returncode == 0 and "Nothing to apply" in r.stdout and "Applying" not in r.stdout,
          "apply --all again is a no-op", r.stdout + r.stderr)
    r = m("info")
    check(r.returncode == 0 and "Current migration version: 2" in r.stdout
          and re.search(r"\|1\s*\|Add users\s*\|MIGRATED", r.stdout)
          and re.search(r"\|2\s*\|Add orders\s*\|MIGRATED", r.stdout),
          "info shows versions and states", r.stdout + r.stderr)
    r = m("validate")
    check(r.returncode == 0, "validate passes on unchanged files", r.stdout + r.stderr)
    with open(os.path.join(project, "migrations", files[0]), "a") as f:
        f.write("-- edited after it was applied\n")
    r = m("validate")
    check(r.returncode != 0 and "changed since it was applied" in r.stderr,
          "validate fails on a changed applied file", r.stdout + r.stderr)
    r = m("apply", "--all")
    check(r.returncode != 0, "apply refuses while an applied file is changed", r.stdout + r.stderr)
    # A failing migration is recorded as ERROR and stops the run.
    with open(os.path.join(project, "migrations", files[0])) as f:
        text = f.read().replace("-- edited after it was applied\n", "")
    with open(os.path.join(project, "migrations", files[0]), "w") as f:
        f.write(text)
    m("create", "Broken")
    m("create", "After broken")
    with open(os.path.join(project, "migrations", "V000003__Broken.sql"), "a") as f:
        f.write("CREATE STREAM broken (id STRING KEY) WITH (kafka_topic='broken', "
                "value_format='NOPE', partitions=1);\n")
    with open(os.path.join(project, "migrations", "V000004__After_broken.sql"), "a") as f:
        f.write("CREATE STREAM after_broken (id STRING KEY) WITH (kafka_topic='ab', "
                "value_format='JSON', partitions=1);\n")
    r = m("apply", "--all", "--dry-run")
    check(r.returncode == 0 and "Would apply version 3" in r.stdout, "apply --dry-run",
          r.stdout + r.stderr)
    r = m("apply", "--all")
    check(r.returncode != 0 and "recorded as ERROR" in r.stderr and "Applying version 4"
          not in r.stdout, "a failed migration stops the run", r.stdout + r.stderr)
    r = m("info")
    check(re.search(r"\|3\s*\|Broken\s*\|ERROR", r.stdout) is not None
          and re.search(r"\|4\s*\|After broken\s*\|PENDING", r.stdout) is not None,
          "info shows ERROR and PENDING", r.stdout + r.stderr)
    r = m("destroy-metadata")
    check(r.returncode == 0, "destroy-metadata", r.stdout + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--brook", required=True)
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("tmux missing: skipped")
        return 77
    workdir = tempfile.mkdtemp(prefix="brook-shell-test-")
    script = os.path.join(workdir, "empty.sql")
    open(script, "w").close()
    brookd = harness.Brookd(args.brookd, script,
                            extra=["-D", f"ksql.streams.state.dir={workdir}/state"])
    try:
        interactive(args.brook, brookd.url, workdir)
        scripted(args.brook, brookd.url, workdir)
        authenticated(args.brook, args.brookd, workdir)
        reconnect(args.brook, args.brookd, workdir)
        migrations(args.brook, brookd.url, workdir)
    finally:
        brookd.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
