/**
 * A free TCP port for a server a test starts. Picked below Linux's ephemeral range
 * (32768–60999), where outgoing connections of parallel tests take their ports, so that the
 * port is still free when the server binds it a moment later.
 */
import net from 'node:net';

const LOW = 20000;
const HIGH = 32000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
