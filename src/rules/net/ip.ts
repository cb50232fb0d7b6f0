/** Address and prefix arithmetic for the rules: the domain's, re-exported for the many rule files that import it from here. */
export { anyPrefixContains, ipVersionOf, isPrivateIp, parseIp, parsePrefix, prefixContains, prefixCovers, sameIp } from '../../domain/net.js';
