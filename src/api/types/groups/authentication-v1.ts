// authentication.k8s.io/v1: TokenRequest (the serviceaccounts/token subresource), TokenReview
// and SelfSubjectReview (`kubectl auth whoami`).
// Field names and protobuf numbers follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, int64, mapOf, obj, objectType, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const AUTHENTICATION_V1 = 'io.k8s.api.authentication.v1.';

export const AUTHENTICATION_V1_TYPES: ObjectType[] = [
  objectType(`${AUTHENTICATION_V1}TokenRequest`, 'Asks for a token of a service account; the token comes back in status and nothing is stored.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata.'),
    spec: obj(`${AUTHENTICATION_V1}TokenRequestSpec`, 2, 'What the token is for.', { required: true }),
    status: obj(`${AUTHENTICATION_V1}TokenRequestStatus`, 3, 'The issued token.'),
  }, { gvk: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } }),
  objectType(`${AUTHENTICATION_V1}TokenRequestSpec`, 'Audiences, lifetime and the object a token is bound to.', {
    audiences: field(atomicList(scalar('string')), 1, 'Who the token is meant for; a token is accepted only by an audience it names. Empty means the API server.'),
    expirationSeconds: int64(4, 'Requested lifetime in seconds (at least 600).', { pointer: true }),
    boundObjectRef: obj(`${AUTHENTICATION_V1}BoundObjectReference`, 3, 'An object (Pod or Secret) whose deletion invalidates the token.', { pointer: true }),
  }),
  objectType(`${AUTHENTICATION_V1}BoundObjectReference`, 'The object a token is bound to.', {
    kind: str(1, 'Pod or Secret.'),
    apiVersion: str(2, 'API version of the object, "v1".'),
    name: str(3, 'Name of the object, in the namespace of the service account.'),
    uid: str(4, 'UID of the object; when set it must match.'),
  }),
  objectType(`${AUTHENTICATION_V1}TokenRequestStatus`, 'The issued token and when it stops being valid.', {
    token: str(1, 'The bearer token.', { required: true }),
    expirationTimestamp: field(scalar('time'), 2, 'When the token expires.', { required: true }),
  }),
  objectType(`${AUTHENTICATION_V1}TokenReview`, 'Asks whether a token is valid and whom it stands for; the answer comes back in status and nothing is stored.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata.'),
    spec: obj(`${AUTHENTICATION_V1}TokenReviewSpec`, 2, 'The token to check.', { required: true }),
    status: obj(`${AUTHENTICATION_V1}TokenReviewStatus`, 3, 'Whether the token is valid, and its user.'),
  }, { gvk: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview' } }),
  objectType(`${AUTHENTICATION_V1}TokenReviewSpec`, 'A token and the audiences it should be valid for.', {
    token: str(1, 'The opaque bearer token.'),
    audiences: field(atomicList(scalar('string')), 2, 'Audiences the checker wants; empty means the API server.'),
  }),
  objectType(`${AUTHENTICATION_V1}TokenReviewStatus`, 'The outcome of a token review.', {
    authenticated: field(scalar('boolean'), 1, 'True when the token is valid.'),
    user: obj(`${AUTHENTICATION_V1}UserInfo`, 2, 'The user the token stands for.'),
    audiences: field(atomicList(scalar('string')), 4, 'The audiences the token was accepted for.'),
    error: str(3, 'Why the token could not be checked.'),
  }),
  objectType(`${AUTHENTICATION_V1}SelfSubjectReview`, 'Reports who the API server takes the requester to be; nothing is stored.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata.'),
    status: obj(`${AUTHENTICATION_V1}SelfSubjectReviewStatus`, 2, 'The requester as authenticated.'),
  }, { gvk: { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' } }),
  objectType(`${AUTHENTICATION_V1}SelfSubjectReviewStatus`, 'The authenticated user.', {
    userInfo: obj(`${AUTHENTICATION_V1}UserInfo`, 1, 'User name, UID, groups and extra attributes.'),
  }),
  objectType(`${AUTHENTICATION_V1}UserInfo`, 'A user as an authenticator reports it.', {
    username: str(1, 'Name that identifies the user.'),
    uid: str(2, 'Identifier that stays the same for this user while it exists.'),
    groups: field(atomicList(scalar('string')), 3, 'Groups the user belongs to.'),
    extra: field(mapOf(atomicList(scalar('string'))), 4, 'Further attributes from the authenticator.'),
  }),
];
