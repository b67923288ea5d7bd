// DuckDB as a peer in bench/run_e2e.sh: runs one SQL query over an access log and writes its result as
// CSV with DuckDB's own writer (so no row passes through JavaScript).
//
//   node bench/duckdb_query.mjs fields|lines LOG OUT.csv "SELECT ... FROM logs ..."
//
// `fields`: the view `logs` is DuckDB's fast route for a combined log, read_csv split on spaces with
// '"' quoting (host, ident, usr, ts, tz, request, status, size, referer, user_agent). `lines`: `logs`
// has one column, `line`, for the seed's regexp_extract route. Installed by run_e2e.sh from npm.
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, file, out, sql] = process.argv.slice(2);
if (!sql || (mode !== 'fields' && mode !== 'lines')) {
  console.error('usage: node duckdb_query.mjs fields|lines LOG OUT.csv SQL');
  process.exit(2);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const source = mode === 'fields'
  ? `read_csv(${quote(file)}, delim=' ', quote='"', escape='"', header=false, auto_detect=false,
       strict_mode=false, null_padding=true,
       columns={'host':'VARCHAR','ident':'VARCHAR','usr':'VARCHAR','ts':'VARCHAR','tz':'VARCHAR',
                'request':'VARCHAR','status':'INTEGER','size':'VARCHAR','referer':'VARCHAR',
                'user_agent':'VARCHAR'})`
  : `read_csv(${quote(file)}, delim=E'\\x01', quote='', escape='', header=false, auto_detect=false,
       columns={'line':'VARCHAR'})`;
await con.run(`CREATE VIEW logs AS SELECT * FROM ${source}`);
const started = performance.now();
await con.run(`COPY (${sql}) TO ${quote(out)} (HEADER, DELIMITER ',')`);
console.error(`duckdb: ${((performance.now() - started) / 1000).toFixed(3)} s`);
