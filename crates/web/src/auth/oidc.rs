//! Sign-in with OpenID Connect (authorization code with PKCE S256) against the provider
//! in `CITIZENINFO_OIDC_ISSUER`, with the quirks of the Thai government's Digital ID: a
//! client secret sent as md5(secret + "EGA") applied 7 times, `client_secret_basic` or
//! `client_secret_post`, and end-session given both `post_logout_redirect_uri` and
//! `post_logout_redirect_url`. The first sign-in creates an account from the verified
//! claims, or links the account that already has the verified e-mail address.

use md5::{Digest, Md5};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthenticationFlow, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata,
    RedirectUrl, Scope,
};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

/// The OpenID Connect settings.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Send the secret transformed as the Digital ID expects.
    pub dga_secret: bool,
    /// `client_secret_basic` (default) or `client_secret_post`.
    pub auth_method: String,
    /// The provider's name on the sign-in button.
    pub display_name: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct EndSession {
    end_session_endpoint: Option<String>,
}
impl AdditionalProviderMetadata for EndSession {}

type Metadata = ProviderMetadata<
    EndSession,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The secret as the Thai Digital ID expects it: md5(secret + "EGA"), hex, 7 times over.
pub fn dga_secret(secret: &str) -> String {
    let mut s = secret.to_owned();
    for _ in 0..7 {
        s = hex::encode(Md5::digest(format!("{s}EGA").as_bytes()));
    }
    s
}

/// What waits in the session between the redirect to the provider and its return.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// The verified claims the account is made or found from, and the ID token they came
/// in (kept for the end-session request).
#[derive(Debug, Clone)]
pub(crate) struct Claims {
    pub verified: app::accounts::OidcClaims,
    pub id_token: String,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum OidcError {
    #[error("OpenID Connect provider: {0}")]
    Provider(String),
    #[error("the sign-in came back altered or too late (state)")]
    State,
}

fn provider(e: impl std::fmt::Display) -> OidcError {
    OidcError::Provider(e.to_string())
}

/// The HTTP client the OpenID library calls the provider with. A named type whose
/// futures are `Send`: a closure's would not be, for every lifetime, in axum handlers.
pub(crate) struct Http(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = reqwest::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>,
    >;

    fn call(&'c self, req: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let mut r = self
                .0
                .request(parts.method, parts.uri.to_string())
                .body(body);
            for (k, v) in &parts.headers {
                r = r.header(k, v);
            }
            let res = r.send().await?;
            let mut out = axum::http::Response::builder().status(res.status());
            for (k, v) in res.headers() {
                out = out.header(k, v);
            }
            let body = res.bytes().await?.to_vec();
            Ok(out.body(body).unwrap_or_default())
        })
    }
}

/// The client for one provider, discovered once and kept.
pub(crate) struct Oidc {
    pub config: OidcConfig,
    redirect: String,
    http: Http,
    discovered: OnceCell<(Client, Option<String>)>,
}

impl Oidc {
    pub(crate) fn new(config: OidcConfig, base_url: &str) -> Self {
        // Redirects are not followed: that would let a provider's answer send us anywhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Self {
            config,
            redirect: format!("{}/auth/oidc/callback", base_url.trim_end_matches('/')),
            http: Http(http),
            discovered: OnceCell::new(),
        }
    }

    async fn client(&self) -> Result<&(Client, Option<String>), OidcError> {
        self.discovered
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(provider)?;
                let meta = Metadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(provider)?;
                let end_session = meta.additional_metadata().end_session_endpoint.clone();
                let secret = if self.config.dga_secret {
                    dga_secret(&self.config.client_secret)
                } else {
                    self.config.client_secret.clone()
                };
                let auth = if self.config.auth_method == "client_secret_post" {
                    AuthType::RequestBody
                } else {
                    AuthType::BasicAuth
                };
                let client = CoreClient::from_provider_metadata(
                    meta,
                    ClientId::new(self.config.client_id.clone()),
                    Some(ClientSecret::new(secret)),
                )
                .set_redirect_uri(RedirectUrl::new(self.redirect.clone()).map_err(provider)?)
                .set_auth_type(auth);
                Ok((client, end_session))
            })
            .await
    }

    /// Where to send the browser, and what to keep until it comes back.
    pub(crate) async fn start(&self) -> Result<(String, Pending), OidcError> {
        let (client, _) = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Exchanges the code and verifies the ID token (signature, issuer, audience,
    /// expiry, nonce).
    pub(crate) async fn finish(
        &self,
        pending: Pending,
        code: &str,
        state: &str,
    ) -> Result<Claims, OidcError> {
        if !domain::account::constant_time_eq(pending.state.as_bytes(), state.as_bytes()) {
            return Err(OidcError::State);
        }
        let (client, _) = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(provider)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(provider)?;
        let id_token = openidconnect::TokenResponse::id_token(&token)
            .ok_or_else(|| OidcError::Provider("no ID token in the answer".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(provider)?;
        Ok(Claims {
            verified: app::accounts::OidcClaims {
                issuer: claims.issuer().to_string(),
                subject: claims.subject().to_string(),
                email: claims.email().map(|e| e.to_string()),
                email_verified: claims.email_verified().unwrap_or(false),
                given_name: claims
                    .given_name()
                    .and_then(|l| l.get(None))
                    .map(|v| (**v).clone()),
                family_name: claims
                    .family_name()
                    .and_then(|l| l.get(None))
                    .map(|v| (**v).clone()),
                name: claims
                    .name()
                    .and_then(|l| l.get(None))
                    .map(|v| (**v).clone()),
                preferred_username: claims.preferred_username().map(|u| u.to_string()),
            },
            id_token: id_token.to_string(),
        })
    }

    /// The provider's end-session address, with both spellings of the return address.
    pub(crate) async fn logout_url(&self, id_token: Option<&str>, back: &str) -> Option<String> {
        let (_, end) = self.client().await.ok()?;
        let mut url = reqwest::Url::parse(end.as_deref()?).ok()?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(t) = id_token {
                q.append_pair("id_token_hint", t);
            }
            q.append_pair("client_id", &self.config.client_id);
            q.append_pair("post_logout_redirect_uri", back);
            q.append_pair("post_logout_redirect_url", back);
        }
        Some(url.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dga_secret_is_md5_with_ega_seven_times() {
        // Worked out independently: python3 -c "import hashlib; s='secret'
        // for _ in range(7): s = hashlib.md5((s + 'EGA').encode()).hexdigest()
        // print(s)"
        assert_eq!(dga_secret("secret"), DGA_SECRET_OF_SECRET);
        assert_eq!(dga_secret("secret").len(), 32);
        assert_ne!(dga_secret("secret"), dga_secret("Secret"));
    }

    const DGA_SECRET_OF_SECRET: &str = "f3f25383de5eab0cbfa047b25e10f096";
}
