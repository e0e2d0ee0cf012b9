// Runs graphql-http's audit of the GraphQL-over-HTTP specification against
// the URL given as the first argument. Prints every result; exits 1 if any
// MUST rule fails (SHOULD and MAY results are reported, not enforced).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
let mustFailures = 0;
for (const r of results) {
  const line = `${r.status.padEnd(7)} ${r.name}`;
  if (r.status === 'error') {
    console.log(line, '--', r.reason);
    if (r.name.startsWith('MUST')) mustFailures++;
  } else if (r.status === 'warn') {
    console.log(line, '--', r.reason);
  } else {
    console.log(line);
  }
}
const counts = results.reduce((a, r) => ({ ...a, [r.status]: (a[r.status] || 0) + 1 }), {});
console.log(`audit: ${JSON.stringify(counts)}; MUST failures: ${mustFailures}`);
process.exit(mustFailures === 0 ? 0 : 1);
