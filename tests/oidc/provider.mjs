// A real OpenID Connect provider on loopback for citizeninfo's sign-in tests (the npm
// package oidc-provider). Usage:
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET AUTH_METHOD REDIRECT_URI POST_LOGOUT_URI
// AUTH_METHOD is client_secret_basic or client_secret_post. Any login is accepted; the
// account's claims come from the login name. Prints "ready" once listening.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, authMethod, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    token_endpoint_auth_method: authMethod,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name', 'preferred_username'],
  },
  // The ID token carries the claims itself, as the Thai Digital ID's does.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@digitalid.example`,
          email_verified: true,
          given_name: 'ประเสริฐ',
          family_name: 'ดิจิทัล',
          name: 'ประเสริฐ ดิจิทัล',
          preferred_username: id,
        };
      },
    };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});
provider.proxy = false;
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
