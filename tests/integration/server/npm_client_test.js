// ksqlDB's npm client (ksqldb-client) against brookd over HTTP/2 (prior-knowledge h2c).
// Usage: node npm_client_test.js PORT   (with NODE_PATH pointing at the installed package)
// Creates a stream and a table, inserts rows with insertInto (/inserts-stream), runs a push
// query (ended by its LIMIT, and one closed with terminatePushQuery), pull queries on the
// stream and on the table, lists streams, and disconnects. Exit 0 pass, 1 fail.
const KsqldbClient = require("ksqldb-client");

const port = Number(process.argv[2]);
const watchdog = setTimeout(() => {
  console.error("FAIL: timed out");
  process.exit(1);
}, 90000);

function check(cond, what, detail) {
  if (!cond) throw new Error(`${what}: ${JSON.stringify(detail)}`);
  console.log(`ok   ${what}`);
}

async function main() {
  const client = new KsqldbClient({ host: "http://localhost", port, timeout: 10000 });
  await client.connect();
  try {
    const created = await client.executeStatement(
      "CREATE STREAM clicks (user_id VARCHAR KEY, page VARCHAR, ms INT) " +
        "WITH (kafka_topic='clicks', value_format='JSON', partitions=1);");
    check(created.status === 200 && !created.error, "executeStatement CREATE STREAM", created);
    const table = await client.executeStatement(
      "CREATE TABLE clicks_per_user AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id;");
    check(table.status === 200 && !table.error, "executeStatement CREATE TABLE AS", table);

    // A push query that ends at its LIMIT; rows are inserted once its header arrived.
    const rows = [];
    let inserts;
    const push = await client.streamQuery(
      "SELECT user_id, page FROM clicks EMIT CHANGES LIMIT 2;",
      ({ metadata, rows: got }) => {
        if (metadata && !inserts) {
          inserts = (async () => {
            const a = await client.insertInto("CLICKS", { USER_ID: "u1", PAGE: "home", MS: 10 });
            const b = await client.insertInto("CLICKS", { USER_ID: "u2", PAGE: "cart", MS: 20 });
            const c = await client.insertInto("CLICKS", { USER_ID: "u1", PAGE: "pay", MS: 30 });
            return [a, b, c];
          })();
        }
        if (got) rows.push(...got);
      },
      { properties: { "auto.offset.reset": "earliest" } });
    check(push.status === 200 && !push.error, "streamQuery ended at LIMIT 2", push);
    const acks = await inserts;
    check(acks.every((r) => r.status === 200 && r.data.rows[0].status === "ok"),
          "insertInto acknowledged 3 rows", acks);
    check(rows.length === 2 && rows[0].USER_ID === "u1" && rows[0].PAGE === "home" &&
            rows[1].USER_ID === "u2", "push rows", rows);

    // A push query without LIMIT, closed by the client.
    let queryId;
    const open = client.streamQuery(
      "SELECT * FROM clicks EMIT CHANGES;",
      ({ metadata }) => {
        if (metadata && !queryId) {
          queryId = metadata.queryId;
          client.terminatePushQuery(queryId).then((r) => check(r.status === 200,
                                                                "terminatePushQuery", r));
        }
      },
      { properties: { "auto.offset.reset": "earliest" } });
    const ended = await open;
    check(ended.status === 200 && typeof queryId === "string", "a closed push query ends", ended);

    const pull = await client.query("SELECT * FROM clicks;");
    check(pull.status === 200 && !pull.error && pull.data.rows.length === 3,
          "pull query on the stream", pull);
    let counts;
    for (let i = 0; i < 50; i++) {
      counts = await client.query("SELECT * FROM clicks_per_user WHERE user_id = 'u1';");
      if (counts.status === 200 && counts.data.rows.length === 1 && counts.data.rows[0].N === 2) {
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    check(counts.status === 200 && counts.data.rows.length === 1 && counts.data.rows[0].N === 2,
          "pull query on the table", counts);
    const bad = await client.query("SELECT * FROM;");
    check(bad.status === 400 && bad.error && bad.error.error_code === 40001,
          "a bad query is a 400 with error_code 40001", bad);
    const streams = await client.listStreams();
    check(streams.some((s) => s.name === "CLICKS"), "listStreams", streams);
  } finally {
    await client.disconnect();
  }
}

main().then(() => {
  clearTimeout(watchdog);
  console.log("all checks passed");
  process.exit(0);
}, (err) => {
  console.error("FAIL", err && err.stack ? err.stack : err);
  process.exit(1);
});
