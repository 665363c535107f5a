import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { ServiceError } from '../errors.js';

/**
 * Where the service may post webhooks. The service posts from its own host, so a webhook URL chosen
 * by a caller could otherwise reach what only that host can: the cloud metadata address, the database,
 * the cluster's internal services. Unless the operator allows private networks, only public unicast
 * addresses are posted to; the check runs on the addresses a name resolves to at connection time,
 * so a name that later resolves elsewhere (DNS rebinding) is still caught.
 */
export interface WebhookDestinationPolicy {
  /** Loopback, private, link-local and other non-public addresses allowed (`--webhook-allow-private-networks`). */
  allowPrivateNetworks: boolean;
}

/** True when `address` is a public unicast address (IPv4-mapped IPv6 judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** The URL's host as a bare address when it is one (`[::1]` -> `::1`), else undefined. */
function literalAddress(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return net.isIP(bare) ? bare : undefined;
}

/** Why `address` may not be posted to, or undefined when it may. */
function refusal(address: string, policy: WebhookDestinationPolicy): string | undefined {
  if (policy.allowPrivateNetworks || isPublicAddress(address)) {
    return undefined;
  }
  return `${address} is not a public address (the service does not post into private networks unless started with --webhook-allow-private-networks)`;
}

/**
 * Checks a webhook URL at submit time, as far as it can be checked without resolving names: a URL that
 * does not parse, or an address or `localhost` that the policy refuses, is a 400 on `webhook.url`.
 */
export function checkWebhookUrl(url: string, policy: WebhookDestinationPolicy): void {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    throw new ServiceError('invalid_argument', 'webhook URL is not a valid URL', 'webhook.url');
  }
  const address = literalAddress(host) ?? (host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : undefined);
  const why = address === undefined ? undefined : refusal(address, policy);
  if (why) {
    throw new ServiceError('invalid_argument', `webhook URL refused: ${why}`, 'webhook.url');
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Resolves every address of a name, as `dns.lookup` with `all: true` does. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void
) => void;

/**
 * A `lookup` for http(s).request that resolves as usual and fails the connection when an address the
 * name resolves to is refused by the policy.
 */
export function guardedLookup(policy: WebhookDestinationPolicy, resolveAll: ResolveAll = dns.lookup) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolveAll(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '');
        return;
      }
      const refused = addresses.map(a => refusal(a.address, policy)).find(why => why !== undefined);
      if (refused) {
        callback(Object.assign(new Error(`${hostname} resolves to ${refused}`), { code: 'EREFUSEDDESTINATION' }), '');
        return;
      }
      if (options.all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}

/** Checks an address literal at connection time (the lookup is skipped for those). */
export function checkLiteralDestination(hostname: string, policy: WebhookDestinationPolicy): string | undefined {
  const address = literalAddress(hostname);
  return address === undefined ? undefined : refusal(address, policy);
}
