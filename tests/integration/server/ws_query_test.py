"""GET /ws/query, ksqlDB's legacy WebSocket query endpoint, with a WebSocket client brook did
not write (python3-websocket, websocket-client): the schema message, rows, {"error":"done"} and
close code 1000 for push (LIMIT) and pull queries; close code 1003 with the reason for a bad
request; a client that goes away ends its push query; no upgrade gets 400, a POST 405.
Exit 0 pass, 1 fail, 77 skipped (python3-websocket missing)."""
import argparse
import json
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request

from brookd_process import Brookd, wait_until

try:
    import websocket  # python3-websocket
except ImportError:
    # Debian's package, when the python3 that runs this is not Debian's own (e.g. pyenv).
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import websocket
    except ImportError:
        websocket = None

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def ksql(url, sql):
    req = urllib.request.Request(url + "/ksql", data=json.dumps({"ksql": sql}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def ws_url(url, request=None, version="1"):
    params = {}
    if request is not None:
        params["request"] = json.dumps(request)
    if version is not None:
        params["version"] = version
    return url.replace("http://", "ws://") + "/ws/query?" + urllib.parse.urlencode(params)


def ws_exchange(url, timeout=30):
    """Reads every text message until the close frame: (messages, close code, close reason)."""
    ws = websocket.create_connection(url, timeout=timeout)
    messages, code, reason = [], None, None
    try:
        while True:
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_TEXT:
                messages.append(json.loads(data.decode()))
            elif opcode == websocket.ABNF.OPCODE_CLOSE:
                if len(data) >= 2:
                    code = struct.unpack("!H", data[:2])[0]
                    reason = data[2:].decode()
                break
    finally:
        ws.close()
    return messages, code, reason


def open_push_queries(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("brook_push_queries_open "):
                return int(float(line.split()[1]))
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    args = ap.parse_args()
    if websocket is None:
        print("python3-websocket is not installed (scripts/setup.sh installs it): skipped")
        return 77
    with Brookd(args.brookd) as b:
        ksql(b.url, "CREATE STREAM PAGEVIEWS (USERID STRING KEY, PAGEID STRING, N INT) WITH "
                    "(kafka_topic='pageviews', value_format='JSON', partitions=1);"
                    "CREATE TABLE USERS (ID STRING PRIMARY KEY, NAME STRING) WITH "
                    "(kafka_topic='users', value_format='JSON', partitions=1);"
                    "CREATE TABLE QUERYABLE_USERS AS SELECT * FROM USERS;")
        ksql(b.url, "INSERT INTO PAGEVIEWS (USERID, PAGEID, N) VALUES ('u1', 'p1', 1);"
                    "INSERT INTO PAGEVIEWS (USERID, PAGEID, N) VALUES ('u2', 'p2', 2);"
                    "INSERT INTO USERS (ID, NAME) VALUES ('u1', 'Ann');")

        # 1. A push query with LIMIT: schema, two rows, done, close 1000 "done".
        earliest = {"ksql.streams.auto.offset.reset": "earliest"}
        msgs, code, reason = ws_exchange(ws_url(b.url, {
            "ksql": "SELECT * FROM PAGEVIEWS EMIT CHANGES LIMIT 2;",
            "streamsProperties": earliest}))
        check(len(msgs) == 4, f"push query: 4 messages ({msgs})")
        if len(msgs) == 4:
            names = [f["name"] for f in msgs[0]]
            check(names == ["USERID", "PAGEID", "N"], f"schema message names the columns: {names}")
            check(msgs[0][2]["schema"]["type"] == "INTEGER", "schema message carries types")
            rows = sorted(m["row"]["columns"] for m in msgs[1:3])
            check(rows == [["u1", "p1", 1], ["u2", "p2", 2]], f"rows: {rows}")
            check(msgs[3] == {"error": "done"}, f"last message: {msgs[3]}")
        check(code == 1000 and reason == "done", f"close 1000 done: {code} {reason!r}")

        # 2. A pull query on a table: its key column is marked KEY.
        def pull():
            return ws_exchange(ws_url(b.url, {
                "ksql": "SELECT * FROM QUERYABLE_USERS WHERE ID = 'u1';"}))
        msgs, code, reason = wait_until(lambda: (lambda r: r if len(r[0]) == 3 else None)(pull()),
                                        20, 0.2) or pull()
        check(len(msgs) == 3 and msgs[0][0].get("type") == "KEY" and
              msgs[1] == {"row": {"columns": ["u1", "Ann"]}} and msgs[2] == {"error": "done"},
              f"pull query: {msgs}")
        check(code == 1000, f"pull query closes 1000: {code}")

        # 3. Bad requests: {"error": ...} and close 1003 with the message as reason.
        for name, url, needle in [
            ("no request parameter", ws_url(b.url, None), "missing request parameter"),
            ("version 2", ws_url(b.url, {"ksql": "SELECT 1;"}, "2"), "invalid api version"),
            ("empty ksql", ws_url(b.url, {"ksql": " "}), "\"ksql\" field must be populated"),
            ("bad SQL", ws_url(b.url, {"ksql": "SELEKT * FROM PAGEVIEWS;"}), "line 1:1"),
            ("unknown source", ws_url(b.url, {"ksql": "SELECT * FROM NOPE EMIT CHANGES;"}),
             "NOPE"),
            ("not a query", ws_url(b.url, {"ksql": "SHOW STREAMS;"}), "Not a query"),
            ("request not JSON", url_raw := b.url.replace("http://", "ws://") +
             "/ws/query?request=%7Bnope", "Error parsing request"),
        ]:
            msgs, code, reason = ws_exchange(url)
            text = msgs[-1].get("error", "") if msgs else ""
            check(code == 1003 and needle in text and reason and len(reason.encode()) <= 123,
                  f"{name}: close {code}, error {text!r}, reason {reason!r}")

        # 4. A client that leaves ends its push query.
        ws = websocket.create_connection(ws_url(b.url, {
            "ksql": "SELECT * FROM PAGEVIEWS EMIT CHANGES;", "streamsProperties": earliest}),
            timeout=30)
        first = json.loads(ws.recv())
        check(isinstance(first, list), "open push query sends its schema")
        check(wait_until(lambda: open_push_queries(b.url) == 1, 10), "one push query is open")
        ws.close()
        check(wait_until(lambda: open_push_queries(b.url) == 0, 10),
              "the push query ends when the client closes")

        # 5. Without the upgrade, and with the wrong method.
        try:
            urllib.request.urlopen(ws_url(b.url, {"ksql": "SELECT 1;"}).replace("ws://",
                                                                                 "http://"),
                                   timeout=10)
            check(False, "GET without an upgrade is refused")
        except urllib.error.HTTPError as e:
            check(e.code == 400, f"GET without an upgrade: {e.code}")
        try:
            urllib.request.urlopen(urllib.request.Request(b.url + "/ws/query", data=b"{}"),
                                   timeout=10)
            check(False, "POST /ws/query is refused")
        except urllib.error.HTTPError as e:
            check(e.code == 405, f"POST /ws/query: {e.code}")
        check(b.alive(), "brookd is up")
    print(f"{len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
