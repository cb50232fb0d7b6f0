/** The scenario's resources indexed the way ARM finds them: by id without regard to case, by collection, by type. */
import type { ArmResource } from '../domain/scenario.js';
import { idKey, parseResourceId, segments } from './ids.js';

/** A resource the lab can serve. */
export interface StoredResource {
  id: string;
  /** Full type, as declared (or derived from the id for a sub-resource). */
  type: string;
  subscriptionId: string | undefined;
  resourceGroup: string | undefined;
  /** The body as served by ARM GET. */
  body: Record<string, unknown>;
  /** The body as the scenario gives it, lab-only keys included. */
  raw: Record<string, unknown>;
  /** True for a sub-resource found inside its parent's properties (subnets, peerings, ipConfigurations...). */
  nested: boolean;
}

/**
 * Keys on a resource that the lab reads but ARM GET does not return: a virtual network gateway's
 * `bgpPeerStatus`, `learnedRoutes` and `advertisedRoutes` (answers of the gateway's POST operations).
 */
export const LAB_ONLY_KEYS = ['bgpPeerStatus', 'learnedRoutes', 'advertisedRoutes'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function servedBody(resource: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...resource };
  for (const key of LAB_ONLY_KEYS) delete body[key];
  return body;
}

/** All resources of one scenario. */
export class ResourceIndex {
  private readonly byKey = new Map<string, StoredResource>();
  /** Resource groups by lowercase `subscription/group`, with their spelling as first seen. */
  private readonly groups = new Map<string, { subscriptionId: string; name: string; location: string | undefined }>();

  constructor(resources: readonly ArmResource[]) {
    for (const resource of resources) this.add(resource as Record<string, unknown>, resource.type, false);
    for (const resource of resources) this.addNested(resource as Record<string, unknown>);
    for (const resource of this.byKey.values()) {
      if (resource.type.toLowerCase() === 'microsoft.network/connections') resource.body = this.embedGateways(resource.body);
    }
  }

  /**
   * A connection embeds its gateways as whole resources, as the API's examples show; the v39 SDK's
   * deserializer reads `properties` of each and fails on a bare `{id}` reference.
   */
  private embedGateways(body: Record<string, unknown>): Record<string, unknown> {
    const properties = body.properties;
    if (!isRecord(properties)) return body;
    const embedded: Record<string, unknown> = { ...properties };
    for (const key of ['virtualNetworkGateway1', 'virtualNetworkGateway2', 'localNetworkGateway2']) {
      const reference = properties[key];
      if (!isRecord(reference) || isRecord(reference.properties)) continue;
      const target = typeof reference.id === 'string' ? this.byKey.get(idKey(reference.id)) : undefined;
      embedded[key] = target ? { ...target.body, ...reference } : { ...reference, properties: {} };
    }
    return { ...body, properties: embedded };
  }

  private add(body: Record<string, unknown>, type: string, nested: boolean): void {
    const id = String(body.id);
    const key = idKey(id);
    if (nested && this.byKey.has(key)) return;
    const parsed = parseResourceId(id);
    this.byKey.set(key, { id, type, subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, body: servedBody(body), raw: body, nested });
    if (parsed.subscriptionId && parsed.resourceGroup) {
      const groupKey = `${parsed.subscriptionId}/${parsed.resourceGroup}`.toLowerCase();
      if (!this.groups.has(groupKey)) {
        this.groups.set(groupKey, {
          subscriptionId: parsed.subscriptionId,
          name: parsed.resourceGroup,
          location: typeof body.location === 'string' ? body.location : undefined,
        });
      }
    }
  }

  /** Sub-resources inside `properties` arrays whose ids extend the parent's id. */
  private addNested(parent: Record<string, unknown>): void {
    const parentKey = idKey(String(parent.id));
    const properties = parent.properties;
    if (!isRecord(properties)) return;
    for (const value of Object.values(properties)) {
      if (!Array.isArray(value)) continue;
      for (const item of value) {
        if (!isRecord(item) || typeof item.id !== 'string') continue;
        const key = idKey(item.id);
        if (!key.startsWith(`${parentKey}/`) || segments(key).length !== segments(parentKey).length + 2) continue;
        const type = typeof item.type === 'string' ? item.type : parseResourceId(item.id).type;
        this.add(item, type, true);
        this.addNested(item);
      }
    }
  }

  /** The resource with this id, any case. */
  get(id: string): StoredResource | undefined {
    return this.byKey.get(idKey(id));
  }

  /** Every resource, in scenario order (nested ones after their top-level resources). */
  all(): StoredResource[] {
    return [...this.byKey.values()];
  }

  /** Resources directly under a collection path (`<parent id>/<type segment>` or a resource group's `providers/ns/type`). */
  children(collectionPath: string): StoredResource[] {
    const prefix = `${idKey(collectionPath)}/`;
    const depth = segments(prefix).length + 1;
    return this.all().filter((resource) => {
      const key = idKey(resource.id);
      return key.startsWith(prefix) && segments(key).length === depth;
    });
  }

  /** Top-level resources of a type in a subscription (optionally one resource group). */
  ofType(subscriptionId: string, type: string, resourceGroup?: string): StoredResource[] {
    return this.all().filter(
      (resource) =>
        resource.type.toLowerCase() === type.toLowerCase() &&
        resource.subscriptionId?.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === undefined || resource.resourceGroup?.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  /** Top-level (not nested) resources of a subscription or resource group. */
  topLevel(subscriptionId: string, resourceGroup?: string): StoredResource[] {
    return this.all().filter(
      (resource) =>
        !resource.nested &&
        resource.subscriptionId?.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === undefined || resource.resourceGroup?.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  /** Resource groups seen in resource ids of a subscription. */
  resourceGroups(subscriptionId: string): { subscriptionId: string; name: string; location: string | undefined }[] {
    return [...this.groups.values()].filter((group) => group.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  }

  /** The resource group, if any resource lives in it. */
  resourceGroup(subscriptionId: string, name: string): { subscriptionId: string; name: string; location: string | undefined } | undefined {
    return this.groups.get(`${subscriptionId}/${name}`.toLowerCase());
  }

  /** Subscriptions named by resource ids. */
  subscriptions(): string[] {
    const seen = new Map<string, string>();
    for (const resource of this.byKey.values()) {
      if (resource.subscriptionId) seen.set(resource.subscriptionId.toLowerCase(), resource.subscriptionId);
    }
    return [...seen.values()];
  }
}
