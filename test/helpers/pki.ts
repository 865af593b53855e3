/**
 * Test certificates made with the openssl CLI: a CA, a second unrelated CA
 * (the "wrong CA"), a serving certificate for 127.0.0.1/localhost, one valid
 * only for the name api.internal (for tls-server-name), and a client
 * certificate (CN=cmwatch-client) signed by the CA.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caFile: string;
  wrongCaFile: string;
  serverKey: Buffer;
  serverCert: Buffer;
  /** Valid for DNS:api.internal only. */
  namedServerKey: Buffer;
  namedServerCert: Buffer;
  clientCertFile: string;
  clientKeyFile: string;
  ca: Buffer;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd }, (err, _out, stderr) => (err ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

async function leaf(dir: string, name: string, subj: string, ext: string[], ca = 'ca'): Promise<void> {
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], dir);
  await writeFile(join(dir, `${name}.ext`), ext.join('\n') + '\n');
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-sha256', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

async function rootCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  await openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-sha256', '-days', '2', '-subj', `/CN=${cn}`, '-out', `${name}.crt`], dir);
}

let cached: Promise<Pki> | undefined;

/** Makes the certificates once per test process. */
export function testPki(): Promise<Pki> {
  cached ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmwatch-pki-'));
    await rootCa(dir, 'ca', 'cmwatch-test-ca');
    await rootCa(dir, 'wrong-ca', 'some-other-ca');
    await leaf(dir, 'server', '/CN=fake-apiserver', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
    await leaf(dir, 'named', '/CN=api.internal', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:api.internal']);
    await leaf(dir, 'client', '/O=testers/CN=cmwatch-client', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth']);
    const r = (f: string) => readFile(join(dir, f));
    return {
      dir,
      caFile: join(dir, 'ca.crt'),
      wrongCaFile: join(dir, 'wrong-ca.crt'),
      ca: await r('ca.crt'),
      serverKey: await r('server.key'),
      serverCert: await r('server.crt'),
      namedServerKey: await r('named.key'),
      namedServerCert: await r('named.crt'),
      clientCertFile: join(dir, 'client.crt'),
      clientKeyFile: join(dir, 'client.key'),
    };
  })();
  return cached;
}
