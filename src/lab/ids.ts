/** ARM resource ids: parsing and the case-insensitive comparison ARM applies to them. */

/** What an ARM resource id says about itself. */
export interface ParsedResourceId {
  /** The id as given, without a trailing slash. */
  id: string;
  subscriptionId: string | undefined;
  resourceGroup: string | undefined;
  /** Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`; empty for a subscription or resource group. */
  type: string;
  /** The last name segment. */
  name: string;
}

/** ARM compares ids without regard to case; the lab keys every index with this. */
export function idKey(id: string): string {
  return id.replace(/\/+$/, '').toLowerCase();
}

/** Splits a path into its non-empty segments. */
export function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

/**
 * Parses an ARM id (or a collection path) into subscription, resource group, type and name.
 * Extension resources (`.../providers/Microsoft.Insights/diagnosticSettings/x` under a resource) take the
 * type after the last `providers` segment, as ARM does.
 */
export function parseResourceId(id: string): ParsedResourceId {
  const parts = segments(id);
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  let index = 0;
  if (parts[0]?.toLowerCase() === 'subscriptions') {
    subscriptionId = parts[1];
    index = 2;
  }
  if (parts[index]?.toLowerCase() === 'resourcegroups') {
    resourceGroup = parts[index + 1];
    index += 2;
  }
  let lastProviders = -1;
  for (let position = index; position < parts.length; position += 1) {
    if (parts[position]?.toLowerCase() === 'providers') lastProviders = position;
  }
  let type = '';
  if (lastProviders >= 0) {
    const namespace = parts[lastProviders + 1] ?? '';
    const rest = parts.slice(lastProviders + 2);
    const typeNames = rest.filter((_, position) => position % 2 === 0);
    type = [namespace, ...typeNames].join('/');
  }
  return { id: id.replace(/\/+$/, ''), subscriptionId, resourceGroup, type, name: parts[parts.length - 1] ?? '' };
}

/** The id of the parent collection holder: `/a/b/c/d` -> `/a/b` (one type/name pair up). */
export function parentId(id: string): string {
  const parts = segments(id);
  return `/${parts.slice(0, -2).join('/')}`;
}

/** The storage account, container and blob named by a blob URL (`https://acct.blob.core.windows.net/c/p/x.cap`). */
export function parseBlobUrl(url: string): { account: string; container: string; blobName: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const account = parsed.hostname.split('.')[0]?.toLowerCase();
  const [container, ...rest] = segments(decodeURIComponent(parsed.pathname));
  if (!account || !container) return undefined;
  return { account, container, blobName: rest.join('/') };
}
