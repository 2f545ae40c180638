/** The GATEWAY-HTTP profile's Core tests of v1.6.1 (26 HTTPRoute, 11 Gateway) and what the project says it does not support. */

export const CORE_TESTS: readonly string[] = Object.freeze([
  'GatewayWithAttachedRoutes', 'HTTPRouteCrossNamespace', 'HTTPRouteExactPathMatching', 'HTTPRouteHTTPSListener',
  'HTTPRouteHeaderMatching', 'HTTPRouteHostnameIntersection', 'HTTPRouteInvalidBackendRefUnknownKind',
  'HTTPRouteInvalidCrossNamespaceBackendRef', 'HTTPRouteInvalidCrossNamespaceParentRef', 'HTTPRouteInvalidNonExistentBackendRef',
  'HTTPRouteInvalidParentRefNotMatchingSectionName', 'HTTPRouteInvalidReferenceGrant', 'HTTPRouteListenerHostnameMatching',
  'HTTPRouteMatching', 'HTTPRouteMatchingAcrossRoutes', 'HTTPRouteMultipleGateways', 'HTTPRouteNoBackendRefs',
  'HTTPRouteObservedGenerationBump', 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', 'HTTPRoutePathMatchOrder',
  'HTTPRouteRedirectHostAndStatus', 'HTTPRouteReferenceGrant', 'HTTPRouteRequestHeaderModifier', 'HTTPRouteServiceTypes',
  'HTTPRouteSimpleSameNamespace', 'HTTPRouteWeight',
  'GatewayClassObservedGenerationBump', 'GatewayObservedGenerationBump', 'GatewayModifyListeners', 'GatewayInvalidRouteKind',
  'GatewayInvalidTLSConfiguration', 'GatewayListenerUnsupportedProtocol', 'GatewayInvalidParametersRef',
  'GatewaySecretInvalidReferenceGrant', 'GatewaySecretMissingReferenceGrant', 'GatewaySecretReferenceGrantAllInNamespace',
  'GatewaySecretReferenceGrantSpecific',
]);

/** HAProxy 2.6 has no traffic mirror, so the mirror features are declared unsupported. */
export const UNSUPPORTED_FEATURES: readonly string[] = Object.freeze(['HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors', 'HTTPRouteRequestPercentageMirror']);
