import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A self-signed certificate valid only for `control.example.com` (no IP, no localhost), made with
 * the openssl CLI: a server on 127.0.0.1 presenting it impersonates the wrong host.
 */
export function otherHostCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'border-other-host-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    const subject = ['-subj', '/CN=control.example.com', '-addext', 'subjectAltName=DNS:control.example.com'];
    const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    execFileSync(
      'openssl',
      ['req', '-x509', ...keyArgs, '-keyout', keyFile, '-out', certFile, '-days', '1', ...subject],
      {
        stdio: 'ignore',
      },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
