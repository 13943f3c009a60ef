// Writes pino.log with pino (JSON lines with numeric levels: 30 info, 40 warn, 50 error, 60
// fatal). Run from tests/testdata/applogs with pino installed: NODE_PATH=/path/to/node_modules node makers/pino.js
const pino = require('pino');
const log = pino({ base: { pid: 4242, hostname: 'web-1' } }, pino.destination({ dest: 'pino.log', sync: true }));
log.level = 'debug';
log.info({ req: { method: 'GET', url: '/api/orders' } }, 'request served');
log.debug('cache warm');
log.warn({ attempt: 2 }, 'retrying charge');
log.error(new Error('payment provider returned 503'), 'charge failed');
log.fatal('out of memory');
