// The seed's push server (Workerman, ../../../README.md#migrating-from-the-seed-workerman) written for
// Node with the `ws` library, as a peer for herald-bench: a WebSocket listener where the first
// message of a connection is its uid (the last connection of a uid wins, as in the seed), and a Text
// port where each line is JSON with a `uid`, forwarded as it is to that uid's connection and answered
// `ok` or `fail`. One process, one thread, like the seed's single worker.
//
//   node server.js [--ws-port 1234] [--text-port 5678]
'use strict';

const net = require('net');
const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const wsPort = option('--ws-port', 1234);
const textPort = option('--text-port', 5678);
const connections = new Map(); // uid -> WebSocket

const wss = new WebSocketServer({ host: '0.0.0.0', port: wsPort, perMessageDeflate: false });
wss.on('connection', (socket) => {
  let uid = null;
  socket.on('message', (data) => {
    if (uid === null) {
      uid = data.toString();
      connections.set(uid, socket);
    }
  });
  socket.on('close', () => {
    if (uid !== null && connections.get(uid) === socket) {
      connections.delete(uid);
    }
  });
  socket.on('error', () => {});
});

const text = net.createServer((backend) => {
  let pending = '';
  backend.setNoDelay(true);
  backend.on('data', (chunk) => {
    pending += chunk.toString('utf8');
    let replies = '';
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      let sent = false;
      try {
        const socket = connections.get(String(JSON.parse(line).uid));
        if (socket !== undefined && socket.readyState === 1) {
          socket.send(line);
          sent = true;
        }
      } catch (e) {
        // a malformed line is a failed push, as json_decode returning null is in the seed
      }
      replies += sent ? 'ok\n' : 'fail\n';
    }
    if (replies.length > 0) {
      backend.write(replies);
    }
  });
  backend.on('error', () => {});
});
text.listen(textPort, '127.0.0.1');

wss.on('listening', () => console.log(`node-ws seed server: websocket ${wsPort}, text ${textPort}, pid ${process.pid}`));
