import { isIP } from 'node:net';
import { ConfigurationError, RegionMismatchError, type RegionRole } from './errors.ts';
import { assertLoopbackAllowed, type RuntimeEnv } from './lambda-runtime.ts';
import { isAwsRegion } from './region.ts';

/** True when `url` points at this machine (127.0.0.0/8, localhost or ::1). */
export function isLoopbackUrl(url: string | URL): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * A URL as it may appear in an error message or a log: scheme, host, port and path, with any
 * user name and password replaced by `***` and the query and fragment dropped (they can carry
 * signatures or tokens). A value that is not an http(s) URL is not shown at all.
 *
 * @example redactUrl('https://svc:hunter2@cp.example.com/x?sig=1') // 'https://***@cp.example.com/x'
 */
export function redactUrl(value: string | URL): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(not a URL; value not shown)';
  }
  // `svc:secret@host` parses as a URL of scheme `svc:` with everything else in its path.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return '(not an http(s) URL; value not shown)';
  const userinfo = url.username || url.password ? '***@' : '';
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${userinfo}${url.host}${path}`;
}

/** The DNS domains of AWS service endpoints in a region's partition. */
interface PartitionDomains {
  /** `service.region.<standard>` and `service-fips.region.<standard>`; VPC endpoints under `vpce.<standard>`. */
  standard: string;
  /** Dual-stack (IPv4 and IPv6) endpoints: `service.region.<dualstack>`. */
  dualstack: string;
}

// https://docs.aws.amazon.com/general/latest/gr/rande.html and
// https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
const COMMERCIAL: PartitionDomains = { standard: 'amazonaws.com', dualstack: 'api.aws' };
const CHINA: PartitionDomains = { standard: 'amazonaws.com.cn', dualstack: 'api.amazonwebservices.com.cn' };
const AWS_DOMAINS = [COMMERCIAL.standard, COMMERCIAL.dualstack, CHINA.standard, CHINA.dualstack];

/** The partition's endpoint domains; undefined for the ISO partitions, whose endpoints are not allowed. */
function domainsOf(region: string): PartitionDomains | undefined {
  if (region.startsWith('cn-')) return CHINA;
  if (/^[a-z]{2}-iso/.test(region)) return undefined;
  return COMMERCIAL;
}

// One DNS label: `vpce-` then the endpoint id (and, for a zonal name, the Availability Zone).
const VPCE_LABEL = /^vpce-[0-9a-z]+(?:-[0-9a-z]+)*$/;

/**
 * True when `hostname` is an AWS endpoint of `service` (its endpoint prefix: `kms`, `dynamodb`,
 * `kinesis`, `ssm`) in `region`: `service.region.amazonaws.com`, `service-fips.region.amazonaws.com`,
 * the dual-stack `service[-fips].region.api.aws`, the China forms (`.amazonaws.com.cn`,
 * `.api.amazonwebservices.com.cn`), or a VPC interface endpoint
 * `vpce-<id>[-<az>].service.region.vpce.amazonaws.com`. Exact names and exact suffixes only.
 */
export function isAwsEndpointOf(hostname: string, service: string, region: string): boolean {
  const domains = domainsOf(region);
  if (!domains || !isAwsRegion(region)) return false;
  const host = hostname.toLowerCase();
  const exact = [domains.standard, domains.dualstack].flatMap((domain) => [
    `${service}.${region}.${domain}`,
    `${service}-fips.${region}.${domain}`,
  ]);
  if (exact.includes(host)) return true;
  const vpce = `.${service}.${region}.vpce.${domains.standard}`;
  return host.endsWith(vpce) && VPCE_LABEL.test(host.slice(0, -vpce.length));
}

/** Where an endpoint check's messages say the endpoint came from, and which region it must be in. */
export interface EndpointCheckOptions {
  /** The setting the endpoint came from, for messages (e.g. `AWS_ENDPOINT_URL_KMS`). Default: `endpoints.<service>`. */
  setting?: string;
  /** Which region `region` is. Default: `data`. */
  role?: RegionRole;
  /**
   * The environment of the running process, to tell a Lambda function, where a loopback endpoint is
   * refused (see `assertLoopbackAllowed`). Default: `process.env`.
   */
  runtimeEnv?: RuntimeEnv;
}

/**
 * Precondition for an endpoint override: either loopback (the local runtime; http or https, any
 * port and path; never in a Lambda function, see `assertLoopbackAllowed`) or an AWS endpoint of
 * `service` in `region` itself over https on the default port (see {@link isAwsEndpointOf}: a
 * FIPS, dual-stack or VPC endpoint). Anything else is refused: a
 * proxy, a raw address, a look-alike name, another service's endpoint, or an endpoint of another
 * region (`RegionMismatchError`): requests signed for region A must never be sent elsewhere.
 * Credentials in the URL are refused and never echoed; messages show the host only.
 *
 * @example assertEndpointInRegion(process.env.AWS_ENDPOINT_URL_KMS!, 'ap-south-1', 'kms')
 */
export function assertEndpointInRegion(
  endpoint: string,
  region: string,
  service: string,
  options: EndpointCheckOptions = {},
): void {
  const setting = options.setting ?? `endpoints.${service}`;
  const role = options.role ?? 'data';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new ConfigurationError(`${setting}: the ${service} endpoint is not a URL`, setting, { cause });
  }
  const shown = redactUrl(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`${setting}: the ${service} endpoint ${shown} is not http(s)`, setting);
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `${setting}: the ${service} endpoint ${shown} carries credentials; remove them from the URL`,
      setting,
    );
  }
  if (url.search || url.hash) {
    throw new ConfigurationError(
      `${setting}: the ${service} endpoint ${shown} must have no query or fragment`,
      setting,
    );
  }
  if (isLoopbackUrl(url)) {
    assertLoopbackAllowed(setting, service, options.runtimeEnv ?? process.env);
    return;
  }
  const host = url.hostname;
  const aws = AWS_DOMAINS.some((domain) => host.endsWith(`.${domain}`));
  const named = aws ? host.split('.').find((label) => isAwsRegion(label)) : undefined;
  if (named && named !== region) {
    throw new RegionMismatchError(`${setting}: the ${service} endpoint ${url.host}`, named, region, role);
  }
  if (!isAwsEndpointOf(host, service, region)) {
    throw new ConfigurationError(
      `${setting}: the ${service} endpoint ${shown} is neither loopback nor an AWS ${service} endpoint ` +
        `of ${region} (${service}.${region}.amazonaws.com, its -fips, dual-stack or vpce forms); refusing to run`,
      setting,
    );
  }
  if (url.protocol !== 'https:' || url.port !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigurationError(
      `${setting}: the ${service} endpoint ${shown} must be https on the default port with no path`,
      setting,
    );
  }
}

/**
 * The endpoint URL the AWS SDK would take from the environment for a service, by its SDK service
 * id (`Kinesis`, `DynamoDB`, `KMS`, `SSM`): `AWS_ENDPOINT_URL_<ID>`, else `AWS_ENDPOINT_URL`.
 * Clients are made with `ignoreConfiguredEndpointUrls`, so these are used only as read here, after
 * {@link assertEndpointInRegion}.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 *
 * @example configuredEndpoint(process.env, 'SSM') // the value of AWS_ENDPOINT_URL_SSM, if set
 */
export function configuredEndpoint(
  env: Readonly<Record<string, string | undefined>>,
  serviceId: string,
): { setting: string; url: string } | undefined {
  const specific = `AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/ /g, '_')}`;
  const value = env[specific];
  if (value) return { setting: specific, url: value };
  if (env.AWS_ENDPOINT_URL) return { setting: 'AWS_ENDPOINT_URL', url: env.AWS_ENDPOINT_URL };
  return undefined;
}
