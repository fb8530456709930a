// The node side of LatencyBenchmarks: AWS's DSQL connector for node-postgres (AuroraDSQLPool, tokens signed by
// @aws-sdk/dsql-signer, pool.transaction with its OCC retry), driven over stdin/stdout by the .NET benchmark.
// Commands, one a line: "read N", "rmw N", "load ROWS CHUNK"; each is answered with "ok <result>" (or "error <message>").
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { AuroraDSQLPool } from "@aws/aurora-dsql-node-postgres-connector";

const [port, caPath, accessKeyId, secretAccessKey, region] = process.argv.slice(2);

const pool = new AuroraDSQLPool({
  // an address, not a name: the connector reads a name without dots as a cluster id and builds a DSQL host name from it
  host: "127.0.0.1",
  port: Number(port),
  user: "admin",
  database: "postgres",
  region,
  customCredentialsProvider: { accessKeyId, secretAccessKey },
  ssl: { rejectUnauthorized: true, ca: readFileSync(caPath, "utf8") },
  max: 16,
});

let next = 0;
const nextId = () => (next++ % 100) + 1;

async function read(count) {
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const result = await pool.query('SELECT "Id", "Balance" FROM bench_latency_account WHERE "Id" = $1 LIMIT 1', [nextId()]);
    sum += Number(result.rows[0].Balance);
  }
  return sum;
}

async function readModifyWrite(count) {
  for (let k = 0; k < count; k++) {
    const id = nextId();
    await pool.transaction(async (client) => {
      const result = await client.query('SELECT "Balance" FROM bench_latency_account WHERE "Id" = $1', [id]);
      await client.query('UPDATE bench_latency_account SET "Balance" = $1 WHERE "Id" = $2', [Number(result.rows[0].Balance) + 1, id]);
    });
  }
  return count;
}

// node-postgres has no COPY of its own: a multi-row INSERT per transaction of at most CHUNK rows.
async function load(rows, chunk) {
  let copied = 0;
  for (let offset = 0; offset < rows; offset += chunk) {
    const end = Math.min(rows, offset + chunk);
    const values = [];
    const params = [];
    for (let i = offset + 1; i <= end; i++) {
      params.push(`($${values.length + 1}, $${values.length + 2})`);
      values.push(i, "item " + String(i).padStart(8, "0"));
    }
    await pool.transaction(async (client) => {
      await client.query(`INSERT INTO bench_latency_item ("Id", "Name") VALUES ${params.join(", ")}`, values);
    });
    copied += end - offset;
  }
  return copied;
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, a, b] = line.trim().split(" ");
  try {
    let result;
    if (command === "read") result = await read(Number(a));
    else if (command === "rmw") result = await readModifyWrite(Number(a));
    else if (command === "load") result = await load(Number(a), Number(b));
    else if (command === "quit") break;
    else throw new Error(`unknown command ${command}`);
    process.stdout.write(`ok ${result}\n`);
  } catch (error) {
    process.stdout.write(`error ${String(error?.message ?? error).replace(/\n/g, " ")}\n`);
  }
}

await pool.end();
