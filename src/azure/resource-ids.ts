/** ARM resource ids taken apart. */

/** The parts of `/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}[/{childType}/{childName}]`. */
export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  provider: string;
  /** `virtualMachines`, or `networkWatchers/flowLogs` for a child. */
  type: string;
  /** The last name (a child's own name for a child). */
  name: string;
  /** The top-level resource's name. */
  parentName: string;
}

/** Parses an ARM id, or returns null when it is not one. */
export function parseResourceId(id: string): ResourceIdParts | null {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(id);
  if (!match) return null;
  const [, subscriptionId = '', resourceGroup = '', provider = '', rest = ''] = match;
  const segments = rest.split('/');
  if (segments.length < 2 || segments.length % 2 !== 0) return null;
  const types: string[] = [];
  const names: string[] = [];
  segments.forEach((segment, index) => (index % 2 === 0 ? types : names).push(segment));
  return { subscriptionId, resourceGroup, provider, type: types.join('/'), name: names[names.length - 1] ?? '', parentName: names[0] ?? '' };
}

/** The id of the resource that owns a child id (`.../virtualNetworks/v/subnets/s` -> `.../virtualNetworks/v`). */
export function parentId(id: string): string {
  return id.split('/').slice(0, -2).join('/');
}

/** Lower case, for case-insensitive keys. */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** The last path segment of an id. */
export function nameOf(id: string): string {
  return id.split('/').pop() ?? id;
}
