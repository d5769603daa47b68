import { arnsIn } from '../arn.ts';
import { checkControlPlaneOrigin } from '../control-plane-origin.ts';
import { type Destination, destinationsIn } from '../destinations.ts';
import { forwarders, ORIGIN_VARIABLE } from '../egress.ts';
import { externalDeliveries, FIREHOSE_TYPE } from '../firehose.ts';
import { prop, render } from '../intrinsics.ts';
import { quoteValue } from '../redact.ts';
import { resourcesOfType, unresolvedIn } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/** Resource types that open a network path out of the region (outside the forwarder). */
const EGRESS_TYPES: Readonly<Record<string, string>> = {
  'AWS::Events::ApiDestination': 'an EventBridge API destination (HTTP calls out)',
  'AWS::Events::Connection': 'an EventBridge connection (credentials for HTTP calls out)',
  'AWS::EC2::NatGateway': 'a NAT gateway (internet egress for a VPC)',
  'AWS::EC2::InternetGateway': 'an internet gateway',
  'AWS::EC2::EgressOnlyInternetGateway': 'an egress-only internet gateway',
};

/** SNS protocols that deliver outside AWS. */
const EXTERNAL_PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'application'];

/**
 * Why the forwarder's allowlisted origin is not acceptable: the rule the forwarder applies at cold
 * start (`checkControlPlaneOrigin`, deployed, so plain http is refused even to loopback), so that a
 * template this check passes has a forwarder that starts. Values are quoted with secrets redacted.
 */
function originProblem(value: unknown, dataRegion: string): string | undefined {
  const text = render(value) ?? '';
  if (text.trim() === '') return `${ORIGIN_VARIABLE} is empty: the forwarder has no allowlisted destination`;
  if (text.includes('#{'))
    return `${ORIGIN_VARIABLE} (${quoteValue(text)}) cannot be resolved from the template, so the allowlist cannot be verified`;
  const verdict = checkControlPlaneOrigin(text, { localMode: false, dataRegion, deployed: true });
  return verdict.ok ? undefined : `${ORIGIN_VARIABLE} ${verdict.problem}`;
}

/**
 * Words that mark an environment variable as holding an address or an ARN (`COLLECTOR_URL`,
 * `sinkEndpoint`, `KAFKA_BOOTSTRAP_SERVERS`, `AUDIT_TOPIC_ARN`). Such a value the template cannot
 * resolve may point anywhere, so it fails instead of passing unread; a value under another name
 * (`STAGE`, `TABLE_NAME`) names nothing outside the function's own region and account.
 */
const ADDRESS_WORDS = new Set([
  'URL',
  'URLS',
  'URI',
  'URIS',
  'ENDPOINT',
  'ENDPOINTS',
  'HOST',
  'HOSTS',
  'HOSTNAME',
  'BROKER',
  'BROKERS',
  'BOOTSTRAP',
  'SERVER',
  'SERVERS',
  'ADDRESS',
  'ADDR',
  'WEBHOOK',
  'DSN',
  'ORIGIN',
  'SINK',
  'COLLECTOR',
  'CALLBACK',
  'DESTINATION',
  'ARN',
  'ARNS',
]);

/** Whether a variable's name says it holds an address or ARN: one of its words is in ADDRESS_WORDS. */
function namesAnAddress(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .some((word) => ADDRESS_WORDS.has(word));
}

/**
 * Whether where a value points is left to deploy time: a placeholder the template does not resolve
 * (an import, a parameter without a default or from SSM), or a dynamic reference
 * (`{{resolve:ssm:...}}`). An ARN whose partition, region and account are resolved points at this
 * stage's place, or names another region (RES-001), whatever its resource name.
 */
function isUnresolvable(text: string, stage: StageView): boolean {
  const placed = arnsIn(text).filter(
    (arn) => unresolvedIn(`${arn.partition}:${arn.region}:${arn.account}`, stage).length === 0,
  );
  const rest = placed.reduce((remaining, arn) => remaining.replace(arn.text, ' '), text);
  return unresolvedIn(rest, stage).length > 0 || rest.includes('{{resolve:');
}

/** How a destination reads in a message: host and port only, never the value (it may hold secrets). */
function describe(destination: Destination): string {
  const what =
    destination.kind === 'url' ? `a URL to ${destination.where}` : `the address ${destination.where}`;
  return destination.unresolved ? `${what}, whose host cannot be resolved from the template` : what;
}

function functionViolations(stage: StageView, dataRegion: string): Violation[] {
  const found: Violation[] = [];
  const holders = forwarders(stage);
  for (const [id, fn] of resourcesOfType(stage, 'AWS::Lambda::Function')) {
    const variables = (prop(fn.Properties, 'Environment', 'Variables') ?? {}) as Record<string, unknown>;
    const isForwarder = holders.includes(id);
    if (isForwarder && holders.length > 1) {
      found.push({
        resource: id,
        message: `one of ${holders.length} functions holding ${ORIGIN_VARIABLE}; only the forwarder may`,
      });
    }
    if (isForwarder) {
      const problem = originProblem(variables[ORIGIN_VARIABLE], dataRegion);
      if (problem !== undefined) found.push({ resource: id, message: problem });
    }
    for (const [name, value] of Object.entries(variables)) {
      if (name === ORIGIN_VARIABLE) continue;
      const text = render(value) ?? '';
      const destinations = destinationsIn(text, dataRegion);
      if (destinations.length === 0 && namesAnAddress(name) && isUnresolvable(text, stage)) {
        found.push({
          resource: id,
          message: `${name} (${quoteValue(text)}) cannot be resolved from the template; by its name it holds an address or ARN, which may be outside the data region`,
        });
      }
      for (const destination of destinations) {
        found.push({
          resource: id,
          message: isForwarder
            ? `${name} holds ${describe(destination)}, a destination outside the allowlist`
            : `${name} holds ${describe(destination)}, a destination for a function that is not the forwarder`,
        });
      }
    }
  }
  return found;
}

/** RES-013: only the forwarder has a way out, and its allowlist is set. */
export const egressForwarderOnly: Rule = {
  id: 'RES-013-egress-forwarder-only',
  rationale:
    'The forwarder is the one component whose output passes the egress guard; any other route out of the region bypasses the schema check and PII scan.',
  fixHint: `Give exactly one function ${ORIGIN_VARIABLE}=https://<control-plane host>; remove destinations, API destinations, gateways, external subscriptions and Firehose deliveries outside AWS elsewhere.`,
  severity: 'error',
  planes: ['data'],
  check: ({ stage, options }) => [
    ...functionViolations(stage, options.dataRegion),
    ...[...stage.resources]
      .filter(([, resource]) => resource.Type in EGRESS_TYPES)
      .map(([id, resource]) => ({ resource: id, message: `is ${EGRESS_TYPES[resource.Type]}` })),
    ...resourcesOfType(stage, FIREHOSE_TYPE).flatMap(([id, stream]) =>
      externalDeliveries(stream).map((message) => ({ resource: id, message })),
    ),
    ...resourcesOfType(stage, 'AWS::SNS::Subscription', 'AWS::SNS::Topic').flatMap(([id, resource]) => {
      const subscriptions =
        resource.Type === 'AWS::SNS::Topic'
          ? ((resource.Properties?.Subscription as unknown[]) ?? [])
          : [resource.Properties];
      return subscriptions.flatMap((subscription) => {
        const protocol = render(prop(subscription, 'Protocol')) ?? '';
        const endpoint = quoteValue(render(prop(subscription, 'Endpoint')) ?? '?');
        if (unresolvedIn(protocol, stage).length > 0)
          return [
            {
              resource: id,
              message: `delivers notifications over ${protocol}, which cannot be resolved from the template, to ${endpoint}`,
            },
          ];
        return EXTERNAL_PROTOCOLS.includes(protocol.toLowerCase())
          ? [{ resource: id, message: `delivers notifications over ${protocol} to ${endpoint}` }]
          : [];
      });
    }),
  ],
};

/** The resource types this rule knows. */
export const egressTypes: readonly string[] = [...Object.keys(EGRESS_TYPES), FIREHOSE_TYPE];
